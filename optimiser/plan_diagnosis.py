"""When no plan meets every rule: which deadlines, years and rules conflict, and changes that fix it.

Two steps, as for the one-year selection (`optimiser.diagnosis`):

1. Exact time checks: a must-do (or locked-in or year-locked priority) whose prerequisite chain, with
   durations, lags, earliest starts and forbidden years, cannot finish by its deadline or by the end of
   the plan. The fix names the earliest year it can finish.
2. The elastic plan: the plan model in which each year's capacity, the count, theme and balance rules may
   be broken at a price, and must-dos and locks lifted at a price; the smallest total breach names the
   years and rules, and the per-year capacity raises it needs are offered once a re-solve confirms them.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from . import words
from .backends import run_solver
from .domain import Portfolio
from .model import INF, LOCK_WEIGHT, Row, SelectionModel
from .plan_model import build_plan_model, start_window
from .result import Fix, FixOption, RuleNote

SOFT_KINDS = ("capacity", "max_priorities", "theme_min", "theme_max", "horizon_min", "horizon_max")


def earliest_finish(portfolio: Portfolio) -> dict[str, int | None]:
    """The earliest year each new priority can finish given its prerequisites (finish-to-start with lags,
    or alongside), earliest start, forbidden years and year locks; None when it cannot finish in the plan.
    Existing activities finish "before the plan" (0) while they run."""
    years = portfolio.plan.years
    memo: dict[str, int | None] = {}

    def finish(pid: str, trail: frozenset[str]) -> int | None:
        if pid in memo:
            return memo[pid]
        p = portfolio.priority(pid)
        if p.existing:
            memo[pid] = 0
            return 0
        if pid in trail:  # a cycle (parsing refuses them; be safe)
            return None
        earliest = 1
        for other in p.requires:
            f = finish(other, trail | {pid})
            if f is None:
                memo[pid] = None
                return None
            q = portfolio.priority(other)
            if q.existing:
                continue
            if p.runs_alongside(other, years):
                earliest = max(earliest, f - q.duration + 1)
            else:
                earliest = max(earliest, f + 1 + p.lag(other))
        # Without deadline: where its window allows, from `earliest` on.
        window = [t for t in start_window(portfolio, replace(p, deadline=None)) if t >= earliest]
        memo[pid] = window[0] + p.duration - 1 if window else None
        if memo[pid] is not None and memo[pid] > years:
            memo[pid] = None
        return memo[pid]

    return {p.id: finish(p.id, frozenset()) for p in portfolio.priorities}


def time_conflicts(portfolio: Portfolio) -> tuple[list[RuleNote], list[Fix]]:
    """Must-dos and locked-in priorities that cannot finish by their deadline or by the end of the plan."""
    rules = portfolio.rules
    wanted = (
        {p.id for p in portfolio.priorities if p.must_do} | set(rules.locked_in) | {pid for pid, _ in rules.year_locks}
    )
    finishes = earliest_finish(portfolio)
    notes: list[RuleNote] = []
    fixes: list[Fix] = []
    for p in portfolio.priorities:
        if p.id not in wanted or p.existing:
            continue
        f = finishes[p.id]
        limit = min(p.deadline, portfolio.plan.years) if p.deadline is not None else portfolio.plan.years
        if f is None or f > limit:
            notes.append(
                RuleNote(
                    f"deadline_{p.id}",
                    words.plan_deadline_unmet(portfolio, p.id, f, limit),
                    float((f or limit + 1) - limit),
                )
            )
            if f is not None and p.deadline is not None:
                fixes.append(
                    Fix(
                        "deadline",
                        p.id,
                        float(p.deadline),
                        float(f),
                        words.plan_fix_text(portfolio, "deadline", p.id, p.deadline, f),
                    )
                )
    return notes, fixes


def elastic_plan_model(portfolio: Portfolio) -> tuple[SelectionModel, list[tuple[int, Row]], list[tuple[int, str]]]:
    """The plan model whose capacity, count, theme and balance rows may bend at a price (by share of the
    limit), and whose must-dos and locks may be lifted at LOCK_WEIGHT each."""
    base, plan_map = build_plan_model(portfolio)
    n = base.size
    objective = list(1e-6 * base.objective / max(float(np.abs(base.objective).sum()), 1.0))
    lower = list(base.col_lower)
    upper = list(base.col_upper)
    integer = [True] * base.num_cols
    names = list(base.aux_names)
    rows: list[Row] = []
    slacks: list[tuple[int, Row]] = []
    lifts: list[tuple[int, str]] = []

    def add(name: str, weight: float, high: float) -> int:
        objective.append(-weight)
        lower.append(0.0)
        upper.append(high)
        integer.append(False)
        names.append(name)
        return len(objective) - 1

    for r in base.rows:
        if r.kind == "capacity_total":  # a cut implied by the yearly rows, which bend here
            continue
        if r.kind not in SOFT_KINDS:
            rows.append(r)
            continue
        limit = r.upper if r.upper < INF else r.lower
        col = add(f"slack_{r.name}", 1.0 / max(abs(limit), 1.0), INF)
        sign = -1.0 if r.upper < INF else 1.0
        rows.append(replace(r, cols=np.append(r.cols, col), coefs=np.append(r.coefs, sign)))
        slacks.append((col, r))
    for i, pid in enumerate(base.ids[:n]):
        if base.col_lower[i] > 0.5:
            lower[i] = 0.0
            held = i
            if pid in plan_map.runs:  # an existing must-do runs to the end: its last year's run column is held
                for c, _ in plan_map.runs[pid]:
                    lower[c] = 0.0
                held = plan_map.runs[pid][-1][0]
            col = add(f"lift_{i}", LOCK_WEIGHT, 1.0)
            rows.append(Row(f"lock_in_{i}", "lock_in", pid, np.array([held, col]), np.array([1.0, 1.0]), 1.0, INF))
            lifts.append((col, pid))
    model = SelectionModel(
        ids=base.ids,
        objective=np.array(objective),
        constant=0.0,
        col_lower=np.array(lower),
        col_upper=np.array(upper),
        rows=rows,
        integer=np.array(integer),
        aux_names=tuple(names),
        tuning="plan",
    )
    return model, slacks, lifts


def diagnose_plan(portfolio: Portfolio, time_limit: float) -> tuple[list[RuleNote], list[FixOption]]:
    """The conflicting rules (with years) and fix options, each confirmed by a re-solve."""
    notes, fixes = time_conflicts(portfolio)
    options: list[FixOption] = []
    if notes:
        if fixes and _has_plan(apply_plan_fixes(portfolio, fixes), time_limit):
            options.append(FixOption("smallest", tuple(fixes), False, -1))
        return notes, options
    model, slacks, lifts = elastic_plan_model(portfolio)
    outcome = run_solver(model, solver="highs", time_limit=time_limit)
    if outcome.x is None:
        return notes, options
    capacity_fixes: list[Fix] = []
    for col, row in slacks:
        short = float(outcome.x[col])
        if short <= 1e-6:
            continue
        if row.kind == "capacity":
            dim_name, year = row.subject.split("|")
            t = int(year)
            dim = portfolio.dimension(dim_name)
            keep = 1.0 - dim.headroom_in(t) / 100.0
            proposed = math.ceil((dim.available_in(t) + short / keep) * 10 - 1e-9) / 10
            notes.append(RuleNote(row.name, words.plan_capacity_short(portfolio, dim_name, t, short), short))
            capacity_fixes.append(
                Fix(
                    "capacity_year",
                    row.subject,
                    dim.available_in(t),
                    proposed,
                    words.plan_fix_text(portfolio, "capacity_year", row.subject, dim.available_in(t), proposed),
                )
            )
        else:
            notes.append(RuleNote(row.name, words.plan_rule_short(portfolio, row.kind, row.subject, short), short))
    for col, pid in lifts:
        if outcome.x[col] > 0.5:
            notes.append(RuleNote(f"lock_in_{pid}", words.lock_unmet(portfolio, pid, "in"), 1.0))
    if capacity_fixes and len(capacity_fixes) == len([n for n in notes if n.rule.startswith("capacity_")]) == len(
        notes
    ):
        fixed = apply_plan_fixes(portfolio, capacity_fixes)
        if _has_plan(fixed, time_limit):
            options.append(FixOption("capacity_only", tuple(capacity_fixes), False, -1))
    return notes, options


def apply_plan_fix(portfolio: Portfolio, fix: Fix) -> Portfolio:
    """The portfolio with one plan change made: a per-year capacity, or a later deadline."""
    if fix.kind == "capacity_year":
        dim_name, year = fix.target.split("|")
        t = int(year)
        dims = []
        for d in portfolio.dimensions:
            if d.name == dim_name:
                figures = [d.available_in(y) for y in range(1, portfolio.plan.years + 1)]
                figures[t - 1] = float(fix.proposed)
                d = replace(d, available_by_year=tuple(figures))
            dims.append(d)
        return replace(portfolio, dimensions=tuple(dims))
    if fix.kind == "deadline":
        priorities = tuple(
            replace(p, deadline=int(fix.proposed)) if p.id == fix.target else p for p in portfolio.priorities
        )
        return replace(portfolio, priorities=priorities)
    raise ValueError(f"not a plan fix: {fix.kind}")


def apply_plan_fixes(portfolio: Portfolio, fixes) -> Portfolio:
    for fix in fixes:
        portfolio = apply_plan_fix(portfolio, fix)
    return portfolio


def _has_plan(portfolio: Portfolio, time_limit: float) -> bool:
    model, _ = build_plan_model(portfolio)
    return run_solver(model, solver="highs", time_limit=time_limit).x is not None
