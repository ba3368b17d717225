"""The biller's claim screens (#19 items 3-5): the worklist (filter by status, the scrubber's edits and the
answers' reasons in words, send the ready claims, read a 999, 277CA or 835 file, the remittance worklist) and
one claim's page (lines, history, payments; scrub again, void, replace). Thin: one service or selector each."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from clinicdesk.core.exceptions import Conflict, InvalidTransition, ValidationFailed

from . import claim_selectors, services
from .models import ClaimStatus
from .services.claims import claim_build_next

REFUSALS = (ValidationFailed, Conflict, InvalidTransition)


def _offset(request: HttpRequest) -> int:
    raw = request.GET.get("offset", "0")
    return int(raw) if raw.isdigit() and len(raw) < 7 else 0


@login_required
@require_GET
def claims(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in ClaimStatus.values:
        status = ""
    worklist = claim_selectors.claims_worklist(actor=request.user, status=status, offset=_offset(request))
    filters = [{"label": f"{_('All')} ({sum(worklist.counts.values())})", "url": "?status=", "current": not status}]
    filters += [{"label": f"{label} ({worklist.counts.get(value, 0)})", "url": f"?status={value}",
                 "current": status == value} for value, label in ClaimStatus.choices]
    return render(request, "billing/claims/worklist.html", {"worklist": worklist, "filters": filters,
                                                            "ready": worklist.counts.get(ClaimStatus.READY, 0)})


@login_required
@require_POST
def claims_submit(request: HttpRequest) -> HttpResponse:
    try:
        report = services.claims_submit(actor=request.user)
    except REFUSALS as error:
        messages.error(request, error.detail)
        return redirect("billing:claims")
    if report.claims:
        messages.success(request, ngettext("%(count)s claim sent in file %(file)s.",
                                           "%(count)s claims sent in file %(file)s.", len(report.claims))
                         % {"count": len(report.claims), "file": report.file_name})
    else:  # the button is disabled then; a POST anyway (another tab, a stale page) sends nothing and says so
        messages.error(request, _("No claim is ready to send: nothing was sent."))
    return redirect("billing:claims")


@login_required
@require_POST
def claims_answer(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    try:
        data = upload.read(services.claim_answers.MAX_BYTES + 1) if upload is not None else b""
        report = services.answer_file_read(actor=request.user, name=getattr(upload, "name", "") or "answer.x12",
                                           data=data)
    except REFUSALS as error:
        messages.error(request, error.detail)
        return redirect("billing:claims")
    if report.repeated:
        messages.info(request, _("This file was read before: nothing changed."))
    else:
        parts = claim_selectors.answer_file_outcome(actor=request.user, summary=report.summary)
        messages.success(request, _("File read: %(what)s.") % {"what": ", ".join(parts)} if parts
                         else _("File read: nothing in it was about our claims."))
    built = 0 if report.repeated else len(report.summary.get("secondary", []))  # the next payers' claims (835)
    if built:
        messages.info(request, ngettext(
            "%(count)s claim to the next payer (secondary or tertiary) was built for what was left unpaid.",
            "%(count)s claims to the next payers (secondary or tertiary) were built for what was left unpaid.",
            built) % {"count": built})
    return redirect("billing:claims")


@login_required
@require_POST
def superbill_claim(request: HttpRequest, superbill_id: int) -> HttpResponse:
    """Bill the payer: the primary claim of a posted superbill, scrubbed (ready, or held with what to fix)."""
    try:
        made = services.claim_build(actor=request.user, superbill_id=superbill_id)
    except REFUSALS as error:
        messages.error(request, error.detail)
        return redirect("billing:superbill", superbill_id)
    words = {"number": made.claim_number, "status": made.get_status_display()}
    if made.status == ClaimStatus.READY:
        messages.success(request, _("Claim %(number)s: %(status)s.") % words)
    else:
        messages.warning(request, _("Claim %(number)s: %(status)s. See what to fix.") % words)
    return redirect("billing:claim", made.pk)


@login_required
@require_POST
def claim_next_payer(request: HttpRequest, claim_id: int) -> HttpResponse:
    """Bill the payer after this claim's (secondary, then tertiary) once this one has answered: `claim_build`."""
    try:
        made = claim_build_next(actor=request.user, claim_id=claim_id)
    except REFUSALS as error:
        messages.error(request, error.detail)
        return redirect("billing:claim", claim_id)
    words = {"number": made.claim_number, "payer": made.payer.name, "status": made.get_status_display()}
    if made.sequence == 3:
        text = _("Tertiary claim %(number)s to %(payer)s: %(status)s.") % words
    else:
        text = _("Secondary claim %(number)s to %(payer)s: %(status)s.") % words
    if made.status == ClaimStatus.READY:
        messages.success(request, text)
    else:
        messages.warning(request, f"{text} {_('See what to fix.')}")
    return redirect("billing:claim", made.pk)


@login_required
@require_GET
def claim(request: HttpRequest, claim_id: int) -> HttpResponse:
    detail = claim_selectors.claim_detail(actor=request.user, claim_id=claim_id)
    return render(request, "billing/claims/detail.html", {"d": detail, "claim": detail.claim})


@login_required
@require_POST
def claim_action(request: HttpRequest, claim_id: int, action: str) -> HttpResponse:
    try:
        if action == "scrub":
            done = services.claim_scrub(actor=request.user, claim_id=claim_id)
            messages.success(request, _("Claim scrubbed again: %(status)s.") % {"status": done.get_status_display()})
        elif action == "void":
            done = services.claim_void(actor=request.user, claim_id=claim_id)
            messages.success(request, _("Claim voided."))
        else:
            done = services.claim_replace(actor=request.user, claim_id=claim_id)
            messages.success(request, _("Replacement claim made."))
    except REFUSALS as error:
        messages.error(request, error.detail)
        return redirect("billing:claim", claim_id)
    return redirect("billing:claim", done.pk)
