"""Screens for surgery readiness (#18 item 8) and admissions and transfers (#18 item 9): the coordinator's
readiness board, a packet, the templates, the patient's acknowledgement page (public, by signed link); the
facility directory, the transfers list, a transfer with its packet as PDF and FHIR Bundle. Thin: parse, call the
service, say what happened."""

from __future__ import annotations

import json
import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicdesk.core.exceptions import DomainError

from . import care_selectors, services
from .referral_views import _actor, _attempt, _ids, _int, _key
from .transfer_bundle import transfer_bundle
from .transfer_pdf import transfer_packet_pdf

# --- readiness ----------------------------------------------------------------------------------------------------


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    rows = care_selectors.readiness_board(actor=_actor(request))
    return render(request, "insurance/readiness_board.html", {
        "rows": rows, "days": care_selectors.BOARD_DAYS, "incomplete": sum(1 for r in rows if not r.complete),
        "overdue": sum(1 for r in rows if r.overdue)})


@login_required
@require_POST
def packet_open(request: HttpRequest, appointment_id: int) -> HttpResponse:
    packet = _attempt(request, lambda: services.readiness_packet_open(actor=_actor(request),
                                                                      appointment_id=appointment_id),
                      _("Readiness packet ready: confirm each item as it comes in."))
    if packet is None:
        return redirect("insurance:readiness")
    return redirect("insurance:readiness-packet", packet.pk)


@login_required
@require_GET
def packet(request: HttpRequest, packet_id: int) -> HttpResponse:
    page = care_selectors.readiness_packet_detail(actor=_actor(request), packet_id=packet_id)
    return render(request, "insurance/readiness_packet.html", {"page": page})


@login_required
@require_POST
def item_set(request: HttpRequest, item_id: int) -> HttpResponse:
    post = request.POST
    item = _attempt(request, lambda: services.readiness_item_set(
        actor=_actor(request), item_id=item_id, status=post.get("status", ""),
        document_id=_int(post.get("document")), note=post.get("note", "")), _("Item updated."))
    packet_id = _int(post.get("packet")) or (item.packet_id if item else None)
    return redirect("insurance:readiness-packet", packet_id) if packet_id else redirect("insurance:readiness")


@login_required
@require_POST
def packet_send(request: HttpRequest, packet_id: int) -> HttpResponse:
    _attempt(request, lambda: services.readiness_packet_send(actor=_actor(request), packet_id=packet_id,
                                                             channel=request.POST.get("channel", "")),
             _("The packet is on its way to the patient, with a link to acknowledge it."))
    return redirect("insurance:readiness-packet", packet_id)


@login_required
@require_GET
def templates(request: HttpRequest) -> HttpResponse:
    page = care_selectors.readiness_templates(actor=_actor(request))
    return render(request, "insurance/readiness_templates.html", {
        "page": page, "can_edit": services.can_edit_rules(_actor(request))})


@login_required
@require_POST
def template_save(request: HttpRequest, appointment_type_id: int) -> HttpResponse:
    post = request.POST
    if post.get("use_defaults") == "on":
        items = services.default_template()
    else:
        kinds, labels = post.getlist("kind"), post.getlist("label")
        english, spanish = post.getlist("instructions_en"), post.getlist("instructions_es")
        removed = set(post.getlist("remove"))
        items = [services.TemplateItemInput(kind=k, label=(labels[i] if i < len(labels) else ""),
                                            instructions_en=(english[i] if i < len(english) else ""),
                                            instructions_es=(spanish[i] if i < len(spanish) else ""))
                 for i, k in enumerate(kinds) if k and str(i) not in removed]
    _attempt(request, lambda: services.readiness_template_save(actor=_actor(request),
                                                               appointment_type_id=appointment_type_id, items=items),
             _("Readiness list saved."))
    return redirect(reverse("insurance:readiness-templates") + f"#type-{appointment_type_id}")


@require_http_methods(["GET", "POST"])
def acknowledge(request: HttpRequest, token: str) -> HttpResponse:
    """The patient's page (no sign-in; the signed token is the proof), in the patient's language. GET shows the
    packet (mail scanners open links); the POST acknowledges."""
    try:
        page = care_selectors.readiness_ack_page(token=token)
    except DomainError as error:
        return render(request, "insurance/readiness_ack.html", {"error": error.detail}, status=404)
    with translation.override(page.language):
        context: dict[str, object] = {"page": page, "token": token}
        if request.method == "POST":
            services.readiness_acknowledge(token=token)
            context["done"] = True
        response = render(request, "insurance/readiness_ack.html", context)
    response.headers["Content-Language"] = page.language
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# --- facilities and transfers --------------------------------------------------------------------------------------

@login_required
@require_GET
def facilities(request: HttpRequest) -> HttpResponse:
    page = care_selectors.facilities(actor=_actor(request))
    return render(request, "insurance/facilities.html", {"page": page,
                                                         "can_edit": services.can_edit_rules(_actor(request))})


@login_required
@require_POST
def facility_save(request: HttpRequest) -> HttpResponse:
    post = request.POST
    data = services.FacilityInput(
        name=post.get("name", ""), kind=post.get("kind", ""), npi=post.get("npi", ""), phone=post.get("phone", ""),
        fax=post.get("fax", ""), address=post.get("address", ""), contact_name=post.get("contact_name", ""),
        payer_ids=_ids(request, "payers"), active=post.get("active", "on") == "on")
    _attempt(request, lambda: services.facility_save(actor=_actor(request), data=data,
                                                     facility_id=_int(post.get("facility"))), _("Facility saved."))
    return redirect("insurance:facilities")


@login_required
@require_GET
def transfers(request: HttpRequest) -> HttpResponse:
    return render(request, "insurance/transfers.html", {"page": care_selectors.transfers_list(actor=_actor(request))})


@login_required
@require_http_methods(["GET", "POST"])
def transfer_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    if request.method == "POST":
        post = request.POST
        data = services.TransferInput(
            patient_id=patient_id, location_id=_int(post.get("location")) or 0,
            facility_id=_int(post.get("facility")) or 0, kind=post.get("kind", ""), reason=post.get("reason", ""),
            requested_on=post.get("requested_on") or None, planned_for=post.get("planned_for") or None,
            diagnosis_codes=post.get("diagnosis_codes", ""), referral_id=_int(post.get("referral")),
            document_ids=_ids(request, "documents"))
        made = _attempt(request, lambda: services.transfer_request(actor=_actor(request), data=data,
                                                                   idempotency_key=_key(request)),
                        _("Transfer recorded."))
        if made is not None:
            return redirect("insurance:transfer", made.pk)
    form = care_selectors.transfer_form(actor=_actor(request), patient_id=patient_id)
    return render(request, "insurance/transfer_new.html", {"form": form, "key": uuid.uuid4().hex})


@login_required
@require_GET
def transfer(request: HttpRequest, transfer_id: int) -> HttpResponse:
    page = care_selectors.transfer_detail(actor=_actor(request), transfer_id=transfer_id)
    return render(request, "insurance/transfer.html", {"page": page})


@login_required
@require_POST
def transfer_status(request: HttpRequest, transfer_id: int) -> HttpResponse:
    post = request.POST
    _attempt(request, lambda: services.transfer_set_status(
        actor=_actor(request), transfer_id=transfer_id, status=post.get("status", ""),
        planned_for=post.get("planned_for") or None, note=post.get("note", "")), _("Transfer status changed."))
    return redirect("insurance:transfer", transfer_id)


@login_required
@require_POST
def transfer_follow_up(request: HttpRequest, transfer_id: int) -> HttpResponse:
    _attempt(request, lambda: services.transfer_follow_up(actor=_actor(request), transfer_id=transfer_id,
                                                          title=request.POST.get("title", ""),
                                                          due_date=request.POST.get("due_date") or None),
             _("Follow-up task created for the coordinators."))
    return redirect("insurance:transfer", transfer_id)


@login_required
@require_GET
def transfer_pdf(request: HttpRequest, transfer_id: int) -> HttpResponse:
    packet = care_selectors.transfer_packet(actor=_actor(request), transfer_id=transfer_id, form="pdf")
    response = HttpResponse(transfer_packet_pdf(packet), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="transfer-{transfer_id}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def transfer_fhir(request: HttpRequest, transfer_id: int) -> HttpResponse:
    packet = care_selectors.transfer_packet(actor=_actor(request), transfer_id=transfer_id, form="fhir")
    response = HttpResponse(json.dumps(transfer_bundle(packet), indent=2), content_type="application/fhir+json")
    response["Content-Disposition"] = f'attachment; filename="transfer-{transfer_id}.json"'
    response["Cache-Control"] = "no-store"
    return response
