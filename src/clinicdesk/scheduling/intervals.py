"""Interval arithmetic on half-open [start, end) spans, kept as sorted lists of tuples.

Pure functions, no database: availability and first-available search are built on these.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Any, TypeVar

T = TypeVar("T")  # datetimes in practice; anything ordered works
Span = tuple[Any, Any]


def normalize(spans: Iterable[Span]) -> list[Span]:
    """Sorted, with overlapping or touching spans merged and empty ones dropped."""
    merged: list[list[Any]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1][1] = end
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def subtract(spans: list[Span], holes: Iterable[Span]) -> list[Span]:
    """`spans` minus `holes`; both may be unsorted, the result is normalized."""
    result = normalize(spans)
    for h_start, h_end in normalize(holes):
        if not result:
            break
        next_result: list[Span] = []
        for start, end in result:
            if h_end <= start or h_start >= end:
                next_result.append((start, end))
                continue
            if start < h_start:
                next_result.append((start, h_start))
            if h_end < end:
                next_result.append((h_end, end))
        result = next_result
    return result


def subtract_normalized(spans: list[Span], holes: list[Span]) -> list[Span]:
    """`spans` minus `holes` when both are normalized already: one sweep, no sorting (the hot path of
    first-available search). Same result as `subtract`."""
    out: list[Span] = []
    first, count = 0, len(holes)
    for start, end in spans:
        while first < count and holes[first][1] <= start:  # holes wholly before this span (and the next ones)
            first += 1
        cursor, index = start, first
        while index < count and cursor < end:
            h_start, h_end = holes[index]
            if h_start >= end:
                break
            if h_start > cursor:
                out.append((cursor, h_start))
            if h_end > cursor:
                cursor = h_end
            index += 1
        if cursor < end:
            out.append((cursor, end))
    return out


def widen(spans: list[Span], before: Any, after: Any) -> list[Span]:
    """A normalized list with each span widened by `before` and `after`, merged where they now meet: still
    sorted, so one pass."""
    merged: list[list[Any]] = []
    for start, end in spans:
        start, end = start - before, end + after
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1][1] = end
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def intersect(a: list[Span], b: list[Span]) -> list[Span]:
    a, b = normalize(a), normalize(b)
    i = j = 0
    out: list[Span] = []
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def containing(spans: list[Span], start: Any, end: Any) -> Span | None:
    """The span of a normalized list that holds [start, end) entirely, if any."""
    index = bisect.bisect_right(spans, (start, _Top())) - 1
    if index >= 0 and spans[index][0] <= start and end <= spans[index][1]:
        return spans[index]
    return None


def overlaps_any(busy: list[Span], start: Any, end: Any) -> bool:
    """Does [start, end) overlap a span of a sorted, normalized list?"""
    index = bisect.bisect_left(busy, (end,)) - 1  # last span starting before `end`
    return index >= 0 and busy[index][1] > start


class _Top:
    """Compares greater than anything: lets bisect find the last span starting at or before a point."""

    def __lt__(self, other: object) -> bool:
        return False

    def __gt__(self, other: object) -> bool:
        return True
