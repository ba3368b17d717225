from django.urls import path

from . import claim_form_views, claim_views, coding, denial_urls, estimate_views, report_urls, statement_urls, views

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
    path("superbills/<int:superbill_id>/claim/", claim_views.superbill_claim, name="superbill_claim"),
    # claims, their answers and remittances (#19)
    path("claims/", claim_views.claims, name="claims"),
    path("claims/submit/", claim_views.claims_submit, name="claims_submit"),
    path("claims/answers/", claim_views.claims_answer, name="claims_answer"),
    path("claims/<int:claim_id>/", claim_views.claim, name="claim"),
    path("claims/<int:claim_id>/cms1500.pdf", claim_form_views.claim_form_pdf, name="claim_form"),
    path("claims/<int:claim_id>/next-payer/", claim_views.claim_next_payer, name="claim_next_payer"),
    *[path(f"claims/<int:claim_id>/{action}/", claim_views.claim_action, {"action": action},
           name=f"claim_{action}") for action in ("scrub", "void", "replace")],
    # estimates and Good Faith Estimates (#19 item 10)
    path("patients/<int:patient_id>/estimates/", estimate_views.patient_estimates, name="estimates"),
    path("patients/<int:patient_id>/estimates/new/", estimate_views.estimate_new, name="estimate_new"),
    path("estimates/<int:estimate_id>/", estimate_views.estimate, name="estimate"),
    path("estimates/<int:estimate_id>/sign/", estimate_views.estimate_sign, name="estimate_sign"),
    path("estimates/<int:estimate_id>/estimate.pdf", estimate_views.estimate_pdf, name="estimate_pdf"),
    *report_urls.urlpatterns,  # payment reports (#19)
    *denial_urls.urlpatterns,  # denials (#19 item 7)
    *statement_urls.urlpatterns,  # statements, balances, refunds, disputes (#19 items 8-9)
]
