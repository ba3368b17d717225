"""The patient account: an append-only ledger of charges, payments, adjustments, refunds and reversals.

`amount` is the entry's effect on what the patient owes, as Decimal with two places: a charge or a
refund raises the balance (positive), a payment lowers it (negative), an adjustment goes either way.
A balance is a sum. No entry is ever changed or deleted: a mistake is corrected by a reversing entry
(`reverses`, at most one per entry, with the opposite amount). The claims issue adds charges and
insurance payments as further kinds.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clinicdesk.core.append_only import AppendOnlyModel


class EntryKind(models.TextChoices):
    CHARGE = "charge", _("Charge")
    PAYMENT = "payment", _("Payment")
    ADJUSTMENT = "adjustment", _("Adjustment")
    REFUND = "refund", _("Refund")
    REVERSAL = "reversal", _("Reversal")
    INSURANCE = "insurance", _("Insurance payment")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    CHECK = "check", _("Check")
    CARD = "card", _("Card")
    ONLINE = "online", _("Online (patient portal)")


DESK_METHODS = (PaymentMethod.CASH, PaymentMethod.CHECK, PaymentMethod.CARD)  # what the desk takes (the drawer)


class LedgerEntry(AppendOnlyModel):
    append_only_message = "A ledger entry is immutable: post a reversing entry instead."

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="ledger_entries")
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=EntryKind.choices)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    description = models.CharField(max_length=200, blank=True)
    method = models.CharField(max_length=8, choices=PaymentMethod.choices, blank=True)
    check_number = models.CharField(max_length=20, blank=True)
    card_reference = models.CharField(max_length=40, blank=True)  # the terminal's transaction reference
    card_last4 = models.CharField(max_length=4, blank=True)
    appointment = models.ForeignKey("scheduling.Appointment", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    refund_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="refunds")
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_by")
    receipt_number = models.CharField(max_length=20, null=True, blank=True, unique=True)
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "ledger entries"
        indexes = [
            models.Index(fields=["patient", "created_at"]),
            models.Index(fields=["location", "created_at"]),
            # the reversals by day (about 1 % of the ledger): the A/R aging subtracts what they reversed
            models.Index(fields=["created_at"], condition=Q(kind="reversal"), name="ledger_reversal_day"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_amount_not_zero"),
            models.CheckConstraint(condition=~Q(kind="charge") | Q(amount__gt=0), name="ledger_charge_positive"),
            models.CheckConstraint(condition=~Q(kind="payment") | Q(amount__lt=0), name="ledger_payment_negative"),
            models.CheckConstraint(condition=~Q(kind="refund") | Q(amount__gt=0), name="ledger_refund_positive"),
            models.CheckConstraint(condition=~Q(kind="insurance") | Q(amount__lt=0),
                                   name="ledger_insurance_payment_negative"),
            models.CheckConstraint(condition=~Q(kind__in=["payment", "refund"]) | ~Q(method=""),
                                   name="ledger_money_has_method"),
            models.CheckConstraint(condition=~Q(method="check") | ~Q(check_number=""), name="ledger_check_number"),
            models.CheckConstraint(condition=~Q(method="card") | (~Q(card_reference="") & ~Q(card_last4="")),
                                   name="ledger_card_details"),
            models.CheckConstraint(condition=~Q(kind="reversal") | Q(reverses__isnull=False),
                                   name="ledger_reversal_names_entry"),
            models.CheckConstraint(condition=~Q(kind="refund") | Q(refund_of__isnull=False),
                                   name="ledger_refund_names_payment"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"

    @property
    def is_money(self) -> bool:
        return self.kind in (EntryKind.PAYMENT, EntryKind.REFUND)

    @property
    def collected(self) -> Any:
        """Money into the drawer (positive) or out of it (negative)."""
        return -self.amount


class ReceiptSequence(models.Model):
    """One row holding the last receipt number handed out; locked while taking the next."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last = models.BigIntegerField(default=0)


# --- the fee schedule and the coded visit (#19) -------------------------------------------------------------------


class FeeItem(models.Model):
    """One procedure on the practice's fee schedule: a CPT or HCPCS Level II code with its modifiers, the
    practice's own description (CPT descriptions are licensed) and its price over a period. One code with the
    same modifiers never has two periods that overlap (services.fees, under a lock); a price change is a new
    period, so a visit is always priced as on its date of service."""

    code = models.CharField(_("code"), max_length=5)
    modifiers = models.CharField(_("modifiers"), max_length=11, blank=True)  # "25" or "25 59": up to four, spaced
    description = models.CharField(_("description"), max_length=200)
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)  # inclusive; blank: open-ended
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["code", "modifiers", "effective_from"]
        indexes = [models.Index(fields=["code", "modifiers", "effective_from"])]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="fee_price_positive"),
            models.CheckConstraint(condition=Q(effective_to__isnull=True)
                                   | Q(effective_to__gte=models.F("effective_from")), name="fee_period_ordered"),
            models.UniqueConstraint(fields=["code", "modifiers", "effective_from"], name="fee_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.modifiers}".strip()

    @property
    def modifier_list(self) -> list[str]:
        return self.modifiers.split()


class ContractedAmount(models.Model):
    """What a payer has agreed to pay for a fee schedule line (its allowed amount)."""

    fee_item = models.ForeignKey(FeeItem, on_delete=models.CASCADE, related_name="contracts")
    payer = models.ForeignKey("patients.Payer", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("contracted amount"), max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["payer__name"]
        constraints = [
            models.UniqueConstraint(fields=["fee_item", "payer"], name="contract_one_per_payer"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="contract_amount_not_negative"),
        ]


class UsualCode(models.Model):
    """A procedure an appointment type usually bills: it pre-fills the superbill of such a visit."""

    appointment_type = models.ForeignKey("scheduling.AppointmentType", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(_("code"), max_length=5)
    modifiers = models.CharField(_("modifiers"), max_length=11, blank=True)
    units = models.PositiveSmallIntegerField(_("units"), default=1)
    position = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["appointment_type", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["appointment_type", "code", "modifiers"], name="usual_code_once"),
            models.CheckConstraint(condition=Q(units__gte=1), name="usual_code_units_positive"),
        ]


class SuperbillStatus(models.TextChoices):
    DRAFT = "draft", _("Being coded")
    POSTED = "posted", _("Posted")
    REVERSED = "reversed", _("Reversed")


# Places of service (CMS code set), the ones a practice uses; the claim carries the code, screens the words.
PLACES_OF_SERVICE = {
    "11": _("Office"),
    "02": _("Telehealth, not in the patient's home"),
    "10": _("Telehealth in the patient's home"),
    "12": _("Home"),
    "19": _("Off-campus outpatient hospital"),
    "22": _("On-campus outpatient hospital"),
    "20": _("Urgent care facility"),
    "31": _("Skilled nursing facility"),
    "32": _("Nursing facility"),
}


class Superbill(models.Model):
    """The coded visit (encounter form): its diagnoses in order and its procedure lines, from which a claim is
    built. Drafts are edited; posting writes one charge per line (once); a posted superbill is never edited, it is
    corrected by reversing its charges (status reversed), after which the visit may be coded again."""

    appointment = models.ForeignKey("scheduling.Appointment", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    date_of_service = models.DateField(_("date of service"))
    status = models.CharField(max_length=10, choices=SuperbillStatus.choices, default=SuperbillStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    posted_at = models.DateTimeField(null=True, blank=True)
    reversed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date_of_service", "pk"]
        indexes = [models.Index(fields=["location", "status", "date_of_service"])]
        constraints = [
            models.UniqueConstraint(fields=["appointment"], condition=~Q(status="reversed"),
                                    name="superbill_one_live_per_visit"),
            models.CheckConstraint(condition=~Q(status="posted") | Q(posted_at__isnull=False),
                                   name="superbill_posted_has_time"),
        ]

    def __str__(self) -> str:
        return f"Superbill {self.pk}"

    @property
    def is_draft(self) -> bool:
        return self.status == SuperbillStatus.DRAFT


class SuperbillDiagnosis(models.Model):
    """An ICD-10-CM code on the superbill, at its position (1 to 12: the claim's diagnosis order)."""

    superbill = models.ForeignKey(Superbill, on_delete=models.CASCADE, related_name="diagnoses")
    position = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=8)  # without the dot, as the claim writes it: "E119"

    class Meta:
        ordering = ["superbill", "position"]
        constraints = [
            models.UniqueConstraint(fields=["superbill", "position"], name="superbill_dx_position_once"),
            models.UniqueConstraint(fields=["superbill", "code"], name="superbill_dx_code_once"),
            models.CheckConstraint(condition=Q(position__gte=1, position__lte=12), name="superbill_dx_position_1_12"),
        ]


class SuperbillLine(models.Model):
    """A procedure line: the fee schedule code, up to four modifiers, units, one to four pointers to the
    diagnoses (their positions), the place of service and the rendering provider. `charge` and `ledger_entry` are
    set when the superbill is posted: the price in effect on the date of service times the units."""

    superbill = models.ForeignKey(Superbill, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=5)
    modifiers = models.CharField(max_length=11, blank=True)
    units = models.PositiveSmallIntegerField(default=1)
    pointers = models.JSONField(default=list)  # diagnosis positions, e.g. [1, 3]
    place_of_service = models.CharField(max_length=2, default="11")
    rendering = models.ForeignKey("practice.Practitioner", on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=200, blank=True)
    charge = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    ledger_entry = models.OneToOneField(LedgerEntry, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="superbill_line")

    class Meta:
        ordering = ["superbill", "position"]
        constraints = [
            models.UniqueConstraint(fields=["superbill", "position"], name="superbill_line_position_once"),
            models.CheckConstraint(condition=Q(units__gte=1, units__lte=999), name="superbill_line_units"),
        ]

    @property
    def modifier_list(self) -> list[str]:
        return self.modifiers.split()

    @property
    def place_of_service_label(self) -> str:
        return str(PLACES_OF_SERVICE.get(self.place_of_service, self.place_of_service))


# --- each account's balance, kept by a trigger on the ledger (#19 A/R aging) ------------------------------------
from .balance_models import LedgerBalance  # noqa: E402,F401

# --- claims, answers and remittances (#19 items 3-5) -------------------------------------------------------------
from .claim_models import (  # noqa: E402,F401
    AnswerFile,
    Claim,
    ClaimBatch,
    ClaimEvent,
    ClaimFrequency,
    ClaimLine,
    ClaimPosting,
    ClaimSequence,
    ClaimStatus,
    RemitClaim,
    Remittance,
)
from .denial_models import AppealLetter, DenialWriteOff, WriteOffStatus  # noqa: E402,F401 (#19 item 7)

# --- estimates and Good Faith Estimates (#19 item 10) ----------------------------------------------------------------
from .estimate_models import Estimate, EstimateKind, EstimateStatus, SignatureMethod  # noqa: E402,F401

# --- statements, collections holds, credit refunds, disputes (#19 items 8-9) ----------------------------------------
from .statement_models import (  # noqa: E402,F401
    CollectionsHold,
    CreditRefund,
    Dispute,
    DisputeOutcome,
    DisputeStatus,
    RefundStatus,
    Statement,
    StatementDelivery,
    StatementSettings,
)
