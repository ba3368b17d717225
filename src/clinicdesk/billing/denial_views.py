"""The denial screens (#19 item 7): the worklist grouped by reason with the next step, one denial's page (resubmit
as a replacement claim, appeal letter, write-off asked and decided), and the denial rate by payer and reason
(page and CSV). Thin: one service or selector each."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, InvalidTransition, ValidationFailed

from . import denial_selectors, services
from .money import parse_amount

REFUSALS = (ValidationFailed, Conflict, InvalidTransition)


@login_required
@require_GET
def denials(request: HttpRequest) -> HttpResponse:
    worklist = denial_selectors.denials_worklist(actor=request.user)
    return render(request, "billing/denials/worklist.html", {"worklist": worklist})


@login_required
@require_GET
def denial(request: HttpRequest, claim_id: int) -> HttpResponse:
    detail = denial_selectors.denial_detail(actor=request.user, claim_id=claim_id)
    return render(request, "billing/denials/detail.html", {"d": detail, "claim": detail.claim,
                                                           "denial": detail.denial})


@login_required
@require_POST
def denial_resubmit(request: HttpRequest, claim_id: int) -> HttpResponse:
    try:
        new = services.claim_replace(actor=request.user, claim_id=claim_id)
    except REFUSALS as error:
        messages.error(request, error.detail)
        return redirect("billing:denial", claim_id)
    messages.success(request, _("Replacement claim %(claim)s made: %(status)s.")
                     % {"claim": new.claim_number, "status": new.get_status_display()})
    return redirect("billing:claim", new.pk)


@login_required
@require_POST
def denial_appeal(request: HttpRequest, claim_id: int) -> HttpResponse:
    try:
        services.appeal_letter_create(actor=request.user, claim_id=claim_id,
                                      language=request.POST.get("language", ""), note=request.POST.get("note", ""))
    except REFUSALS as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Appeal letter written and stored on the patient's documents."))
    return redirect("billing:denial", claim_id)


@login_required
@require_POST
def denial_write_off(request: HttpRequest, claim_id: int) -> HttpResponse:
    try:
        amount = parse_amount(request.POST.get("amount", ""))
        services.write_off_request(actor=request.user, claim_id=claim_id, amount=amount,
                                   note=request.POST.get("note", ""))
    except REFUSALS as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Write-off asked: it is posted when it is approved."))
    return redirect("billing:denial", claim_id)


@login_required
@require_POST
def write_off_decide(request: HttpRequest, write_off_id: int, decision: str) -> HttpResponse:
    note = request.POST.get("note", "")
    try:
        if decision == "approve":
            done = services.write_off_approve(actor=request.user, write_off_id=write_off_id, note=note)
            messages.success(request, _("Write-off approved and posted to the patient's account."))
        else:
            done = services.write_off_refuse(actor=request.user, write_off_id=write_off_id, note=note)
            messages.success(request, _("Write-off refused: nothing was posted."))
    except REFUSALS as error:
        messages.error(request, error.detail)
        return redirect("billing:denials")
    return redirect("billing:denial", done.claim_id)


def _range(request: HttpRequest) -> tuple[dt.date, dt.date]:
    today = clock.now().date()
    try:
        start = dt.date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        start = today - dt.timedelta(days=90)
    try:
        end = dt.date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        end = today
    return (start, end) if start <= end else (end, start)


@login_required
@require_GET
def denial_rate(request: HttpRequest) -> HttpResponse:
    start, end = _range(request)
    rate = denial_selectors.denial_rate(actor=request.user, start=start, end=end)
    return render(request, "billing/denials/rate.html", {"rate": rate})


@login_required
@require_GET
def denial_rate_csv(request: HttpRequest) -> HttpResponse:
    start, end = _range(request)
    rate = denial_selectors.denial_rate(actor=request.user, start=start, end=end)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="denial-rate-{start}-{end}.csv"'
    writer = csv.writer(response)
    writer.writerow([_("By"), _("Payer or reason"), _("Claims adjudicated"), _("Claims denied"),
                     _("Denial rate (%)")])
    rows: list[tuple[str, Any]] = [(_("All payers"), rate.total)]
    rows += [(_("Payer"), row) for row in rate.by_payer] + [(_("Reason"), row) for row in rate.by_reason]
    for by, row in rows:
        writer.writerow([by, row.label, row.adjudicated, row.denied, f"{row.rate}"])
    return response
