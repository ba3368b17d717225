from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "clinicdesk.scheduling"
    label = "scheduling"

    def ready(self) -> None:
        from clinicdesk.patients import hooks as patient_hooks

        from . import merge, selectors

        patient_hooks.subscribe("scheduling", merge.move_patient_rows, handles=merge.MERGE_HANDLES)
        patient_hooks.register_seen_at(selectors.patient_seen_at)
