"""Billing disputes (#19 item 9).

A patient disputes a charge (a ledger line) or their balance: the desk or a biller opens the dispute with what the
patient says. While it is open, the patient's balance gets no statement and no collection step
(`statements.held_patients`). It is due in `StatementSettings.dispute_days` days (30 by default). It closes with
a written response: an outcome (the charge is correct, was corrected, or is written off: then the write-off is
posted here as an adjustment, append-only), the biller's words, and the response letter as a PDF in the patient's
language (English or Spanish), stored on the chart.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, InvalidTransition, NotFound, ValidationFailed
from clinicdesk.core.l10n import day_text, in_language, known_language
from clinicdesk.core.permissions import Actor, Perm, has_perm, require, staff_user
from clinicdesk.patients import selectors as patient_selectors
from clinicdesk.patients.models import Document, Patient
from clinicdesk.patients.services.documents import store_document

from ..models import Dispute, DisputeOutcome, DisputeStatus, EntryKind, LedgerEntry
from ..money import format_money, parse_amount
from ..statement_pdf import dispute_letter_pdf
from .ledger import adjustment_post
from .statements import statement_settings

LETTER_LANGUAGES = ("en", "es")


@atomic_service
def dispute_open(*, actor: Actor, patient_id: int, reason: str, amount: Decimal | None = None,
                 entry_id: int | None = None) -> Dispute:
    # The desk hears the patient and the biller works the account: either may open a dispute (at the chart's
    # location, by the one visibility rule).
    if not has_perm(actor, Perm.FRONTDESK):
        require(actor, Perm.BILLING_WRITE)
    patient = patient_selectors.patient_in_reach(actor, patient_id, perm=(Perm.FRONTDESK, Perm.BILLING_WRITE),
                                                 current=True, related=("home_location",))
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    if not (reason or "").strip():
        raise ValidationFailed("reason-required", _("Write down what the patient disputes."),
                               fields={"reason": [_("Required.")]})
    entry = None
    if entry_id is not None:
        entry = LedgerEntry.objects.filter(pk=entry_id, patient=patient).first()
        if entry is None:
            raise NotFound()
        if entry.kind != EntryKind.CHARGE or hasattr(entry, "reversed_by"):
            raise ValidationFailed("not-a-charge", _("Only a charge that stands can be disputed."))
        if Dispute.objects.filter(entry=entry, status=DisputeStatus.OPEN).exists():
            raise Conflict("dispute-open", _("This charge is already disputed."))
    balance = LedgerEntry.objects.filter(patient=patient).aggregate(t=Sum("amount"))["t"] or Decimal("0")
    most = entry.amount if entry is not None else balance
    value = parse_amount(amount) if amount is not None else most
    if value <= 0 or value > most:
        message = _("The disputed amount must be more than zero and at most %(most)s.") % {
            "most": format_money(max(most, Decimal("0")))}
        raise ValidationFailed("bad-amount", message, fields={"amount": [message]})
    today = clock.today_in(patient.home_location.tz)
    dispute = Dispute.objects.create(
        patient=patient, location_id=patient.home_location_id, entry=entry, amount=value, reason=reason.strip()[:2000],
        opened_by=staff_user(actor), opened_at=clock.now(),
        due_on=today + dt.timedelta(days=statement_settings().dispute_days))
    record(actor, "dispute.open", dispute, patient=patient,
           detail={"amount": str(value), "entry": entry.pk if entry else None, "due_on": dispute.due_on.isoformat()})
    return dispute


def _letter_paragraphs(dispute: Dispute, outcome: str, response: str, language: str) -> tuple[str, list[str]]:
    """The response letter's subject and paragraphs in `language` (the template: fixed words around the biller's
    own response)."""
    with in_language(language):
        what = dispute.entry.description if dispute.entry is not None and dispute.entry.description else \
            _("your account balance")
        opened = day_text(dispute.opened_at.astimezone(dispute.location.tz).date())
        outcomes = {
            DisputeOutcome.UPHELD: _("We reviewed the charge and found it correct. It stays on your account."),
            DisputeOutcome.CORRECTED: _("We reviewed the charge and corrected it on your account."),
            DisputeOutcome.WRITTEN_OFF: _("We reviewed the charge and removed %(amount)s from your account.")
            % {"amount": format_money(dispute.amount)},
        }
        subject = _("Our answer to your billing dispute")
        paragraphs = [
            _("Dear %(name)s,") % {"name": dispute.patient.display_name},
            _("On %(date)s you disputed %(amount)s for %(what)s. Thank you for telling us.") % {
                "date": opened, "amount": format_money(dispute.amount), "what": what},
            str(outcomes[DisputeOutcome(outcome)]),
            response.strip(),
            _("If you have questions about this answer, call us at %(phone)s.") % {"phone": dispute.location.phone},
            _("Sincerely,\nThe billing office"),
        ]
    return subject, paragraphs


@atomic_service
def dispute_close(*, actor: Actor, dispute_id: int, outcome: str, response: str, language: str = "") -> Dispute:
    require(actor, Perm.BILLING_WRITE)
    dispute = Dispute.objects.select_for_update(of=("self",)).select_related("patient", "location", "entry").filter(
        pk=dispute_id).first()
    if dispute is None:
        raise NotFound()
    require(actor, Perm.BILLING_WRITE, location=dispute.location_id, hide=True, resource_type="dispute",
            resource_id=dispute.pk, patient_id=dispute.patient_id)
    if dispute.status != DisputeStatus.OPEN:
        raise InvalidTransition("dispute-closed", _("This dispute is already closed."))
    errors = {}
    if outcome not in DisputeOutcome.values:
        errors["outcome"] = [_("Choose the outcome.")]
    if not (response or "").strip():
        errors["response"] = [_("Write the response to the patient.")]
    chosen = language or known_language(dispute.patient.preferred_language)
    if chosen not in LETTER_LANGUAGES:
        errors["language"] = [_("Choose English or Spanish.")]
    if errors:
        raise ValidationFailed("bad-response", _("Check the response."), fields=errors)
    if outcome == DisputeOutcome.WRITTEN_OFF:
        adjustment_post(actor=actor, patient_id=dispute.patient_id, location_id=dispute.location_id,
                        amount=-dispute.amount, reason=_("Written off after dispute %(number)s") % {
                            "number": dispute.pk}, idempotency_key=f"dispute-writeoff:{dispute.pk}")
    subject, paragraphs = _letter_paragraphs(dispute, outcome, response, chosen)
    today = clock.today_in(dispute.location.tz)
    data = dispute_letter_pdf(patient=dispute.patient, location=dispute.location, language=chosen,
                              paragraphs=paragraphs, when=today, subject=subject)
    document = store_document(actor=actor, patient=dispute.patient, kind=Document.Kind.OTHER, data=data,
                              content_type="application/pdf", document_date=today, description=subject)
    dispute.status, dispute.outcome, dispute.response = DisputeStatus.CLOSED, outcome, response.strip()[:4000]
    dispute.language, dispute.document = chosen, document
    dispute.closed_by, dispute.closed_at = staff_user(actor), clock.now()
    dispute.save()
    record(actor, "dispute.close", dispute, patient=dispute.patient_id,
           detail={"outcome": outcome, "language": chosen, "document": document.pk})
    return dispute
