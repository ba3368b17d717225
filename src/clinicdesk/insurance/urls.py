from django.urls import path

from . import care_views, referral_views, views

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
    # surgery readiness and admissions and transfers (#18 items 8, 9)
    path("readiness/", care_views.board, name="readiness"),
    path("readiness/templates/", care_views.templates, name="readiness-templates"),
    path("readiness/templates/<int:appointment_type_id>", care_views.template_save, name="readiness-template-save"),
    path("readiness/open/<int:appointment_id>", care_views.packet_open, name="readiness-open"),
    path("readiness/<int:packet_id>/", care_views.packet, name="readiness-packet"),
    path("readiness/<int:packet_id>/send", care_views.packet_send, name="readiness-send"),
    path("readiness/items/<int:item_id>", care_views.item_set, name="readiness-item"),
    path("ready/<str:token>/", care_views.acknowledge, name="readiness-ack"),
    path("facilities/", care_views.facilities, name="facilities"),
    path("facilities/save", care_views.facility_save, name="facility-save"),
    path("transfers/", care_views.transfers, name="transfers"),
    path("patients/<int:patient_id>/transfers/new", care_views.transfer_new, name="transfer-new"),
    path("transfers/<int:transfer_id>/", care_views.transfer, name="transfer"),
    path("transfers/<int:transfer_id>/status", care_views.transfer_status, name="transfer-status"),
    path("transfers/<int:transfer_id>/follow-up", care_views.transfer_follow_up, name="transfer-follow-up"),
    path("transfers/<int:transfer_id>/packet.pdf", care_views.transfer_pdf, name="transfer-pdf"),
    path("transfers/<int:transfer_id>/bundle.json", care_views.transfer_fhir, name="transfer-fhir"),
]
