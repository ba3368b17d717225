from django.apps import AppConfig


class FhirConfig(AppConfig):
    name = "clinicdesk.interop.fhir"
    label = "fhir"
    verbose_name = "FHIR R4 API"
    default_auto_field = "django.db.models.BigAutoField"
