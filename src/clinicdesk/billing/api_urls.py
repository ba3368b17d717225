"""The patient-account API under /api/v1/: not configuration resources, so described by hand here."""

from django.urls import path

from clinicdesk.core.resources import describe

from . import (
    api,
    claim_api,
    claim_form_views,
    coding_api,
    denial_api,
    denial_urls,
    estimate_api,
    statement_api,
    statement_urls,
)

app_name = "billing-api"
urlpatterns = [
    path("patients/<int:patient_id>/charges", api.charges, name="charges"),
    path("patients/<int:patient_id>/adjustments", api.adjustments, name="adjustments"),
    path("ledger-entries/<int:entry_id>/reverse", api.reverse, name="reverse"),
    path("patients/<int:patient_id>/ledger", coding_api.ledger, name="ledger"),
    path("fee-schedule", coding_api.fee_schedule, name="fee-schedule"),
    path("fee-schedule/<int:item_id>/contracts", coding_api.fee_contract, name="fee-contract"),
    path("codes/icd10", coding_api.icd10, name="icd10"),
    path("appointments/<int:appointment_id>/superbill", coding_api.superbill_open, name="superbill-open"),
    path("superbills/<int:superbill_id>", coding_api.superbill, name="superbill"),
    path("superbills/<int:superbill_id>/post", coding_api.superbill_post, name="superbill-post"),
    path("superbills/<int:superbill_id>/reverse", coding_api.superbill_reverse, name="superbill-reverse"),
    path("superbills/<int:superbill_id>/claims", claim_api.claim_build, name="claim-build"),
    path("claims", claim_api.claims, name="claims"),
    path("claims/submit", claim_api.claims_submit, name="claims-submit"),
    path("claims/<int:claim_id>", claim_api.claim, name="claim"),
    path("claims/<int:claim_id>/scrub", claim_api.claim_scrub, name="claim-scrub"),
    path("claims/<int:claim_id>/cms1500", claim_form_views.claim_form_api, name="claim-form"),
    path("claim-answers", claim_api.claim_answers, name="claim-answers"),
    path("patients/<int:patient_id>/estimates", estimate_api.patient_estimates, name="estimates"),
    path("estimates/<int:estimate_id>", estimate_api.estimate, name="estimate"),
    path("estimates/<int:estimate_id>/sign", estimate_api.estimate_sign, name="estimate-sign"),
    path("estimates/<int:estimate_id>/pdf", estimate_api.estimate_pdf, name="estimate-pdf"),
    *denial_urls.api_urlpatterns,  # denials (#19 item 7)
    *statement_urls.api_urlpatterns,  # statements, disputes, credit refunds (#19 items 8-9)
]

describe("billing", paths=api.OPENAPI_PATHS, schemas=api.OPENAPI_SCHEMAS)
describe("billing-claims", paths=claim_api.OPENAPI_PATHS, schemas=claim_api.OPENAPI_SCHEMAS)
describe("billing-coding", paths=coding_api.OPENAPI_PATHS, schemas=coding_api.OPENAPI_SCHEMAS)
describe("billing-estimates", paths=estimate_api.OPENAPI_PATHS, schemas=estimate_api.OPENAPI_SCHEMAS)
describe("billing-denials", paths=denial_api.OPENAPI_PATHS, schemas=denial_api.OPENAPI_SCHEMAS)
describe("billing-statements", paths=statement_api.OPENAPI_PATHS, schemas=statement_api.OPENAPI_SCHEMAS)
