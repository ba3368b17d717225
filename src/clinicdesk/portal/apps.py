from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The patient portal and the waiting-room kiosk: patients sign in without a password
    and act for themselves (issue #23)"""

    name = "clinicdesk.portal"
    label = "portal"

    def ready(self) -> None:
        from clinicdesk.core import periodic
        from clinicdesk.patients import hooks as patient_hooks

        from . import merge, tasks
        from .services import payments

        patient_hooks.subscribe("portal", merge.move_patient_rows, handles=merge.MERGE_HANDLES)

        # Payment plans (#19 item 8): billing holds statements of a balance on a plan and shows plans, through
        # its hooks; reminders, missed instalments and defaults are checked hourly.
        from clinicdesk.billing import hooks as billing_hooks

        from . import plan_tasks
        from .services import plans

        billing_hooks.statement_holds.append(plans.plan_holds)
        billing_hooks.plan_summaries.append(plans.plan_summaries)
        periodic.register("payment-plans", every_seconds=3600, enqueue=plan_tasks.check_payment_plans.enqueue)
        # Online checkouts the patient never finished become expired (also on the patient's own payments page).
        periodic.register("expire-online-payments", every_seconds=300, enqueue=tasks.expire_online_payments.enqueue,
                          is_due=payments.stale_payments_exist)
