"""Site-wide answers that belong to no domain."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico before (or without) reading the page's icon link: send them to the icon."""
    return HttpResponsePermanentRedirect(static("clinicdesk/favicon.svg"))
