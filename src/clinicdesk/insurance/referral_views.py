"""Screens for referrals, prior authorizations and payer rules (#18 items 1, 6, 7): a patient's page, the
worklist of what runs out in two weeks and the visits with a missing referral or authorization, the payer rules.
Thin: parse the POST, call the service, say what happened (the service's own words on a refusal)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clinicdesk.core import clock
from clinicdesk.core.exceptions import DomainError, NotFound, PermissionDenied
from clinicdesk.core.permissions import Actor, Perm, has_perm

from . import pdf, selectors, services
from .models import AuthorizationStatus

WORKLIST_DAYS = 14


def _actor(request: HttpRequest) -> Actor:
    return cast(Actor, request.user)


def _attempt(request: HttpRequest, action: Callable[[], Any], success: str) -> Any:
    try:
        result = action()
    except (PermissionDenied, NotFound):
        raise
    except DomainError as error:
        messages.error(request, error.detail)
        return None
    messages.success(request, success)
    return result


def _int(value: Any) -> int | None:
    return int(value) if str(value or "").isdigit() else None


def _ids(request: HttpRequest, name: str) -> list[int]:
    return [int(v) for v in request.POST.getlist(name) if str(v).isdigit()]


def _key(request: HttpRequest) -> str | None:
    return (request.POST.get("idempotency_key") or "")[:80] or None


def _patient_url(patient_id: int) -> str:
    return reverse("insurance:patient", args=[patient_id])


# --- a patient's referrals and authorizations -----------------------------------------------------------------

@login_required
@require_GET
def patient(request: HttpRequest, patient_id: int) -> HttpResponse:
    page = selectors.patient_referrals(actor=_actor(request), patient_id=patient_id)
    today = clock.now().date()
    return render(request, "insurance/patient.html", {
        "page": page, "p": page.patient, "today": today, "key": uuid.uuid4().hex,
        "can_write": has_perm(_actor(request), Perm.INSURANCE_WRITE),
        "decisions": [(s, AuthorizationStatus(s).label) for s in ("approved", "partial", "denied")],
        "default_to": today + dt.timedelta(days=90),
    })


@login_required
@require_POST
def referral_add(request: HttpRequest, patient_id: int) -> HttpResponse:
    post = request.POST
    data = services.ReferralInput(
        patient_id=patient_id, referring_name=post.get("referring_name", ""),
        referring_npi=post.get("referring_npi", ""), reason=post.get("reason", ""),
        visits_authorized=post.get("visits_authorized"), valid_from=post.get("valid_from"),
        valid_to=post.get("valid_to"), payer_id=_int(post.get("payer")),
        referral_number=post.get("referral_number", ""), diagnosis_codes=post.get("diagnosis_codes", ""),
        document_id=_int(post.get("document")), upload=request.FILES.get("file"),
        appointment_ids=_ids(request, "appointments"))
    _attempt(request, lambda: services.referral_add(actor=_actor(request), data=data, idempotency_key=_key(request)),
             _("Referral recorded."))
    return redirect(_patient_url(patient_id))


@login_required
@require_POST
def referral_link(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = selectors.referral_detail(actor=_actor(request), referral_id=referral_id)
    _attempt(request, lambda: services.referral_link(actor=_actor(request), referral_id=referral_id,
                                                     appointment_id=_int(request.POST.get("appointment")) or 0),
             _("The referral now covers that visit."))
    return redirect(_patient_url(referral.patient_id))


@login_required
@require_POST
def outgoing_add(request: HttpRequest, patient_id: int) -> HttpResponse:
    post = request.POST
    data = services.OutgoingInput(
        patient_id=patient_id, location_id=_int(post.get("location")) or 0,
        specialist_name=post.get("specialist_name", ""), reason=post.get("reason", ""),
        specialty=post.get("specialty", ""), specialist_npi=post.get("specialist_npi", ""),
        specialist_contact=post.get("specialist_contact", ""), diagnosis_codes=post.get("diagnosis_codes", ""),
        urgent=post.get("urgent") == "on")
    _attempt(request, lambda: services.outgoing_referral_send(actor=_actor(request), data=data,
                                                              idempotency_key=_key(request)),
             _("Referral to the specialist recorded: print its letter below."))
    return redirect(_patient_url(patient_id))


@login_required
@require_POST
def outgoing_status(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = selectors.outgoing_referral_detail(actor=_actor(request), referral_id=referral_id)
    _attempt(request, lambda: services.outgoing_referral_set_status(
        actor=_actor(request), referral_id=referral_id, status=request.POST.get("status", ""),
        note=request.POST.get("note", "")), _("Referral status changed."))
    return redirect(_patient_url(referral.patient_id))


@login_required
@require_GET
def outgoing_letter(request: HttpRequest, referral_id: int) -> HttpResponse:
    packet = selectors.outgoing_referral_packet(actor=_actor(request), referral_id=referral_id)
    referral = packet.referral
    response = HttpResponse(pdf.referral_packet_pdf(packet), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="referral-{referral.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def _decision(post: Any) -> services.Decision:
    return services.Decision(status=post.get("status", ""), auth_number=post.get("auth_number", ""),
                             units_approved=post.get("units_approved"), valid_from=post.get("valid_from"),
                             valid_to=post.get("valid_to"), note=post.get("note", ""))


@login_required
@require_POST
def authorization_add(request: HttpRequest, patient_id: int) -> HttpResponse:
    post = request.POST
    decision = _decision(post) if post.get("status") in ("approved", "partial", "denied") else None
    data = services.AuthorizationInput(
        patient_id=patient_id, procedure_codes=post.get("procedure_codes", ""),
        units_requested=post.get("units_requested"), requested_from=post.get("requested_from"),
        requested_to=post.get("requested_to"), clinical_reason=post.get("clinical_reason", ""),
        coverage_id=_int(post.get("coverage")), appointment_type_id=_int(post.get("appointment_type")),
        document_ids=_ids(request, "documents"), upload=request.FILES.get("file"),
        appointment_ids=_ids(request, "appointments"), decision=decision)
    _attempt(request, lambda: services.authorization_request(actor=_actor(request), data=data,
                                                             idempotency_key=_key(request)),
             _("Prior authorization recorded."))
    return redirect(_patient_url(patient_id))


@login_required
@require_POST
def authorization_decide(request: HttpRequest, authorization_id: int) -> HttpResponse:
    found = selectors.authorization_detail(actor=_actor(request), authorization_id=authorization_id)
    _attempt(request, lambda: services.authorization_decide(actor=_actor(request), authorization_id=authorization_id,
                                                            decision=_decision(request.POST)),
             _("The payer's answer is recorded."))
    return redirect(_patient_url(found.patient_id))


# --- the worklist --------------------------------------------------------------------------------------------

@login_required
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    today = clock.now().date()
    days = [today + dt.timedelta(days=n) for n in range(WORKLIST_DAYS + 1)]
    locations = selectors.actor_locations(actor=actor)
    problems = [row for location in locations
                for row in selectors.referral_problems(actor=actor, location_id=location.pk, days=days)]
    return render(request, "insurance/worklist.html", {
        "expiring": selectors.expiring_worklist(actor=actor, today=today), "problems": problems,
        "days": WORKLIST_DAYS})


# --- payer rules ---------------------------------------------------------------------------------------------

def _rule_input(post: Any) -> services.RuleInput:
    return services.RuleInput(payer_id=_int(post.get("payer")) or 0,
                              appointment_type_id=_int(post.get("appointment_type")),
                              procedure_code=post.get("procedure_code", ""),
                              needs_referral=post.get("needs_referral") == "on",
                              needs_prior_auth=post.get("needs_prior_auth") == "on", note=post.get("note", ""))


@login_required
@require_GET
def rules(request: HttpRequest) -> HttpResponse:
    page = selectors.payer_rules(actor=_actor(request))
    return render(request, "insurance/rules.html", {"page": page,
                                                    "can_edit": services.can_edit_rules(_actor(request))})


@login_required
@require_POST
def rule_save(request: HttpRequest) -> HttpResponse:
    rule_id = _int(request.POST.get("rule"))
    _attempt(request, lambda: services.payer_rule_save(actor=_actor(request), data=_rule_input(request.POST),
                                                       rule_id=rule_id), _("Payer rule saved."))
    return redirect("insurance:rules")


@login_required
@require_POST
def rule_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    _attempt(request, lambda: services.payer_rule_delete(actor=_actor(request), rule_id=rule_id),
             _("Payer rule removed."))
    return redirect("insurance:rules")
