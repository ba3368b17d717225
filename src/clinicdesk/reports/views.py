from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from clinicdesk.core.permissions import Perm, has_perm
from clinicdesk.practice.selectors import locations_for
from clinicdesk.scheduling.selectors import appointment_counts_today


@login_required
def home(request: HttpRequest) -> HttpResponse:
    locations = list(locations_for(request.user))
    counts = appointment_counts_today(locations) if has_perm(request.user, Perm.SCHEDULE_READ) else []
    return render(request, "reports/home.html", {"locations": locations, "counts": counts})


def healthz(request: HttpRequest) -> HttpResponse:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
