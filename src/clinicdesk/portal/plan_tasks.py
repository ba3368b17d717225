"""Background work for payment plans (#19 item 8): reminders, missed instalments, defaults. Safe to run twice."""

from __future__ import annotations

from django_tasks import task

from .services.plans import plans_check_due


@task(queue_name="reminders")
def check_payment_plans() -> int:
    report = plans_check_due()
    return report.reminded + report.late + report.defaulted
