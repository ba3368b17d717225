"""Patient screens: parse, call one service or selector, render. Patient data never goes in a URL."""

from __future__ import annotations

import csv
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from clinicdesk.core.exceptions import DomainError, NotFound, ValidationFailed
from clinicdesk.core.forms import form_add_domain_error
from clinicdesk.core.l10n import language_for, streamed_in
from clinicdesk.core.permissions import Perm, has_perm, require
from clinicdesk.practice.selectors import locations_for

from . import services
from .csvio import EXPORT_COLUMNS, WORD_COLUMNS, patient_to_row, patient_words
from .form_template_forms import LANGUAGE_LABELS
from .forms import (
    ContactForm,
    CoverageEndForm,
    CoverageForm,
    DeceasedForm,
    DemographicsForm,
    DocumentForm,
    MergeByMrnForm,
    MergeForm,
    PatientSearchForm,
    ReasonForm,
    RegistrationForm,
    SignForm,
)
from .matching import Person
from .merge_scope import may_merge_any, may_review_duplicates, require_duplicate_review, survivor_choices
from .models import Patient
from .selectors import (
    BreakGlassRequired,
    break_glass_report,
    document_open,
    duplicate_pair,
    duplicates_worklist,
    form_templates_offered,
    patient_chart,
    patient_chart_full,
    patient_search,
    patients_export,
    payers_active,
    registration_matches,
    signed_form_open,
)
from .visibility import may_reach, require_patient_in_reach


def _apply(form: Any, error: DomainError) -> None:
    form_add_domain_error(form, error)


def _page(request: HttpRequest, template: str, context: dict[str, Any], form: Any = None) -> HttpResponse:
    status = 422 if form is not None and form.errors else 200
    return render(request, template, {"form": form, **context}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    """Search terms travel in the POST body, never in the URL (they are patient data)."""
    form = PatientSearchForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        results = patient_search(actor=request.user, query=form.cleaned_data["q"])
    template = "patients/_results.html" if request.htmx else "patients/search.html"
    return render(request, template, {"form": form, "results": results, **_tools(request.user)})


def _tools(user: Any) -> dict[str, bool]:
    return {"can_register": has_perm(user, Perm.PATIENT_WRITE), "can_merge": may_review_duplicates(user),
            "can_export": has_perm(user, Perm.PATIENT_EXPORT), "can_audit": has_perm(user, Perm.AUDIT_READ)}


# --- registration -----------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.PATIENT_WRITE)
    locations = [loc for loc in locations_for(request.user) if request.user.works_at(loc.pk)]
    form = RegistrationForm(request.POST or None, locations=locations,
                            initial={"idempotency_key": uuid.uuid4().hex})
    matches: list[Any] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        location = form.locations[data["location"]]
        details = form.details()
        if not data["duplicate_reason"]:
            matches = registration_matches(actor=request.user, location=location, person=Person.of(
                family_name=details["family_name"], given_name=details["given_name"],
                birth_date=details["birth_date"], sex=details["sex"], phone=details["phone"],
                alt_phone=details["alt_phone"], email=details["email"], address_line=details["address_line"],
                postal_code=details["postal_code"], previous_family_name=details["previous_family_name"],
                middle_name=details["middle_name"]))
            if matches and request.POST.get("register_anyway"):
                form.add_error("duplicate_reason", _("Give the reason to register this patient anyway, or open "
                                                     "one of the charts above."))
        if not matches:
            try:
                patient = services.patient_register(
                    actor=request.user, location=location, contacts=form.contacts(),
                    duplicate_reason=data["duplicate_reason"], idempotency_key=data["idempotency_key"], **details)
            except DomainError as error:
                if getattr(error, "matches", None):
                    matches = error.matches  # type: ignore[attr-defined]
                else:
                    _apply(form, error)
            else:
                messages.success(request, _("%(name)s is registered (MRN %(mrn)s).") % {
                    "name": patient.display_name, "mrn": patient.mrn})
                return redirect("patients:chart", patient.pk)
    status = 422 if form.errors else 200  # likely matches are a step of the form, not an error
    return render(request, "patients/register.html", {"form": form, "matches": matches}, status=status)


# --- the chart --------------------------------------------------------------------------------------------------

@login_required
def chart(request: HttpRequest, patient_id: int) -> HttpResponse:
    try:
        chart = patient_chart_full(actor=request.user, patient_id=patient_id)
    except BreakGlassRequired as error:
        return render(request, "patients/break_glass.html",
                      {"form": ReasonForm(), "patient_id": patient_id, "error": error}, status=403)
    return render(request, "patients/chart.html", {
        "chart": chart, "patient": chart.patient,
        "can_write": may_reach(request.user, chart.patient, perm=Perm.PATIENT_WRITE),
        "can_merge": may_review_duplicates(request.user)})


@login_required
@require_POST
def break_glass(request: HttpRequest, patient_id: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.break_glass_open(actor=request.user, patient_id=patient_id, reason=form.cleaned_data["reason"])
        except ValidationFailed as error:
            _apply(form, error)
        else:
            messages.success(request, _("The record is open to you for now; your reason is recorded."))
            return redirect("patients:chart", patient_id)
    return render(request, "patients/break_glass.html", {"form": form, "patient_id": patient_id}, status=422)


def _chart_form(request: HttpRequest, patient_id: int, form: Any, title: str, *, action: Any = None,
                multipart: bool = False, submit: str = "", intro: str = "", done: str = "") -> HttpResponse:
    """A form about one patient: on a valid POST run `action(cleaned_data)` and confirm with `done`; errors land
    on the fields."""
    patient = patient_chart(actor=request.user, patient_id=patient_id)
    if request.method == "POST" and form.is_valid() and action is not None:
        try:
            action(form.cleaned_data)
        except DomainError as error:
            if not (error.fields or isinstance(error, ValidationFailed)) and error.status != 409:
                raise
            _apply(form, error)
        else:
            messages.success(request, done or _("Saved."))
            return redirect("patients:chart", patient_id)
    return _page(request, "patients/form_page.html",
                 {"patient": patient, "title": title, "multipart": multipart, "submit": submit or _("Save"),
                  "intro": intro}, form)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = patient_chart(actor=request.user, patient_id=patient_id)
    # The form only for those who could save it: refused (403) like the save itself, after the same lookup.
    require(request.user, Perm.PATIENT_WRITE, resource_type="patient", resource_id=patient_id, patient_id=patient_id)
    require_patient_in_reach(request.user, patient, perm=Perm.PATIENT_WRITE)
    form = DemographicsForm(request.POST or None, initial=DemographicsForm.initial_from(patient))
    return _chart_form(request, patient_id, form, _("Edit demographics"), action=lambda data: services.patient_update(
        actor=request.user, patient_id=patient_id, changes=form.details()), done=_("Demographics saved."))


@login_required
@require_http_methods(["GET", "POST"])
def coverage_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    form = CoverageForm(request.POST or None, request.FILES or None, payers=payers_active(),
                        plans=services.plans_offered())

    def add(data: dict[str, Any]) -> None:
        services.coverage_add(actor=request.user, patient_id=patient_id, payer_id=data.pop("payer"),
                              plan_id=data.pop("plan") or None, **data)

    return _chart_form(request, patient_id, form, _("Add insurance"), action=add, multipart=True,
                       done=_("Insurance added."))


@login_required
@require_http_methods(["GET", "POST"])
def coverage_end(request: HttpRequest, patient_id: int, coverage_id: int) -> HttpResponse:
    form = CoverageEndForm(request.POST or None)
    return _chart_form(request, patient_id, form, _("End insurance coverage"), action=lambda data: (
        services.coverage_end(actor=request.user, coverage_id=coverage_id, end_date=data["end_date"])),
        done=_("Insurance coverage ended."))


@login_required
@require_http_methods(["GET", "POST"])
def document_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    form = DocumentForm(request.POST or None, request.FILES or None)
    return _chart_form(request, patient_id, form, _("Add a document"), multipart=True, action=lambda data: (
        services.document_upload(actor=request.user, patient_id=patient_id, kind=data["kind"], upload=data["file"],
                                 document_date=data["document_date"], description=data["description"])),
        done=_("Document added."))


@login_required
@require_http_methods(["GET", "POST"])
def contact_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    form = ContactForm(request.POST or None)
    return _chart_form(request, patient_id, form, _("Add a contact"), action=lambda data: (
        services.related_person_add(actor=request.user, patient_id=patient_id, **data)), done=_("Contact added."))


@login_required
@require_http_methods(["GET", "POST"])
def inactivate(request: HttpRequest, patient_id: int) -> HttpResponse:
    form = ReasonForm(request.POST or None)
    return _chart_form(request, patient_id, form, _("Inactivate the record"), submit=_("Inactivate"),
                       action=lambda data: services.patient_inactivate(actor=request.user, patient_id=patient_id,
                                                                       reason=data["reason"]),
                       done=_("The record is inactive."))


@login_required
@require_POST
def reactivate(request: HttpRequest, patient_id: int) -> HttpResponse:
    services.patient_reactivate(actor=request.user, patient_id=patient_id)
    messages.success(request, _("The record is active again."))
    return redirect("patients:chart", patient_id)


@login_required
@require_http_methods(["GET", "POST"])
def deceased(request: HttpRequest, patient_id: int) -> HttpResponse:
    form = DeceasedForm(request.POST or None)
    return _chart_form(request, patient_id, form, _("Record date of death"), action=lambda data: (
        services.patient_mark_deceased(actor=request.user, patient_id=patient_id,
                                       deceased_date=data["deceased_date"])), done=_("Date of death recorded."))


@login_required
@require_http_methods(["GET", "POST"])
def sign(request: HttpRequest, patient_id: int) -> HttpResponse:
    form = SignForm(request.POST or None, templates=form_templates_offered())
    patient = patient_chart(actor=request.user, patient_id=patient_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.form_sign(actor=request.user, patient_id=patient_id, template_id=form.cleaned_data["template"],
                               **{k: v for k, v in form.cleaned_data.items() if k != "template"})
        except ValidationFailed as error:
            _apply(form, error)
        else:
            messages.success(request, _("Form signed; the signed copy is on the chart."))
            return redirect("patients:chart", patient_id)
    elif request.method == "GET":
        form.initial["signer_name"] = f"{patient.given_name} {patient.family_name}"
        offered = {t.pk: t for t in form_templates_offered()}
        wanted = [t for t in offered.values() if t.language == patient.preferred_language] or list(offered.values())
        if wanted:
            form.initial["template"] = str(wanted[0].pk)
    return _page(request, "patients/sign.html", {"patient": patient, "templates": form_templates_offered(),
                                                 "language_labels": LANGUAGE_LABELS}, form)


@login_required
def signed_form_pdf(request: HttpRequest, signed_form_id: int) -> FileResponse:
    signed, handle = signed_form_open(actor=request.user, signed_form_id=signed_form_id)
    return FileResponse(handle, content_type="application/pdf", filename=f"signed-form-{signed.pk}.pdf")


@login_required
def document_file(request: HttpRequest, document_id: int) -> FileResponse:
    """Documents are served only here: permission checked and the read audited."""
    document, handle = document_open(actor=request.user, document_id=document_id)
    return FileResponse(handle, content_type=document.content_type,
                        filename=f"document-{document.pk}.{document.extension}")


# --- duplicates and merge ---------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def duplicates(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        found = services.duplicates_scan(actor=request.user)
        messages.success(request, ngettext("Search for duplicates finished: %(count)s new possible pair.",
                                           "Search for duplicates finished: %(count)s new possible pairs.", found)
                         % {"count": formats.number_format(found, force_grouping=True)})
        return redirect("patients:duplicates")
    return _duplicates_page(request, MergeByMrnForm())


def _duplicates_page(request: HttpRequest, merge_form: MergeByMrnForm, status: int = 200) -> HttpResponse:
    pairs = duplicates_worklist(actor=request.user)
    return render(request, "patients/duplicates.html", {
        "pairs": pairs, "merge_form": merge_form, "recent_only": not may_merge_any(request.user)}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def duplicate_review(request: HttpRequest, candidate_id: int) -> HttpResponse:
    pair = duplicate_pair(actor=request.user, candidate_id=candidate_id)
    form = MergeForm(request.POST or None, survivors=survivor_choices(request.user, pair.first, pair.second))
    dismiss_form = ReasonForm(prefix="dismiss")
    if request.method == "POST" and form.is_valid():
        survivor = form.cleaned_data["survivor"]
        merged = pair.second_id if str(pair.first_id) == survivor else pair.first_id
        try:
            services.patient_merge(actor=request.user, survivor_id=survivor, merged_id=merged,
                                   reason=form.cleaned_data["reason"], candidate_id=pair.pk)
        except DomainError as error:
            if error.status not in (409, 422):
                raise
            _apply(form, error)
        else:
            messages.success(request, _("Charts merged."))
            return redirect("patients:chart", survivor)
    return _page(request, "patients/duplicate_review.html",
                 {"pair": pair, "charts": [pair.first, pair.second], "dismiss_form": dismiss_form}, form)


@login_required
@require_POST
def duplicate_dismiss(request: HttpRequest, candidate_id: int) -> HttpResponse:
    form = ReasonForm(request.POST, prefix="dismiss")
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    services.duplicate_dismiss(actor=request.user, candidate_id=candidate_id, reason=reason)
    messages.success(request, _("Marked as not the same person."))
    return redirect("patients:duplicates")


@login_required
@require_POST
def merge_by_mrn(request: HttpRequest) -> HttpResponse:
    require_duplicate_review(request.user)  # before the MRN lookup: whether a chart exists is not for everyone
    form = MergeByMrnForm(request.POST)
    if form.is_valid():
        mrns = [form.cleaned_data["survivor_mrn"].strip(), form.cleaned_data["merged_mrn"].strip()]
        ids = dict(Patient.objects.filter(mrn__in=mrns).values_list("mrn", "pk"))
        if len(ids) != 2 or len(set(mrns)) != 2:
            raise NotFound("not-found", _("Give the MRNs of two different charts."))
        services.patient_merge(actor=request.user, survivor_id=ids[mrns[0]], merged_id=ids[mrns[1]],
                               reason=form.cleaned_data["reason"])
        messages.success(request, _("Charts merged."))
        return redirect("patients:chart", ids[mrns[0]])
    return _duplicates_page(request, form, status=422)


# --- export and compliance --------------------------------------------------------------------------------------

class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@require_http_methods(["GET", "POST"])
def export(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.PATIENT_EXPORT)
    if request.method == "GET":
        return render(request, "patients/export.html", {})
    rows = patients_export(actor=request.user)
    writer = csv.writer(_Echo())

    def lines():  # type: ignore[no-untyped-def]
        yield writer.writerow([*EXPORT_COLUMNS, *WORD_COLUMNS])
        for patient, emergency in rows:
            yield writer.writerow(patient_to_row(patient, emergency) + patient_words(patient))

    # The words in the user's language, though the rows are made after this view has returned (core/l10n.py).
    response = StreamingHttpResponse(streamed_in(lines(), language_for(request.user)), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="patients.csv"'
    return response


@login_required
def break_glass_log(request: HttpRequest) -> HttpResponse:
    return render(request, "patients/break_glass_log.html", {"rows": break_glass_report(actor=request.user)})
