"""Set-up screens of patient messages: reminder rules, quiet hours, the wording of message templates."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from clinicdesk.audit.selectors import change_history
from clinicdesk.core.exceptions import DomainError
from clinicdesk.core.forms import form_add_domain_error

from . import rules
from .models import Channel, Kind, MessageTemplate, ReminderRule
from .setup_forms import (
    MessageTemplateForm,
    QuietHoursForm,
    ReminderRuleForm,
    _hour_label,
    split_minutes,
)
from .setup_selectors import (
    message_template_detail,
    message_templates_list,
    quiet_hours_current,
    reminder_rule_detail,
    reminder_rules_list,
    rule_choices,
)

LANGUAGE_LABELS = {"en": gettext_lazy("English"), "es": gettext_lazy("Spanish")}
RULE_LABELS = {"kind": gettext_lazy("message"), "channel": gettext_lazy("sent by"),
               "minutes_before": gettext_lazy("how long before"),
               "appointment_type_id": gettext_lazy("appointment type"),
               "location_id": gettext_lazy("location"), "active": gettext_lazy("active")}
TEMPLATE_LABELS = {"subject": gettext_lazy("subject"), "body": gettext_lazy("text")}
QUIET_LABELS = {"start_hour": gettext_lazy("no messages from"), "end_hour": gettext_lazy("until")}


def _apply(form: Any, error: DomainError) -> None:
    form_add_domain_error(form, error, {"appointment_type_id": "appointment_type", "location_id": "location",
                                        "minutes_before": "amount"})


def _words(name: str, value: Any, choices: dict[str, dict[Any, str]]) -> Any:
    """A recorded value in words: a kind, a channel, a timing, a type or location by name."""
    if value is None:
        return None
    if name == "minutes_before":
        return rules.timing_words(Kind.REMINDER, value) if value else _("At booking")
    if name in ("kind", "channel"):
        return str({**dict(Kind.choices), **dict(Channel.choices)}.get(value, value))
    if name in ("start_hour", "end_hour") and isinstance(value, int) and 0 <= value <= 23:
        return _hour_label(value)
    if name in ("active",):
        return _("yes") if value else _("no")
    return choices.get(name, {}).get(value, value)


def _history(request: HttpRequest, resource_type: str, pk: int, labels: dict[str, Any],
             choices: dict[str, dict[Any, str]] | None = None) -> list[Any]:
    lines = change_history(actor=request.user, resource_type=resource_type, resource_id=pk, field_labels=labels)
    names = {str(label): name for name, label in labels.items()}
    return [replace(line, changes=[(label, _words(names.get(label, ""), old, choices or {}),
                                    _words(names.get(label, ""), new, choices or {}))
                                   for label, old, new in line.changes]) for line in lines]


def _quiet_words(start: int, end: int) -> str:
    if start == end:
        return _("No quiet hours: messages go out at any hour.")
    return _("No messages from %(start)s until %(end)s in each patient's time zone; a message due then waits.") % {
        "start": _hour_label(start), "end": _hour_label(end)}


# --- reminder rules ------------------------------------------------------------------------------------------
def _rule_cells(rule: ReminderRule) -> list[Any]:
    return [rule.get_kind_display(), rule.get_channel_display(), rules.timing_words(rule.kind, rule.minutes_before),
            rule.appointment_type.local_name if rule.appointment_type else _("Every appointment type"),
            rule.location.name if rule.location else _("Every location")]


@login_required
def reminder_rules(request: HttpRequest) -> HttpResponse:
    show_inactive = request.GET.get("inactive") == "include"
    found = reminder_rules_list(actor=request.user, include_inactive=show_inactive)
    start, end = quiet_hours_current(actor=request.user)
    base = reverse("comms:reminder_rules")
    return render(request, "comms/setup/reminder_rules.html", {
        "title": _("Reminder rules"),
        "intro": _("What each booking sends, by which channel and when. Changes apply to appointments booked or "
                   "changed from now on; messages already planned stay as they are."),
        "columns": [_("Message"), _("Sent by"), _("When"), _("Appointment type"), _("Location")],
        "rows": [{"cells": _rule_cells(rule), "url": reverse("comms:reminder_rule_edit", args=[rule.pk]),
                  "inactive": not rule.active} for rule in found],
        "new_url": reverse("comms:reminder_rule_new"), "new_label": _("Add a rule"),
        "show_inactive": show_inactive, "toggle_url": base if show_inactive else f"{base}?inactive=include",
        "empty": _("No reminder rules: no confirmation or reminder is sent."),
        "quiet_words": _quiet_words(start, end), "templates_url": reverse("comms:message_templates"),
    })


def _rule_page(request: HttpRequest, form: ReminderRuleForm, rule: ReminderRule | None) -> HttpResponse:
    context: dict[str, Any] = {
        "title": _("Change a reminder rule") if rule else _("Add a reminder rule"), "form": form,
        "cancel_url": reverse("comms:reminder_rules"),
        "intro": _("Messages go only by the channels each patient agreed to, never during quiet hours."),
    }
    if rule is not None:
        choices = rule_choices(actor=request.user)
        context["history"] = _history(request, "reminderrule", rule.pk, RULE_LABELS, {
            "appointment_type_id": dict(choices["appointment_types"]), "location_id": dict(choices["locations"])})
        if rule.active:
            context["deactivate_url"] = reverse("comms:reminder_rule_deactivate", args=[rule.pk])
    return render(request, "config/form.html", context, status=422 if form.errors else 200)


def _rule_form(request: HttpRequest, rule: ReminderRule | None) -> HttpResponse:
    choices = rule_choices(actor=request.user)
    if request.method == "POST":
        form = ReminderRuleForm(request.POST, choices=choices)
        if form.is_valid():
            try:
                if rule is None:
                    rules.reminder_rule_create(actor=request.user, **form.values())
                    messages.success(request, _("Reminder rule added."))
                else:
                    rules.reminder_rule_update(actor=request.user, rule_id=rule.pk, **form.values())
                    messages.success(request, _("Reminder rule saved."))
                return redirect("comms:reminder_rules")
            except DomainError as error:
                _apply(form, error)
        return _rule_page(request, form, rule)
    initial: dict[str, Any] = {"kind": Kind.REMINDER, "channel": Channel.SMS, "amount": 1, "unit": "days"}
    if rule is not None:
        amount, unit = split_minutes(rule.minutes_before)
        initial = {"kind": rule.kind, "channel": rule.channel, "amount": amount, "unit": unit,
                   "appointment_type": rule.appointment_type_id or "", "location": rule.location_id or ""}
    return _rule_page(request, ReminderRuleForm(initial=initial, choices=choices), rule)


@login_required
@require_http_methods(["GET", "POST"])
def reminder_rule_new(request: HttpRequest) -> HttpResponse:
    return _rule_form(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def reminder_rule_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    return _rule_form(request, reminder_rule_detail(actor=request.user, rule_id=rule_id))


@login_required
@require_POST
def reminder_rule_deactivate(request: HttpRequest, rule_id: int) -> HttpResponse:
    rules.reminder_rule_deactivate(actor=request.user, rule_id=rule_id)
    messages.success(request, _("Reminder rule deactivated: it plans no new messages."))
    return redirect("comms:reminder_rules")


# --- quiet hours ---------------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def quiet_hours(request: HttpRequest) -> HttpResponse:
    start, end = quiet_hours_current(actor=request.user)
    form = QuietHoursForm(request.POST or None, initial={"start_hour": start, "end_hour": end})
    if request.method == "POST" and form.is_valid():
        try:
            rules.quiet_hours_set(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            _apply(form, error)
        else:
            messages.success(request, _("Quiet hours saved."))
            return redirect("comms:reminder_rules")
    return render(request, "config/form.html", {
        "title": _("Quiet hours"), "form": form, "cancel_url": reverse("comms:reminder_rules"),
        "intro": _quiet_words(start, end),
        "history": _history(request, "quiethours", 1, QUIET_LABELS),
    }, status=422 if form.errors else 200)


# --- message templates ---------------------------------------------------------------------------------------
def _template_name(template: MessageTemplate) -> str:
    return _("%(kind)s, %(channel)s, %(language)s") % {
        "kind": template.get_kind_display(), "channel": template.get_channel_display(),
        "language": LANGUAGE_LABELS.get(template.language, template.language)}


@login_required
def message_templates(request: HttpRequest) -> HttpResponse:
    found = message_templates_list(actor=request.user)
    return render(request, "config/list.html", {
        "title": _("Message wording"),
        "intro": _("What each message says, in English and Spanish. Patients read the one in their language."),
        "columns": [_("Message"), _("Sent by"), _("Language"), _("Beginning")],
        "rows": [{"cells": [t.get_kind_display(), t.get_channel_display(),
                            LANGUAGE_LABELS.get(t.language, t.language), (t.subject or t.body)[:60]],
                  "url": reverse("comms:message_template_edit", args=[t.pk])} for t in found],
        "empty": _("No message templates."),
    })


@login_required
@require_http_methods(["GET", "POST"])
def message_template_edit(request: HttpRequest, template_id: int) -> HttpResponse:
    template = message_template_detail(actor=request.user, template_id=template_id)
    sms = template.channel == Channel.SMS
    form = MessageTemplateForm(request.POST or None, sms=sms,
                               initial={"subject": template.subject, "body": template.body})
    preview = None
    if request.method == "POST" and form.is_valid():
        subject, body = form.cleaned_data.get("subject", ""), form.cleaned_data["body"]
        if "preview" in request.POST:
            problems = rules.message_template_problems(kind=template.kind, channel=template.channel,
                                                       language=template.language, subject=subject, body=body)
            for name, found in problems.items():
                for problem in found:
                    form.add_error(name if name in form.fields else None, problem)
            if not problems:
                preview = rules.message_template_preview(kind=template.kind, channel=template.channel,
                                                         language=template.language, subject=subject, body=body)
        else:
            try:
                rules.message_template_update(actor=request.user, template_id=template.pk, subject=subject,
                                              body=body)
            except DomainError as error:
                _apply(form, error)
            else:
                messages.success(request, _("Wording saved: messages planned from now on use it."))
                return redirect("comms:message_templates")
    fields = rules.MERGE_FIELDS.get(template.kind, ())
    return render(request, "comms/setup/message_template.html", {
        "title": _template_name(template), "form": form, "template_obj": template, "preview": preview,
        "merge_fields": [(name, rules.FIELD_LABELS[name]) for name in fields],
        "sms": sms, "sms_max": rules.SMS_TEMPLATE_MAX, "cancel_url": reverse("comms:message_templates"),
        "history": _history(request, "messagetemplate", template.pk, TEMPLATE_LABELS),
    }, status=422 if form.errors else 200)
