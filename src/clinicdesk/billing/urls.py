from django.urls import path

from . import views

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
]
