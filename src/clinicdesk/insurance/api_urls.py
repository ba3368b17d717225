from django.urls import path

from clinicdesk.core.resources import describe

from . import api, referral_api

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
]

describe("insurance-eligibility", paths=api.OPENAPI_PATHS, schemas=api.OPENAPI_SCHEMAS)
describe("insurance-referrals", paths=referral_api.OPENAPI_PATHS, schemas=referral_api.OPENAPI_SCHEMAS)
