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
        # Batch channels (SFTP, local folder): answers are collected every 15 minutes while a request waits, and
        # a request left a day without one becomes a time-out (the desk asks again).
        periodic.register("collect-eligibility-answers", every_seconds=900, enqueue=tasks.collect_batch_answers.enqueue)
        periodic.register("expire-pending-eligibility", every_seconds=3600, enqueue=tasks.expire_pending_checks.enqueue)
        # Prior authorizations past their last valid day become expired (hourly; the day turns at midnight).
        periodic.register("expire-authorizations", every_seconds=3600, enqueue=tasks.expire_authorizations.enqueue)
        patient_hooks.subscribe("insurance", merge.move_patient_rows, handles=merge.MERGE_HANDLES)
        patient_hooks.subscribe_coverage_replaced("insurance", merge.repoint_coverages,
                                                  handles=merge.COVERAGE_HANDLES)
        # Referrals and prior authorizations (#18 items 6-7): visits used on fulfilment; the prior-auth tick.
        from clinicdesk.scheduling import hooks as schedule_hooks

        from . import hooks

        if hooks.on_status_changed not in schedule_hooks.status_changed:
            schedule_hooks.status_changed.append(hooks.on_status_changed)
        if hooks.on_checklist_marking not in schedule_hooks.checklist_marking:
            schedule_hooks.checklist_marking.append(hooks.on_checklist_marking)
        if hooks.readiness_requirements not in schedule_hooks.readiness_requirements:
            schedule_hooks.readiness_requirements.append(hooks.readiness_requirements)
