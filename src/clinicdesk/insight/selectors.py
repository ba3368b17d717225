"""Reads of insight: the no-show risk of appointments, from the model trained on the practice's own history."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import pgettext_lazy

from clinicdesk.audit.services import record
from clinicdesk.core.exceptions import PermissionDenied
from clinicdesk.core.permissions import Actor, Perm, has_perm, require
from clinicdesk.scheduling.selectors import appointment_history, appointment_history_stamps

if TYPE_CHECKING:  # the model's libraries (numpy, pandas, scikit-learn) load on first use, not with the URL conf
    from .noshow import io, model

# Bands of the no-show probability (docs/insight.md): high means "call the patient the day before".
MEDIUM_FROM = 0.15
HIGH_FROM = 0.30
BAND_LABELS = {"low": pgettext_lazy("no-show risk", "Low"), "medium": pgettext_lazy("no-show risk", "Medium"),
               "high": pgettext_lazy("no-show risk", "High")}
ATTENDED = frozenset({"arrived", "checked-in", "fulfilled"})
EXTRAS = ["telehealth"]
TO_COME = frozenset({"booked", "pending"})  # the appointments whose risk the schedule shows


@dataclass(frozen=True)
class Risk:
    appointment_id: int
    probability: float
    band: str

    @property
    def band_label(self) -> str:
        return str(BAND_LABELS[self.band])

    @property
    def percent(self) -> float:
        return self.probability * 100


def band(probability: float) -> str:
    return "high" if probability >= HIGH_FROM else "medium" if probability >= MEDIUM_FROM else "low"


def noshow_model_path() -> Path:
    """Where the practice's model lives: settings.INSIGHT_NOSHOW_MODEL, by default var/insight/noshow.joblib."""
    configured = getattr(settings, "INSIGHT_NOSHOW_MODEL", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "insight" / "noshow.joblib"


_cache: dict[str, tuple[float, int, model.NoShowModel]] = {}
_loads = itertools.count(1)
_lock = threading.Lock()


def practice_model() -> model.NoShowModel | None:
    """The practice's trained model (re-read when the file changes), or None before the first training."""
    loaded = _loaded_model()
    return loaded[1] if loaded is not None else None


def _loaded_model() -> tuple[int, model.NoShowModel] | None:
    """(which load of a model file this process made, the model): the number changes whenever the file is re-read."""
    from .noshow import model

    path = noshow_model_path()
    try:
        stamp = max(path.stat().st_mtime, model.sidecar(path).stat().st_mtime)
    except FileNotFoundError:
        return None
    with _lock:
        cached = _cache.get(str(path))
        if cached is None or cached[0] != stamp:
            cached = (stamp, next(_loads), model.load(path))
            _cache[str(path)] = cached
    return cached[1], cached[2]


def noshow_model_info(*, actor: Actor) -> dict[str, Any] | None:
    """The metrics of the practice's model (held-out AUC, Brier, calibration, when it was trained), or None: figures
    about the model, no patient data (reports readers and the front desk, who call the high-risk patients)."""
    if not has_perm(actor, Perm.FRONTDESK):
        require(actor, Perm.REPORTS_READ)
    trained = practice_model()
    return dict(trained.metrics) if trained is not None else None


def _age(birth: dt.date | None, on: dt.date) -> int | None:
    if birth is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def history_from_rows(rows: Sequence[dict[str, Any]], *, to_score: Sequence[int] = ()) -> io.History:
    """The practice's appointments (scheduling.selectors.appointment_history) as the history CSV's frame:
    booked_at = when the appointment was made, reminder_sent = the patient confirmed before the start, area = the
    first three digits of the ZIP code, outcome from the status (no-show; arrived, checked in or fulfilled =
    attended; anything else, and the appointments in `to_score`, have none). Cancelled ones are left out."""
    from .noshow import io

    scoring = set(to_score)
    zones: dict[str, ZoneInfo] = {}
    records = []
    for row in rows:
        status = row["status"]
        if status == "cancelled" and row["id"] not in scoring:
            continue
        start: dt.datetime = row["start"]
        zone = zones.setdefault(row["location__time_zone"], ZoneInfo(row["location__time_zone"]))
        local = start.astimezone(zone)
        outcome = "noshow" if status == "noshow" else "attended" if status in ATTENDED else ""
        confirmed = row["confirmed_at"]
        records.append({
            "patient_ref": str(row["patient_id"]), "booked_at": min(row["created_at"], start), "start": start,
            "start_local": local.replace(tzinfo=None), "age": _age(row["patient__birth_date"], local.date()),
            "sex": row["patient__sex"] or "", "area": (row["patient__postal_code"] or "")[:3],
            "reminder_sent": confirmed is not None and confirmed <= start,
            "outcome": "" if row["id"] in scoring else outcome, "appointment_ref": str(row["id"]),
            "telehealth": 1.0 if row["telehealth"] else 0.0,
        })
    return io.from_records(records, extras=EXTRAS)


def noshow_risk(*, actor: Actor, appointment_ids: Sequence[int]) -> list[Risk]:
    """The no-show probability and band of each appointment (in the order asked; unknown ids are left out), from
    the practice's model over each patient's history up to that booking. Empty before a model is trained."""
    require(actor, Perm.REPORTS_READ)
    return _score(actor, [int(pk) for pk in appointment_ids])


def may_see_risk_at(actor: Actor, location: Any) -> bool:
    """The schedule's readers who act on the risk there: reports readers and the front desk (schedule.read too)."""
    return has_perm(actor, Perm.SCHEDULE_READ, location=location) and (
        has_perm(actor, Perm.REPORTS_READ, location=location) or has_perm(actor, Perm.FRONTDESK, location=location))


def noshow_risk_at(*, actor: Actor, location: Any, appointment_ids: Sequence[int]) -> list[Risk]:
    """The risk of appointments at one location, for the people who work its schedule (the calendar and the
    "call the day before" list): schedule.read there and reports.read or front desk; ids of other locations are
    left out. The history is read for the model (audited once as insight.noshow_risk, naming how many)."""
    if not may_see_risk_at(actor, location):
        raise PermissionDenied(actor=actor, resource_type="location", resource_id=str(location.pk))
    risks = _score(None, [int(pk) for pk in appointment_ids], location_id=location.pk)
    if risks:
        record(actor, "insight.noshow_risk", resource_type="appointment",
               detail={"location": location.pk, "appointments": len(risks)})
    return risks


def _score(history_actor: Actor | None, wanted: list[int], *, location_id: int | None = None) -> list[Risk]:
    loaded = _loaded_model()
    if loaded is None or not wanted:
        return []
    if history_actor is not None:  # a reports reader's question: the history is read under their name, every time
        found = _predict(loaded[1], appointment_history(actor=history_actor, appointment_ids=wanted), wanted)
    else:
        wanted, found = _remembered_or_predicted(loaded, wanted, location_id)
    return [Risk(pk, round(found[pk], 4), band(found[pk])) for pk in wanted if pk in found]


def _predict(trained: model.NoShowModel, rows: list[dict[str, Any]], wanted: list[int]) -> dict[int, float]:
    """{appointment id: probability} of the `wanted` ids among `rows`, each from its patient's history in `rows`."""
    import numpy as np

    if not wanted:
        return {}
    history = history_from_rows(rows, to_score=wanted)
    refs = history.frame["appointment_ref"].to_numpy()
    mask = np.isin(refs, [str(pk) for pk in wanted])
    probabilities = trained.predict(history, mask)
    return {int(ref): float(p) for ref, p in zip(refs[mask], probabilities, strict=True)}


# The schedule's risks, remembered in this process: (model load, appointment id, digest of the patient's history)
# -> probability. The calendar asks for the same day's risks at every view; scoring them means reading the
# patients' whole histories and running the model (56% of the day view's CPU, issue #16). A history stamp (two
# aggregate queries) says whether a remembered score still holds: any change to the patient's appointments or
# chart, or a new model, makes a new key, and the old one ages out of the bounded memo.
REMEMBERED_RISKS = 20_000
_remembered: OrderedDict[tuple[int, int, str], float] = OrderedDict()


def _remembered_or_predicted(loaded: tuple[int, model.NoShowModel], wanted: list[int], location_id: int | None
                             ) -> tuple[list[int], dict[int, float]]:
    stamps = appointment_history_stamps(appointment_ids=wanted)
    wanted = [pk for pk in wanted if pk in stamps and (location_id is None or (
        stamps[pk].location_id == location_id and stamps[pk].status in TO_COME))]
    keys = {pk: (loaded[0], pk, stamps[pk].digest) for pk in wanted}
    found: dict[int, float] = {}
    with _lock:
        for pk, key in keys.items():
            if key in _remembered:
                _remembered.move_to_end(key)
                found[pk] = _remembered[key]
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        fresh = _predict(loaded[1], appointment_history(actor=None, appointment_ids=missing), missing)
        found.update(fresh)
        with _lock:
            for pk, probability in fresh.items():
                _remembered[keys[pk]] = probability
            while len(_remembered) > REMEMBERED_RISKS:
                _remembered.popitem(last=False)
    return wanted, found


# The stored demand forecast (#22): one location's week, for the roster (insight/forecast/selectors.py).
from .forecast.selectors import WeekForecast, forecast_for_week  # noqa: E402, F401
