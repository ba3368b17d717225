from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from clinicdesk.core.api import api_login_required
from clinicdesk.core.menu import menu_for
from clinicdesk.practice.selectors import locations_for


@require_GET
@api_login_required
def me(request: HttpRequest) -> JsonResponse:
    user = request.user
    return JsonResponse({
        "username": user.username,
        "role": user.role,
        "language": user.language,
        "screens": [item["key"] for item in menu_for(user)],
        "locations": [{"id": loc.pk, "code": loc.code, "name": loc.name, "timeZone": loc.time_zone}
                      for loc in locations_for(user)],
    })
