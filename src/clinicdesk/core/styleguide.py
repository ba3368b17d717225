"""The living style page (/styleguide): every component of templates/components/ in every state, in the user's
language. Staff only (any signed-in user: every account is staff). Read-only; it reads no records.

The status vocabularies are written out here because core imports no app; tests/core/test_styleguide.py holds them
equal (codes and words) to scheduling's AppointmentStatus and frontdesk's VisitStatus."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.messages.storage.base import Message
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from .templatetags.ui import MENU_ICONS

APPOINTMENT_STATUSES: tuple[tuple[str, Any], ...] = (
    ("proposed", _("Proposed")), ("pending", _("Pending")), ("booked", _("Booked")), ("arrived", _("Arrived")),
    ("checked-in", _("Checked in")), ("fulfilled", _("Fulfilled")), ("cancelled", _("Cancelled")),
    ("noshow", _("No-show")), ("entered-in-error", _("Entered in error")), ("waitlist", _("Waitlist")),
)
VISIT_STATUSES: tuple[tuple[str, Any], ...] = (
    ("arrived", _("Arrived")), ("checked-in", _("Waiting")), ("roomed", _("Roomed")),
    ("with-provider", _("With provider")), ("ready-checkout", _("Ready for check-out")),
    ("checked-out", _("Checked out")), ("left", _("Left without being seen")),
)
COMPONENT_ICONS = ("plus", "check", "x", "archive", "upload", "eye", "eye-off", "circle-check", "circle-alert",
                   "triangle-alert", "info", "map-pin", "inbox", "stethoscope", "circle-user", "search", "printer",
                   "phone", "clock", "user-plus", "calendar-plus", "credit-card", "log-in", "log-out")


class SampleForm(forms.Form):
    """A form to show fields in their states; never saved."""

    name = forms.CharField(label=_("Name"), max_length=60, help_text=_("As the staff call it, e.g. Room 3."))
    kind = forms.ChoiceField(label=_("Kind"), choices=(("exam", _("Exam room")), ("procedure", _("Procedure room"))))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)


@require_safe
@login_required
def styleguide(request: HttpRequest) -> HttpResponse:
    bound = SampleForm(data={"name": "", "kind": "exam", "notes": "", "active": "on"})
    bound.is_valid()  # the name is missing: shows a field with its error
    tab = request.GET.get("tab", "components")
    tabs = [{"label": label, "url": f"?tab={key}", "current": key == tab, "icon": icon, "count": count}
            for key, label, icon, count in (("components", _("Components"), "layout-grid", None),
                                            ("statuses", _("Statuses"), "tag", len(APPOINTMENT_STATUSES)),
                                            ("icons", _("Icons"), "image", None))]
    return render(request, "styleguide.html", {
        "appointment_statuses": APPOINTMENT_STATUSES,
        "visit_statuses": VISIT_STATUSES,
        "empty_form": SampleForm(prefix="blank"),
        "bound_form": bound,
        "tabs": tabs,
        "flashes": [Message(messages.SUCCESS, gettext("Room saved.")),
                    Message(messages.INFO, gettext("Two patients are waiting.")),
                    Message(messages.WARNING, gettext("The drawer has not been counted today.")),
                    Message(messages.ERROR, gettext("That time is already booked."))],
        "table_columns": [_("Room"), _("Location"), _("Kind")],
        "table_rows": [[_("Room A"), "Downtown", _("Exam room")], [_("Room B"), "Downtown", _("Procedure room")]],
        "facts": [(_("Medical record number"), "MRN-000123"), (_("Date of birth"), "1984-03-09"),
                  (_("Phone"), "+1 555 0100"), (_("Email"), None)],
        "icons": sorted({*MENU_ICONS.values(), *COMPONENT_ICONS}),
    })
