from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clinicdesk.core.permissions import Perm, require

from .selectors import locations_for


@login_required
def locations(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.PRACTICE_ADMIN)
    return render(request, "practice/locations.html", {"locations": locations_for(request.user)})
