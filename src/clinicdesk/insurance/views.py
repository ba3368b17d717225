"""Eligibility screens: the day's verification results (tomorrow by default) and one result in words."""

from __future__ import annotations

import datetime as dt
from typing import cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinicdesk.core import clock
from clinicdesk.core.exceptions import DomainError, NotFound, PermissionDenied
from clinicdesk.core.permissions import Actor

from . import selectors, services, words
from .models import EligibilityStatus


def _actor(request: HttpRequest) -> Actor:
    return cast(Actor, request.user)

def _day(request: HttpRequest) -> dt.date:
    tomorrow = clock.today_in(ZoneInfo(settings.TIME_ZONE)) + dt.timedelta(days=1)
    text = request.GET.get("day") or request.POST.get("day") or ""
    try:
        return dt.date.fromisoformat(text) if text else tomorrow
    except ValueError:
        return tomorrow


def _day_url(day: dt.date) -> str:
    return f"{reverse('insurance:day')}?day={day.isoformat()}"


@login_required
def day(request: HttpRequest) -> HttpResponse:
    when = _day(request)
    rows = selectors.eligibility_day(actor=_actor(request), day=when)
    counts: dict[str, int] = {}
    for row in rows:
        key = row.result.status if row.result else "none"
        counts[key] = counts.get(key, 0) + 1
    context = {
        "day": when, "rows": [(row, words.pill(row.result.status) if row.result else "") for row in rows],
        "previous": _day_url(when - dt.timedelta(days=1)), "next": _day_url(when + dt.timedelta(days=1)),
        "max_age": settings.ELIGIBILITY_MAX_AGE_DAYS,
        "counts": [(label, counts.get(code, 0)) for code, label in EligibilityStatus.choices if counts.get(code)],
        "unverified": sum(1 for row in rows if row.needs_verification),
    }
    return render(request, "insurance/day.html", context)


def _attempt(request: HttpRequest, action, success: str):  # type: ignore[no-untyped-def]
    try:
        result = action()
    except (PermissionDenied, NotFound):
        raise
    except DomainError as error:
        messages.error(request, error.detail)
        return None
    messages.success(request, success)
    return result


@login_required
@require_POST
def verify(request: HttpRequest, appointment_id: int) -> HttpResponse:
    result = _attempt(request, lambda: services.eligibility_verify(
        actor=_actor(request), appointment_id=appointment_id, channel=services.default_channel()), "")
    if result is not None:
        messages.success(request, _("Coverage checked.") if result.status != EligibilityStatus.PENDING
                         else _("Sent to the clearinghouse; the answer comes back with its batch."))
        if result.status not in (EligibilityStatus.ACTIVE, EligibilityStatus.PENDING):
            messages.warning(request, words.summary(result))
    # The check-in page asks from its own screen and comes back to it (a same-site address only).
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = _day_url(_day(request))
    return redirect(target)


@login_required
@require_POST
def batch(request: HttpRequest) -> HttpResponse:
    when = _day(request)
    report = _attempt(request, lambda: services.eligibility_batch_for_date(
        actor=_actor(request), day=when, channel=services.default_channel()), "")
    if report is not None:
        messages.success(request, _("%(asked)s coverages checked, %(fresh)s already verified, %(none)s patients "
                                    "without coverage on file.")
                         % {"asked": report.asked, "fresh": report.skipped_fresh, "none": report.no_coverage})
    return redirect(_day_url(when))


@login_required
def result(request: HttpRequest, result_id: int) -> HttpResponse:
    found = selectors.eligibility_result_detail(actor=_actor(request), result_id=result_id)
    context = {
        "result": found, "pill": words.pill(found.status), "summary": words.summary(found),
        "benefits": [words.benefit_line(b) for b in found.benefits.all()],
        "rejections": words.rejection_lines(found),
        "age_days": selectors.result_age_days(found),
        "stale": selectors.needs_new_verification(found, found.coverage),
        "back": _day_url(found.service_date),
    }
    return render(request, "insurance/result.html", context)
