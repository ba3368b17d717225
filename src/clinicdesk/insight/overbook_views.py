"""The overbook advice page and the practice's overbook advice setting."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import cast
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
from clinicdesk.core.dates import parse_day
from clinicdesk.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.forms import pick_by_pk
from clinicdesk.core.locations import current_location
from clinicdesk.core.permissions import Actor, Perm, has_perm
from clinicdesk.practice.selectors import locations_for, practitioners_at

from .overbook import may_overbook_advice, overbook_advice, overbook_policy, overbook_policy_set


@login_required
@require_GET
def overbook(request: HttpRequest) -> HttpResponse:
    actor = cast(Actor, request.user)
    mine = list(locations_for(actor))
    locations = [loc for loc in mine if may_overbook_advice(actor, loc)]
    if not locations:
        raise PermissionDenied(actor=actor, resource_type="location", resource_id=str(mine[0].pk) if mine else "")
    location = current_location(request, locations)
    if location is None:
        raise NotFound()
    day = parse_day(request.GET.get("day") or None, name="day",
                    default=clock.today_in(location.tz) + dt.timedelta(days=1))
    providers = practitioners_at([location])
    provider = pick_by_pk(request.GET.get("provider"), providers) or (providers[0] if providers else None)
    policy = overbook_policy()
    advice = [] if provider is None else overbook_advice(actor=actor, location=location, day=day,
                                                         practitioner_id=provider.pk, policy=policy)
    book = reverse("scheduling:book_dialog")
    rows = []
    for slot in advice:
        local = slot.start.astimezone(location.tz)
        expected = formats.number_format(slot.expected, 2, use_l10n=True)
        reason = _("Suggested: expected attendance %(expected)s") % {"expected": expected}
        url = book + "?" + urlencode({"location": location.pk, "practitioner": provider.pk if provider else "",
                                      "start": slot.start_iso, "type": slot.appointment_type_id, "overbook": "1",
                                      "overbook_reason": reason})
        rows.append({"slot": slot, "time": f"{local:%H:%M}\u2013{slot.end.astimezone(location.tz):%H:%M}",
                     "expected": expected, "book_url": url})
    return render(request, "insight/overbook.html", {
        "location": location, "locations": locations, "day": day, "providers": providers, "provider": provider,
        "policy": policy, "rows": rows, "threshold": formats.number_format(policy.threshold, 2, use_l10n=True),
        "can_set": has_perm(actor, Perm.PRACTICE_ADMIN), "can_book": has_perm(actor, Perm.SCHEDULE_WRITE,
                                                                               location=location)})


@login_required
@require_POST
def overbook_policy_save(request: HttpRequest) -> HttpResponse:
    try:
        threshold = Decimal((request.POST.get("threshold") or "").replace(",", "."))
    except InvalidOperation:
        messages.error(request, _("Choose a threshold between 0.05 and 1."))
        return redirect("insight:overbook")
    try:
        overbook_policy_set(actor=cast(Actor, request.user), allow_suggested=request.POST.get("allow") == "on",
                            threshold=threshold)
    except ValidationFailed as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("The overbook advice setting was saved."))
    return redirect("insight:overbook")
