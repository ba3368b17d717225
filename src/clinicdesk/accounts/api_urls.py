"""/api/v1/users (ApiResource) and the one operation that is not CRUD: issuing a temporary password."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.http import require_POST

from clinicdesk.core.api import api_login_required, json_body
from clinicdesk.core.openapi import WRITE_AUTH, errors, ok
from clinicdesk.core.resources import describe

from . import services
from .api import USERS


@require_POST
@api_login_required
def password_reset(request: HttpRequest, pk: int) -> JsonResponse:
    json_body(request)  # no members; a body in another format is a 415, as everywhere in the API
    password = services.user_password_reset(actor=request.user, user_id=pk)
    response = JsonResponse({"id": pk, "temporaryPassword": password})
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    *USERS.urls(),
    path("users/<int:pk>/password-reset", password_reset, name="users-password-reset"),
]

describe("accounts", paths={"/api/v1/users/{pk}/password-reset": {"post": {
    "operationId": "usersPasswordReset", "tags": ["staff"], "security": [WRITE_AUTH],
    "summary": "Issue a one-time temporary password.",
    "description": "The answer is the only time the password is shown (it is stored hashed). It works for one "
                   "sign-in, after which the user must choose a new password; the user's open sessions end and a "
                   "lock from failed sign-ins is lifted. An administrator cannot reset their own password here "
                   "(409 `reset-own-password`). The body, if any, is an empty JSON object.",
    "parameters": [{"name": "pk", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0},
                    "description": "The staff user's id."}],
    "responses": ok("The temporary password.", "TemporaryPassword")
    | errors("400", "401", "403", "404", "409", "415", "422")}}},
    schemas={"TemporaryPassword": {"type": "object", "required": ["id", "temporaryPassword"], "properties": {
        "id": {"type": "integer", "minimum": 1}, "temporaryPassword": {"type": "string", "minLength": 16}}}})
