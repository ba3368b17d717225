"""Setting up patient messages: reminder rules, the wording of message templates, quiet hours.

Rules decide what `services.reminders_plan` queues for appointments booked or changed from then on; messages
already planned stay as they were written. Templates are Django templates restricted to the merge fields of
their kind, written `{{ first_name }}`: no tags, no filters, nothing else in braces (a practice edits wording,
not code)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.template import Context, Template
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core.changes import diff, snapshot
from clinicdesk.core.exceptions import Conflict, NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require
from clinicdesk.practice.models import Location
from clinicdesk.scheduling.models import AppointmentType

from . import content
from .models import Channel, Kind, MessageTemplate, QuietHours, ReminderRule

# --- merge fields ------------------------------------------------------------------------------------------
FIELD_LABELS: dict[str, Any] = {
    "first_name": gettext_lazy("the patient's first name (or preferred name)"),
    "appointment_name": gettext_lazy("the visit's name as patients read it"),
    "date": gettext_lazy("the appointment's date"),
    "time": gettext_lazy("the appointment's time"),
    "location": gettext_lazy("the location's name"),
    "address": gettext_lazy("the location's address"),
    "phone": gettext_lazy("the location's phone number"),
    "practice": gettext_lazy("the practice's short name"),
    "answer_url": gettext_lazy("the link to confirm or cancel (or take the offer)"),
}
_VISIT = ("first_name", "appointment_name", "date", "time", "location", "address", "phone", "practice")
# What each kind of message is rendered with (services._values, offers._slot_values, recalls_notify_due).
MERGE_FIELDS: dict[str, tuple[str, ...]] = {
    Kind.CONFIRMATION: (*_VISIT, "answer_url"),
    Kind.REMINDER: (*_VISIT, "answer_url"),
    Kind.NO_SHOW: _VISIT,
    Kind.WAITLIST_OFFER: ("first_name", "appointment_name", "date", "time", "location", "phone", "practice",
                          "answer_url"),
    Kind.OFFER_TAKEN: ("first_name", "appointment_name", "date", "time", "location", "phone", "practice"),
    Kind.RECALL: ("first_name", "appointment_name", "location", "phone", "practice"),
}
SMS_TEMPLATE_MAX = 320  # the wording as written; with the values filled in a text is cut at 480 (content.render)
SMS_RENDERED_MAX = 480
EMAIL_BODY_MAX = 5000
SUBJECT_MAX = 200
_FIELD = re.compile(r"\{\{(.*?)\}\}", re.S)
_NAME = re.compile(r"^\s*([a-z_]+)\s*$")
_BRACED = re.compile(r"\{[^{}]*\}?|\}")


def _sample_values(language: str) -> dict[str, str]:
    moment = dt.datetime(2026, 3, 12, 14, 30, tzinfo=dt.UTC)
    date, time = content.local_date_time(moment, dt.UTC, language)
    with translation.override(language):
        return {"first_name": "Ana", "appointment_name": _("Follow-up visit"), "date": date, "time": time,
                "location": "Downtown", "address": "100 Main St, Springfield", "phone": "(413) 555-0100",
                "practice": "Clinicdesk", "answer_url": "https://clinic.example.org/r/AbC123xYz/"}


def _check_text(errors: dict[str, list[str]], name: str, text: str, allowed: tuple[str, ...]) -> None:
    """Only `{{ field }}` of the kind's merge fields; a tag, a filter or a stray brace is refused by name."""
    def add(message: str) -> None:
        errors.setdefault(name, []).append(message)

    if "\x00" in text:
        add(_("This contains a NUL character, which cannot be stored."))
    if "{%" in text or "{#" in text:
        add(_("Only merge fields such as {{ first_name }} may be used in braces."))
    for inner in _FIELD.findall(text):
        match = _NAME.match(inner)
        if match is None or match.group(1) not in allowed:
            add(_("Unknown merge field {{%(field)s}}: use one of %(fields)s.")
                % {"field": inner, "fields": ", ".join(allowed)})
    for stray in _BRACED.findall(_FIELD.sub("", text.replace("{%", "").replace("{#", ""))):
        add(_("Unknown merge field %(field)s: write merge fields as {{ first_name }}, one of %(fields)s.")
            % {"field": stray[:40], "fields": ", ".join(allowed)})


def message_template_problems(*, kind: str, channel: str, language: str, subject: str, body: str
                              ) -> dict[str, list[str]]:
    """{field: [problems]} of a template's wording, {} when it may be saved. Pure: no database."""
    errors: dict[str, list[str]] = {}
    allowed = MERGE_FIELDS.get(kind, ())
    if not body.strip():
        errors["body"] = [_("Write the message.")]
    if channel == Channel.SMS:
        if subject.strip():
            errors["subject"] = [_("A text message has no subject.")]
        if len(body.strip()) > SMS_TEMPLATE_MAX:
            errors.setdefault("body", []).append(
                _("A text message's wording has at most %(max)s characters (this has %(count)s).")
                % {"max": SMS_TEMPLATE_MAX, "count": len(body.strip())})
    else:
        if not subject.strip():
            errors["subject"] = [_("An e-mail needs a subject.")]
        elif len(subject.strip()) > SUBJECT_MAX:
            errors["subject"] = [_("A subject has at most %(max)s characters.") % {"max": SUBJECT_MAX}]
        if len(body.strip()) > EMAIL_BODY_MAX:
            errors.setdefault("body", []).append(
                _("An e-mail's text has at most %(max)s characters.") % {"max": EMAIL_BODY_MAX})
    _check_text(errors, "subject", subject, allowed)
    _check_text(errors, "body", body, allowed)
    if channel == Channel.SMS and "body" not in errors:
        rendered = message_template_preview(kind=kind, channel=channel, language=language, subject="", body=body)
        if len(rendered.body) > SMS_RENDERED_MAX:
            errors["body"] = [_("With sample values filled in this text has %(count)s characters; a text message "
                                "has at most %(max)s.") % {"count": len(rendered.body), "max": SMS_RENDERED_MAX}]
    return errors


def message_template_preview(*, kind: str, channel: str, language: str, subject: str, body: str
                             ) -> content.Rendered:
    """The wording with sample values, as a patient would read it. Call it on wording without problems."""
    values = {name: value for name, value in _sample_values(language).items() if name in MERGE_FIELDS.get(kind, ())}
    with translation.override(language):
        context = Context(values, autoescape=False)
        return content.Rendered(Template(subject).render(context).strip(), Template(body).render(context).strip(),
                                language)


TEMPLATE_FIELDS = ("subject", "body")


@atomic_service
def message_template_update(*, actor: Actor, template_id: int, subject: str | None = None,
                            body: str | None = None) -> MessageTemplate:
    """Change the wording of one kind of message in one channel and language. Bad wording writes nothing."""
    require(actor, Perm.PRACTICE_ADMIN)
    template = MessageTemplate.objects.select_for_update().filter(pk=template_id).first()
    if template is None:
        raise NotFound()
    new_subject = template.subject if subject is None else subject.strip()
    new_body = template.body if body is None else body.strip()
    errors = message_template_problems(kind=template.kind, channel=template.channel, language=template.language,
                                       subject=new_subject, body=new_body)
    if errors:
        raise ValidationFailed("invalid-template", " ".join(m for ms in errors.values() for m in ms), fields=errors)
    before = snapshot(template, TEMPLATE_FIELDS)
    template.subject, template.body = new_subject, new_body
    changes = diff(before, snapshot(template, TEMPLATE_FIELDS))
    if changes:
        template.save(update_fields=["subject", "body", "updated_at"])
        record(actor, "message_template.update", template, detail={"changes": changes})
    return template


# --- reminder rules ----------------------------------------------------------------------------------------
RULE_FIELDS = ("appointment_type_id", "location_id", "kind", "channel", "minutes_before", "active")
RULE_KINDS = (Kind.CONFIRMATION, Kind.REMINDER)
MIN_REMINDER_MINUTES = 15
MAX_REMINDER_MINUTES = 60 * 24 * 60  # 60 days


def timing_words(kind: str, minutes: int) -> str:
    """"At booking", "2 days before", "1 day, 2 hours before", in the active language."""
    if kind == Kind.CONFIRMATION:
        return _("At booking")
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    pieces = []
    if days:
        pieces.append(ngettext("%(count)s day", "%(count)s days", days) % {"count": days})
    if hours:
        pieces.append(ngettext("%(count)s hour", "%(count)s hours", hours) % {"count": hours})
    if mins:
        pieces.append(ngettext("%(count)s minute", "%(count)s minutes", mins) % {"count": mins})
    return _("%(time)s before") % {"time": ", ".join(pieces) or "0"}


def _check_rule(values: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    kind, minutes = values["kind"], values["minutes_before"]
    if kind not in RULE_KINDS:
        errors["kind"] = [_("Choose a confirmation or a reminder.")]
    if values["channel"] not in Channel.values:
        errors["channel"] = [_("Choose e-mail or text message.")]
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes < 0:
        errors["minutes_before"] = [_("Say how long before the appointment.")]
    elif kind == Kind.CONFIRMATION and minutes != 0:
        errors["minutes_before"] = [_("A confirmation goes out at booking; leave the time at zero.")]
    elif kind == Kind.REMINDER and not MIN_REMINDER_MINUTES <= minutes <= MAX_REMINDER_MINUTES:
        errors["minutes_before"] = [_("A reminder goes out from 15 minutes to 60 days before the appointment.")]
    type_id, location_id = values["appointment_type_id"], values["location_id"]
    if type_id is not None and not AppointmentType.objects.filter(pk=type_id, active=True).exists():
        errors["appointment_type"] = [_("Choose an active appointment type, or every type.")]
    if location_id is not None and not Location.objects.filter(pk=location_id, active=True).exists():
        errors["location"] = [_("Choose an active location, or every location.")]
    return errors


def _validate_rule(values: dict[str, Any], *, exclude: int | None = None) -> None:
    errors = _check_rule(values)
    if errors:
        raise ValidationFailed("invalid-rule", " ".join(m for ms in errors.values() for m in ms), fields=errors)
    if values["active"] and ReminderRule.objects.filter(
            active=True, kind=values["kind"], channel=values["channel"], minutes_before=values["minutes_before"],
            appointment_type_id=values["appointment_type_id"], location_id=values["location_id"]
    ).exclude(pk=exclude or 0).exists():
        raise Conflict("duplicate-rule", _("An active rule already sends this message at that time."))


def _require_at(actor: Actor, location_id: int | None) -> None:
    require(actor, Perm.PRACTICE_ADMIN, location=location_id or None)


@atomic_service
def reminder_rule_create(*, actor: Actor, kind: str, channel: str, minutes_before: int = 0,
                         appointment_type_id: int | None = None, location_id: int | None = None) -> ReminderRule:
    """A new rule: which message, by which channel, how long before; for one type and location, or every one."""
    _require_at(actor, location_id)
    values = {"kind": kind, "channel": channel, "minutes_before": minutes_before,
              "appointment_type_id": appointment_type_id, "location_id": location_id, "active": True}
    _validate_rule(values)
    rule = ReminderRule.objects.create(**values)
    record(actor, "reminder_rule.create", rule, detail={"changes": diff({}, snapshot(rule, RULE_FIELDS))})
    return rule


def _locked_rule(actor: Actor, rule_id: int) -> ReminderRule:
    require(actor, Perm.PRACTICE_ADMIN)
    rule = ReminderRule.objects.select_for_update().filter(pk=rule_id).first()
    if rule is None:
        raise NotFound()
    _require_at(actor, rule.location_id)
    return rule


@atomic_service
def reminder_rule_update(*, actor: Actor, rule_id: int, **changes: Any) -> ReminderRule:
    """Change the members given (kind, channel, minutes_before, appointment_type_id, location_id, active)."""
    rule = _locked_rule(actor, rule_id)
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise ValidationFailed("unknown-field", _("These cannot be changed: %(names)s.")
                               % {"names": ", ".join(sorted(unknown))})
    before = snapshot(rule, RULE_FIELDS)
    values = before | changes
    if values["kind"] == Kind.CONFIRMATION and "minutes_before" not in changes:
        values["minutes_before"] = 0
    if changes.get("location_id"):
        _require_at(actor, changes["location_id"])
    _validate_rule(values, exclude=rule.pk)
    for name, value in values.items():
        setattr(rule, name, value)
    after = snapshot(rule, RULE_FIELDS)
    if after != before:
        rule.save()
        record(actor, "reminder_rule.update", rule, detail={"changes": diff(before, after)})
    return rule


@atomic_service
def reminder_rule_deactivate(*, actor: Actor, rule_id: int) -> ReminderRule:
    """Stop using a rule for new plans (messages already planned stay)."""
    rule = _locked_rule(actor, rule_id)
    if rule.active:
        rule.active = False
        rule.save(update_fields=["active"])
        record(actor, "reminder_rule.deactivate", rule, detail={"changes": {"active": [True, False]}})
    return rule


# --- quiet hours -------------------------------------------------------------------------------------------
@atomic_service
def quiet_hours_set(*, actor: Actor, start_hour: int, end_hour: int) -> QuietHours:
    """No message goes out from `start_hour` until `end_hour` in the patient's zone (the same hour: none)."""
    require(actor, Perm.PRACTICE_ADMIN)
    errors: dict[str, list[str]] = {}
    for name, value in (("start_hour", start_hour), ("end_hour", end_hour)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 23:
            errors[name] = [_("Choose an hour from 0 to 23.")]
    if errors:
        raise ValidationFailed("invalid-quiet-hours", _("Choose the hours again."), fields=errors)
    from .quiet_hours import current

    before_start, before_end = current()
    row, _created = QuietHours.objects.select_for_update().get_or_create(
        pk=1, defaults={"start_hour": start_hour, "end_hour": end_hour})
    row.start_hour, row.end_hour = start_hour, end_hour
    row.save()
    changes = diff({"start_hour": before_start, "end_hour": before_end},
                   {"start_hour": start_hour, "end_hour": end_hour})
    if changes:
        record(actor, "quiet_hours.update", row, detail={"changes": changes})
    return row
