"""The comms app's configuration resources of the JSON API (/api/v1/...; see core/resources.py): reminder rules,
message templates and the practice's quiet hours, over the same services and selectors as the screens."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clinicdesk.core.api import api_login_required, json_body
from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.core.permissions import Perm
from clinicdesk.core.resources import ApiField, ApiResource

from . import rules
from .models import Channel, Kind
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
