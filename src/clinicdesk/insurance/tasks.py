"""Background work: thin wrappers that call services. Every one is safe to run twice (a coverage with a fresh
answer is not asked again; an answer already stored is not pending any more)."""

from __future__ import annotations

import logging

from django_tasks import task

from clinicdesk.core.exceptions import DomainError

from . import selectors, services

log = logging.getLogger(__name__)


@task()
def verify_tomorrow() -> int:
    """The evening batch: tomorrow's schedule (insurance.services.eligibility_tomorrow)."""
    return services.eligibility_tomorrow().asked


@task()
def collect_batch_answers() -> int:
    """Read the 271s the clearinghouse left in the drop folders (insurance.services.eligibility_collect), for
    each batch channel that has a request waiting; the number of answers stored."""
    answered = 0
    for channel in selectors.pending_batch_channels():
        try:
            report = services.eligibility_collect(actor=services.SYSTEM, channel=channel)
        except DomainError as error:  # a channel not set up (any more): the next run tries again
            log.warning("eligibility: cannot collect from %s: %s", channel, error.code)
            continue
        answered += report.answered
    return answered


@task()
def expire_pending_checks() -> int:
    """Batch requests left without an answer for a day become time-outs, so the desk asks again
    (insurance.services.eligibility_expire_pending); the number expired."""
    return services.eligibility_expire_pending(actor=services.SYSTEM)


@task()
def expire_authorizations() -> int:
    """Approved authorizations whose last valid day has passed become expired
    (insurance.services.authorizations_expire); the number expired."""
    return services.authorizations_expire(actor=services.SYSTEM)
