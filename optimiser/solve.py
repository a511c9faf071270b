"""One call from a portfolio to a plain :class:`Result`."""

from __future__ import annotations

import time

from .backends import DEFAULT_GAP, DEFAULT_TIME_LIMIT, run_solver
from .diagnosis import diagnose
from .domain import Portfolio
from .explain import binding_rules, decisions
from .figures import capacity_use, horizon_shares, value_figures
from .model import build_model
from .result import Result


def solve(
    portfolio: Portfolio,
    solver: str = "auto",
    time_limit: float = DEFAULT_TIME_LIMIT,
    gap: float = DEFAULT_GAP,
) -> Result:
    """Pick the best set of priorities under the portfolio's rules.

    The selection is read back only when the solver proves it optimal, or found it feasible
    before the time limit (then `gap` says how far from proven it may be). Otherwise the
    result names the conflicting rules and by how much.
    """
    started = time.perf_counter()
    model = build_model(portfolio)
    outcome = run_solver(model, solver=solver, time_limit=time_limit, gap=gap)
    if outcome.status == "infeasible":
        conflicts, remedies = diagnose(portfolio, model)
        return Result(
            status="infeasible",
            message="No selection satisfies every rule: " + " ".join(c.text for c in conflicts),
            solver=outcome.solver,
            seconds=time.perf_counter() - started,
            conflicts=tuple(conflicts),
            remedies=tuple(remedies),
            capacity=capacity_use(portfolio, ()),
            horizons=horizon_shares(portfolio, ()),
        )
    if outcome.x is None:
        return Result(
            status=outcome.status, message=outcome.message, solver=outcome.solver, seconds=time.perf_counter() - started
        )
    kept_set = {pid for pid, v in zip(model.ids, outcome.x) if v > 0.5}
    kept = tuple(p.id for p in portfolio.priorities if p.id in kept_set)
    dropped = tuple(p.id for p in portfolio.priorities if p.id not in kept_set)
    capacity = capacity_use(portfolio, kept_set)
    horizons = horizon_shares(portfolio, kept_set)
    binding = binding_rules(portfolio, kept_set, capacity, horizons)
    value, penalty, by_criterion = value_figures(portfolio, kept_set)
    message = (
        "Optimal selection."
        if outcome.status == "optimal"
        else (
            f"Best selection found before the time limit; it may be up to {100 * (outcome.gap or 0):.2f}% below the optimum."
            if outcome.gap is not None
            else "Best selection found before the time limit; optimality not proven."
        )
    )
    return Result(
        status=outcome.status,
        message=message,
        solver=outcome.solver,
        seconds=time.perf_counter() - started,
        kept=kept,
        dropped=dropped,
        objective=outcome.objective,
        value=value,
        drop_penalty=penalty,
        value_by_criterion=by_criterion,
        gap=outcome.gap,
        capacity=capacity,
        horizons=horizons,
        binding=binding,
        decisions=decisions(portfolio, kept_set, capacity, binding),
    )
