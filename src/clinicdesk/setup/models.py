"""The one-time setup token that lets the first system administrator claim a fresh install."""

from __future__ import annotations

from django.db import models


class SetupToken(models.Model):
    """Only the token's SHA-256 is kept; the token itself is printed once on the server's console."""

    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(expires_at__gt=models.F("created_at")),
                                              name="setup_token_expires_after_creation")]
