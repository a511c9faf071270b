"""The fast path of explanations, the frontier and weight sensitivity states the same figures as the plain
re-solves (`fast=False`, the path every figure came from before issue 12).

How ties are handled. When two selections are worth the same, which one a solver returns depends on its path
(options, starting point, order of work), so the plain path itself names one of them arbitrarily. The fast
path keeps every *figure* the same; where a figure is a set read off a selection (displaced, brought in, a
frontier point's kept set, what comes in first), the two paths may name different selections that tie. The
tests compare:

- every value (value_change, value_needed, capacity and headroom gains, must-do cost, frontier values) to
  1e-9: both paths now sum a selection's value exactly (`Resolver.value_of`), so they agree to the last bit
  whenever they return the same selection; the 1e-9 allows for today's value, which comes from the base
  solve, and is far below the 1e-6 proof tolerance and the two decimals shown;
- every case, proof flag, cost range, obstacle and weight range exactly;
- every set exactly, or else, when the sets differ, that the fast path's selection is also a best answer to
  the same question: it meets every rule of the changed portfolio (`check_rules`) and is worth the same.

Weight sensitivity is compared exactly, sets included: its fast path gives re-solves no start (see
`frontier.weight_sensitivity`), so ties break as on the plain path.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from optimiser.domain import Portfolio, ThemeLimit
from optimiser.explanations import PortfolioExplanation, PriorityExplanation, explain_portfolio
from optimiser.frontier import frontier, weight_sensitivity
from optimiser.model import build_model, capacity_row
from optimiser.result import Result
from optimiser.rules import check_rules
from optimiser.solve import solve
from optimiser.synthetic import generate_portfolio
from optimiser.whatif import Resolver

TOL = 1e-9


def value_of(portfolio: Portfolio, kept: frozenset[str]) -> float:
    model = build_model(portfolio)
    return math.fsum([float(model.objective[i]) for i, pid in enumerate(model.ids) if pid in kept] + [model.constant])


def same_value(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= TOL


def gen(n: int, seed: int) -> Portfolio:
    gen_portfolio = pytest.importorskip("bench.gen_portfolio").gen_portfolio
    try:
        return gen_portfolio(n, 3, seed)
    except FileNotFoundError:
        pytest.skip("shared/bench/gen.py is not beside the project")


def with_rules_of(p: Portfolio, **changes) -> Portfolio:
    return replace(p, rules=replace(p.rules, **changes))


def synthetic_with_everything() -> Portfolio:
    """Balance band, count cap, must-dos (generator), plus a lock in, a lock out, theme limits and headroom."""
    p = generate_portfolio(36, 3, 4)
    ids = [q.id for q in p.priorities]
    must = {q.id for q in p.priorities if q.must_do}
    free = [pid for pid in ids if pid not in must and not p.priority(pid).requires]
    themes = sorted({q.theme for q in p.priorities})
    p = with_rules_of(
        p,
        locked_in=(free[0],),
        locked_out=(free[1],),
        theme_limits=(ThemeLimit(themes[0], max_count=2), ThemeLimit(themes[1], min_count=1)),
    )
    return replace(p, dimensions=tuple(replace(d, headroom_pct=10.0) for d in p.dimensions))


def count_cap_binding() -> Portfolio:
    """A count limit that binds, no prerequisites among most priorities: the bound that settles empty cost
    ranges without a re-solve applies to many dropped priorities."""
    return generate_portfolio(40, 2, 7, prerequisites_per_priority=0.3, max_share=0.2, long_min_pct=None)


def check_selection_ties(
    portfolio: Portfolio, resolver: Resolver, plain: PriorityExplanation, fast: PriorityExplanation, base: Result
) -> None:
    """The fast path's selection, rebuilt from its displaced and brought-in sets, is a best answer too."""
    kept = frozenset(base.kept)
    pid = fast.priority_id
    if fast.kept and fast.case == "free" and fast.value_change is not None:
        selection = (kept - {pid} - set(fast.displaced)) | set(fast.brought_in)
        changed = resolver.changed_portfolio(lock_out=(pid,))
    elif not fast.kept and fast.case == "forceable" and fast.value_change is not None:
        selection = (kept - set(fast.displaced)) | set(fast.brought_in) | {pid}
        changed = resolver.changed_portfolio(lock_in=(pid,))
    else:
        return  # forced_costly: the what-if's selection is not fully stated; its value was compared
    assert not check_rules(changed, selection), pid
    assert same_value(value_of(portfolio, selection), (base.objective or 0.0) - fast.value_change), pid


def assert_same_explanations(portfolio: Portfolio, plain: PortfolioExplanation, fast: PortfolioExplanation) -> None:
    base = solve(portfolio, solver="highs")
    resolver = Resolver(portfolio)
    assert [e.priority_id for e in plain.priorities] == [e.priority_id for e in fast.priorities]
    for a, b in zip(plain.priorities, fast.priorities):
        where = a.priority_id
        for field in ("case", "proven", "kept", "stopped_by", "prerequisites_to_add", "needed_by", "forced_by"):
            assert getattr(a, field) == getattr(b, field), (where, field)
        assert a.cost_ranges == b.cost_ranges, where
        assert same_value(a.value_change, b.value_change), where
        assert same_value(a.value_needed, b.value_needed), where
        if (a.displaced, a.brought_in) != (b.displaced, b.brought_in):
            check_selection_ties(portfolio, resolver, a, b, base)
    fa, fb = plain.figures, fast.figures
    assert fa.proven == fb.proven
    assert same_value(fa.all_headroom_five_pct, fb.all_headroom_five_pct)
    assert (fa.must_do_cost is None) == (fb.must_do_cost is None)
    if fa.must_do_cost is not None and fb.must_do_cost is not None:
        assert fa.must_do_cost.proven == fb.must_do_cost.proven
        assert same_value(fa.must_do_cost.value_gain, fb.must_do_cost.value_gain)
    assert len(fa.capacity_values) == len(fb.capacity_values)
    for ca, cb in zip(fa.capacity_values, fb.capacity_values):
        assert (ca.dimension, ca.proven, ca.headroom_pct) == (cb.dimension, cb.proven, cb.headroom_pct)
        for field in ("gain_one_unit", "gain_ten_pct", "gain_five_pct_less_headroom"):
            assert same_value(getattr(ca, field), getattr(cb, field)), (ca.dimension, field)
    assert fa.ranking == fb.ranking


def explain_both(portfolio: Portfolio) -> tuple[PortfolioExplanation, PortfolioExplanation]:
    result = solve(portfolio, solver="highs")
    assert result.has_selection
    return explain_portfolio(portfolio, result, fast=False), explain_portfolio(portfolio, result, fast=True)


def test_sample_explanations_are_the_same(sample):
    plain, fast = explain_both(sample)
    assert_same_explanations(sample, plain, fast)


def test_explanations_with_locks_theme_limits_bands_and_headroom_are_the_same():
    p = synthetic_with_everything()
    plain, fast = explain_both(p)
    assert {e.forced_by for e in fast.priorities} >= {"must_do", "locked_in", "locked_out"}
    assert_same_explanations(p, plain, fast)


def test_empty_cost_ranges_settled_by_the_count_bound_are_the_ones_a_re_solve_finds():
    p = count_cap_binding()
    result = solve(p, solver="highs")
    assert p.rules.max_priorities is not None and len(result.kept) == p.rules.max_priorities
    plain, fast = explain_both(p)
    assert fast.skipped > 0  # the proof was used, and every range it settled is compared below
    assert_same_explanations(p, plain, fast)


def test_gen_py_explanations_are_the_same():
    p = gen(60, 1)
    plain, fast = explain_both(p)
    assert_same_explanations(p, plain, fast)


@pytest.mark.parametrize("which", ["sample", "gen"])
def test_frontier_is_the_same(sample, which):
    p = sample if which == "sample" else gen(120, 2)
    dimension = p.dimensions[0].name
    plain = frontier(p, dimension, 13, fast=False)
    fast = frontier(p, dimension, 13, fast=True)
    resolver = Resolver(p)
    row = capacity_row(p, dimension)
    assert [x.capacity for x in plain.points] == [x.capacity for x in fast.points]
    for a, b in zip(plain.points, fast.points):
        assert a.status == b.status
        assert same_value(a.value, b.value), a.capacity
        if a.kept != b.kept:
            changed = resolver.changed_portfolio(row_upper={row: b.capacity})
            assert not check_rules(changed, b.kept)
            assert b.value is not None and same_value(value_of(p, frozenset(b.kept)), b.value)


def test_weight_sensitivity_is_the_same(sample):
    assert weight_sensitivity(sample, fast=False) == weight_sensitivity(sample, fast=True)


@pytest.mark.parametrize("which", ["everything", "count_cap", "seed_11", "seed_12"])
def test_weight_sensitivity_answered_from_proof_is_what_re_solves_find(which):
    """The fast path answers many grid points and bisection steps from proof (a selection best at two weights
    is best between them; one worth more than today's means the set changes); every range, step and proof flag
    is what re-solving each weight finds."""
    portfolio = {
        "everything": synthetic_with_everything,
        "count_cap": count_cap_binding,
        "seed_11": lambda: generate_portfolio(30, 3, 11),
        "seed_12": lambda: generate_portfolio(45, 2, 12, max_share=0.3),
    }[which]()
    plain = weight_sensitivity(portfolio, fast=False)
    assert plain.status == "ok" and plain.ranges
    assert weight_sensitivity(portfolio, fast=True) == plain
