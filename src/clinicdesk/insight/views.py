"""Insight pages: tomorrow's appointments most likely to be missed, to call the day before."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.locations import current_location
from clinicdesk.core.permissions import Actor, Perm, has_perm
from clinicdesk.practice.selectors import locations_for
from clinicdesk.scheduling.selectors import appointments_for_day

from .overbook import may_overbook_advice
from .selectors import HIGH_FROM, MEDIUM_FROM, may_see_risk_at, noshow_model_info, noshow_risk_at
from .services import noshow_train_practice


@login_required
@require_GET
def noshow(request: HttpRequest) -> HttpResponse:
    actor = cast(Actor, request.user)
    mine = list(locations_for(actor))
    if not mine:
        raise NotFound("no-location", _("You are not assigned to any location."))
    locations = [loc for loc in mine if may_see_risk_at(actor, loc)]  # reports readers and the front desk
    if not locations:
        raise PermissionDenied(actor=actor, resource_type="location", resource_id=str(mine[0].pk))
    location = current_location(request, locations)
    if location is None:
        raise NotFound()
    day = clock.today_in(location.tz) + dt.timedelta(days=1)
    shown = appointments_for_day(actor=actor, location=location, day=day)  # names and phones: schedule.read
    risks = noshow_risk_at(actor=actor, location=location, appointment_ids=[a.pk for a in shown])
    info = noshow_model_info(actor=actor)
    high = {r.appointment_id: r for r in risks if r.band == "high"}
    rows = sorted(((high[a.pk], a) for a in shown if a.pk in high), key=lambda pair: -pair[0].probability)
    return render(request, "insight/noshow.html", {
        "location": location, "locations": locations, "day": day, "rows": rows, "info": info,
        "day_label": formats.date_format(day, "DATE_FORMAT"),
        "high_from": f"{formats.number_format(HIGH_FROM * 100, 0, use_l10n=True)} %",
        "medium_from": f"{formats.number_format(MEDIUM_FROM * 100, 0, use_l10n=True)} %",
        "facts": _facts(info, location, scored=len(risks), medium=sum(1 for r in risks if r.band == "medium")),
        "schedule_url": f"{reverse('scheduling:day')}?{urlencode({'day': day.isoformat(), 'location': location.pk})}",
        "can_train": has_perm(actor, Perm.PRACTICE_ADMIN) and has_perm(actor, Perm.REPORTS_READ),
        "can_report": has_perm(actor, Perm.REPORTS_READ), "can_overbook": may_overbook_advice(actor, location)})


def _facts(info: dict[str, Any] | None, location: Any, *, scored: int, medium: int) -> list[tuple[str, Any]]:
    if info is None:
        return []
    trained = dt.datetime.fromisoformat(str(info["trained_at"])).astimezone(location.tz)
    auc = info.get("auc")
    return [
        (_("Trained"), formats.date_format(trained, "DATETIME_FORMAT")),
        (_("Appointments learned from"), formats.number_format(info["labelled"], use_l10n=True, force_grouping=True)),
        (_("No-show rate"), f"{formats.number_format(info['noshow_rate'] * 100, 1, use_l10n=True)} %"),
        (_("AUC on the later weeks"), formats.number_format(auc, 2, use_l10n=True) if auc is not None else None),
        (_("Appointments scored tomorrow"), formats.number_format(scored, use_l10n=True)),
        (_("Medium risk tomorrow"), formats.number_format(medium, use_l10n=True)),
    ]


@login_required
@require_POST
def noshow_train(request: HttpRequest) -> HttpResponse:
    try:
        metrics = noshow_train_practice(actor=cast(Actor, request.user))
    except ValidationFailed as error:
        messages.error(request, error.detail)
    else:
        auc = metrics.get("auc")
        messages.success(request, _("The no-show model was trained on %(rows)s appointments.") % {
            "rows": metrics["labelled"]} + (" " + _("AUC on the later weeks: %(auc)s.") % {
                "auc": f"{auc:.2f}"} if auc is not None else ""))
    return redirect("insight:noshow")
