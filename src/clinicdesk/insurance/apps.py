from django.apps import AppConfig


class InsuranceConfig(AppConfig):
    name = "clinicdesk.insurance"
    label = "insurance"

    def ready(self) -> None:
        from clinicdesk.core import periodic
        from clinicdesk.patients import hooks as patient_hooks

        from . import merge, services, tasks

        # Every hour in the evening (from ELIGIBILITY_BATCH_HOUR, local time): tomorrow's schedule; a coverage
        # verified already (fresh answer) is skipped, so the repeats cost nothing.
        periodic.register("verify-tomorrows-coverage", every_seconds=3600, enqueue=tasks.verify_tomorrow.enqueue,
                          is_due=services.evening_batch_due)
        patient_hooks.subscribe("insurance", merge.move_patient_rows, handles=merge.MERGE_HANDLES)
