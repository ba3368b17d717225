from django.urls import path

from clinicdesk.core.resources import describe

from . import api

app_name = "insurance-api"
urlpatterns = [
    path("eligibility/verify", api.verify, name="eligibility-verify"),
    path("eligibility/results/<int:result_id>", api.result, name="eligibility-result"),
    path("eligibility/coverages/<int:coverage_id>/latest", api.latest, name="eligibility-latest"),
]

describe("insurance-eligibility", paths=api.OPENAPI_PATHS, schemas=api.OPENAPI_SCHEMAS)
