"""The compliance calendar and OSHA screens: recurring duties and their occurrences (with evidence), the safety
documents, the sharps-injury log, the OSHA 300 log (privacy cases without the name, on the page and the export) and
the 300A summary computed from it."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicdesk.core import clock
from clinicdesk.core.permissions import Perm, require

from .. import selectors, selectors_program, services
from ..forms_program import CaseForm, CompleteForm, DutyForm, ReviewedForm, SafetyDocumentForm, SharpsForm
from ..models import CaseType
from ._common import _actor, _day, _locations, _page, _state_of, add_page, at, post_back


def _year(request: HttpRequest, default: int) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else default


# --- the calendar -----------------------------------------------------------------------------------------------
@login_required
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    location, _all = _locations(request)
    found = selectors_program.compliance_calendar(actor=_actor(request), location_id=location.pk)
    rows = [{"due": r, "state": _state_of(r.state)} for r in found.rows]
    return _page(request, "compliance/calendar.html", {"location": location, "calendar": found, "rows": rows,
                                                        "at": f"?location={location.pk}"}, "calendar")


@login_required
@require_http_methods(["GET", "POST"])
def duty_new(request: HttpRequest) -> HttpResponse:
    location, _all = _locations(request)
    require(_actor(request), Perm.COMPLIANCE_ADMIN, location=location.pk, resource_type="duty")
    form = DutyForm(request.POST or None, staff=selectors.staff_at(location.pk),
                    initial={"starts_on": clock.today_in(location.tz)})
    return add_page(request, form, lambda d: services.duty_add(actor=_actor(request), location_id=location.pk, **d),
                    done=_("Duty added to the calendar."), then=lambda made: at("compliance:calendar", location),
                    title=_("Add a recurring duty at %(location)s") % {"location": location.name},
                    intro=_("A duty the practice repeats: weekly, monthly, quarterly or yearly. Each time it comes "
                            "due, its owner records it done with the evidence; overdue ones are escalated to the "
                            "practice coordinator."),
                    submit=_("Add duty"), cancel=reverse("compliance:calendar"))


@login_required
@require_POST
def duties_builtin(request: HttpRequest) -> HttpResponse:
    location, _all = _locations(request)
    return post_back(request, at("compliance:calendar", location),
                     lambda d: services.builtin_duties_ensure(actor=_actor(request), location_id=location.pk,
                                                              owner_id=int(request.user.pk or 0)),
                     _("The eyewash and fire-extinguisher checks are on the calendar."))


@login_required
@require_GET
def occurrence(request: HttpRequest, occurrence_id: int) -> HttpResponse:
    found = selectors_program.occurrence_detail(actor=_actor(request), occurrence_id=occurrence_id)
    facts: list[tuple[str, str | None]] = [
        (_("Duty"), found.duty.display_title), (_("Recurrence"), found.duty.get_recurrence_display()),
        (_("Owner"), selectors_program._name(found.owner)), (_("Due"), _day(found.due_on))]
    if found.escalated_at:
        facts.append((_("Escalated to the practice coordinator"), selectors_program._name(found.escalated_to)))
    if found.done_on:
        facts += [(_("Done"), _day(found.done_on)), (_("Done by"), selectors_program._name(found.done_by)),
                  (_("Evidence"), found.evidence_note or None)]
    today = clock.today_in(found.duty.location.tz)
    return _page(request, "compliance/occurrence.html", {
        "occurrence": found, "facts": facts, "form": CompleteForm(initial={"done_on": today}),
        "file_url": reverse("compliance:file", args=[found.evidence_file_id]) if found.evidence_file_id else ""},
        "calendar")


@login_required
@require_POST
def occurrence_complete(request: HttpRequest, occurrence_id: int) -> HttpResponse:
    return post_back(request, reverse("compliance:occurrence", args=[occurrence_id]),
                     lambda d: services.occurrence_complete(actor=_actor(request), occurrence_id=occurrence_id, **d),
                     _("Recorded as done; the next one is on the calendar."),
                     form=CompleteForm(request.POST, request.FILES))


# --- OSHA ---------------------------------------------------------------------------------------------------------
@login_required
@require_GET
def osha(request: HttpRequest) -> HttpResponse:
    location, _all = _locations(request)
    year = _year(request, clock.today_in(location.tz).year)
    found = selectors_program.osha_overview(actor=_actor(request), location_id=location.pk, year=year)
    summary = selectors_program.summary_300a(found.cases, year)
    types = [(CaseType(k).label, v) for k, v in summary.types.items()]
    return _page(request, "compliance/osha.html", {
        "location": location, "osha": found, "summary": summary, "types": types, "year": year,
        "years": [year - 1, year, year + 1], "review_form": ReviewedForm(), "at": f"?location={location.pk}"},
        "osha")


@login_required
@require_http_methods(["GET", "POST"])
def safety_document_new(request: HttpRequest) -> HttpResponse:
    location, _all = _locations(request)
    require(_actor(request), Perm.COMPLIANCE_ADMIN, location=location.pk, resource_type="safetydocument")
    form = SafetyDocumentForm(request.POST or None, request.FILES or None,
                              items=selectors_program.hazardous_item_choices(_actor(request)))
    return add_page(request, form, lambda d: services.safety_document_add(
        actor=_actor(request), location_id=location.pk, **d),
        done=_("Document added."), then=lambda made: at("compliance:osha", location),
        title=_("Add an exposure control plan or a safety data sheet"),
        intro=_("The exposure control plan is reviewed at least once a year; keep a safety data sheet for every "
                "hazardous product, with its review date."),
        submit=_("Add document"), cancel=reverse("compliance:osha"))


@login_required
@require_POST
def safety_document_reviewed(request: HttpRequest, document_id: int) -> HttpResponse:
    location, _all = _locations(request)
    return post_back(request, at("compliance:osha", location),
                     lambda d: services.safety_document_reviewed(actor=_actor(request), document_id=document_id,
                                                                 **d),
                     _("Review recorded."), form=ReviewedForm(request.POST))


@login_required
@require_http_methods(["GET", "POST"])
def sharps_new(request: HttpRequest) -> HttpResponse:
    location, _all = _locations(request)
    require(_actor(request), Perm.COMPLIANCE_ADMIN, location=location.pk, resource_type="sharpsinjury")
    return add_page(request, SharpsForm(request.POST or None), lambda d: services.sharps_injury_log(
        actor=_actor(request), location_id=location.pk, **d),
        done=_("Sharps injury logged."), then=lambda made: at("compliance:osha", location),
        title=_("Log a sharps injury"),
        intro=_("The sharps-injury log keeps the device, the work area and how it happened, not the employee's "
                "name. Record the case on the OSHA 300 log too when it is recordable."),
        submit=_("Log injury"), cancel=reverse("compliance:osha"))


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    location, _all = _locations(request)
    require(_actor(request), Perm.COMPLIANCE_ADMIN, location=location.pk, resource_type="injurycase")
    year = clock.today_in(location.tz).year
    sharps = selectors_program.osha_overview(actor=_actor(request), location_id=location.pk, year=year).sharps
    choices = [(s.pk, f"{_day(s.occurred_on)} · {s.device}") for s in sharps if not s.case_id]
    return add_page(request, CaseForm(request.POST or None, sharps=choices), lambda d: services.injury_case_record(
        actor=_actor(request), location_id=location.pk, **d),
        done=_("Case recorded on the OSHA 300 log."), then=lambda made: at("compliance:osha", location),
        title=_("Record a case on the OSHA 300 log"),
        intro=_("A work-related injury or illness that is recordable. In a privacy case the employee's name is "
                "left off the log: it shows \"Privacy case\"."),
        submit=_("Record case"), cancel=reverse("compliance:osha"))


@login_required
@require_GET
def osha_300_csv(request: HttpRequest) -> HttpResponse:
    """The OSHA 300 log as a spreadsheet: privacy cases without the employee's name."""
    location, _all = _locations(request)
    year = _year(request, clock.today_in(location.tz).year)
    found = selectors_program.osha_overview(actor=_actor(request), location_id=location.pk, year=year)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Case number"), _("Employee's name"), _("Job title"), _("Date of injury or onset of illness"),
                     _("Where the event occurred"), _("Description"), _("Outcome"), _("Days away from work"),
                     _("Days on job transfer or restriction"), _("Injury or illness")])
    for c in found.cases:
        writer.writerow([c.case_number, c.name_on_log, c.job_title, _day(c.occurred_on), c.where, c.description,
                         c.get_outcome_display(), c.days_away, c.days_restricted, c.get_case_type_display()])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="osha-300-{year}.csv"'
    return response
