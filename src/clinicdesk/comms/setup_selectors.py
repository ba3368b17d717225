"""Reads of the message set-up screens and API: reminder rules, message templates, quiet hours (no patient data;
practice administrators only, as every configuration screen)."""

from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When

from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor, Perm, require
from clinicdesk.practice.models import Location
from clinicdesk.scheduling.models import AppointmentType

from . import quiet_hours
from .models import Kind, MessageTemplate, ReminderRule


def reminder_rules_list(*, actor: Actor, include_inactive: bool = False) -> list[ReminderRule]:
    """Active rules first, confirmations, then reminders from the earliest sent (most minutes before)."""
    require(actor, Perm.PRACTICE_ADMIN)
    rules: QuerySet[ReminderRule] = ReminderRule.objects.select_related("appointment_type", "location")
    if not include_inactive:
        rules = rules.filter(active=True)
    return list(rules.order_by("-active", "kind", "-minutes_before", "pk"))


def reminder_rule_detail(*, actor: Actor, rule_id: int) -> ReminderRule:
    require(actor, Perm.PRACTICE_ADMIN)
    rule = ReminderRule.objects.select_related("appointment_type", "location").filter(pk=rule_id).first()
    if rule is None:
        raise NotFound()
    return rule


_KIND_ORDER = [Kind.CONFIRMATION, Kind.REMINDER, Kind.WAITLIST_OFFER, Kind.OFFER_TAKEN, Kind.RECALL, Kind.NO_SHOW]


def message_templates_list(*, actor: Actor, include_inactive: bool = False) -> list[MessageTemplate]:
    """Every template (templates are never inactive), by kind as a patient meets them, channel, language."""
    require(actor, Perm.PRACTICE_ADMIN)
    order = Case(*[When(kind=kind, then=Value(i)) for i, kind in enumerate(_KIND_ORDER)], default=Value(99),
                 output_field=IntegerField())
    return list(MessageTemplate.objects.order_by(order, "kind", "channel", "language"))


def message_template_detail(*, actor: Actor, template_id: int) -> MessageTemplate:
    require(actor, Perm.PRACTICE_ADMIN)
    template = MessageTemplate.objects.filter(pk=template_id).first()
    if template is None:
        raise NotFound()
    return template


def rule_choices(*, actor: Actor) -> dict[str, list[tuple[int, str]]]:
    """The appointment types and locations a rule may name (active ones)."""
    require(actor, Perm.PRACTICE_ADMIN)
    return {"appointment_types": [(t.pk, t.local_name) for t in AppointmentType.objects.filter(active=True)],
            "locations": [(loc.pk, loc.name) for loc in Location.objects.filter(active=True).order_by("name")]}


def quiet_hours_current(*, actor: Actor) -> tuple[int, int]:
    require(actor, Perm.PRACTICE_ADMIN)
    return quiet_hours.current()
