from django.urls import path

from clinicdesk.core.resources import describe

from . import api, care_api, referral_api

app_name = "insurance-api"
urlpatterns = [
    path("eligibility/verify", api.verify, name="eligibility-verify"),
    path("eligibility/results/<int:result_id>", api.result, name="eligibility-result"),
    path("eligibility/coverages/<int:coverage_id>/latest", api.latest, name="eligibility-latest"),
    # referrals, prior authorizations, payer rules (#18 items 1, 6, 7)
    path("insurance/patients/<int:patient_id>/referrals", referral_api.patient_records, name="patient-referrals"),
    path("insurance/referrals", referral_api.referral_create, name="referral-create"),
    path("insurance/outgoing-referrals", referral_api.outgoing_create, name="outgoing-create"),
    path("insurance/outgoing-referrals/<int:referral_id>/status", referral_api.outgoing_status,
         name="outgoing-status"),
    path("insurance/authorizations", referral_api.authorization_create, name="authorization-create"),
    path("insurance/authorizations/<int:authorization_id>/decision", referral_api.authorization_decide,
         name="authorization-decide"),
    path("insurance/payer-rules", referral_api.rules, name="payer-rules"),
    # surgery readiness, admissions and transfers (#18 items 8, 9)
    path("insurance/readiness", care_api.board, name="readiness-board"),
    path("insurance/readiness/packets", care_api.packet_open, name="readiness-open"),
    path("insurance/readiness/packets/<int:packet_id>", care_api.packet, name="readiness-packet"),
    path("insurance/readiness/packets/<int:packet_id>/send", care_api.packet_send, name="readiness-send"),
    path("insurance/readiness/items/<int:item_id>", care_api.item_set, name="readiness-item"),
    path("insurance/facilities", care_api.facilities, name="facilities"),
    path("insurance/transfers", care_api.transfer_create, name="transfer-create"),
    path("insurance/transfers/<int:transfer_id>", care_api.transfer, name="transfer"),
    path("insurance/transfers/<int:transfer_id>/status", care_api.transfer_status, name="transfer-status"),
    path("insurance/transfers/<int:transfer_id>/bundle", care_api.transfer_fhir, name="transfer-bundle"),
]

describe("insurance-eligibility", paths=api.OPENAPI_PATHS, schemas=api.OPENAPI_SCHEMAS)
describe("insurance-referrals", paths=referral_api.OPENAPI_PATHS, schemas=referral_api.OPENAPI_SCHEMAS)
describe("insurance-care", paths=care_api.OPENAPI_PATHS, schemas=care_api.OPENAPI_SCHEMAS)
