"""Property: on small random portfolios the optimum equals brute force over every subset."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimiser.domain import HORIZONS, CapacityDimension, Criterion, HorizonBand, Portfolio, Priority, Rules
from optimiser.model import build_model, loads, priority_weights
from optimiser.parsing import find_prerequisite_cycle
from optimiser.solve import solve


@st.composite
def small_portfolios(draw) -> Portfolio:
    n = draw(st.integers(1, 12))
    k = draw(st.integers(1, 3))
    ids = [f"P{i}" for i in range(n)]
    priorities = []
    for i in range(n):
        # Prerequisites only point to earlier ids, so there is never a cycle.
        requires = tuple(sorted(draw(st.sets(st.sampled_from(ids[:i]), max_size=2)))) if i else ()
        later = [x for x in ids[i + 1 :] if x not in requires]
        excludes = tuple(sorted(draw(st.sets(st.sampled_from(later), max_size=1)))) if later else ()
        priorities.append(
            Priority(
                id=ids[i],
                name=f"P{i}",
                source=draw(st.sampled_from(("national", "local"))),
                owner="",
                theme=draw(st.sampled_from(("a", "b"))),
                horizon=draw(st.sampled_from(HORIZONS)),
                costs=tuple((f"d{j}", float(draw(st.integers(0, 10)))) for j in range(k)),
                scores=(("benefit", float(draw(st.integers(0, 10)))),),
                must_do=draw(st.booleans()) if draw(st.integers(0, 9)) == 0 else False,
                sensitivity=float(draw(st.integers(0, 5))),
                requires=requires,
                excludes=excludes,
            )
        )
    dims = tuple(
        CapacityDimension(f"d{j}", "u", float(draw(st.integers(1, 40))), float(draw(st.sampled_from((0, 10, 25)))))
        for j in range(k)
    )
    bands = ()
    if draw(st.booleans()):
        h = draw(st.sampled_from(HORIZONS))
        low = float(draw(st.sampled_from((0, 20, 40))))
        high = float(draw(st.sampled_from((60, 80, 100))))
        bands = (HorizonBand(h, low, high),)
    rules = Rules(
        max_priorities=draw(st.one_of(st.none(), st.integers(0, n))),
        horizon_bands=bands,
        locked_in=tuple(draw(st.sets(st.sampled_from(ids), max_size=1))),
        sensitivity_penalty=float(draw(st.sampled_from((0, 1, 2)))),
    )
    portfolio = Portfolio("random", dims, (Criterion("benefit", 1.0),), tuple(priorities), rules)
    assert find_prerequisite_cycle(portfolio.priorities) is None
    return portfolio


def brute_force(portfolio: Portfolio) -> float | None:
    """Best objective over all subsets that satisfy every rule, or None if none does."""
    model = build_model(portfolio)
    value, penalty = priority_weights(portfolio)
    n = len(portfolio.priorities)
    best = None
    for bits in itertools.product((0, 1), repeat=n):
        x = list(bits)
        if any(x[i] < model.col_lower[i] or x[i] > model.col_upper[i] for i in range(n)):
            continue
        ok = True
        for row in model.rows:
            activity = sum(c * x[j] for j, c in zip(row.cols, row.coefs))
            if activity < row.lower - 1e-9 or activity > row.upper + 1e-9:
                ok = False
                break
        if ok:
            objective = sum(value[i] * x[i] for i in range(n)) - sum(penalty[i] * (1 - x[i]) for i in range(n))
            best = objective if best is None else max(best, objective)
    return best


def kept_set_satisfies_rules(portfolio: Portfolio, kept: set[str]) -> bool:
    by_id = {p.id: p for p in portfolio.priorities}
    for p in portfolio.priorities:
        if p.must_do and p.id not in kept:
            return False
    for pid in kept:
        p = by_id[pid]
        if any(r not in kept for r in p.requires) or any(e in kept for e in p.excludes):
            return False
    for d in portfolio.dimensions:
        if sum(by_id[i].cost(d.name) for i in kept) > d.usable + 1e-9:
            return False
    rules = portfolio.rules
    if rules.max_priorities is not None and len(kept) > rules.max_priorities:
        return False
    load = dict(zip((p.id for p in portfolio.priorities), loads(portfolio)))
    total = sum(load[i] for i in kept)
    for band in rules.horizon_bands:
        part = sum(load[i] for i in kept if by_id[i].horizon == band.horizon)
        if part < band.min_pct / 100 * total - 1e-9 or part > band.max_pct / 100 * total + 1e-9:
            return False
    return True


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_portfolios())
def test_optimum_equals_brute_force_on_small_portfolios(portfolio):
    best = brute_force(portfolio)
    result = solve(portfolio, solver="highs")
    if best is None:
        assert result.status == "infeasible"
        assert result.conflicts, "an infeasible result must name what conflicts"
        return
    assert result.status == "optimal"
    assert abs(result.objective - best) <= 1e-6 * max(1.0, abs(best))
    assert kept_set_satisfies_rules(portfolio, set(result.kept))
    assert abs((result.value - result.drop_penalty) - best) <= 1e-6 * max(1.0, abs(best))


@settings(max_examples=40, deadline=None)
@given(small_portfolios())
def test_cbc_reaches_the_same_optimum(portfolio):
    best = brute_force(portfolio)
    result = solve(portfolio, solver="cbc")
    if best is None:
        assert result.status == "infeasible"
    else:
        assert result.status == "optimal"
        assert abs(result.objective - best) <= 1e-6 * max(1.0, abs(best))
