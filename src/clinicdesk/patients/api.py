"""The patients app's configuration resources of the JSON API (/api/v1/...); see core/resources.py.
Each resource is a thin declaration over the same services and selectors as the screens."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clinicdesk.core.api import api_login_required, json_body
from clinicdesk.core.exceptions import Conflict, ValidationFailed
from clinicdesk.core.permissions import Actor
from clinicdesk.core.resources import ApiField, ApiResource

from .form_template_selectors import form_template_detail, form_templates_list
from .models import AlertSeverity, FormTemplate, PatientAlert
from .selectors import patient_alerts
from .services import (
    alert_kind_create,
    alert_kind_deactivate,
    alert_kind_detail,
    alert_kind_update,
    alert_kinds_list,
    form_template_deactivate,
    form_template_publish,
    patient_alert_add,
    patient_alert_end,
)

# --- consent and intake form templates ----------------------------------------------------------------------
# One record per version and language. Read-only: a version never changes once published. A new version is
# published with POST /api/v1/form-templates/publish (hand-described in api_urls.py: it writes one row per
# language and retires the previous version, which is not a create of one record). Deactivating the current
# version's row withdraws the whole form (every language) from signing.


def _form_template_deactivate(actor: Actor, pk: int) -> FormTemplate:
    row = form_template_detail(actor=actor, template_id=pk)
    if not row.active:
        raise Conflict("not-current", _("Only the current version of a form can be deactivated; this one is not "
                                        "offered for signing."))
    form_template_deactivate(actor=actor, code=row.code)
    row.active = False
    return row


FORM_TEMPLATES = ApiResource(
    path="form-templates", schema="FormTemplate", tag="forms", noun="form template",
    description="One version of a consent or intake form in one language. `?inactive=include` lists earlier "
                "versions and withdrawn forms too. Deactivating the current version's record withdraws the form "
                "in every language; publishing a new version offers it again.",
    fields=(
        ApiField.ident(),
        ApiField.text("code", read_only=True, description="The form's short code; every version shares it."),
        ApiField.text("title", read_only=True),
        ApiField.integer("version", read_only=True, minimum=1, maximum=32767),
        ApiField.choice("language", ("en", "es"), read_only=True),
        ApiField.text("body", read_only=True),
        ApiField.flag("required", read_only=True,
                      description="Every patient signs it; those who signed an earlier version sign again."),
        ApiField.flag("active", read_only=True, description="The current version, offered for signing."),
        ApiField("publishedAt", "datetime", read_only=True, nullable=True),
    ),
    list=lambda actor, include_inactive: form_templates_list(actor=actor, include_inactive=include_inactive),
    read=lambda actor, pk: form_template_detail(actor=actor, template_id=pk),
    deactivate=_form_template_deactivate,
)

PUBLISH_LANGUAGES = ("en", "es")


def _publish_body(data: dict[str, Any]) -> tuple[str, bool, dict[str, tuple[str, str]]]:
    def refuse(name: str, message: str) -> ValidationFailed:
        return ValidationFailed("bad-field", message, fields={name: [message]})

    code, required, texts = data.get("code"), data.get("required"), data.get("texts")
    if not isinstance(code, str) or "\x00" in code:
        raise refuse("code", _("'code' must be text."))
    if not isinstance(required, bool):
        raise refuse("required", _("'required' must be true or false."))
    if not isinstance(texts, dict) or not texts:
        raise refuse("texts", _("'texts' must be an object of languages (en, es), each with a title and a body."))
    parsed: dict[str, tuple[str, str]] = {}
    for language, text in texts.items():
        if language not in PUBLISH_LANGUAGES or not isinstance(text, dict) \
                or not all(isinstance(text.get(k), str) and "\x00" not in text[k] for k in ("title", "body")):
            raise refuse("texts", _("'texts' must be an object of languages (en, es), each with a title and a "
                                    "body."))
        parsed[language] = (text["title"], text["body"])
    return code, required, parsed


@require_POST
@api_login_required
def form_template_publish_view(request: HttpRequest) -> HttpResponse:
    code, required, texts = _publish_body(json_body(request))
    created = form_template_publish(actor=request.user, code=code, required=required, texts=texts)
    return JsonResponse({"items": [FORM_TEMPLATES.as_json(row) for row in created]}, status=201)


# --- payers (helper "staffpayers" adds its resource here) ---------------------------------------------------


# --- patient alerts and their kinds (#15) -------------------------------------------------------------------
# Alert kinds are configuration (practice administrators): an ApiResource. A chart's alerts are not CRUD (set
# with a reason, ended, never changed or deleted): GET/POST /api/v1/patients/{patient_id}/alerts and
# POST /api/v1/patient-alerts/{id}/end, hand-described in api_urls.py.

ALERT_KINDS = ApiResource(
    path="alert-kinds", schema="AlertKind", tag="patient alerts", noun="alert kind",
    description="A kind of patient alert staff can set on a chart (behaviour, fall risk, interpreter needed, latex "
                "allergy, and those the practice adds). `severity` names the badge's colour.",
    fields=(
        ApiField.ident(),
        ApiField.text("code", required=True, create_only=True, max_length=40,
                      description="A short name: lower-case letters, digits and hyphens; never changes."),
        ApiField.text("labelEn", required=True, max_length=80),
        ApiField.text("labelEs", required=True, max_length=80),
        ApiField.choice("severity", AlertSeverity.values),
        ApiField.flag("needsDetail", description="Setting it asks for a detail (the interpreter's language)."),
        ApiField.flag("active", description="Offered on charts; true reactivates a deactivated kind."),
    ),
    list=lambda actor, include_inactive: alert_kinds_list(actor=actor, include_inactive=include_inactive),
    read=lambda actor, pk: alert_kind_detail(actor=actor, kind_id=pk),
    create=lambda actor, values: alert_kind_create(actor=actor, **values),
    update=lambda actor, pk, values: alert_kind_update(actor=actor, kind_id=pk, **values),
    deactivate=lambda actor, pk: alert_kind_deactivate(actor=actor, kind_id=pk),
)


def alert_json(alert: PatientAlert) -> dict[str, Any]:
    return {"id": alert.pk, "patient": alert.patient_id, "kind": alert.kind_id, "kindCode": alert.kind.code,
            "label": alert.label, "severity": alert.kind.severity, "detail": alert.detail, "reason": alert.reason,
            "createdAt": alert.created_at.isoformat(), "endedAt": alert.ended_at.isoformat() if alert.ended_at
            else None, "endReason": alert.end_reason, "active": alert.active}


def _text_member(data: dict[str, Any], name: str, *, required: bool = False) -> str:
    value = data.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        message = _("'%(name)s' must be text.") % {"name": name}
        raise ValidationFailed("bad-field", message, fields={name: [message]})
    return value


@require_http_methods(["GET", "POST"])
@api_login_required
def patient_alerts_view(request: HttpRequest, patient_id: int) -> HttpResponse:
    if request.method == "POST":
        data = json_body(request, required=True)
        if unknown := sorted(set(data) - {"kind", "reason", "detail"}):
            raise ValidationFailed("unknown-field", _("Unknown members: %(names)s.") % {"names": ", ".join(unknown)},
                                   fields={name: [_("Unknown.")] for name in unknown})
        kind = data.get("kind")
        if not isinstance(kind, int) or isinstance(kind, bool):
            message = _("'kind' must be an alert kind's id.")
            raise ValidationFailed("bad-field", message, fields={"kind": [message]})
        alert = patient_alert_add(actor=request.user, patient_id=patient_id, kind_id=kind,
                                  reason=_text_member(data, "reason", required=True),
                                  detail=_text_member(data, "detail"))
        return JsonResponse(alert_json(alert), status=201)
    return JsonResponse({"items": [alert_json(a) for a in patient_alerts(actor=request.user, patient_id=patient_id)]})


@require_POST
@api_login_required
def patient_alert_end_view(request: HttpRequest, alert_id: int) -> HttpResponse:
    data = json_body(request)
    if unknown := sorted(set(data) - {"reason"}):
        raise ValidationFailed("unknown-field", _("Unknown members: %(names)s.") % {"names": ", ".join(unknown)},
                               fields={name: [_("Unknown.")] for name in unknown})
    alert = patient_alert_end(actor=request.user, alert_id=alert_id, reason=_text_member(data, "reason"))
    return JsonResponse(alert_json(alert))
