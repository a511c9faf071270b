"""Speed of multi-year plans: the five-year sample, and ../shared/bench/gen.py instances phased over T years
(its `duration` field), solved by the tool (strong time-indexed formulation, and the weak one for
comparison) and by a plain PuLP model such as an analyst would write (start-year binaries, big-M
precedence), with CBC and HiGHS through PuLP.

    .venv/bin/python -m bench.plan_speed [--sizes 200 1000] [--seeds 0 1 2] [--years 5] [--limit 60]

A gen.py instance becomes a plan as follows (its phasing variant: the one-year budget spread over the plan):
per-year capacity = the instance's capacity / T; a priority's cost is spread evenly over its duration
(1-3 years by horizon: cost / duration a year); must-dos must finish within the plan; prerequisites are
finish-to-start; the count cap and exclusions as given; full value when finished within the plan.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pulp

from bench.gen_portfolio import gen_module, gen_portfolio
from optimiser.domain import PlanSettings, Portfolio
from optimiser.formats import load_portfolio
from optimiser.plan import solve_plan

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_PLAN = ROOT / "sample_data" / "icb_five_year_plan.json"
SAMPLE = ROOT / "sample_data" / "icb_portfolio.json"


def gen_plan(n: int, k: int, seed: int, years: int) -> Portfolio:
    """A gen.py instance as a plan of `years` years (see the module's notes)."""
    inst = gen_module().generate(N=n, K=k, seed=seed)
    base = gen_portfolio(n, k, seed)
    priorities = tuple(
        replace(p, duration=int(inst.duration[i]), costs=tuple((d, c / int(inst.duration[i])) for d, c in p.costs))
        for i, p in enumerate(base.priorities)
    )
    dimensions = tuple(replace(d, available=d.available / years) for d in base.dimensions)
    return replace(base, dimensions=dimensions, priorities=priorities, plan=PlanSettings(years))


def plain_pulp(portfolio: Portfolio, solver: str, limit: float) -> tuple[float, float | None, str]:
    """(seconds, objective, status) of a plain PuLP model of the same plan (weak, big-M precedence)."""
    started = time.perf_counter()
    years = portfolio.plan.years
    prob = pulp.LpProblem("plan", pulp.LpMaximize)
    x = {}
    for p in portfolio.priorities:
        for t in range(1, years - p.duration + 2):
            x[p.id, t] = pulp.LpVariable(f"x_{p.id}_{t}", cat="Binary")
    kept = {p.id: pulp.lpSum(x[p.id, t] for t in range(1, years - p.duration + 2)) for p in portfolio.priorities}
    start = {p.id: pulp.lpSum(t * x[p.id, t] for t in range(1, years - p.duration + 2)) for p in portfolio.priorities}
    value = {p.id: sum(c.weight * p.score(c.name) for c in portfolio.criteria) for p in portfolio.priorities}
    prob += pulp.lpSum(value[p.id] * kept[p.id] for p in portfolio.priorities)
    for p in portfolio.priorities:
        prob += kept[p.id] <= 1
        if p.must_do:
            prob += kept[p.id] == 1
        for other in p.requires:
            q = portfolio.priority(other)
            big_m = years + q.duration
            prob += kept[p.id] <= kept[other]
            prob += start[p.id] >= start[other] + q.duration * kept[other] - big_m * (1 - kept[p.id])
        for other in p.excludes:
            prob += kept[p.id] + kept[other] <= 1
    for d in portfolio.dimensions:
        for y in range(1, years + 1):
            prob += pulp.lpSum(
                p.cost(d.name) * x[p.id, t]
                for p in portfolio.priorities
                for t in range(max(1, y - p.duration + 1), min(y, years - p.duration + 1) + 1)
            ) <= d.usable_in(y)
    if portfolio.rules.max_priorities is not None:
        prob += pulp.lpSum(kept.values()) <= portfolio.rules.max_priorities
    backend = (
        pulp.PULP_CBC_CMD(msg=False, timeLimit=limit) if solver == "cbc" else pulp.HiGHS(msg=False, timeLimit=limit)
    )
    prob.solve(backend)
    seconds = time.perf_counter() - started
    # PuLP says "Optimal" for a solution found before a time limit too; its solution status tells them apart.
    proven = prob.sol_status == pulp.LpSolutionOptimal
    found = prob.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    objective = pulp.value(prob.objective) if found else None
    return seconds, objective, "optimal" if proven else ("feasible, not proven" if found else "no plan")


def sample_figures(runs: int) -> None:
    path = SAMPLE_PLAN if SAMPLE_PLAN.exists() else SAMPLE
    portfolio = load_portfolio(path)
    if not portfolio.is_multi_year:
        portfolio = replace(portfolio, plan=PlanSettings(5))
    times = []
    result = None
    for _ in range(runs + 1):
        started = time.perf_counter()
        result = solve_plan(portfolio)
        times.append(time.perf_counter() - started)
    times = times[1:]  # the first run warms imports and caches
    print(
        f"| sample ({path.name}, {portfolio.plan.years} years) | {result.status} | median {statistics.median(times):.3f} s, worst {max(times):.3f} s over {runs} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--limit", type=float, default=60.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pulp-sizes", type=int, nargs="*", default=[200], help="sizes to solve with plain PuLP too")
    parser.add_argument(
        "--weak-sizes", type=int, nargs="*", default=[200], help="sizes to solve with the weak form too"
    )
    args = parser.parse_args()
    print("| case | status | time |")
    print("| --- | --- | --- |")
    sample_figures(args.runs)
    print()
    print("| N | K | T | seed | tool strong | tool weak | plain PuLP CBC | plain PuLP HiGHS |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for n in args.sizes:
        for seed in args.seeds:
            portfolio = gen_plan(n, args.k, seed, args.years)
            cells = []
            best = []
            for formulation in ("strong", "weak") if n in args.weak_sizes else ("strong",):
                started = time.perf_counter()
                r = solve_plan(portfolio, time_limit=args.limit, formulation=formulation)
                seconds = time.perf_counter() - started
                gap = "" if r.status == "optimal" else f", gap {100 * (r.gap or np.nan):.2f}%"
                cells.append(f"{seconds:.2f} s {r.status}{gap}")
                best.append(r.objective)
            if n not in args.weak_sizes:
                cells.append("-")
            for solver in ("cbc", "highs") if n in args.pulp_sizes else ():
                seconds, objective, status = plain_pulp(portfolio, solver, args.limit)
                agree = ""
                if objective is not None and best[0] is not None:
                    agree = (
                        " (same optimum)"
                        if abs(objective - best[0]) <= 1e-6 * max(1, abs(objective))
                        else f" (obj {objective:.2f})"
                    )
                cells.append(f"{seconds:.2f} s {status}{agree}")
            if n not in args.pulp_sizes:
                cells += ["-", "-"]
            print(f"| {n} | {args.k} | {args.years} | {seed} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
