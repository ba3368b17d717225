"""Outreach campaigns (#24 item 4): a cohort chosen by filters over the practice's data, reviewed by a coordinator,
then contacted in waves through the outbox; responses (booked, declined, unreachable) and the report.

The filters are stored as a small structured document (`Campaign.filters`, see `campaign_selectors.FILTERS`), never
SQL text. Freezing the cohort writes one `CampaignMember` per patient (set-based); a wave moves members from
"waiting" to "contacted" (one outbox message each) or "not contactable" (the refusal reason, nothing sent).
"Booked" is computed from the appointments made after the contact; "unreachable" from the outbox message status."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("campaign status", "Draft")
    REVIEWED = "reviewed", pgettext_lazy("campaign status", "Reviewed")
    RUNNING = "running", pgettext_lazy("campaign status", "Running")
    FINISHED = "finished", pgettext_lazy("campaign status", "Finished")


# The campaign's state machine: a bad move raises InvalidTransition.
CAMPAIGN_TRANSITIONS: dict[str, frozenset[str]] = {
    CampaignStatus.DRAFT: frozenset({CampaignStatus.REVIEWED}),
    CampaignStatus.REVIEWED: frozenset({CampaignStatus.RUNNING, CampaignStatus.DRAFT}),
    CampaignStatus.RUNNING: frozenset({CampaignStatus.FINISHED}),
    CampaignStatus.FINISHED: frozenset(),
}


class MemberState(models.TextChoices):
    WAITING = "waiting", pgettext_lazy("campaign member", "Waiting")
    CONTACTED = "contacted", pgettext_lazy("campaign member", "Contacted")
    NOT_CONTACTABLE = "not-contactable", pgettext_lazy("campaign member", "Not contactable")


class Campaign(models.Model):
    location = models.ForeignKey("practice.Location", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=120)
    purpose = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    filters = models.JSONField(default=dict, blank=True)
    email_subject_en = models.CharField(max_length=200, blank=True)
    email_body_en = models.TextField(blank=True)
    email_subject_es = models.CharField(max_length=200, blank=True)
    email_body_es = models.TextField(blank=True)
    sms_body_en = models.TextField(blank=True)
    sms_body_es = models.TextField(blank=True)
    cost_email = models.DecimalField(max_digits=8, decimal_places=4, default=Decimal("0"))
    cost_sms = models.DecimalField(max_digits=8, decimal_places=4, default=Decimal("0"))
    window_days = models.PositiveSmallIntegerField(default=90)  # a booking this long after the contact counts
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField()
    frozen_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    waves = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(cost_email__gte=0, cost_sms__gte=0),
                                   name="outreach_campaign_cost_not_negative"),
            models.CheckConstraint(condition=Q(status__in=["draft", "reviewed", "running", "finished"]),
                                   name="outreach_campaign_status_known"),
        ]

    def __str__(self) -> str:
        return self.name

    def wording(self, channel: str, language: str) -> tuple[str, str]:
        """(subject, body) of the message on `channel` in `language` ('' when the campaign has none)."""
        if channel == "sms":
            return "", getattr(self, f"sms_body_{language}")
        return getattr(self, f"email_subject_{language}"), getattr(self, f"email_body_{language}")


class CampaignMember(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="members")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    excluded = models.BooleanField(default=False)
    state = models.CharField(max_length=16, choices=MemberState.choices, default=MemberState.WAITING)
    wave = models.PositiveSmallIntegerField(null=True, blank=True)
    channel = models.CharField(max_length=8, blank=True)
    refusal = models.CharField(max_length=20, blank=True)  # why not contactable (comms.consent REFUSALS)
    message = models.ForeignKey("comms.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    contacted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    declined_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["campaign", "state"], name="outreach_member_state_idx")]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "patient"], name="outreach_member_once_per_campaign"),
            models.CheckConstraint(condition=Q(state="waiting") | Q(wave__isnull=False),
                                   name="outreach_member_wave_when_handled"),
        ]
