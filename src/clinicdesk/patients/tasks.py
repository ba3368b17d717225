"""Background work of the patients app: thin wrappers over services, safe to run twice."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task(queue_name="default")
def train_matching_model() -> dict[str, Any]:
    """Re-estimate the duplicate matcher's weights from the practice's charts (weekly)."""
    from .services.matching_training import TRAINER, matching_train

    return matching_train(actor=TRAINER)
