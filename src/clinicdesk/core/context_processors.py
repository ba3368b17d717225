from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .menu import menu_for, menu_groups
from .permissions import Perm, has_perm


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": [], "menu_groups": [], "idle_timeout_seconds": settings.IDLE_TIMEOUT_MINUTES * 60}
    return {
        "menu": (menu := menu_for(user)),
        "menu_groups": menu_groups(menu),
        "can_search_patients": has_perm(user, Perm.PATIENT_READ),
        "idle_timeout_seconds": settings.IDLE_TIMEOUT_MINUTES * 60,
    }
