from django.urls import path

from . import referral_views, views

app_name = "insurance"
urlpatterns = [
    path("", views.day, name="day"),
    path("verify/<int:appointment_id>", views.verify, name="verify"),
    path("batch", views.batch, name="batch"),
    path("results/<int:result_id>", views.result, name="result"),
    # referrals, prior authorizations, payer rules (#18 items 1, 6, 7)
    path("patients/<int:patient_id>/", referral_views.patient, name="patient"),
    path("patients/<int:patient_id>/referrals/new", referral_views.referral_add, name="referral-add"),
    path("patients/<int:patient_id>/outgoing/new", referral_views.outgoing_add, name="outgoing-add"),
    path("patients/<int:patient_id>/authorizations/new", referral_views.authorization_add,
         name="authorization-add"),
    path("referrals/<int:referral_id>/link", referral_views.referral_link, name="referral-link"),
    path("outgoing/<int:referral_id>/status", referral_views.outgoing_status, name="outgoing-status"),
    path("outgoing/<int:referral_id>/letter.pdf", referral_views.outgoing_letter, name="outgoing-letter"),
    path("authorizations/<int:authorization_id>/decide", referral_views.authorization_decide,
         name="authorization-decide"),
    path("worklist/", referral_views.worklist, name="worklist"),
    path("rules/", referral_views.rules, name="rules"),
    path("rules/save", referral_views.rule_save, name="rule-save"),
    path("rules/<int:rule_id>/delete", referral_views.rule_delete, name="rule-delete"),
]
