from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "clinicdesk.scheduling"
    label = "scheduling"

    def ready(self) -> None:
        from clinicdesk.core import periodic
        from clinicdesk.patients import hooks as patient_hooks

        from . import merge, selectors, tasks

        patient_hooks.subscribe("scheduling", merge.move_patient_rows, handles=merge.MERGE_HANDLES)
        patient_hooks.register_seen_at(selectors.patient_seen_at)
        # The first-available search's remembered full days (ADR 0012) of days gone by.
        periodic.register("prune-remembered-days", every_seconds=24 * 3600, enqueue=tasks.prune_remembered_days.enqueue)
