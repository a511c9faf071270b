"""The frontier and weight sensitivity, each checked against independent solves."""

from __future__ import annotations

from dataclasses import replace

import pytest

from optimiser.frontier import WEIGHT_TOLERANCE, frontier, weight_sensitivity
from optimiser.ranking import rank_and_cut
from optimiser.solve import solve
from optimiser.synthetic import generate_portfolio


def at_capacity(portfolio, dimension, usable):
    dims = tuple(
        replace(d, available=usable / (1 - d.headroom_pct / 100)) if d.name == dimension else d
        for d in portfolio.dimensions
    )
    return replace(portfolio, dimensions=dims)


def test_sample_frontier_is_monotone_and_spans_must_dos_to_wish_list(sample):
    f = frontier(sample, "operational", points=25)
    assert len(f.points) == 25
    forced_need = 312.0  # must-dos and their prerequisites
    assert f.points[0].capacity == pytest.approx(forced_need)
    assert f.points[-1].capacity == pytest.approx(sum(p.cost("operational") for p in sample.priorities))
    values = [p.value for p in f.points if p.value is not None]
    assert all(later >= earlier - 1e-6 for earlier, later in zip(values, values[1:]))
    assert f.current == pytest.approx(591.3)


def test_each_frontier_point_equals_an_independent_solve(sample):
    f = frontier(sample, "operational", points=8)
    for point in f.points:
        independent = solve(at_capacity(sample, "operational", point.capacity))
        if point.value is None:
            assert independent.status == "infeasible"
        else:
            assert independent.objective == pytest.approx(point.value, abs=1e-6)


def test_frontier_beats_or_equals_a_ranking_at_every_point():
    p = generate_portfolio(60, 2, seed=5, long_min_pct=None)  # no balance rule a ranking could break
    f = frontier(p, "strategic", points=10)
    for point in f.points:
        ranked = rank_and_cut(at_capacity(p, "strategic", point.capacity))
        if point.value is not None and ranked.objective is not None:
            assert point.value >= ranked.objective - 1e-6
    assert any(
        point.value > rank_and_cut(at_capacity(p, "strategic", point.capacity)).objective + 1e-6
        for point in f.points
        if point.value is not None
    ), "re-solving should find combinations a ranking misses somewhere on the frontier"


def test_entries_record_what_comes_in_at_each_point(sample):
    f = frontier(sample, "operational", points=6)
    seen: set[str] = set()
    for point in f.points:
        seen = (seen | set(point.entered)) - set(point.left)
        assert seen == set(point.kept)


def with_weight(portfolio, criterion, weight):
    crits = tuple(replace(c, weight=weight) if c.name == criterion else c for c in portfolio.criteria)
    return replace(portfolio, criteria=crits)


def test_weight_ranges_keep_the_set_inside_and_change_it_just_outside(sample):
    base = set(solve(sample).kept)
    for r in weight_sensitivity(sample).ranges:
        assert r.low <= r.weight <= r.high
        assert set(solve(with_weight(sample, r.criterion, r.low)).kept) == base
        assert set(solve(with_weight(sample, r.criterion, r.high)).kept) == base
        if not r.high_is_open:
            assert set(solve(with_weight(sample, r.criterion, r.high + WEIGHT_TOLERANCE)).kept) != base
        if r.low > 0:
            assert set(solve(with_weight(sample, r.criterion, r.low - WEIGHT_TOLERANCE)).kept) != base
