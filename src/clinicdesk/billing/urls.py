from django.urls import path

from . import coding, views

app_name = "billing"

urlpatterns = [
    path("patients/<int:patient_id>/", views.account, name="account"),
    path("patients/<int:patient_id>/charge/", views.charge_new, name="charge_new"),
    path("patients/<int:patient_id>/adjustment/", views.adjustment_new, name="adjustment_new"),
    path("entries/<int:entry_id>/reverse/", views.entry_reverse, name="entry_reverse"),
    path("payments/", views.collect, name="collect"),
    path("payments/<int:entry_id>/refund", views.refund, name="refund"),
    path("entries/<int:entry_id>/receipt.pdf", views.receipt, name="receipt"),
    path("entries/<int:entry_id>/receipt-email", views.receipt_email, name="receipt_email"),
    path("drawer/", views.drawer, name="drawer"),
    # the fee schedule and the coded visit (#19)
    path("fees/", coding.fees, name="fees"),
    path("fees/new/", coding.fee_new, name="fee_new"),
    path("fees/<int:item_id>/", coding.fee_edit, name="fee_edit"),
    path("fees/<int:item_id>/contract/", coding.fee_contract, name="fee_contract"),
    path("fees/usual/", coding.usual_codes, name="usual_codes"),
    path("fees/usual/<int:usual_id>/remove/", coding.usual_code_remove, name="usual_code_remove"),
    path("coding/", coding.coding, name="coding"),
    path("coding/visits/<int:appointment_id>/", coding.coding_open, name="coding_open"),
    path("coding/icd10/", coding.icd10_search, name="icd10_search"),
    path("superbills/<int:superbill_id>/", coding.superbill, name="superbill"),
    path("superbills/<int:superbill_id>/reverse/", coding.superbill_reverse, name="superbill_reverse"),
]
