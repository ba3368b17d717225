"""The CMS-1500 paper claim form of one claim (#19 item 3): a download from the claim's page and the same PDF in
the JSON API (errors as problem details there)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from clinicdesk.core.api import api_login_required

from .cms1500 import claim_form


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def claim_form_pdf(request: HttpRequest, claim_id: int) -> HttpResponse:
    return _pdf(*claim_form(actor=request.user, claim_id=claim_id))


@require_GET
@api_login_required
def claim_form_api(request: HttpRequest, claim_id: int) -> HttpResponse:
    return _pdf(*claim_form(actor=request.user, claim_id=claim_id))
