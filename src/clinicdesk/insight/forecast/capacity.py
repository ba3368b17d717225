"""A week's forecast demand against the capacity the providers' templates open (pure; no database).

Demand per type is the forecast number of requests times the type's length. A block reserved for some types
(`AvailabilityTemplate.reserved_types`) serves only those, its minutes shared evenly between them; an open block
serves any type. Each type first fills its reserved minutes; what is left over competes for the open minutes.
When the left-over exceeds the open minutes the week is flagged, and the shortfall is turned into extra half-day
sessions (4 hours), shared between the types in proportion to their left-over (largest remainder).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

HALF_DAY_MINUTES = 240


@dataclass
class WeekCheck:
    demand_minutes: float
    capacity_minutes: float
    flagged: bool
    suggestions: list[dict[str, int]] = field(default_factory=list)  # [{"type": id, "sessions": n}]


def check_week(demand: Mapping[int, float], durations: Mapping[int, int],
               blocks: Iterable[tuple[float, frozenset[int]]]) -> WeekCheck:
    need = {type_id: count * durations.get(type_id, 0) for type_id, count in demand.items()}
    open_minutes = 0.0
    reserved: dict[int, float] = defaultdict(float)
    for minutes, types in blocks:
        if types:
            for type_id in types:
                reserved[type_id] += minutes / len(types)
        else:
            open_minutes += minutes
    capacity = open_minutes + sum(reserved.values())
    overflow = {type_id: max(0.0, minutes - reserved.get(type_id, 0.0)) for type_id, minutes in need.items()}
    short = sum(overflow.values()) - open_minutes
    total_need = sum(need.values())
    if short <= 1e-9:
        return WeekCheck(total_need, capacity, False)
    sessions = math.ceil(short / HALF_DAY_MINUTES)
    spill = sum(overflow.values())
    shares = {type_id: sessions * minutes / spill for type_id, minutes in overflow.items() if minutes > 0}
    given = {type_id: math.floor(share) for type_id, share in shares.items()}
    for type_id in sorted(shares, key=lambda t: (given[t] - shares[t], t))[:sessions - sum(given.values())]:
        given[type_id] += 1
    suggestions = [{"type": type_id, "sessions": n} for type_id, n in sorted(given.items(), key=lambda i: (-i[1], i[0]))
                   if n > 0]
    return WeekCheck(total_need, capacity, True, suggestions)
