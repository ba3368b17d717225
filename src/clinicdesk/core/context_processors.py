from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .menu import menu_for, menu_groups
from .permissions import Perm, has_perm


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": [], "menu_groups": [], "idle_timeout_seconds": settings.IDLE_TIMEOUT_MINUTES * 60}
    # Built when a template shows it (the page's layout), not for the htmx partials that most requests render
    # (issue #16, fixed costs per request: ~1.5 ms of permission checks and URL reversing).
    menu = functools.cache(lambda: menu_for(user))
    return {
        "menu": SimpleLazyObject(menu),
        "menu_groups": SimpleLazyObject(lambda: menu_groups(menu())),
        "can_search_patients": has_perm(user, Perm.PATIENT_READ),
        "idle_timeout_seconds": settings.IDLE_TIMEOUT_MINUTES * 60,
    }
