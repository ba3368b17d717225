"""The sweep-line shortcuts of first-available search agree with the general interval functions."""

import random

from clinicdesk.scheduling import intervals


def _random_spans(rng: random.Random, count: int) -> list[tuple[int, int]]:
    spans = []
    for _ in range(count):
        start = rng.randrange(0, 200)
        spans.append((start, start + rng.randrange(0, 30)))  # some empty, some overlapping, some touching
    return spans


def test_subtract_normalized_matches_subtract_on_normalized_input():
    rng = random.Random(5)
    for _ in range(2000):
        spans = intervals.normalize(_random_spans(rng, rng.randrange(0, 6)))
        holes = intervals.normalize(_random_spans(rng, rng.randrange(0, 12)))
        assert intervals.subtract_normalized(spans, holes) == intervals.subtract(spans, holes)


def test_widen_matches_normalizing_the_widened_spans():
    rng = random.Random(6)
    for _ in range(2000):
        spans = intervals.normalize(_random_spans(rng, rng.randrange(0, 12)))
        before, after = rng.randrange(0, 15), rng.randrange(0, 15)
        assert intervals.widen(spans, before, after) == intervals.normalize(
            (start - before, end + after) for start, end in spans)


def test_subtract_normalized_edges():
    assert intervals.subtract_normalized([(0, 10)], []) == [(0, 10)]
    assert intervals.subtract_normalized([(0, 10)], [(0, 10)]) == []
    assert intervals.subtract_normalized([(0, 10), (20, 30)], [(5, 25)]) == [(0, 5), (25, 30)]
    assert intervals.subtract_normalized([(0, 10)], [(-5, 0), (10, 15)]) == [(0, 10)]  # touching holes take nothing
