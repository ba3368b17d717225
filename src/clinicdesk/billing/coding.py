"""The coder's screens (#19): the fee schedule and appointment types' usual codes (billing keeps them), the
worklist of fulfilled visits not yet coded, the superbill form with its ICD-10-CM type-ahead (htmx), posting and
reversing. Thin: a form parses, one service or selector decides, the page renders."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicdesk.core.exceptions import Conflict, DomainError, InvalidTransition, NotFound, ValidationFailed
from clinicdesk.core.locations import current_location
from clinicdesk.core.permissions import Perm, has_perm, require
from clinicdesk.patients.selectors import payers_active
from clinicdesk.practice.selectors import locations_for

from . import claim_selectors, selectors, services
from .codesets import icd_describe, icd_dotted
from .coding_forms import ContractForm, FeeItemEditForm, FeeItemForm, ReasonForm, SuperbillForm, UsualCodeForm
from .money import format_money

REFUSALS = (ValidationFailed, Conflict, InvalidTransition)


def _tabs(request: HttpRequest, current: str) -> list[dict[str, Any]]:
    tabs = []
    if has_perm(request.user, Perm.CHARGE_CAPTURE):
        tabs.append({"label": _("Visits to code"), "url": reverse("billing:coding"), "current": current == "coding"})
    tabs += [{"label": _("Fee schedule"), "url": reverse("billing:fees"), "current": current == "fees"},
             {"label": _("Usual codes"), "url": reverse("billing:usual_codes"), "current": current == "usual"}]
    return tabs


# --- the fee schedule ---------------------------------------------------------------------------------------------

@login_required
@require_GET
def fees(request: HttpRequest) -> HttpResponse:
    items = selectors.fee_schedule_list(actor=request.user)
    return render(request, "billing/fees.html", {"items": items, "tabs": _tabs(request, "fees"),
                                                 "can_edit": has_perm(request.user, Perm.BILLING_WRITE)})


def _fee_form_page(request: HttpRequest, form: Any, *, title: str, status: int = 200, item: Any = None,
                   contract_form: Any = None) -> HttpResponse:
    return render(request, "billing/fee_form.html", {"title": title, "form": form, "item": item,
                                                     "contract_form": contract_form,
                                                     "cancel_url": reverse("billing:fees")}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def fee_new(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.BILLING_WRITE)
    form = FeeItemForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                item = services.fee_item_create(actor=request.user, **form.cleaned_data)
            except REFUSALS as error:
                _refusal_on(form, error)
                return _fee_form_page(request, form, title=_("Add a procedure"), status=error.status)
            messages.success(request, _("%(code)s added to the fee schedule.") % {"code": str(item)})
            return redirect("billing:fees")
        return _fee_form_page(request, form, title=_("Add a procedure"), status=422)
    return _fee_form_page(request, form, title=_("Add a procedure"))


@login_required
@require_http_methods(["GET", "POST"])
def fee_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    require(request.user, Perm.BILLING_WRITE)
    item = selectors.fee_item_detail(actor=request.user, item_id=item_id)
    initial = {"code": item.code, "modifiers": item.modifiers, "description": item.description, "price": item.price,
               "effective_from": item.effective_from, "effective_to": item.effective_to}
    form = FeeItemEditForm(request.POST or None, initial=initial)
    contract_form = ContractForm(payers=payers_active())
    title = _("Change %(code)s") % {"code": str(item)}
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.fee_item_update(actor=request.user, item_id=item.pk, description=data["description"],
                                         price=data["price"], effective_from=data["effective_from"],
                                         effective_to=data["effective_to"])
            except REFUSALS as error:
                _refusal_on(form, error)
                return _fee_form_page(request, form, title=title, status=error.status, item=item,
                                      contract_form=contract_form)
            messages.success(request, _("%(code)s saved.") % {"code": str(item)})
            return redirect("billing:fees")
        return _fee_form_page(request, form, title=title, status=422, item=item, contract_form=contract_form)
    return _fee_form_page(request, form, title=title, item=item, contract_form=contract_form)


@login_required
@require_POST
def fee_contract(request: HttpRequest, item_id: int) -> HttpResponse:
    require(request.user, Perm.BILLING_WRITE)
    form = ContractForm(request.POST, payers=payers_active())
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return redirect("billing:fee_edit", item_id)
    try:
        services.contract_set(actor=request.user, item_id=item_id, payer_id=form.cleaned_data["payer"],
                              amount=form.cleaned_data["amount"])
    except REFUSALS as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Contracted amount saved."))
    return redirect("billing:fee_edit", item_id)


@login_required
@require_http_methods(["GET", "POST"])
def usual_codes(request: HttpRequest) -> HttpResponse:
    rows = selectors.usual_codes_list(actor=request.user)
    form = UsualCodeForm(request.POST or None, types=selectors.appointment_type_choices())
    status = 200
    if request.method == "POST":
        require(request.user, Perm.BILLING_WRITE)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.usual_code_add(actor=request.user, appointment_type_id=data["appointment_type"],
                                        code=data["code"], modifiers=data["modifiers"], units=data["units"])
            except REFUSALS as error:
                _refusal_on(form, error)
                status = error.status
            else:
                messages.success(request, _("Usual code added."))
                return redirect("billing:usual_codes")
    return render(request, "billing/usual_codes.html", {
        "rows": rows, "form": form, "tabs": _tabs(request, "usual"),
        "can_edit": has_perm(request.user, Perm.BILLING_WRITE)}, status=status)


@login_required
@require_POST
def usual_code_remove(request: HttpRequest, usual_id: int) -> HttpResponse:
    services.usual_code_remove(actor=request.user, usual_code_id=usual_id)
    messages.success(request, _("Usual code removed."))
    return redirect("billing:usual_codes")


# --- coding visits --------------------------------------------------------------------------------------------

@login_required
@require_GET
def coding(request: HttpRequest) -> HttpResponse:
    locations = list(locations_for(request.user))
    location = current_location(request, locations)  # a location not the user's is missing (404), then the perm
    if location is None:
        if request.GET.get("location") or not locations:
            raise NotFound()
        location = locations[0]
    rows = selectors.coding_worklist(actor=request.user, location=location)
    return render(request, "billing/coding.html", {"rows": rows, "location": location, "locations": locations,
                                                   "tabs": _tabs(request, "coding")})


@login_required
@require_POST
def coding_open(request: HttpRequest, appointment_id: int) -> HttpResponse:
    try:
        superbill = services.superbill_open(actor=request.user, appointment_id=appointment_id)
    except (Conflict, InvalidTransition) as error:
        messages.error(request, error.detail)
        return redirect("billing:coding")
    messages.success(request, _("The visit is open for coding."))
    return redirect("billing:superbill", superbill.pk)


@login_required
@require_GET
def icd10_search(request: HttpRequest) -> HttpResponse:
    """The type-ahead's options (a datalist): the query is whichever diagnosis box was typed in."""
    query = request.GET.get("q") or next((v for k, v in request.GET.items() if k.startswith("dx") and v), "")
    codes = selectors.icd10_search(actor=request.user, query=query) if len(query.strip()) >= 2 else []
    return render(request, "billing/_icd_options.html", {"codes": codes})


def _superbill_form(request: HttpRequest, superbill: Any, data: Any = None) -> SuperbillForm:
    lines = list(superbill.lines.all())
    initial: dict[str, Any] = {f"dx{d.position}": icd_dotted(d.code) for d in superbill.diagnoses.all()}
    for line in lines:
        n = line.position
        initial.update({f"line{n}-code": line.code, f"line{n}-modifiers": line.modifiers,
                        f"line{n}-units": line.units, f"line{n}-pointers": ",".join(map(str, line.pointers)),
                        f"line{n}-place_of_service": line.place_of_service, f"line{n}-rendering": line.rendering_id})
    default_place = "10" if superbill.appointment.telehealth else "11"
    for n in range(len(lines) + 1, len(lines) + 4):
        initial.update({f"line{n}-units": 1, f"line{n}-place_of_service": default_place,
                        f"line{n}-rendering": superbill.appointment.practitioner_id})
    return SuperbillForm(data, initial=initial, rows=len(lines) + 3,
                         codes=selectors.fee_code_choices(superbill.date_of_service),
                         providers=selectors.providers_at(superbill.location_id))


def _superbill_page(request: HttpRequest, superbill: Any, form: Any, status: int = 200) -> HttpResponse:
    diagnoses = [{"position": d.position, "code": icd_dotted(d.code), "words": icd_describe(d.code)}
                 for d in superbill.diagnoses.all()]
    charges = [line.charge for line in superbill.lines.all() if line.charge is not None]
    total = sum(charges, Decimal("0.00")) if charges else None
    can_bill = superbill.status == "posted" and has_perm(request.user, Perm.BILLING_WRITE,
                                                          location=superbill.location_id)
    claims = claim_selectors.superbill_claims(actor=request.user, superbill_id=superbill.pk) if can_bill else []
    return render(request, "billing/superbill.html", {
        "superbill": superbill, "form": form, "diagnoses": diagnoses, "total": total,
        "can_bill": can_bill, "claims": claims,
        "billed": any(c.sequence == 1 and c.status not in ("replaced", "voided") for c in claims),
        "can_code": has_perm(request.user, Perm.CHARGE_CAPTURE, location=superbill.location_id),
        "can_reverse": has_perm(request.user, Perm.BILLING_WRITE, location=superbill.location_id),
        "reason_form": ReasonForm(), "tabs": _tabs(request, "coding")}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def superbill(request: HttpRequest, superbill_id: int) -> HttpResponse:
    """GET: the superbill (a form while it is a draft). POST: save the draft; with `post`, save and post it."""
    if request.method == "POST":
        require(request.user, Perm.CHARGE_CAPTURE)  # a reader who may not code is refused before the lookup
    record = selectors.superbill_detail(actor=request.user, superbill_id=superbill_id)
    if request.method == "GET" or not record.is_draft:
        return _superbill_page(request, record, _superbill_form(request, record) if record.is_draft else None)
    form = _superbill_form(request, record, request.POST)
    if not form.is_valid():
        return _superbill_page(request, record, form, status=422)
    try:
        services.superbill_save(actor=request.user, superbill_id=record.pk, diagnoses=form.diagnoses(),
                                lines=form.lines())
        if "post" in request.POST:
            posted = services.superbill_post(actor=request.user, superbill_id=record.pk)
    except REFUSALS as error:
        _refusal_on(form, error)
        record = selectors.superbill_detail(actor=request.user, superbill_id=superbill_id)
        return _superbill_page(request, record, form, status=error.status)
    if "post" in request.POST:
        total = sum((line.charge or 0 for line in posted.lines.all()), 0)
        messages.success(request, _("Superbill posted: %(total)s charged to the patient's account.")
                         % {"total": format_money(total)})
    else:
        messages.success(request, _("Superbill saved."))
    return redirect("billing:superbill", record.pk)


@login_required
@require_POST
def superbill_reverse(request: HttpRequest, superbill_id: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        record = services.superbill_reverse(actor=request.user, superbill_id=superbill_id, reason=reason)
    except REFUSALS as error:
        messages.error(request, error.detail)
        return redirect("billing:superbill", superbill_id)
    messages.success(request, _("The superbill's charges were reversed; the visit may be coded again."))
    return redirect("billing:account", record.patient_id)


def coded_charges(entry_ids: list[int]) -> dict[int, dict[str, Any]]:
    """For the account page: each coded charge's code, modifiers, units and diagnoses in words."""
    found = {}
    for entry_id, line in selectors.coded_lines_for(entry_ids).items():
        pointed = {d.position: d.code for d in line.superbill.diagnoses.all()}
        found[entry_id] = {"code": line.code, "modifiers": line.modifiers, "units": line.units,
                           "superbill": line.superbill_id,
                           "diagnoses": [f"{icd_dotted(pointed[p])} {icd_describe(pointed[p])}"
                                         for p in line.pointers if p in pointed]}
    return found


def _refusal_on(form: Any, error: DomainError) -> None:
    """The service's sentence above the form (it names the line or diagnosis), and each field it names marked."""
    form.add_error(None, error.detail)
    for name, problems in error.fields.items():
        if name in form.fields:
            for problem in problems:
                form.add_error(name, problem)
