"""The patient-account API under /api/v1/: not configuration resources, so described by hand here."""

from django.urls import path

from clinicdesk.core.resources import describe

from . import api

app_name = "billing-api"
urlpatterns = [
    path("patients/<int:patient_id>/charges", api.charges, name="charges"),
    path("patients/<int:patient_id>/adjustments", api.adjustments, name="adjustments"),
    path("ledger-entries/<int:entry_id>/reverse", api.reverse, name="reverse"),
]

describe("billing", paths=api.OPENAPI_PATHS, schemas=api.OPENAPI_SCHEMAS)
