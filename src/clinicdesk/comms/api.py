"""The comms app's configuration resources of the JSON API (/api/v1/...; see core/resources.py): reminder rules,
message templates and the practice's quiet hours, over the same services and selectors as the screens."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clinicdesk.core.api import api_actor, api_login_required, json_body
from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.core.permissions import Perm
from clinicdesk.core.resources import ApiField, ApiResource

from . import rules
from .consent_records import ConsentOverview, consent_overview, consent_record
from .models import Channel, ConsentRecord, Kind
from .setup_selectors import (
    message_template_detail,
    message_templates_list,
    quiet_hours_current,
    reminder_rule_detail,
    reminder_rules_list,
)

REMINDER_RULES = ApiResource(
    write_perm=Perm.PRACTICE_ADMIN,
    path="reminder-rules", schema="ReminderRule", tag="messages", noun="reminder rule",
    description="Which message an appointment's booking plans, by which channel and how long before its start. "
                "A confirmation goes at booking (`minutesBefore` 0); a reminder from 15 minutes to 60 days "
                "before. No `appointmentType` or `location`: every one. Changes apply to appointments booked or "
                "changed from then on.",
    fields=(
        ApiField.ident(),
        ApiField.choice("kind", rules.RULE_KINDS, required=True),
        ApiField.choice("channel", Channel.values, required=True),
        ApiField.integer("minutesBefore", minimum=0, maximum=rules.MAX_REMINDER_MINUTES),
        ApiField.ref("appointmentType", nullable=True, description="Empty: every appointment type."),
        ApiField.ref("location", nullable=True, description="Empty: every location."),
        ApiField.flag("active", read_only=True),
        ApiField.text("timing", read_only=True, get=lambda r: rules.timing_words(r.kind, r.minutes_before),
                      description="When, in words, in the caller's language."),
    ),
    list=lambda actor, include_inactive: reminder_rules_list(actor=actor, include_inactive=include_inactive),
    read=lambda actor, pk: reminder_rule_detail(actor=actor, rule_id=pk),
    create=lambda actor, values: rules.reminder_rule_create(actor=actor, **values),
    update=lambda actor, pk, values: rules.reminder_rule_update(actor=actor, rule_id=pk, **values),
    deactivate=lambda actor, pk: rules.reminder_rule_deactivate(actor=actor, rule_id=pk),
)

MESSAGE_TEMPLATES = ApiResource(
    write_perm=Perm.PRACTICE_ADMIN,
    path="message-templates", schema="MessageTemplate", tag="messages", noun="message template",
    description="The wording of one kind of message in one channel and language. Merge fields are written "
                "`{{ first_name }}`, only those listed in `mergeFields`; a text message has no subject and at most "
                f"{rules.SMS_TEMPLATE_MAX} characters. There is one per kind, channel and language: none is added "
                "or deactivated.",
    fields=(
        ApiField.ident(),
        ApiField.choice("kind", Kind.values, read_only=True),
        ApiField.choice("channel", Channel.values, read_only=True),
        ApiField.choice("language", ("en", "es"), read_only=True),
        ApiField.text("subject", max_length=rules.SUBJECT_MAX),
        ApiField.text("body", max_length=rules.EMAIL_BODY_MAX),
        ApiField.texts("mergeFields", read_only=True, get=lambda t: list(rules.MERGE_FIELDS.get(t.kind, ())),
                       description="The merge fields this kind of message may use."),
        ApiField.datetime("updatedAt", read_only=True),
    ),
    list=lambda actor, include_inactive: message_templates_list(actor=actor),
    read=lambda actor, pk: message_template_detail(actor=actor, template_id=pk),
    update=lambda actor, pk, values: rules.message_template_update(actor=actor, template_id=pk, **values),
)


_QUIET_FIELDS = (ApiField.integer("startHour", minimum=0, maximum=23),
                 ApiField.integer("endHour", minimum=0, maximum=23))


def _quiet_json(start: int, end: int) -> dict[str, Any]:
    return {"startHour": start, "endHour": end}


@require_http_methods(["GET", "PUT"])
@api_login_required
def quiet_hours(request: HttpRequest) -> HttpResponse:
    """GET the practice's quiet hours; PUT both hours to change them."""
    if request.method == "PUT":
        data, values = json_body(request), {}
        for member in _QUIET_FIELDS:
            if data.get(member.name) is None:
                raise ValidationFailed("missing-field", _("'%(name)s' is required.") % {"name": member.name},
                                       fields={member.name: [_("Required.")]})
            values[member.attr] = member.parse(data[member.name])
        row = rules.quiet_hours_set(actor=request.user, start_hour=values["start_hour"], end_hour=values["end_hour"])
        return JsonResponse(_quiet_json(row.start_hour, row.end_hour))
    return JsonResponse(_quiet_json(*quiet_hours_current(actor=request.user)))


# --- consent to be contacted (#24 item 5): GET the current state and history, POST a record -----------------------
_CONSENT_MEMBERS = {"purpose", "channel", "granted", "source", "note"}


def _consent_record_json(entry: ConsentRecord) -> dict[str, Any]:
    return {"id": entry.pk, "patient": entry.patient_id, "forAddress": entry.patient_id is None,
            "purpose": entry.purpose, "purposeLabel": str(entry.get_purpose_display()), "channel": entry.channel,
            "channelLabel": str(entry.get_channel_display()), "granted": entry.granted, "source": entry.source,
            "sourceLabel": str(entry.get_source_display()), "note": entry.note, "at": entry.at.isoformat(),
            "recordedBy": entry.recorded_by.username if entry.recorded_by_id and entry.recorded_by else None}


def _consent_json(overview: ConsentOverview) -> dict[str, Any]:
    return {"patient": overview.patient.pk,
            "current": [{"purpose": row.purpose, "purposeLabel": row.purpose_label, "channel": cell.channel,
                         "channelLabel": cell.channel_label, "allowed": cell.allowed, "words": cell.words,
                         "recorded": cell.recorded} for row in overview.rows for cell in row.cells],
            "history": [_consent_record_json(r) for r in overview.history]}


def _text(data: dict[str, Any], name: str, *, required: bool = True) -> str:
    value = data.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        message = _("'%(name)s' must be text.") % {"name": name}
        raise ValidationFailed("bad-field", message, fields={name: [message]})
    return value


@require_http_methods(["GET", "POST"])
@api_login_required
def patient_consent(request: HttpRequest, patient_id: int) -> HttpResponse:
    """GET whether the patient may be contacted for each purpose by each channel, and the consent history; POST one
    consent granted or withdrawn (the same service as the contact-preferences screen)."""
    actor = api_actor(request)
    if request.method == "POST":
        data = json_body(request, required=True)
        if unknown := sorted(set(data) - _CONSENT_MEMBERS):
            raise ValidationFailed("unknown-field", _("Unknown members: %(names)s.") % {"names": ", ".join(unknown)},
                                   fields={name: [_("Unknown.")] for name in unknown})
        if not isinstance(data.get("granted"), bool):
            message = _("'granted' must be true or false.")
            raise ValidationFailed("bad-field", message, fields={"granted": [message]})
        entry = consent_record(actor=actor, patient_id=patient_id, purpose=_text(data, "purpose"),
                               channel=_text(data, "channel"), granted=data["granted"], source=_text(data, "source"),
                               note=_text(data, "note", required=False))
        return JsonResponse(_consent_record_json(entry), status=201)
    return JsonResponse(_consent_json(consent_overview(actor=actor, patient_id=patient_id)))
