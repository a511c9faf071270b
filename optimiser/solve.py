"""One call from a portfolio to a plain :class:`Result`, checked rule by rule before it is returned."""

from __future__ import annotations

import time
from dataclasses import replace

from . import words
from .backends import run_solver
from .diagnosis import diagnose, fix_options
from .domain import Portfolio
from .explain import binding_rules, decisions
from .figures import capacity_use, horizon_shares, value_figures
from .model import build_model
from .result import Result, RuleNote
from .rules import assert_rules
from .solver_options import DEFAULT_GAP, DEFAULT_TIME_LIMIT, MAX_TIME_LIMIT, check_time_limit  # noqa: F401


def solve(
    portfolio: Portfolio,
    solver: str = "auto",
    time_limit: float = DEFAULT_TIME_LIMIT,
    gap: float = DEFAULT_GAP,
) -> Result:
    """Pick the best set of priorities under the portfolio's rules.

    The selection is read back only when the solver proves it optimal, or found it before stopping
    (then `gap` says how far from proven it may be). Every selection is checked against every rule
    (`rules.check_rules`) before it is returned; a selection that breaks one raises
    RuleViolationError, an internal error. When no selection exists the result names the conflicting
    rules and by how much.
    """
    time_limit = check_time_limit(time_limit)
    started = time.perf_counter()
    model = build_model(portfolio)
    outcome = run_solver(model, solver=solver, time_limit=time_limit, gap=gap)
    if outcome.status == "infeasible":
        conflicts, remedies = diagnose(portfolio, model)
        if not remedies and all(c.rule == "unknown" for c in conflicts):
            # Neither the exact checks nor the elastic model found a rule that breaks, so the claim is not
            # confirmed (CBC has reported infeasibility when its time limit ran out during preprocessing).
            return Result(
                status="no_solution",
                message=words.unconfirmed_infeasible(outcome.solver),
                solver=outcome.solver,
                seconds=time.perf_counter() - started,
            )
        return Result(
            status="infeasible",
            message="No selection satisfies every rule: " + " ".join(c.text for c in conflicts),
            solver=outcome.solver,
            seconds=time.perf_counter() - started,
            conflicts=tuple(conflicts),
            remedies=tuple(remedies),
            options=fix_options(portfolio, remedies, time_limit),
            capacity=capacity_use(portfolio, ()),
            horizons=horizon_shares(portfolio, ()),
        )
    if outcome.x is None:
        return Result(
            status=outcome.status,
            message=outcome.message,
            solver=outcome.solver,
            seconds=time.perf_counter() - started,
            time_limit_hit=outcome.time_limit_hit,
        )
    kept_set = {pid for pid, v in zip(model.ids, outcome.x) if v > 0.5}
    assert_rules(portfolio, kept_set, f"the selection from {outcome.solver}")
    kept = tuple(p.id for p in portfolio.priorities if p.id in kept_set)
    dropped = tuple(p.id for p in portfolio.priorities if p.id not in kept_set)
    capacity = capacity_use(portfolio, kept_set)
    horizons = horizon_shares(portfolio, kept_set)
    binding = binding_rules(portfolio, kept_set, capacity, horizons)
    value, penalty, by_criterion = value_figures(portfolio, kept_set)
    time_limit_hit = outcome.time_limit_hit
    message = words.status_message(outcome.status, outcome.gap, time_limit_hit)
    if not kept and portfolio.priorities:
        reason = empty_reason(portfolio, solver, time_limit)
        note = RuleNote(f"empty_{reason}", words.empty_selection(portfolio, reason), 0.0)
        binding = (note, *binding)
        message = f"{message} {note.text}"
    return Result(
        status=outcome.status,
        message=message,
        solver=outcome.solver,
        seconds=time.perf_counter() - started,
        kept=kept,
        dropped=dropped,
        objective=value - penalty,  # the net value of the selection, from its definition
        value=value,
        drop_penalty=penalty,
        value_by_criterion=by_criterion,
        gap=outcome.gap,
        bound=value - penalty if outcome.status == "optimal" else outcome.bound,
        capacity=capacity,
        horizons=horizons,
        binding=binding,
        decisions=decisions(portfolio, kept_set, capacity, binding),
        time_limit_hit=time_limit_hit,
    )


def empty_reason(portfolio: Portfolio, solver: str, time_limit: float) -> str:
    """The rule that forces an empty selection: 'bands' when lifting the balance bands lets something
    in, else 'max_priorities' (a limit of 0), 'capacity' (nothing fits with what it requires), 'rules'."""
    rules = portfolio.rules
    if rules.horizon_bands:
        unbanded = replace(portfolio, rules=replace(rules, horizon_bands=()))
        outcome = run_solver(build_model(unbanded), solver=solver, time_limit=time_limit)
        if outcome.x is not None and outcome.x[: len(portfolio.priorities)].sum() > 0.5:
            return "bands"
    if rules.max_priorities == 0:
        return "max_priorities"
    fits_alone = [
        p
        for p in portfolio.priorities
        if p.id not in rules.locked_out
        and all(
            sum(portfolio.priority(q).cost(d.name) for q in portfolio.prerequisite_closure([p.id])) <= d.usable
            for d in portfolio.dimensions
        )
    ]
    return "rules" if fits_alone else "capacity"
