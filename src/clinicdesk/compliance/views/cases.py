"""The compliance screens for cases: the dashboard of clocks per location, incidents, complaints and grievances
(letters, the surveyors' log), patient rights requests, disclosures and the accounting, breaches. Thin over the
services and selectors, in the shapes of `_common`."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Perm, require

from .. import selectors, services
from ..forms import (
    AccountingForm,
    AcknowledgeForm,
    ActionDoneForm,
    ActionForm,
    AnswerForm,
    BreachForm,
    CloseRequestForm,
    ComplaintForm,
    DisclosureForm,
    FulfilForm,
    GrievanceForm,
    IncidentForm,
    NoticeForm,
    RequestForm,
    ResolveForm,
    ReviewForm,
)
from ..models import Audience, ComplaintStatus, GrievanceBasis, IncidentStatus, RequestKind, RequestStatus
from ..pdf import disclosures_pdf, part_labels
from ._common import (
    _actor,
    _day,
    _key,
    _locations,
    _page,
    _posted,
    _state_of,
    _try,
    add_page,
    at,
    list_page,
    post_back,
)

# --- the dashboard ----------------------------------------------------------------------------------------------
_state = _state_of


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    location, _all = _locations(request)
    if not selectors.may_administer(_actor(request), location.pk):
        require(_actor(request), Perm.COMPLIANCE_REPORT, location=location.pk, resource_type="compliance")
        return _page(request, "compliance/report.html", {"location": location, "title": _("Compliance")}, "report")
    board = selectors.compliance_dashboard(actor=_actor(request), location_id=location.pk)
    rows = [{"clock": c, "state": _state(c.state)} for c in board.clocks]
    late = [{"clock": c, "state": _state("late")} for c in board.late]
    return _page(request, "compliance/dashboard.html", {"location": location, "board": board, "rows": rows,
                                                         "late": late}, "dashboard")


@login_required
@require_GET
def incidents(request: HttpRequest) -> HttpResponse:
    return list_page(request, "compliance/incidents.html", "incidents", "incidents", lambda place, every: (
        selectors.incidents_list(actor=_actor(request), location_id=place.pk, include_closed=every)))


@login_required
@require_http_methods(["GET", "POST"])
def incident_new(request: HttpRequest) -> HttpResponse:
    location, _all = _locations(request)
    require(_actor(request), Perm.COMPLIANCE_REPORT, location=location.pk, resource_type="incident")
    return add_page(
        request, IncidentForm(request.POST or None, initial={"idempotency_key": _key()}),
        lambda d: services.incident_report(actor=_actor(request), location_id=location.pk, **d),
        done=_("Incident reported. Thank you: the practice coordinator will review it."),
        then=lambda made: at("compliance:dashboard", location),
        title=_("Report an incident at %(location)s") % {"location": location.name},
        intro=_("Any staff member reports a patient safety or workplace incident, or a near miss. Say what "
                "happened, not who is to blame."),
        submit=_("Report incident"), cancel=reverse("compliance:dashboard"))


@login_required
@require_GET
def incident(request: HttpRequest, incident_id: int) -> HttpResponse:
    found = selectors.incident_detail(actor=_actor(request), incident_id=incident_id)
    when = formats.date_format(found.occurred_at.astimezone(found.location.tz), "SHORT_DATETIME_FORMAT")
    patient = found.patient
    facts = [(_("Kind"), found.get_kind_display()), (_("Severity"), found.get_severity_display()),
             (_("When"), when), (_("Where"), f"{found.location.name} · {found.place}"),
             (_("Staff involved"), found.staff_involved or None),
             (_("Patient involved"), f"{patient.family_name}, {patient.given_name} ({patient.mrn})"
              if patient else None),
             (_("Reported by"), found.reported_by.get_full_name() or found.reported_by.username),
             (_("Status"), found.get_status_display())]
    open_actions = any(a.done_on is None for a in found.actions.all())
    return _page(request, "compliance/incident.html", {
        "incident": found, "facts": facts, "review_form": ReviewForm(initial={"notes": found.review_notes}),
        "action_form": ActionForm(staff=selectors.staff_at(found.location_id)),
        "done_form": ActionDoneForm(), "can_close": found.status in (IncidentStatus.UNDER_REVIEW,
                                                                     IncidentStatus.ACTIONS_OPEN)
        and not open_actions, "closed": found.status == IncidentStatus.CLOSED}, "incidents")


@login_required
@require_POST
def incident_review(request: HttpRequest, incident_id: int) -> HttpResponse:
    return post_back(request, reverse("compliance:incident", args=[incident_id]),
                     lambda d: services.incident_review(actor=_actor(request), incident_id=incident_id, **d),
                     _("Review saved."), form=ReviewForm(request.POST))


@login_required
@require_POST
def incident_action(request: HttpRequest, incident_id: int) -> HttpResponse:
    found = selectors.incident_detail(actor=_actor(request), incident_id=incident_id)
    form = ActionForm(request.POST, staff=selectors.staff_at(found.location_id))
    _posted(request, form, lambda d: services.corrective_action_add(
        actor=_actor(request), incident_id=incident_id, description=d["description"], owner_id=d["owner"],
        due_on=d["due_on"]), _("Corrective action added."))
    return redirect("compliance:incident", incident_id=incident_id)


@login_required
@require_POST
def action_done(request: HttpRequest, action_id: int) -> HttpResponse:
    action = _try(request, lambda: services.corrective_action_done(
        actor=_actor(request), action_id=action_id, note=request.POST.get("note", "")), _("Action marked done."))
    incident_id = action.incident_id if action else request.POST.get("incident", "")
    if not str(incident_id).isdigit():
        return redirect("compliance:incidents")
    return redirect("compliance:incident", incident_id=int(incident_id))


@login_required
@require_POST
def incident_close(request: HttpRequest, incident_id: int) -> HttpResponse:
    return post_back(request, reverse("compliance:incident", args=[incident_id]),
                     lambda d: services.incident_close(actor=_actor(request), incident_id=incident_id),
                     _("Incident closed."))


@login_required
@require_GET
def complaints(request: HttpRequest) -> HttpResponse:
    return list_page(request, "compliance/complaints.html", "complaints", "complaints", lambda place, every: (
        selectors.complaints_list(actor=_actor(request), location_id=place.pk, include_closed=every)))


@login_required
@require_http_methods(["GET", "POST"])
def complaint_new(request: HttpRequest) -> HttpResponse:
    location, _all = _locations(request)
    require(_actor(request), Perm.COMPLIANCE_REPORT, location=location.pk, resource_type="complaint")
    admin = selectors.may_administer(_actor(request), location.pk)
    return add_page(
        request, ComplaintForm(request.POST or None, initial={"idempotency_key": _key()}),
        lambda d: services.complaint_log(actor=_actor(request), location_id=location.pk, **d),
        done=_("Complaint logged."),
        then=lambda made: reverse("compliance:complaint", args=[made.pk]) if admin
        else at("compliance:dashboard", location),
        title=_("Log a complaint at %(location)s") % {"location": location.name},
        intro=_("A complaint from a call, at the desk, by letter or by e-mail. Write what the patient said, in "
                "their words where you can."),
        submit=_("Log complaint"), cancel=reverse("compliance:dashboard"))


def _clock(due: Any, sent: Any, today: Any) -> dict[str, Any]:
    if due is None:
        return {"due": None}
    if sent:
        state = "late" if sent > due else "ok"
        words = _("Sent %(date)s (due %(due)s)") % {"date": _day(sent), "due": _day(due)}
    else:
        state = "overdue" if due < today else ("soon" if (due - today).days <= selectors.SOON_DAYS else "ok")
        words = _("Due %(date)s") % {"date": _day(due)}
    return {"due": due, "words": words, "state": _state(state) if state != "ok" or not sent else
            {"tone": "success", "label": _("On time")}}


@login_required
@require_GET
def complaint(request: HttpRequest, complaint_id: int) -> HttpResponse:
    found = selectors.complaint_detail(actor=_actor(request), complaint_id=complaint_id)
    today = clock.today_in(found.location.tz)
    patient = found.patient
    facts: list[tuple[str, Any]] = [
        (_("Patient"), f"{patient.family_name}, {patient.given_name} ({patient.mrn})"),
        (_("Received by"), found.get_channel_display()), (_("About"), found.get_topic_display()),
             (_("Received"), formats.date_format(found.received_at.astimezone(found.location.tz),
                                                 "SHORT_DATETIME_FORMAT")),
             (_("Logged by"), found.logged_by.get_full_name() or found.logged_by.username),
             (_("Status"), found.get_status_display())]
    if found.grievance_basis:
        facts.append((_("Why it is a grievance"), found.get_grievance_basis_display()))
    if found.resolution_note:
        facts.append((_("How staff resolved it"), found.resolution_note))
    letters = [{"letter": letter, "url": reverse("patients:document", args=[letter.document_id]),
                "late": letter.late} for letter in found.letters.all()]
    return _page(request, "compliance/complaint.html", {
        "complaint": found, "facts": facts, "letters": letters,
        "ack": _clock(found.ack_due_on, found.ack_sent_on, today),
        "resolution": _clock(found.resolution_due_on, found.resolution_sent_on, today),
        "is_open": found.status == ComplaintStatus.OPEN,
        "can_ack": found.status == ComplaintStatus.GRIEVANCE,
        "can_answer": found.status in (ComplaintStatus.GRIEVANCE, ComplaintStatus.ACKNOWLEDGED),
        "grievance_form": GrievanceForm(), "resolve_form": ResolveForm(), "ack_form": AcknowledgeForm(),
        "answer_form": AnswerForm(initial={"completed_on": today,
                                           "contact_person": getattr(request.user, "get_full_name", str)()}),
        "rule": GrievanceBasis.choices}, "complaints")


@login_required
@require_POST
def complaint_grievance(request: HttpRequest, complaint_id: int) -> HttpResponse:
    return post_back(request, reverse("compliance:complaint", args=[complaint_id]),
                     lambda d: services.grievance_mark(actor=_actor(request), complaint_id=complaint_id, **d),
                     _("Marked a grievance: the acknowledgement is due in 7 days and the resolution in 30."),
                     form=GrievanceForm(request.POST))


@login_required
@require_POST
def complaint_resolve(request: HttpRequest, complaint_id: int) -> HttpResponse:
    return post_back(request, reverse("compliance:complaint", args=[complaint_id]),
                     lambda d: services.complaint_resolve(actor=_actor(request), complaint_id=complaint_id, **d),
                     _("Complaint recorded as resolved."), form=ResolveForm(request.POST))


@login_required
@require_POST
def complaint_escalate(request: HttpRequest, complaint_id: int) -> HttpResponse:
    return post_back(request, reverse("compliance:complaint", args=[complaint_id]),
                     lambda d: services.complaint_escalate(actor=_actor(request), complaint_id=complaint_id),
                     _("Escalated to the practice coordinator."))


def _letter_done(letter: Any) -> str:
    if letter.late:
        return _("Letter stored on the chart and recorded as sent today, after its deadline (%(due)s): it shows "
                 "late on the dashboard.") % {"due": _day(letter.due_on)}
    return _("Letter stored on the chart and recorded as sent today.")


@login_required
@require_POST
def complaint_acknowledge(request: HttpRequest, complaint_id: int) -> HttpResponse:
    return post_back(request, reverse("compliance:complaint", args=[complaint_id]),
                     lambda d: services.grievance_acknowledge(actor=_actor(request), complaint_id=complaint_id,
                                                              language=d["language"]),
                     _letter_done, form=AcknowledgeForm(request.POST))


@login_required
@require_POST
def complaint_answer(request: HttpRequest, complaint_id: int) -> HttpResponse:
    return post_back(request, reverse("compliance:complaint", args=[complaint_id]),
                     lambda d: services.grievance_answer(actor=_actor(request), complaint_id=complaint_id, **d),
                     _letter_done, form=AnswerForm(request.POST))


def _cell(value: Any) -> str:
    text = str(value if value is not None else "")
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@login_required
@require_GET
def grievance_log(request: HttpRequest) -> HttpResponse:
    """The surveyors' log: every complaint and grievance at the location, in words."""
    location, _all = _locations(request)
    rows = selectors.grievance_log(actor=_actor(request), location_id=location.pk)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Reference"), _("Received"), _("Patient"), _("MRN"), _("Received by"), _("About"),
                     _("Summary"), _("Status"), _("Grievance"), _("Why it is a grievance"),
                     _("Acknowledgement due"), _("Acknowledgement sent"), _("Resolution due"), _("Resolution sent"),
                     _("On time"), _("Steps taken to investigate"), _("Results"), _("Contact person"),
                     _("Date of completion"), _("Escalated to the practice coordinator")])
    for c in rows:
        late = ((c.ack_sent_on and c.ack_due_on and c.ack_sent_on > c.ack_due_on)
                or (c.resolution_sent_on and c.resolution_due_on and c.resolution_sent_on > c.resolution_due_on))
        writer.writerow([_cell(v) for v in (
            str(c), _day(c.received_at.astimezone(location.tz).date()),
            f"{c.patient.family_name}, {c.patient.given_name}", c.patient.mrn, c.get_channel_display(),
            c.get_topic_display(), c.summary, c.get_status_display(), _("Yes") if c.grievance_at else _("No"),
            c.get_grievance_basis_display() if c.grievance_basis else "", _day(c.ack_due_on), _day(c.ack_sent_on),
            _day(c.resolution_due_on), _day(c.resolution_sent_on),
            "" if not c.grievance_at else (_("No") if late else _("Yes")), c.steps_taken, c.results,
            c.contact_person, _day(c.completed_on), _("Yes") if c.escalated_at else _("No"))])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="grievance-log.csv"'
    return response


@login_required
@require_GET
def requests(request: HttpRequest) -> HttpResponse:
    return list_page(request, "compliance/requests.html", "requests", "requests", lambda place, every: (
        selectors.requests_list(actor=_actor(request), location_id=place.pk, include_closed=every)))


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    location, _all = _locations(request)
    require(_actor(request), Perm.COMPLIANCE_ADMIN, location=location.pk, resource_type="rightsrequest")
    return add_page(
        request, RequestForm(request.POST or None, initial={"idempotency_key": _key(),
                                                            "received_on": clock.today_in(location.tz)}),
        lambda d: services.rights_request_log(actor=_actor(request), location_id=location.pk, **d),
        done=_("Request logged."), then=lambda made: reverse("compliance:request", args=[made.pk]),
        title=_("Log a patient rights request"),
        intro=_("Access to records is due in 30 days, an amendment in 60, a release to a third party in 30 "
                "(with the patient's signed, unexpired authorization covering what is sent)."),
        submit=_("Log request"), cancel=reverse("compliance:requests"))


@login_required
@require_GET
def rights_request(request: HttpRequest, request_id: int) -> HttpResponse:
    found = selectors.request_detail(actor=_actor(request), request_id=request_id)
    today = clock.today_in(found.location.tz)
    patient = found.patient
    facts: list[tuple[str, Any]] = [
        (_("Patient"), f"{patient.family_name}, {patient.given_name} ({patient.mrn})"),
        (_("Request"), found.get_kind_display()), (_("Received"), _day(found.received_on)),
             (_("What is asked"), found.details), (_("Status"), found.get_status_display())]
    if found.kind == RequestKind.RELEASE:
        facts += [(_("Recipient"), found.recipient), (_("Recipient's address"), found.recipient_address or None),
                  (_("Authorization signed"), _day(found.authorization_signed_on)),
                  (_("Authorization expires"), _day(found.authorization_expires_on)),
                  (_("Authorization covers"), part_labels(found.authorization_covers) or None)]
    if found.completed_on:
        facts += [(_("Completed"), _day(found.completed_on)), (_("Outcome"), found.outcome or None)]
        if found.sent_parts:
            facts.append((_("What was sent"), part_labels(found.sent_parts)))
    is_open = found.status in (RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS)
    return _page(request, "compliance/request.html", {
        "req": found, "facts": facts, "clock": _clock(found.due_on, found.completed_on, today), "is_open": is_open,
        "can_start": found.status == RequestStatus.RECEIVED, "is_release": found.kind == RequestKind.RELEASE,
        "fulfil_form": FulfilForm(initial={"sent_parts": found.authorization_covers}),
        "close_form": CloseRequestForm()}, "requests")


@login_required
@require_POST
def request_start(request: HttpRequest, request_id: int) -> HttpResponse:
    return post_back(request, reverse("compliance:request", args=[request_id]),
                     lambda d: services.rights_request_start(actor=_actor(request), request_id=request_id),
                     _("Request in progress."))


@login_required
@require_POST
def request_fulfil(request: HttpRequest, request_id: int) -> HttpResponse:
    return post_back(request, reverse("compliance:request", args=[request_id]),
                     lambda d: services.rights_request_fulfil(actor=_actor(request), request_id=request_id, **d),
                     _("Request fulfilled."), form=FulfilForm(request.POST))


@login_required
@require_POST
def request_close(request: HttpRequest, request_id: int) -> HttpResponse:
    return post_back(request, reverse("compliance:request", args=[request_id]),
                     lambda d: services.rights_request_close(actor=_actor(request), request_id=request_id, **d),
                     _("Request closed."), form=CloseRequestForm(request.POST))


# --- disclosures --------------------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def disclosures(request: HttpRequest) -> HttpResponse:
    """The accounting of disclosures for a patient (a PDF), asked for by MRN in the body."""
    location, _all = _locations(request)
    require(_actor(request), Perm.COMPLIANCE_ADMIN, location=location.pk, resource_type="disclosure")
    form = AccountingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = selectors.disclosures_accounting(actor=_actor(request), location_id=location.pk,
                                                       patient_mrn=form.cleaned_data["patient_mrn"])
        except NotFound as error:
            form.add_error("patient_mrn", error.detail)
        else:
            language = form.cleaned_data["language"] or account.patient.preferred_language or "en"
            data = disclosures_pdf(account.patient, account.location, account.disclosures, since=account.since,
                                   today=account.today, language=language)
            response = HttpResponse(data, content_type="application/pdf")
            response["Content-Disposition"] = 'attachment; filename="accounting-of-disclosures.pdf"'
            return response
    return _page(request, "compliance/disclosures.html", {"location": location, "form": form},
                 "disclosures", status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def disclosure_new(request: HttpRequest) -> HttpResponse:
    location, _all = _locations(request)
    require(_actor(request), Perm.COMPLIANCE_ADMIN, location=location.pk, resource_type="disclosure")
    return add_page(
        request, DisclosureForm(request.POST or None),
        lambda d: services.disclosure_record(actor=_actor(request), location_id=location.pk, **d),
        done=_("Disclosure recorded."), then=lambda made: reverse("compliance:disclosures"),
        title=_("Record a disclosure"),
        intro=_("A disclosure the accounting must list: public health reporting, a court order, health "
                "oversight, research. Releases on an authorization are recorded from their request."),
        submit=_("Record disclosure"), cancel=reverse("compliance:disclosures"))


@login_required
@require_GET
def breaches(request: HttpRequest) -> HttpResponse:
    return list_page(request, "compliance/breaches.html", "breaches", "breaches", lambda place, every: (
        selectors.breaches_list(actor=_actor(request), location_id=place.pk)))


@login_required
@require_http_methods(["GET", "POST"])
def breach_new(request: HttpRequest) -> HttpResponse:
    location, _all = _locations(request)
    require(_actor(request), Perm.COMPLIANCE_ADMIN, location=location.pk, resource_type="breach")
    return add_page(
        request, BreachForm(request.POST or None, initial={"idempotency_key": _key()}),
        lambda d: services.breach_log(actor=_actor(request), location_id=location.pk, **d),
        done=_("Breach logged: notices are due within 60 days."),
        then=lambda made: reverse("compliance:breach", args=[made.pk]),
        title=_("Log a breach of unsecured health information"),
        intro=_("Notify the affected individuals within 60 days of discovery; prominent media too when more "
                "than 500 are affected; HHS within 60 days when 500 or more, otherwise within 60 days of the "
                "end of the year."),
        submit=_("Log breach"), cancel=reverse("compliance:breaches"))


@login_required
@require_GET
def breach(request: HttpRequest, breach_id: int) -> HttpResponse:
    found = selectors.breach_detail(actor=_actor(request), breach_id=breach_id)
    today = clock.today_in(found.location.tz)
    notices = {n.audience: n for n in found.notices.all()}
    lines = []
    for audience in found.audiences():
        notice = notices.get(audience)
        lines.append({"label": Audience(audience).label, "notice": notice,
                      "clock": _clock(found.due_for(audience), notice.sent_on if notice else None, today)})
    facts = [(_("Discovered"), _day(found.discovered_on)), (_("Individuals affected"), found.individuals_affected),
             (_("What happened"), found.description), (_("Status"), found.get_status_display())]
    open_audiences = [(a, Audience(a).label) for a in found.audiences() if a not in notices]
    form = NoticeForm(initial={"sent_on": today})
    form.fields["audience"].choices = open_audiences  # type: ignore[attr-defined]
    return _page(request, "compliance/breach.html", {"breach": found, "facts": facts, "lines": lines,
                                                      "notice_form": form if open_audiences else None,
                                                      "can_close": found.status == "notified"}, "breaches")


@login_required
@require_POST
def breach_notice(request: HttpRequest, breach_id: int) -> HttpResponse:
    return post_back(request, reverse("compliance:breach", args=[breach_id]),
                     lambda d: services.breach_notice_record(actor=_actor(request), breach_id=breach_id, **d),
                     _("Notice recorded."), form=NoticeForm(request.POST))


@login_required
@require_POST
def breach_close(request: HttpRequest, breach_id: int) -> HttpResponse:
    return post_back(request, reverse("compliance:breach", args=[breach_id]),
                     lambda d: services.breach_close(actor=_actor(request), breach_id=breach_id),
                     _("Breach closed."))
