"""Reads of the imports app: the list of past imports, and the one that undo would reverse."""

from __future__ import annotations

from django.db.models import QuerySet

from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor, Perm, require

from .models import ImportBatch


def import_batches(*, actor: Actor, limit: int = 50) -> list[ImportBatch]:
    """Past imports (newest first), with who ran and who undid them; files checked and not imported are left out."""
    require(actor, Perm.PRACTICE_ADMIN)
    batches: QuerySet[ImportBatch] = (ImportBatch.objects.exclude(status=ImportBatch.Status.CHECKED)
                                      .select_related("created_by", "undone_by").order_by("-imported_at", "-pk"))
    return list(batches[:limit])


def import_last_in_effect_id() -> int | None:
    """The import that undo would reverse (the last one still in effect), or None."""
    return (ImportBatch.objects.filter(status=ImportBatch.Status.IMPORTED).order_by("-imported_at", "-pk")
            .values_list("pk", flat=True).first())


def import_checked(*, actor: Actor, batch_id: int) -> ImportBatch:
    """A file this user checked on the screen and has not imported yet (404 for anyone else's)."""
    require(actor, Perm.PRACTICE_ADMIN)
    batch = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.CHECKED,
                                       created_by_id=getattr(actor, "pk", None)).first()
    if batch is None or getattr(actor, "pk", None) is None:
        raise NotFound()
    return batch
