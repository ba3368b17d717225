from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .menu import menu_for
from .permissions import Perm, has_perm


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": [], "idle_timeout_seconds": settings.IDLE_TIMEOUT_MINUTES * 60}
    return {
        "menu": menu_for(user),
        "can_search_patients": has_perm(user, Perm.PATIENT_READ),
        "idle_timeout_seconds": settings.IDLE_TIMEOUT_MINUTES * 60,
    }
