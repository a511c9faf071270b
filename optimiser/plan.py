"""One call from a portfolio with a multi-year plan to a plain :class:`PlanResult`, checked rule by rule
(`rules.check_rules` on the schedule) before it is returned."""

from __future__ import annotations

import time

from . import words
from .backends import run_solver
from .domain import HORIZONS, Portfolio
from .model import priority_weights
from .plan_diagnosis import diagnose_plan
from .plan_model import build_plan_model, plan_value_share, read_schedule, schedule_vector
from .result import HorizonShare, PlanResult, PlanRow, RuleNote, Schedule, YearUse
from .rules import assert_rules, plan_delivered, plan_year_use
from .solver_options import DEFAULT_GAP, DEFAULT_TIME_LIMIT, check_time_limit

# The solver `auto` uses for plans: HiGHS in-process (bench/plan_speed.py; the LP reduction of the one-year
# model does not apply to the time-indexed columns).
PLAN_AUTO_SOLVER = "highs"


def solve_plan(
    portfolio: Portfolio,
    solver: str = "auto",
    time_limit: float = DEFAULT_TIME_LIMIT,
    gap: float = DEFAULT_GAP,
    formulation: str = "strong",
    start: Schedule | None = None,
) -> PlanResult:
    """The best plan: which priorities start in which year, which existing activities stop and when.

    The plan is read back only when the solver proves it optimal, or found it before stopping (then `gap`
    says how far from proven it may be); it is checked against every rule before it is returned. When no
    plan exists the result names the conflicting rules and years. A `start` schedule that meets every rule
    is given to HiGHS as its first plan (other solvers solve from scratch)."""
    time_limit = check_time_limit(time_limit)
    started = time.perf_counter()
    labels = portfolio.plan.labels
    model, plan_map = build_plan_model(portfolio, formulation)
    chosen = PLAN_AUTO_SOLVER if solver == "auto" else solver
    vector = None if start is None else schedule_vector(portfolio, plan_map, start, model.num_cols)
    outcome = run_solver(model, solver=chosen, time_limit=time_limit, gap=gap, start=vector)
    if outcome.status == "infeasible":
        conflicts, options = diagnose_plan(portfolio, time_limit)
        if not conflicts:
            return PlanResult(
                status="no_solution",
                message=words.unconfirmed_infeasible(outcome.solver),
                solver=outcome.solver,
                seconds=time.perf_counter() - started,
                years=labels,
            )
        return PlanResult(
            status="infeasible",
            message=words.plan_infeasible(conflicts),
            solver=outcome.solver,
            seconds=time.perf_counter() - started,
            years=labels,
            conflicts=tuple(conflicts),
            options=tuple(options),
            capacity=plan_capacity(portfolio, Schedule()),
            formulation=formulation,
        )
    if outcome.x is None:
        return PlanResult(
            status=outcome.status,
            message=outcome.message,
            solver=outcome.solver,
            seconds=time.perf_counter() - started,
            years=labels,
            time_limit_hit=outcome.time_limit_hit,
            formulation=formulation,
        )
    schedule = read_schedule(portfolio, plan_map, outcome.x)
    assert_rules(portfolio, schedule, f"the plan from {outcome.solver}")
    rows, value, penalty = plan_rows(portfolio, schedule)
    capacity = plan_capacity(portfolio, schedule)
    objective = value - penalty
    return PlanResult(
        status=outcome.status,
        message=words.plan_status_message(outcome.status, outcome.gap, outcome.time_limit_hit),
        solver=outcome.solver,
        seconds=time.perf_counter() - started,
        years=labels,
        schedule=schedule,
        rows=rows,
        objective=objective,
        value=value,
        drop_penalty=penalty,
        gap=outcome.gap,
        bound=objective if outcome.status == "optimal" else outcome.bound,
        capacity=capacity,
        horizons=plan_horizons(portfolio, schedule, None),
        horizons_by_year=tuple((t, plan_horizons(portfolio, schedule, t)) for t in range(1, portfolio.plan.years + 1)),
        binding=plan_binding(portfolio, capacity),
        time_limit_hit=outcome.time_limit_hit,
        formulation=formulation,
    )


def plan_rows(portfolio: Portfolio, schedule: Schedule) -> tuple[tuple[PlanRow, ...], float, float]:
    """One row per priority, and the plan's value and drop penalty, from their definitions."""
    years = portfolio.plan.years
    value, penalty = priority_weights(portfolio)
    start_of, stop_of = schedule.start_of, schedule.stop_of
    rows: list[PlanRow] = []
    total_value = total_penalty = 0.0
    for i, p in enumerate(portfolio.priorities):
        if p.existing:
            stop = stop_of.get(p.id)
            running = (stop - 1) if stop is not None else years
            earned = float(value[i]) * running / years
            total_value += earned
            total_penalty += float(penalty[i]) * (years - running) / years
            frees = tuple((d.name, p.cost(d.name)) for d in portfolio.dimensions if p.cost(d.name))
            rows.append(
                PlanRow(
                    p.id,
                    "continued" if stop is None else "stopped",
                    start=1 if running else None,
                    finish=running or None,
                    stop=stop,
                    value=earned,
                    frees=frees if stop is not None else (),
                )
            )
            continue
        u = start_of.get(p.id)
        if u is None:
            total_penalty += float(penalty[i])
            rows.append(PlanRow(p.id, "not_started"))
            continue
        earned = float(value[i]) * plan_value_share(portfolio, p, u)
        total_value += earned
        rows.append(PlanRow(p.id, "started", start=u, finish=u + p.duration - 1, value=earned))
    return tuple(rows), total_value, total_penalty


def plan_capacity(portfolio: Portfolio, schedule: Schedule) -> tuple[YearUse, ...]:
    """Every dimension in every year: available, gained, usable and used."""
    out = []
    for dim in portfolio.dimensions:
        for t in range(1, portfolio.plan.years + 1):
            used, gained = plan_year_use(portfolio, schedule, dim.name, t)
            out.append(
                YearUse(
                    dimension=dim.name,
                    year=t,
                    available=dim.available_in(t),
                    gained=gained,
                    headroom_pct=dim.headroom_in(t),
                    usable=dim.usable_in(t, gained),
                    used=used,
                    label=dim.display,
                )
            )
    return tuple(out)


def plan_horizons(portfolio: Portfolio, schedule: Schedule, year: int | None) -> tuple[HorizonShare, ...]:
    """Each horizon's share of the balance capacity used in one year (or over the plan, year None),
    against the whole wish-list's share."""
    balance = portfolio.balance_capacity.name
    years = range(1, portfolio.plan.years + 1) if year is None else (year,)
    delivered = plan_delivered(portfolio, schedule)
    use = {h: 0.0 for h in HORIZONS}
    counts = {h: 0 for h in HORIZONS}
    wish = {h: 0.0 for h in HORIZONS}
    wish_counts = {h: 0 for h in HORIZONS}
    start_of, stop_of = schedule.start_of, schedule.stop_of
    for p in portfolio.priorities:
        need = (
            p.cost(balance) * len(years) if p.existing else sum(p.cost_in(balance, y) for y in range(1, p.duration + 1))
        )
        wish[p.horizon] += need
        wish_counts[p.horizon] += 1
        if p.id not in delivered:
            continue
        in_year = 0.0
        for t in years:
            if p.existing:
                in_year += p.cost(balance) if t < stop_of.get(p.id, portfolio.plan.years + 1) else 0.0
            else:
                u = start_of[p.id]
                in_year += p.cost_in(balance, t - u + 1) if u <= t < u + p.duration else 0.0
        use[p.horizon] += in_year
        if in_year or year is None:
            counts[p.horizon] += 1
    total = sum(use.values())
    wish_total = sum(wish.values())
    return tuple(
        HorizonShare(
            horizon=h,
            kept_pct=100.0 * use[h] / total if total else 0.0,
            wishlist_pct=100.0 * wish[h] / wish_total if wish_total else 0.0,
            kept_count=counts[h],
            wishlist_count=wish_counts[h],
            dimension=balance,
            kept_use=use[h],
            wishlist_use=wish[h],
        )
        for h in HORIZONS
    )


BINDING_SHARE = 0.999  # a year's capacity counts as binding when at least this share of it is used


def plan_binding(portfolio: Portfolio, capacity: tuple[YearUse, ...]) -> tuple[RuleNote, ...]:
    """The capacities that are full in a year (the rules that stop more being done then)."""
    out = []
    for use in capacity:
        if use.usable > 0 and use.used >= BINDING_SHARE * use.usable:
            out.append(
                RuleNote(
                    f"capacity_{use.dimension}_{use.year}",
                    words.plan_capacity_full(portfolio, use),
                    use.usable - use.used,
                )
            )
    return tuple(out)
