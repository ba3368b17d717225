"""The weights the matcher uses: Fellegi-Sunter m and u probabilities per comparison level, and term
frequencies of names.

`clinicdesk matching train` (and the weekly `train-matching-model` periodic job) estimates them from the
practice's own charts (`matching_em`) and writes them to `var/matching/model.json`; until then the shipped
defaults below are used.
The online scorer (`matching.score`) reads `current()`: the file is read once and again only when it changes.

m = P(level | same person), u = P(level | different people). A level's weight is log2(m / u). A missing
value has no level and weighs nothing. An exact first or last name weighs log2(m / tf), where tf is how
common the name is among the practice's charts, kept between `TF_MIN_ADJUST` and `TF_MAX_ADJUST` bits
of the plain exact weight, so that 'Smith' counts for less than 'Okonkwo'.
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

LEVELS: dict[str, tuple[str, ...]] = {
    "family": ("exact", "close", "fuzzy", "previous", "different"),
    "given": ("exact", "nickname", "close", "fuzzy", "initial", "different"),
    "birth_date": ("exact", "transposed", "one-part", "partial", "different"),
    "sex": ("exact", "different"),
    "phone": ("exact", "close", "different"),
    "email": ("exact", "close", "different"),
    "address": ("exact", "close", "different"),
    "postal_code": ("exact", "near", "different"),
}
TF_FIELDS = ("family", "given")
TF_MIN_ADJUST = -6.0
TF_MAX_ADJUST = 3.0
MIN_PROBABILITY = 1e-6

# Shipped defaults: set by hand, rounded and conservative (EM pooled over the three generators learns each
# generator's quirks, e.g. a household's twins pull m(first name different) up), and checked against
# bench/matching_generators.py (bench/RESULTS.md: within 0.01 F1 of the learned weights at the worklist
# threshold). Replaced by the practice's own estimate after `clinicdesk matching train`.
DEFAULT_M: dict[str, dict[str, float]] = {
    "family": {"exact": 0.88, "close": 0.06, "fuzzy": 0.01, "previous": 0.02, "different": 0.03},
    "given": {"exact": 0.86, "nickname": 0.03, "close": 0.06, "fuzzy": 0.01, "initial": 0.01, "different": 0.03},
    "birth_date": {"exact": 0.90, "transposed": 0.02, "one-part": 0.05, "partial": 0.02, "different": 0.01},
    "sex": {"exact": 0.98, "different": 0.02},
    "phone": {"exact": 0.80, "close": 0.05, "different": 0.15},
    "email": {"exact": 0.80, "close": 0.05, "different": 0.15},
    "address": {"exact": 0.75, "close": 0.10, "different": 0.15},
    "postal_code": {"exact": 0.82, "near": 0.03, "different": 0.15},
}
DEFAULT_U: dict[str, dict[str, float]] = {
    "family": {"exact": 0.003, "close": 0.002, "fuzzy": 0.01, "previous": 0.0002, "different": 0.985},
    "given": {"exact": 0.006, "nickname": 0.001, "close": 0.003, "fuzzy": 0.01, "initial": 0.005,
              "different": 0.975},
    "birth_date": {"exact": 0.00004, "transposed": 0.00001, "one-part": 0.003, "partial": 0.0005,
                   "different": 0.9965},
    "sex": {"exact": 0.5, "different": 0.5},
    "phone": {"exact": 0.0002, "close": 0.0002, "different": 0.9996},
    "email": {"exact": 0.0001, "close": 0.0001, "different": 0.9998},
    "address": {"exact": 0.0005, "close": 0.001, "different": 0.9985},
    "postal_code": {"exact": 0.01, "near": 0.05, "different": 0.94},
}


@dataclass
class MatchModel:
    m: dict[str, dict[str, float]]
    u: dict[str, dict[str, float]]
    tf: dict[str, dict[str, float]] = field(default_factory=dict)  # field -> folded value -> share of charts
    records: int = 0
    pairs: int = 0
    prior: float = 0.0  # share of true matches among the blocked pairs, as EM estimated it
    trained_at: str = ""
    source: str = "defaults"
    weights: dict[str, dict[str, float]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.weights = {
            name: {level: math.log2(max(self.m[name].get(level, 0.0), MIN_PROBABILITY)
                                    / max(self.u[name].get(level, 0.0), MIN_PROBABILITY))
                   for level in levels}
            for name, levels in LEVELS.items()
        }

    def weight(self, name: str, level: str, value: str = "") -> float:
        if level == "missing":
            return 0.0
        plain = self.weights[name][level]
        if level == "exact" and value and name in TF_FIELDS and (table := self.tf.get(name)):
            share = table.get(value)
            if share is None:  # rarer than anything kept: as rare as one chart in the practice
                share = 1.0 / max(self.records, 1)
            adjust = math.log2(max(self.u[name]["exact"], MIN_PROBABILITY) / max(share, MIN_PROBABILITY))
            return plain + min(max(adjust, TF_MIN_ADJUST), TF_MAX_ADJUST)
        return plain

    def to_json(self) -> dict[str, Any]:
        return {"version": 1, "source": self.source, "trained_at": self.trained_at, "records": self.records,
                "pairs": self.pairs, "prior": self.prior, "m": self.m, "u": self.u, "tf": self.tf}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MatchModel:
        m = {name: {level: float(data["m"][name][level]) for level in levels} for name, levels in LEVELS.items()}
        u = {name: {level: float(data["u"][name][level]) for level in levels} for name, levels in LEVELS.items()}
        tf = {name: {str(k): float(v) for k, v in table.items()} for name, table in data.get("tf", {}).items()}
        return cls(m=m, u=u, tf=tf, records=int(data.get("records", 0)), pairs=int(data.get("pairs", 0)),
                   prior=float(data.get("prior", 0.0)), trained_at=str(data.get("trained_at", "")),
                   source=str(data.get("source", "trained")))


DEFAULT = MatchModel(m=DEFAULT_M, u=DEFAULT_U)


def model_path() -> Path:
    """Where the trained model lives: `MATCHING_MODEL_PATH` (default var/matching/model.json)."""
    return Path(settings.MATCHING_MODEL_PATH)


_lock = threading.Lock()
_cache: dict[str, Any] = {"key": None, "model": DEFAULT, "checked": 0.0, "var": None}


RECHECK_SECONDS = 2.0  # how often the scorer looks at the file (a stat), not per scored pair


def current() -> MatchModel:
    """The trained model when `var/matching/model.json` exists and reads, else the shipped defaults."""
    now = time.monotonic()
    if _cache["key"] is not None and now - _cache["checked"] < RECHECK_SECONDS \
            and _cache["var"] == str(settings.MATCHING_MODEL_PATH):
        cached: MatchModel = _cache["model"]
        return cached
    _cache["checked"], _cache["var"] = now, str(settings.MATCHING_MODEL_PATH)
    path = model_path()
    try:
        stat = path.stat()
    except OSError:
        _cache["key"], _cache["model"] = ("missing", str(path)), DEFAULT
        return DEFAULT
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if _cache["key"] == key:
        model: MatchModel = _cache["model"]
        return model
    with _lock:
        try:
            model = MatchModel.from_json(json.loads(path.read_text()))
        except (OSError, ValueError, KeyError, TypeError):
            model = DEFAULT
        _cache["key"], _cache["model"] = key, model
    return model


def save(model: MatchModel, path: Path | None = None) -> Path:
    """Write the model atomically (a temporary file renamed over the old one)."""
    path = path or model_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps(model.to_json(), indent=1, sort_keys=True))
    os.replace(temporary, path)
    _cache["key"] = None  # read it again at the next score
    return path
