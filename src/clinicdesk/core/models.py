"""Core's one table: the rate limits' counters when there is no Redis (clinicdesk.core.rate_counter)."""

from __future__ import annotations

from django.db import models


class RateCounter(models.Model):
    """Requests one client address made to one group of endpoints in one fixed window.

    The key names the group, a hash of the address (never the address itself) and the window's number; a row
    is counted up by one statement per request and deleted by the ticker once its window has ended. On
    PostgreSQL the table is UNLOGGED: counting writes no WAL and waits for no flush, and a crash empties it,
    which lets a client start its window afresh, nothing worse.
    """

    key = models.CharField(max_length=80, primary_key=True)
    hits = models.PositiveIntegerField()
    window_ends = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.hits}"
