from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Perm, Role, has_perm
from clinicdesk.practice.selectors import locations_for
from clinicdesk.setup.selectors import setup_missing

from .selectors import appointments_today, home_tiles, inbox_panels, provider_day, waiting_panel, worklist_panels

GUIDE_NEXT = "clinicdesk_setup_guide_next"  # set by the first-run page (setup/views.py)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    locations = list(locations_for(request.user))
    if request.session.pop(GUIDE_NEXT, False) and has_perm(request.user, Perm.PRACTICE_ADMIN):
        return redirect("setup:guide")  # the first run goes on to the setup guide after two-factor set-up
    user = request.user
    tiles = home_tiles(locations) if has_perm(user, Perm.SCHEDULE_READ) else []
    context = {"locations": locations, "tiles": tiles, "setup_missing": setup_missing(actor=user),
               "waiting": [], "worklists": [], "inbox": [], "my_day": []}
    role = getattr(user, "role", "")
    if role == Role.FRONT_DESK:
        context["waiting"] = [waiting_panel(actor=user, location=loc) for loc in locations
                              if has_perm(user, Perm.FRONTDESK, location=loc)]
    if role in (Role.PATIENT_COORDINATOR, Role.PRACTICE_COORDINATOR):
        context["worklists"] = [panel for loc in locations if has_perm(user, Perm.FRONTDESK, location=loc)
                                for panel in worklist_panels(actor=user, location=loc)]
    if role == Role.PROVIDER:
        context["my_day"] = [t for loc in locations if (t := provider_day(actor=user, location=loc)) is not None]
        context["tiles"] = []  # the provider's own day replaces the location's
    if role in (Role.FRONT_DESK, Role.PATIENT_COORDINATOR, Role.PRACTICE_COORDINATOR, Role.PROVIDER, Role.NURSE) and (
            has_perm(user, Perm.FRONTDESK) or has_perm(user, Perm.CLINICAL_TRIAGE)):
        context["inbox"] = inbox_panels(actor=user)
    return render(request, "reports/home.html", context)


@login_required
@require_GET
def appointments(request: HttpRequest) -> HttpResponse:
    """The list behind a number on a home tile: today's appointments at a location in one part of the day."""
    locations = list(locations_for(request.user))
    location = next((loc for loc in locations if str(loc.pk) == request.GET.get("location")), None)
    if location is None:
        raise NotFound("no-location", _("Choose one of your locations."))
    listing = appointments_today(actor=request.user, location=location, group=request.GET.get("group") or "all",
                                 mine=request.GET.get("mine") == "1")
    return render(request, "reports/appointments.html", {"list": listing})


def healthz(request: HttpRequest) -> HttpResponse:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
