"""The append-only, hash-chained audit trail (HIPAA 45 CFR 164.312(b), ASTM E2147 content)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from clinicdesk.core.append_only import AppendOnlyModel
from clinicdesk.core.exceptions import AppendOnlyError

from .canonical import content_hash

__all__ = ["AppendOnlyError", "AuditEntry", "ChainHead", "Outcome"]  # AppendOnlyError: the one from core


class Outcome(models.TextChoices):
    ALLOWED = "allowed", "allowed"
    DENIED = "denied", "denied"


class AuditEntry(AppendOnlyModel):
    append_only_message = "The audit trail is append-only."

    # None until the sealer gives the entry its place in the chain, shortly after its transaction commits (ADR 0007).
    position = models.BigIntegerField(null=True, blank=True, unique=True)
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+",
    )
    actor_username = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=40, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.ALLOWED)
    resource_type = models.CharField(max_length=40, blank=True)
    resource_id = models.CharField(max_length=64, blank=True)
    patient_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    ip = models.CharField(max_length=45, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    channel = models.CharField(max_length=10, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True, default="")  # "" until sealed
    entry_hash = models.CharField(max_length=64, blank=True, default="")  # "" until sealed

    class Meta:
        ordering = ["position"]
        indexes = [
            models.Index(fields=["actor", "at"]),
            models.Index(fields=["patient_id", "at"]),
            models.Index(fields=["id"], condition=models.Q(position__isnull=True), name="audit_unsealed_idx"),
        ]
        verbose_name_plural = "audit entries"

    def content(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "at": self.at.isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_username": self.actor_username,
            "actor_role": self.actor_role,
            "action": self.action,
            "outcome": self.outcome,
            "resource_type": self.resource_type,
            "resource_id": self.resource_id,
            "patient_id": self.patient_id,
            "ip": self.ip,
            "user_agent": self.user_agent,
            "channel": self.channel,
            "detail": self.detail,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self) -> str:
        """SHA-256 of `content()`. `record()` normalises the fields first (canonical.py), so the hash taken
        at write time and the one verify takes from the stored row see the same values."""
        return content_hash(self.content())


class ChainHead(models.Model):
    """One row: the last sealed position and hash. Locking it serializes the sealers (one short transaction each),
    never the requests that record entries (ADR 0007)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    position = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
