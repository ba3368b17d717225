"""Learning the matcher's weights from the practice's own charts: Fellegi-Sunter by expectation-maximisation.

    u  (P(level | different people)): exact levels from the value frequencies (sum of squared shares: the
       chance two charts picked at random share a value), the other levels from random pairs of charts.
    m  (P(level | same person)): EM over the comparison vectors of blocked pairs, one session per blocking
       rule (pairs sharing a birth date, a phone, the phonetic codes of the names), each session leaving out
       the fields its rule forces to agree (the way splink does it); a field's m is the mean over the
       sessions that estimated it.
    tf (term frequencies): the share of charts with each last name and first name, for the scorer's
       adjustment of exact name agreement.

No database here: `train(persons)` takes `matching.Person` records (`services.matching_train` reads them).
Missing values are left out of every count: they are neither agreement nor disagreement.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from . import matching_model
from .matching import Person, blocking_keys, comparison_vector
from .matching_model import LEVELS, MatchModel

FIELDS = tuple(LEVELS)
MISSING = -1
RANDOM_PAIRS = 60_000
TF_KEEP = 20_000
# Blocking rule -> the fields it forces to agree (left out of that session). Pairs sharing a phone are not
# a session: there most pairs are members of one household, and EM would learn "same household".
SESSIONS = {"dob": ("birth_date",), "sound": ("family", "given")}


def encode(levels: dict[str, str]) -> list[int]:
    return [MISSING if levels[name] == "missing" else LEVELS[name].index(levels[name]) for name in FIELDS]


def _initial(ignore: Iterable[str]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    m, u = [], []
    for name in FIELDS:
        k = len(LEVELS[name])
        mi = np.full(k, 0.1 / max(k - 1, 1))
        mi[0] = 0.9  # level 0 is 'exact' everywhere
        ui = np.full(k, 0.1 / max(k - 1, 1))
        ui[-1] = 0.9  # the last level is 'different' everywhere
        if name == "sex":
            ui = np.array([0.5, 0.5])
        m.append(mi / mi.sum())
        u.append(ui / ui.sum())
    return m, u


def estimate(vectors: np.ndarray, *, ignore: Sequence[str] = (), prior: float = 0.1, iterations: int = 200,
             tolerance: float = 1e-6, fix_u: list[np.ndarray] | None = None,
             ) -> tuple[list[np.ndarray], list[np.ndarray], float]:
    """EM for the two-class mixture with conditionally independent fields.

    `vectors`: an (n, len(FIELDS)) integer array of level indexes (MISSING = -1). Returns (m, u, prior):
    per field an array of level probabilities (fields in `ignore` keep their starting values) and the
    share of matches. `fix_u` keeps u as given (only m and the prior are estimated).
    """
    if len(vectors) == 0:
        m0, u0 = _initial(ignore)
        return m0, fix_u or u0, prior
    patterns, counts = np.unique(vectors, axis=0, return_counts=True)
    counts = counts.astype(float)
    m, u = _initial(ignore)
    if fix_u is not None:
        u = [np.asarray(x, dtype=float) for x in fix_u]
    used = [i for i, name in enumerate(FIELDS) if name not in ignore]
    present = {i: patterns[:, i] != MISSING for i in used}
    index = {i: np.where(present[i], patterns[:, i], 0) for i in used}
    previous = -np.inf
    for _round in range(iterations):
        log_m = np.full(len(patterns), np.log(prior))
        log_u = np.full(len(patterns), np.log(1 - prior))
        for i in used:
            log_m += np.where(present[i], np.log(m[i][index[i]]), 0.0)
            log_u += np.where(present[i], np.log(u[i][index[i]]), 0.0)
        top = np.maximum(log_m, log_u)
        evidence = top + np.log(np.exp(log_m - top) + np.exp(log_u - top))
        g = np.exp(log_m - evidence)
        likelihood = float((counts * evidence).sum())
        weight_m, weight_u = counts * g, counts * (1 - g)
        prior = float(min(max(weight_m.sum() / counts.sum(), 1e-6), 1 - 1e-6))
        for i in used:
            k = len(m[i])
            level = patterns[:, i]
            m_counts = np.array([weight_m[level == j].sum() for j in range(k)]) + 1e-3
            m[i] = m_counts / m_counts.sum()
            if fix_u is None:
                u_counts = np.array([weight_u[level == j].sum() for j in range(k)]) + 1e-3
                u[i] = u_counts / u_counts.sum()
        if abs(likelihood - previous) < tolerance * max(abs(likelihood), 1.0):
            break
        previous = likelihood
    return m, u, prior


def _share_squares(values: Iterable[object]) -> float:
    counts = Counter(v for v in values if v not in (None, ""))
    total = sum(counts.values())
    if total < 2:
        return 0.0
    return sum(c * (c - 1) for c in counts.values()) / (total * (total - 1))


def estimate_u(persons: Sequence[Person], *, pairs: int = RANDOM_PAIRS, seed: int = 1) -> dict[str, dict[str, float]]:
    """u per level: random pairs of charts, with the exact levels from value frequencies."""
    rng = random.Random(seed)
    n = len(persons)
    counts = {name: Counter[str]() for name in FIELDS}
    if n >= 2:
        for _pair in range(pairs):
            a, b = rng.randrange(n), rng.randrange(n)
            if a == b:
                continue
            compared, _swapped = comparison_vector(persons[a], persons[b])
            for name, level in compared.items():
                if level != "missing":
                    counts[name][level] += 1
    exact_share = {
        "family": _share_squares(p.family for p in persons),
        "given": _share_squares(p.given.split()[0] if p.given else "" for p in persons),
        "birth_date": _share_squares(p.birth_date for p in persons),
        "sex": _share_squares(p.sex for p in persons),
        "phone": _share_squares(p.phone for p in persons),
        "email": _share_squares(p.email for p in persons),
        "address": _share_squares(p.address for p in persons),
        "postal_code": _share_squares(p.postal_code for p in persons),
    }
    u: dict[str, dict[str, float]] = {}
    for name, levels in LEVELS.items():
        seen = counts[name]
        exact = max(exact_share[name], 1.0 / max(n * n, 1), 1e-7)
        others = levels[1:]
        total_other = sum(seen[level] for level in others)
        floor = 0.5
        denominator = total_other + floor * len(others)
        u[name] = {"exact": exact}
        for level in others:
            u[name][level] = (1 - exact) * (seen[level] + floor) / denominator
    return u


def term_frequencies(persons: Sequence[Person]) -> dict[str, dict[str, float]]:
    n = max(len(persons), 1)
    tables: dict[str, dict[str, float]] = {}
    for name, values in (("family", (p.family for p in persons)),
                         ("given", (p.given.split()[0] if p.given else "" for p in persons))):
        counts = Counter(v for v in values if v)
        tables[name] = {value: round(count / n, 8) for value, count in counts.most_common(TF_KEEP) if count >= 2}
    return tables


def blocked_vectors(persons: Sequence[Person], *, max_block: int = 400,
                    max_pairs: int = 400_000) -> dict[str, np.ndarray]:
    """Comparison vectors of the pairs sharing each kind of blocking key ('dob', 'phone', 'sound')."""
    blocks: dict[tuple[str, object], list[int]] = {}
    for index, person in enumerate(persons):
        for key in set(blocking_keys(person)):
            blocks.setdefault(key, []).append(index)
    by_rule: dict[str, set[tuple[int, int]]] = {rule: set() for rule in SESSIONS}
    for (rule, _value), members in blocks.items():
        if rule not in by_rule or len(members) < 2 or len(members) > max_block:
            continue
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                by_rule[rule].add((a, b) if a < b else (b, a))
    cache: dict[tuple[int, int], list[int]] = {}
    out: dict[str, np.ndarray] = {}
    for rule, pairs in by_rule.items():
        rows = []
        for pair in sorted(pairs)[:max_pairs]:
            if pair not in cache:
                cache[pair] = encode(comparison_vector(persons[pair[0]], persons[pair[1]])[0])
            rows.append(cache[pair])
        out[rule] = np.array(rows, dtype=np.int16).reshape(-1, len(FIELDS))
    return out


# Guards against EM that found some other structure than "same person" (a practice with hardly any duplicates
# gives it nothing to find): with too few estimated matches, or a field whose learned m is not believable, the
# shipped m is kept (u and the name frequencies, which are plain counts, are still the practice's own).
MIN_MATCHES = 30
MIN_AGREEMENT_BITS = 3.0  # an exact agreement on a strong field must count for at least this much


def plausible(name: str, m: dict[str, float], u: dict[str, float]) -> bool:
    """A field's learned m is believable: exact is its likeliest level among true matches and (for the strong
    fields) exact agreement weighs at least MIN_AGREEMENT_BITS and disagreement counts against."""
    if name == "sex":
        return m["exact"] >= 0.7
    if m["exact"] < max(v for k, v in m.items() if k != "exact"):
        return False
    exact = math.log2(max(m["exact"], 1e-6) / max(u["exact"], 1e-6))
    different = math.log2(max(m["different"], 1e-6) / max(u["different"], 1e-6))
    return exact >= MIN_AGREEMENT_BITS and different < 0


def train(persons: Sequence[Person], *, source: str = "trained", random_pairs: int = RANDOM_PAIRS) -> MatchModel:
    """m, u and term frequencies estimated from `persons` (the practice's charts)."""
    u = estimate_u(persons, pairs=random_pairs)
    u_arrays = [np.array([u[name][level] for level in LEVELS[name]]) for name in FIELDS]
    vectors = blocked_vectors(persons)
    m_sum: dict[str, np.ndarray] = {}
    m_n: dict[str, int] = {}
    priors: list[float] = []
    matches_seen = 0
    for rule, ignore in SESSIONS.items():
        rows = vectors[rule]
        if len(rows) < 50:
            continue
        m_est, _u_est, prior = estimate(rows, ignore=ignore, fix_u=u_arrays)
        priors.append(prior)
        matches_seen += int(prior * len(rows))
        for i, name in enumerate(FIELDS):
            if name in ignore:
                continue
            m_sum[name] = m_sum.get(name, 0) + m_est[i]
            m_n[name] = m_n.get(name, 0) + 1
    default = matching_model.DEFAULT
    m: dict[str, dict[str, float]] = {}
    fallback: list[str] = []
    believable = bool(priors) and matches_seen >= MIN_MATCHES
    for name, levels in LEVELS.items():
        learned = None
        if believable and name in m_sum:
            values = m_sum[name] / m_n[name]
            learned = {level: round(float(values[j]), 6) for j, level in enumerate(levels)}
        if learned is None or not plausible(name, learned, u[name]):
            learned = dict(default.m[name])
            fallback.append(name)
        m[name] = learned
    u_rounded = {name: {level: float(f"{value:.6g}") for level, value in levels.items()} for name, levels in u.items()}
    total_pairs = int(sum(len(v) for v in vectors.values()))
    if fallback:
        source = f"{source}; shipped m for {', '.join(fallback)}"
    return MatchModel(m=m, u=u_rounded, tf=term_frequencies(persons), records=len(persons), pairs=total_pairs,
                      prior=round(float(np.mean(priors)), 6) if priors else 0.0,
                      trained_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), source=source)
