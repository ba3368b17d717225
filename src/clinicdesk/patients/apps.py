from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "clinicdesk.patients"
    label = "patients"

    def ready(self) -> None:
        from . import hooks
        from .services import merge

        # First subscriber of patient_merged (INSTALLED_APPS order): the patients app's own rows.
        hooks.subscribe("patients", merge.move_patient_rows, handles=merge.MERGE_HANDLES)
