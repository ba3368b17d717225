"""Background work for the portal: thin wrappers that call services. Safe to run twice."""

from __future__ import annotations

from django_tasks import task

from .services import payments


@task()
def expire_online_payments() -> int:
    """Pending online payments whose hosted checkout has closed become expired (services/payments.py)."""
    return payments.online_payments_expire()
