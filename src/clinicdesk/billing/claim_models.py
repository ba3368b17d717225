"""Claims to payers (#19 items 3-5): the claim built from a posted superbill, its lines, the batch it went in,
the answers read back (999, 277CA, 835) and the remittances posted from them.

A claim goes to one payer at one sequence (1 primary, 2 secondary, 3 tertiary); a visit has at most one live
claim per payer and sequence (a replaced or voided claim is no longer live). Its status moves only along
`CLAIM_TRANSITIONS`; every move is kept in `ClaimEvent`. Money is Decimal with two places.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ClaimStatus(models.TextChoices):
    HELD = "held", pgettext_lazy("claim status", "Held by the scrubber")
    READY = "ready", pgettext_lazy("claim status", "Ready to send")
    SUBMITTED = "submitted", pgettext_lazy("claim status", "Sent")
    ACCEPTED = "accepted", pgettext_lazy("claim status", "Accepted by the payer")
    REJECTED = "rejected", pgettext_lazy("claim status", "Rejected")
    PAID = "paid", pgettext_lazy("claim status", "Paid")
    PARTLY_PAID = "partly-paid", pgettext_lazy("claim status", "Partly paid")
    DENIED = "denied", pgettext_lazy("claim status", "Denied")
    REPLACED = "replaced", pgettext_lazy("claim status", "Replaced")
    VOIDED = "voided", pgettext_lazy("claim status", "Voided")


S = ClaimStatus
# The allowed moves of a claim's status (a bad move raises InvalidTransition in services.claims).
CLAIM_TRANSITIONS: dict[str, frozenset[str]] = {
    S.HELD: frozenset({S.READY, S.HELD, S.VOIDED}),
    S.READY: frozenset({S.READY, S.HELD, S.SUBMITTED, S.VOIDED}),
    S.SUBMITTED: frozenset({S.ACCEPTED, S.REJECTED, S.PAID, S.PARTLY_PAID, S.DENIED}),
    S.ACCEPTED: frozenset({S.REJECTED, S.PAID, S.PARTLY_PAID, S.DENIED}),
    S.REJECTED: frozenset({S.READY, S.HELD, S.VOIDED}),
    S.PAID: frozenset({S.ACCEPTED, S.PARTLY_PAID, S.REPLACED}),
    S.PARTLY_PAID: frozenset({S.ACCEPTED, S.PAID, S.DENIED, S.REPLACED}),
    S.DENIED: frozenset({S.ACCEPTED, S.PAID, S.PARTLY_PAID, S.REPLACED}),
    S.REPLACED: frozenset(),
    S.VOIDED: frozenset(),
}
LIVE_EXCLUDED = (S.REPLACED, S.VOIDED)
SENDABLE = (S.READY,)


class ClaimSequence(models.IntegerChoices):
    PRIMARY = 1, _("Primary")
    SECONDARY = 2, _("Secondary")
    TERTIARY = 3, _("Tertiary")


class ClaimFrequency(models.TextChoices):
    ORIGINAL = "1", _("Original claim")
    REPLACEMENT = "7", _("Replacement of an earlier claim")
    VOID = "8", _("Void of an earlier claim")


class ClaimBatch(models.Model):
    """One 837P interchange sent (or written to a folder): its control number (ISA13/GS06) ties the 999 back."""

    control_number = models.PositiveIntegerField(unique=True)
    reference = models.CharField(max_length=50)  # BHT03, echoed in the 277CA's 2200B TRN
    file_name = models.CharField(max_length=120)
    channel = models.CharField(max_length=12)  # sftp, folder, directory
    claim_count = models.PositiveIntegerField(default=0)
    total_charge = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    acknowledged = models.CharField(max_length=2, blank=True)  # 999 AK901
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]


class Claim(models.Model):
    superbill = models.ForeignKey("billing.Superbill", on_delete=models.PROTECT, related_name="claims")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    coverage = models.ForeignKey("patients.Coverage", on_delete=models.PROTECT, related_name="+")
    payer = models.ForeignKey("patients.Payer", on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveSmallIntegerField(choices=ClaimSequence.choices, default=ClaimSequence.PRIMARY)
    claim_number = models.CharField(max_length=20, unique=True)  # CLM01, our patient control number
    status = models.CharField(max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.HELD)
    frequency = models.CharField(max_length=1, choices=ClaimFrequency.choices, default=ClaimFrequency.ORIGINAL)
    payer_claim_number = models.CharField(max_length=50, blank=True)  # REF*1K (277CA) or CLP07 (835)
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    date_of_service = models.DateField()
    place_of_service = models.CharField(max_length=2, default="11")
    diagnoses = models.JSONField(default=list)  # ICD-10-CM codes, without dots, in order
    total_charge = models.DecimalField(max_digits=10, decimal_places=2)
    prior_paid = models.DecimalField(max_digits=10, decimal_places=2, default=0)  # earlier payers' payments
    prior_payers = models.JSONField(default=list)  # [{"payer", "payer_code", "paid", "adjustments", "date"}]
    paid = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    patient_responsibility = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    referral_number = models.CharField(max_length=50, blank=True)
    prior_authorization = models.CharField(max_length=50, blank=True)
    edits = models.JSONField(default=list)  # the scrubber's findings: [{"code", "params"}]
    answer_reasons = models.JSONField(default=list)  # rejection reasons from a 999 or 277CA: [{"kind", ...}]
    batch = models.ForeignKey(ClaimBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="claims")
    batch_set = models.CharField(max_length=9, blank=True)  # ST02 of the transaction set that carried it
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date_of_service", "-pk"]
        indexes = [models.Index(fields=["status", "location"]), models.Index(fields=["superbill", "sequence"])]
        constraints = [
            models.UniqueConstraint(fields=["superbill", "payer", "sequence"],
                                    condition=~Q(status__in=["replaced", "voided"]),
                                    name="claim_one_live_per_visit_payer_sequence"),
            models.CheckConstraint(condition=Q(status__in=ClaimStatus.values), name="claim_status_known"),
            models.CheckConstraint(condition=Q(frequency__in=["1", "7", "8"]), name="claim_frequency_known"),
            models.CheckConstraint(condition=Q(frequency="1") | ~Q(payer_claim_number=""),
                                   name="claim_replacement_names_payer_claim"),
            models.CheckConstraint(condition=Q(sequence__gte=1, sequence__lte=3), name="claim_sequence_1_3"),
            models.CheckConstraint(condition=Q(total_charge__gte=0), name="claim_charge_not_negative"),
        ]

    def __str__(self) -> str:
        return self.claim_number

    @property
    def is_live(self) -> bool:
        return self.status not in LIVE_EXCLUDED

    @property
    def balance(self):  # type: ignore[no-untyped-def]
        return self.total_charge - self.prior_paid - self.paid


class ClaimLine(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    superbill_line = models.ForeignKey("billing.SuperbillLine", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=5)
    modifiers = models.CharField(max_length=11, blank=True)
    units = models.PositiveSmallIntegerField(default=1)
    pointers = models.JSONField(default=list)
    place_of_service = models.CharField(max_length=2, default="11")
    rendering = models.ForeignKey("practice.Practitioner", on_delete=models.PROTECT, related_name="+")
    charge = models.DecimalField(max_digits=10, decimal_places=2)
    paid = models.DecimalField(max_digits=10, decimal_places=2, default=0)

    class Meta:
        ordering = ["claim", "position"]
        constraints = [models.UniqueConstraint(fields=["claim", "position"], name="claim_line_position_once")]

    @property
    def modifier_list(self) -> list[str]:
        return self.modifiers.split()


class ClaimEvent(models.Model):
    """One move of a claim's status, with its reason (the scrubber's, a 999's, a 277CA's, an 835's)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    source = models.CharField(max_length=12)  # build, scrub, submit, 999, 277ca, 835, user
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                           related_name="+")

    class Meta:
        ordering = ["at", "pk"]

    @property
    def to_status_label(self) -> str:
        return str(ClaimStatus(self.to_status).label)


class AnswerFile(models.Model):
    """A 999, 277CA or 835 file read: its SHA-256 makes a second reading a no-op."""

    kind = models.CharField(max_length=6)  # 999, 277ca, 835
    name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64, unique=True)
    summary = models.JSONField(default=dict)
    received_at = models.DateTimeField()
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["-received_at", "-pk"]


class Remittance(models.Model):
    """One check or EFT (an 835 transaction set): its total reconciled to what was posted from it."""

    answer_file = models.ForeignKey(AnswerFile, on_delete=models.PROTECT, related_name="remittances")
    payer = models.ForeignKey("patients.Payer", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    payer_name = models.CharField(max_length=120)
    payer_code = models.CharField(max_length=80, blank=True)
    trace_number = models.CharField(max_length=50)  # TRN02: the check or EFT number
    method = models.CharField(max_length=3, blank=True)  # BPR04: ACH, CHK, NON, ...
    total_paid = models.DecimalField(max_digits=12, decimal_places=2)  # BPR02
    paid_date = models.DateField(null=True, blank=True)
    claims_paid = models.DecimalField(max_digits=12, decimal_places=2, default=0)  # sum of CLP04
    provider_adjustments = models.JSONField(default=list)  # PLB: [{"reason", "reference", "amount"}]
    provider_adjustment_total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    posted_total = models.DecimalField(max_digits=12, decimal_places=2, default=0)  # paid posted to claims
    balanced = models.BooleanField(default=False)
    reconciled = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["payer_code", "trace_number"], name="remittance_once")]


class RemitClaim(models.Model):
    """One claim payment (CLP) of a remittance: matched to our claim and posted, or left on the worklist."""

    remittance = models.ForeignKey(Remittance, on_delete=models.CASCADE, related_name="claim_payments")
    position = models.PositiveIntegerField()
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.PROTECT, related_name="remits")
    claim_ref = models.CharField(max_length=38)  # CLP01 as written
    status_code = models.CharField(max_length=2)  # CLP02
    charge = models.DecimalField(max_digits=10, decimal_places=2)
    paid = models.DecimalField(max_digits=10, decimal_places=2)
    patient_responsibility = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    payer_claim_number = models.CharField(max_length=50, blank=True)
    adjustments = models.JSONField(default=list)  # every CAS triple, claim and line level: group, reason, amount
    remarks = models.JSONField(default=list)
    posted = models.BooleanField(default=False)
    problem = models.CharField(max_length=30, blank=True)  # why it is on the worklist: unmatched, unbalanced, ...
    resolved = models.BooleanField(default=False)

    class Meta:
        ordering = ["remittance", "position"]
        constraints = [models.UniqueConstraint(fields=["remittance", "position"], name="remit_claim_position_once")]


class ClaimPosting(models.Model):
    """A ledger entry written from a claim payment (payment, write-off or its reversal): what a CLP02 22 undoes."""

    remit_claim = models.ForeignKey(RemitClaim, on_delete=models.PROTECT, related_name="postings")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="postings")
    entry = models.OneToOneField("billing.LedgerEntry", on_delete=models.PROTECT, related_name="claim_posting")
    kind = models.CharField(max_length=12)  # payment, contractual, other, reversal
    group = models.CharField(max_length=2, blank=True)
    reason = models.CharField(max_length=5, blank=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["pk"]
