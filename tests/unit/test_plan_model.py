"""The multi-year plan: brute force on tiny plans (up to 6 priorities, 3 years) whose oracle is
`check_rules` on the schedule, hand-checkable cases for each new rule, the one-year case equal to today's
selection, and the strong and weak formulations agreeing."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimiser.domain import (
    HORIZONS,
    CapacityDimension,
    Criterion,
    HorizonBand,
    PlanSettings,
    Portfolio,
    Priority,
    Rules,
    ThemeLimit,
)
from optimiser.model import build_model
from optimiser.plan import solve_plan
from optimiser.plan_model import build_plan_model
from optimiser.result import Schedule
from optimiser.rules import check_rules
from optimiser.solve import solve
from tests.builders import plan_item as item
from tests.builders import plan_portfolio

THEMES = ("a", "b")


plan = plan_portfolio


def starts(result) -> dict[str, int]:
    assert result.status == "optimal", result.message
    return result.schedule.start_of


# ------------------------------------------------------------------ brute force


def objective_of(portfolio: Portfolio, schedule: Schedule) -> float:
    """The net value of a schedule from the README's definition, written independently of the engine."""
    years = portfolio.plan.years
    total = 0.0
    start_of, stop_of = schedule.start_of, schedule.stop_of
    for p in portfolio.priorities:
        value = sum(c.weight * p.score(c.name) for c in portfolio.criteria)
        penalty = p.sensitivity * portfolio.rules.sensitivity_penalty
        if p.existing:
            running = (stop_of[p.id] - 1) if p.id in stop_of else years
            total += value * running / years - penalty * (years - running) / years
        elif p.id in start_of:
            if portfolio.plan.value_mode == "per_year":
                finish = start_of[p.id] + p.duration - 1
                total += value * (years - finish + 1) / years
            else:
                total += value
        else:
            total -= penalty
    return total


def every_schedule(portfolio: Portfolio):
    years = portfolio.plan.years
    options = []
    for p in portfolio.priorities:
        if p.existing:  # stop from year t, or continue (None)
            options.append([("stop", p.id, t) for t in range(1, years + 1)] + [None])
        else:
            options.append([("start", p.id, t) for t in range(1, years + 1)] + [None])
    for combo in itertools.product(*options):
        yield Schedule(
            tuple((pid, t) for c in combo if c and c[0] == "start" for _, pid, t in [c]),
            tuple((pid, t) for c in combo if c and c[0] == "stop" for _, pid, t in [c]),
        )


@st.composite
def tiny_plans(draw) -> Portfolio:
    years = draw(st.integers(1, 3))
    n = draw(st.integers(1, 6))
    k = draw(st.integers(1, 2))
    dims = [f"d{j}" for j in range(k)]
    ids = [f"P{i}" for i in range(n)]
    priorities = []
    for i in range(n):
        existing = draw(st.integers(0, 4)) == 0
        requires = tuple(sorted(draw(st.sets(st.sampled_from(ids[:i]), max_size=2)))) if i else ()
        later = [x for x in ids[i + 1 :] if x not in requires]
        excludes = tuple(sorted(draw(st.sets(st.sampled_from(later), max_size=1)))) if later else ()
        duration = 1 if existing else draw(st.integers(1, 2))
        profile = ()
        if not existing and duration == 2 and draw(st.booleans()):
            profile = ((dims[0], (float(draw(st.integers(0, 6))), float(draw(st.integers(0, 6))))),)
        priorities.append(
            Priority(
                id=ids[i],
                name=f"Priority {i}",
                source="local",
                owner="",
                theme=draw(st.sampled_from(THEMES)),
                horizon=draw(st.sampled_from(HORIZONS)),
                costs=tuple((d, float(draw(st.integers(0, 8)))) for d in dims),
                scores=(("benefit", float(draw(st.integers(0, 10)))),),
                must_do=draw(st.integers(0, 7)) == 0,
                sensitivity=float(draw(st.integers(0, 3))),
                requires=() if existing else requires,
                excludes=excludes,
                duration=duration,
                cost_profile=profile,
                earliest_start=1 if existing else draw(st.integers(1, years)),
                deadline=None if existing or draw(st.booleans()) else draw(st.integers(1, years)),
                gains=()
                if existing or not draw(st.booleans())
                else ((draw(st.sampled_from(dims)), float(draw(st.integers(1, 5)))),),
                existing=existing,
                alongside=tuple(r for r in requires if draw(st.booleans())) if not existing else (),
                lags=tuple((r, 1) for r in requires if draw(st.integers(0, 3)) == 0) if not existing else (),
            )
        )
    dimensions = tuple(
        CapacityDimension(
            d,
            "u",
            float(draw(st.integers(2, 14))),
            float(draw(st.sampled_from((0, 10, 25)))),
            available_by_year=tuple(float(draw(st.integers(2, 14))) for _ in range(years))
            if draw(st.booleans())
            else (),
            headroom_by_year=tuple(float(draw(st.sampled_from((0, 20)))) for _ in range(years))
            if draw(st.booleans())
            else (),
        )
        for d in dims
    )
    bands = ()
    if draw(st.booleans()):
        h = draw(st.sampled_from(HORIZONS))
        bands = (
            HorizonBand(h, float(draw(st.sampled_from((0, 20, 40)))), float(draw(st.sampled_from((60, 80, 100))))),
        )
    limits = ()
    if draw(st.booleans()):
        limits = (
            ThemeLimit(
                "a", draw(st.one_of(st.none(), st.integers(0, 1))), draw(st.one_of(st.none(), st.integers(1, 3)))
            ),
        )
    year_locks = ()
    forbidden = ()
    if draw(st.booleans()):
        year_locks = ((draw(st.sampled_from(ids)), draw(st.integers(1, years))),)
    if draw(st.booleans()):
        forbidden = ((draw(st.sampled_from(ids)), draw(st.integers(1, years))),)
    rules = Rules(
        max_priorities=draw(st.one_of(st.none(), st.integers(1, n))),
        horizon_bands=bands,
        theme_limits=limits,
        locked_in=tuple(draw(st.sets(st.sampled_from(ids), max_size=1))) if draw(st.booleans()) else (),
        locked_out=(),
        sensitivity_penalty=float(draw(st.sampled_from((0, 1)))),
        year_locks=tuple((pid, t) for pid, t in year_locks if pid not in {f for f, _ in forbidden}),
        forbidden_starts=forbidden,
    )
    out = Portfolio(
        name="tiny",
        dimensions=dimensions,
        criteria=(Criterion("benefit", 1.0),),
        priorities=tuple(priorities),
        rules=rules,
        plan=PlanSettings(years, "2026/27", draw(st.sampled_from(("completion", "per_year")))),
    )
    return out


@settings(max_examples=160, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_plans())
def test_plan_matches_brute_force(portfolio: Portfolio) -> None:
    feasible = [s for s in every_schedule(portfolio) if not check_rules(portfolio, s)]
    result = solve_plan(portfolio, solver="highs")
    if not feasible:
        assert result.status == "infeasible", result.message
        return
    best = max(objective_of(portfolio, s) for s in feasible)
    assert result.status == "optimal", result.message
    assert check_rules(portfolio, result.schedule) == ()
    assert result.objective == pytest.approx(best, abs=1e-6)
    assert objective_of(portfolio, result.schedule) == pytest.approx(best, abs=1e-6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_plans())
def test_weak_formulation_has_the_same_optimum(portfolio: Portfolio) -> None:
    strong = solve_plan(portfolio, solver="highs")
    weak = solve_plan(portfolio, solver="highs", formulation="weak")
    assert strong.status == weak.status
    if strong.status == "optimal":
        assert strong.objective == pytest.approx(weak.objective, abs=1e-6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_plans())
def test_one_year_plan_is_todays_selection(portfolio: Portfolio) -> None:
    """With one year, no multi-year figures and no existing activities, the plan keeps what the one-year
    selection keeps, at the same net value."""
    one = replace(
        portfolio,
        plan=PlanSettings(1),
        dimensions=tuple(replace(d, available_by_year=(), headroom_by_year=()) for d in portfolio.dimensions),
        priorities=tuple(
            replace(p, duration=1, cost_profile=(), earliest_start=1, deadline=None, gains=(), existing=False, lags=())
            for p in portfolio.priorities
        ),
        rules=replace(portfolio.rules, year_locks=(), forbidden_starts=()),
    )
    today = solve(one, solver="highs")
    planned = solve_plan(one, solver="highs")
    assert planned.status == today.status
    if today.status == "optimal":
        assert planned.objective == pytest.approx(today.objective, abs=1e-6)
        assert check_rules(one, set(planned.schedule.start_of)) == ()


def test_one_year_model_keeps_the_base_rows() -> None:
    """The one-year plan has a capacity row per dimension with the base model's coefficients."""
    p = plan([item("A", 3, 5), item("B", 4, 6, requires=("A",))], years=1)
    base = build_model(p)
    model, plan_map = build_plan_model(p)
    assert [r.kind for r in base.rows if r.kind == "capacity"] == [r.kind for r in model.rows if r.kind == "capacity"]
    cap = next(r for r in model.rows if r.kind == "capacity")
    cols = [plan_map.starts["A"][0][0], plan_map.starts["B"][0][0]]
    assert dict(zip(cap.cols.tolist(), cap.coefs.tolist())) == dict(zip(cols, [3.0, 4.0]))


# ------------------------------------------------------------------ hand-checkable cases


def test_capability_gain_makes_a_later_priority_fit() -> None:
    """The academy (cost 4 in year 1) adds 6 a year after it finishes; B needs 12 and fits only with it."""
    academy = item("ACAD", cost=4, value=1, gains=(("ops", 6.0),))
    big = item("B", cost=12, value=20)
    with_gain = solve_plan(plan([academy, big], years=2, capacity=8))
    assert starts(with_gain) == {"ACAD": 1, "B": 2}
    assert with_gain.objective == pytest.approx(21)
    year2 = next(u for u in with_gain.capacity if u.year == 2)
    assert (year2.gained, year2.usable, year2.used) == (6.0, 14.0, 12.0)
    without = solve_plan(plan([replace(academy, gains=()), big], years=2, capacity=8))
    assert starts(without) == {"ACAD": 1}


def test_gain_counts_only_after_finishing() -> None:
    """A two-year academy's gain arrives in year 3, not year 2."""
    academy = item("ACAD", cost=2, value=1, duration=2, gains=(("ops", 10.0),))
    big = item("B", cost=15, value=20)
    assert starts(solve_plan(plan([academy, big], years=3, capacity=8))) == {"ACAD": 1, "B": 3}
    assert starts(solve_plan(plan([academy, big], years=2, capacity=8))) in ({"ACAD": 1}, {})


def test_stopped_activity_frees_exactly_its_cost_from_its_stop_year() -> None:
    """An existing activity (cost 5, value 1 over 3 years) is stopped from year 2 so that B (cost 8,
    value 10) can run in year 2: year 1 uses 5, year 2 uses 8 and year 3 nothing of the activity."""
    old = item("OLD", cost=5, value=3, existing=True)
    new = item("NEW", cost=8, value=10, deadline=2, earliest_start=2)
    result = solve_plan(plan([old, new], years=3, capacity=10))
    assert result.status == "optimal"
    assert result.schedule.stop_of == {"OLD": 2}
    assert result.schedule.start_of == {"NEW": 2}
    used = {u.year: u.used for u in result.capacity}
    assert used == {1: 5.0, 2: 8.0, 3: 0.0}
    assert result.objective == pytest.approx(3 * 1 / 3 + 10)
    row = result.row("OLD")
    assert (row.status, row.stop, row.frees) == ("stopped", 2, (("ops", 5.0),))


def test_deadline_forces_an_early_start() -> None:
    """A must-do of two years due by year 2 must start in year 1, even though year 1 would rather hold B."""
    must = item("M", cost=5, value=1, duration=2, deadline=2, must_do=True)
    b = item("B", cost=6, value=10, earliest_start=1, deadline=1)
    result = solve_plan(plan([must, b], years=3, capacity=10))
    assert starts(result) == {"M": 1}
    assert result.row("B").status == "not_started"


def test_finish_to_start_chain_longer_than_the_plan() -> None:
    """A chain of three two-year priorities needs six years: in a four-year plan only two fit."""
    a = item("A", value=1, duration=2)
    b = item("B", value=1, duration=2, requires=("A",))
    c = item("C", value=1, duration=2, requires=("B",))
    assert starts(solve_plan(plan([a, b, c], years=4))) == {"A": 1, "B": 3}
    assert starts(solve_plan(plan([a, b, c], years=6))) == {"A": 1, "B": 3, "C": 5}
    must_c = replace(c, must_do=True)
    result = solve_plan(plan([a, b, must_c], years=4))
    assert result.status == "infeasible"
    assert "cannot be finished within the plan" in result.message
    assert "Priority C (C)" in result.message


def test_lag_and_alongside() -> None:
    """A lag of one year pushes the dependant a year later; alongside lets it start with its prerequisite."""
    a = item("A", value=1)
    assert starts(solve_plan(plan([a, item("B", value=1, requires=("A",), lags=(("A", 1),))], years=3))) == {
        "A": 1,
        "B": 3,
    }
    assert starts(solve_plan(plan([a, item("B", value=1, requires=("A",), alongside=("A",))], years=1))) == {
        "A": 1,
        "B": 1,
    }


def test_per_year_value_rewards_early_delivery() -> None:
    """In the per-year mode a one-year priority started in year 1 of 3 earns 3/3 of its value, in year 3 1/3."""
    a = item("A", cost=6, value=9)
    b = item("B", cost=6, value=3)
    result = solve_plan(plan([a, b], years=3, capacity=6, value_mode="per_year"))
    assert starts(result)["A"] == 1
    assert result.row("A").value == pytest.approx(9)
    assert result.row("B").value == pytest.approx(3 * (3 - starts(result)["B"] + 1) / 3)


def test_year_lock_and_forbidden_year() -> None:
    a = item("A", value=5)
    result = solve_plan(plan([a], years=3, year_locks=(("A", 3),)))
    assert starts(result) == {"A": 3}
    forbidden = solve_plan(plan([a], years=3, forbidden_starts=(("A", 1),)))
    assert starts(forbidden) == {"A": 2}


def test_per_year_capacity_changes_what_fits() -> None:
    a = item("A", cost=8, value=5)
    assert starts(solve_plan(plan([a], years=2, capacity=10, by_year=(4, 10)))) == {"A": 2}


def test_existing_must_do_runs_to_the_end() -> None:
    old = item("OLD", cost=9, value=1, existing=True, must_do=True)
    result = solve_plan(plan([old, item("B", cost=5, value=50)], years=2, capacity=10))
    assert result.schedule.stop_of == {}
    assert result.schedule.start_of == {}


def test_check_rules_names_timed_rules() -> None:
    p = plan(
        [item("A", duration=2), item("B", requires=("A",)), item("C", deadline=1)],
        years=2,
    )
    kinds = {v.kind for v in check_rules(p, Schedule((("A", 1), ("B", 2), ("C", 2))))}
    assert kinds == {"starts_after", "deadline"}
    assert {v.kind for v in check_rules(p, Schedule((("A", 2),)))} == {"plan_end"}


def test_infeasible_capacity_names_the_year_and_offers_a_checked_fix() -> None:
    must = item("M", cost=12, value=1, must_do=True, deadline=1)
    result = solve_plan(plan([must], years=2, capacity=10))
    assert result.status == "infeasible"
    assert "2026/27" in result.message
    assert result.options
    assert result.options[0].fixes[0].proposed == pytest.approx(12)
