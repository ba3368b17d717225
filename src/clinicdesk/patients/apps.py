from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "clinicdesk.patients"
    label = "patients"

    def ready(self) -> None:
        from clinicdesk.core import periodic

        from . import hooks, tasks
        from .services import merge

        # The duplicate matcher's weights, re-estimated from the practice's own charts (issue #17).
        periodic.register("train-matching-model", every_seconds=7 * 24 * 3600,
                          enqueue=tasks.train_matching_model.enqueue)

        # First subscriber of patient_merged (INSTALLED_APPS order): the patients app's own rows.
        hooks.subscribe("patients", merge.move_patient_rows, handles=merge.MERGE_HANDLES)
