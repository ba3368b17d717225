"""Writes of insight: training the practice's no-show model on its own appointment history."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require
from clinicdesk.scheduling.selectors import appointment_history

from .selectors import history_from_rows, noshow_model_path


@atomic_service
def noshow_train_practice(*, actor: Actor | None) -> dict[str, Any]:
    """Train the no-show model on every appointment of the practice and store it (settings.INSIGHT_NOSHOW_MODEL,
    by default var/insight/noshow.joblib, with its JSON sidecar). Practice coordinators, or the operator on the
    server (`actor=None`, `clinicdesk insight noshow-train-practice`, e.g. from cron each week). Too little
    history is refused (ValidationFailed `too-little-data`) and the previous model stays."""
    if actor is not None:
        require(actor, Perm.PRACTICE_ADMIN)
        require(actor, Perm.REPORTS_READ)
    from .noshow import model  # numpy, pandas and scikit-learn load here, not with the URL conf

    history = history_from_rows(appointment_history(actor=actor))
    try:
        trained = model.train(history)
    except model.TooLittleData:
        labelled = int(history.labelled.sum())
        noshows = int((history.frame["outcome"] == "noshow").sum())
        raise ValidationFailed("too-little-data", _(
            "Not enough history to train the no-show model: %(rows)s past appointments with an outcome and "
            "%(noshows)s no-shows; at least %(min_rows)s and %(min_noshows)s are needed.") % {
            "rows": labelled, "noshows": noshows, "min_rows": model.MIN_ROWS, "min_noshows": model.MIN_NOSHOWS,
        }) from None
    path = model.save(trained, noshow_model_path())
    metrics = trained.metrics
    record(actor, "insight.noshow_train", resource_type="model", resource_id=path.name,
           detail={key: metrics.get(key) for key in ("labelled", "noshows", "auc", "brier", "split_at")})
    return metrics
