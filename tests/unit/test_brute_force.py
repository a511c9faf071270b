"""Property tests against brute force, whose oracle is `check_rules` (the rules written from their
definitions, not from the model's rows).

The generator covers every rule: capacities with headroom, prerequisite chains, alternatives, must-dos,
locks in and out, the count limit, theme minimums and maximums, several balance bands at once (on a
chosen balance capacity) and the sensitivity penalty.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimiser.domain import (
    HORIZONS,
    CapacityDimension,
    Criterion,
    HorizonBand,
    Portfolio,
    Priority,
    Rules,
    ThemeLimit,
)
from optimiser.parsing import find_prerequisite_cycle
from optimiser.rules import check_rules
from optimiser.solve import solve

THEMES = ("a", "b", "c")


@st.composite
def rich_portfolios(draw, max_n: int = 10) -> Portfolio:
    n = draw(st.integers(1, max_n))
    k = draw(st.integers(1, 3))
    ids = [f"P{i}" for i in range(n)]
    priorities = []
    for i in range(n):
        # Prerequisites only point to earlier ids (chains, never cycles).
        requires = tuple(sorted(draw(st.sets(st.sampled_from(ids[:i]), max_size=2)))) if i else ()
        later = [x for x in ids[i + 1 :] if x not in requires]
        excludes = tuple(sorted(draw(st.sets(st.sampled_from(later), max_size=1)))) if later else ()
        priorities.append(
            Priority(
                id=ids[i],
                name=f"Priority {i}",
                source=draw(st.sampled_from(("national", "local"))),
                owner="",
                theme=draw(st.sampled_from(THEMES)),
                horizon=draw(st.sampled_from(HORIZONS)),
                costs=tuple((f"d{j}", float(draw(st.integers(0, 10)))) for j in range(k)),
                scores=(("benefit", float(draw(st.integers(0, 10)))), ("reach", float(draw(st.integers(0, 10))))),
                must_do=draw(st.integers(0, 9)) == 0,
                sensitivity=float(draw(st.integers(0, 5))),
                requires=requires,
                excludes=excludes,
            )
        )
    dims = tuple(
        CapacityDimension(f"d{j}", "u", float(draw(st.integers(1, 40))), float(draw(st.sampled_from((0, 10, 25)))))
        for j in range(k)
    )
    bands = []
    for h in draw(st.sets(st.sampled_from(HORIZONS), max_size=3)) if draw(st.booleans()) else ():
        low = float(draw(st.sampled_from((0, 20, 40))))
        high = float(draw(st.sampled_from((40, 60, 80, 100))))
        if low <= high:
            bands.append(HorizonBand(h, low, high))
    theme_limits = []
    for theme in draw(st.sets(st.sampled_from(THEMES), max_size=2)):
        low = draw(st.one_of(st.none(), st.integers(0, 1)))
        high = draw(st.one_of(st.none(), st.integers(0, 3)))
        if low is not None and high is not None and low > high:
            low, high = high, low
        theme_limits.append(ThemeLimit(theme, low, high))
    must = {p.id for p in priorities if p.must_do}
    locked_in = tuple(draw(st.sets(st.sampled_from(ids), max_size=1))) if draw(st.booleans()) else ()
    locked_out = tuple(x for x in draw(st.sets(st.sampled_from(ids), max_size=1)) if x not in must | set(locked_in))
    rules = Rules(
        max_priorities=draw(st.one_of(st.none(), st.integers(0, n))),
        horizon_bands=tuple(sorted(bands, key=lambda b: HORIZONS.index(b.horizon))),
        theme_limits=tuple(theme_limits),
        locked_in=locked_in,
        locked_out=locked_out,
        sensitivity_penalty=float(draw(st.sampled_from((0, 1, 2)))),
        balance_dimension=draw(st.sampled_from([d.name for d in dims])),
    )
    criteria = (Criterion("benefit", 1.0), Criterion("reach", float(draw(st.sampled_from((0, 0.5, 2))))))
    portfolio = Portfolio("random", dims, criteria, tuple(priorities), rules)
    assert find_prerequisite_cycle(portfolio.priorities) is None
    return portfolio


def net_value(portfolio: Portfolio, kept: set[str]) -> float:
    """Net value from its definition: weighted value kept minus the penalty for sensitive priorities dropped."""
    value = sum(c.weight * p.score(c.name) for p in portfolio.priorities if p.id in kept for c in portfolio.criteria)
    penalty = sum(p.sensitivity * portfolio.rules.sensitivity_penalty for p in portfolio.priorities if p.id not in kept)
    return value - penalty


def selections(portfolio: Portfolio):
    ids = [p.id for p in portfolio.priorities]
    for bits in itertools.product((0, 1), repeat=len(ids)):
        yield {pid for pid, b in zip(ids, bits) if b}


def brute_force(portfolio: Portfolio, must_keep: str | None = None) -> float | None:
    """Best net value over every subset that meets every rule (and keeps `must_keep`), or None if none does."""
    best = None
    for kept in selections(portfolio):
        if must_keep is not None and must_keep not in kept:
            continue
        if check_rules(portfolio, kept):
            continue
        value = net_value(portfolio, kept)
        best = value if best is None else max(best, value)
    return best


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rich_portfolios())
def test_optimum_equals_brute_force_with_every_kind_of_rule(portfolio):
    best = brute_force(portfolio)
    result = solve(portfolio, solver="highs")
    if best is None:
        assert result.status == "infeasible"
        assert result.conflicts, "an infeasible result must name what conflicts"
        return
    assert result.status == "optimal"
    assert abs(result.objective - best) <= 1e-6 * max(1.0, abs(best))
    assert not check_rules(portfolio, set(result.kept))
    assert abs(net_value(portfolio, set(result.kept)) - best) <= 1e-6 * max(1.0, abs(best))
    if not result.kept:
        assert any(note.rule.startswith("empty_") for note in result.binding), "an empty set must name its rule"


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rich_portfolios(max_n=8))
def test_cbc_reaches_the_same_optimum(portfolio):
    best = brute_force(portfolio)
    result = solve(portfolio, solver="cbc")
    if best is None:
        assert result.status == "infeasible"
    else:
        assert result.status == "optimal"
        assert abs(result.objective - best) <= 1e-6 * max(1.0, abs(best))
        assert not check_rules(portfolio, set(result.kept))


def with_theme_limits_off_by_one(portfolio: Portfolio) -> Portfolio:
    """A mutation the suite must catch: every theme maximum one higher."""
    limits = tuple(
        replace(t, max_count=None if t.max_count is None else t.max_count + 1) for t in portfolio.rules.theme_limits
    )
    return replace(portfolio, rules=replace(portfolio.rules, theme_limits=limits))


def test_the_oracle_sees_a_theme_maximum_broken_by_one():
    a = Priority("A", "A", "local", "", "t", "short", (("d", 1.0),), (("v", 5.0),))
    b = Priority("B", "B", "local", "", "t", "short", (("d", 1.0),), (("v", 5.0),))
    portfolio = Portfolio(
        "two",
        (CapacityDimension("d", "u", 10.0),),
        (Criterion("v", 1.0),),
        (a, b),
        Rules(theme_limits=(ThemeLimit("t", None, 1),)),
    )
    assert check_rules(portfolio, {"A", "B"})
    assert not check_rules(with_theme_limits_off_by_one(portfolio), {"A", "B"})
    assert solve(portfolio).kept in (("A",), ("B",))
