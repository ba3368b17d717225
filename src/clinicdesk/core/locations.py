"""The current location: one choice per signed-in session, made with the location switcher in the top bar.

The switcher (components/location_switcher.html) is a GET form that adds ``?location=<id>`` to the page it is on.
A page that works at one location asks :func:`current_location` which one: an explicit ``location`` parameter
(a link, a bookmark, the switcher itself) wins and, on a GET, is remembered in the session; without one the
page follows the session's choice, then the user's first location. Pages carry no location picker of their own.
Only primary keys are handled here (core imports no app): the caller passes the user's own locations.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.http import HttpRequest

SESSION_KEY = "clinicdesk_location"

L = TypeVar("L")


def current_location(request: HttpRequest, locations: Sequence[L], wanted: str | None = None) -> L | None:
    """The location this request works at, among `locations` (the user's own), or None when `wanted` (or the
    request's ``location`` parameter) names none of them. An explicit choice is remembered for the next pages."""
    if not locations:
        return None
    if wanted is None:
        wanted = request.GET.get("location") or request.POST.get("location") or ""
    session: Any = getattr(request, "session", None)
    if wanted:
        chosen = next((loc for loc in locations if str(getattr(loc, "pk", "")) == str(wanted)), None)
        if chosen is not None and session is not None and request.method == "GET" \
                and session.get(SESSION_KEY) != getattr(chosen, "pk", None):  # no session write on every poll
            session[SESSION_KEY] = getattr(chosen, "pk", None)
        return chosen
    remembered = session.get(SESSION_KEY) if session is not None else None
    if remembered is not None:
        chosen = next((loc for loc in locations if getattr(loc, "pk", None) == remembered), None)
        if chosen is not None:
            return chosen
    return locations[0]
