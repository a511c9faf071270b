"""Solve-speed benchmark on seeded random portfolios.

    .venv/bin/python -m bench.solve_speed                       # full table (N up to 20,000)
    .venv/bin/python -m bench.solve_speed --sizes 50,200 --seeds 3

Prints, per size and number of capacity dimensions, the median [min-max] over the seeds of the
model build time and the solve time of each solver, and how many solves were proven optimal.
"""

from __future__ import annotations

import argparse
import statistics
import time

from optimiser.backends import run_solver
from optimiser.model import build_model
from optimiser.synthetic import generate_portfolio


def summary(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{statistics.median(values):.3f} [{min(values):.3f}-{max(values):.3f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="50,200,1000,5000,20000")
    parser.add_argument("--dims", default="3,5")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--solvers", default="highs,cbc")
    parser.add_argument("--time-limit", type=float, default=120.0)
    args = parser.parse_args()
    solvers = args.solvers.split(",")
    header = "| N | K | build s | " + " | ".join(f"{s} s | {s} optimal" for s in solvers) + " | objective spread |"
    print(header)
    print("|" + " --- |" * (4 + 2 * len(solvers)), flush=True)
    for n in (int(x) for x in args.sizes.split(",")):
        for k in (int(x) for x in args.dims.split(",")):
            builds: list[float] = []
            times: dict[str, list[float]] = {s: [] for s in solvers}
            proven: dict[str, int] = {s: 0 for s in solvers}
            objectives: dict[int, list[float]] = {}
            for seed in range(1, args.seeds + 1):
                portfolio = generate_portfolio(n, k, seed)
                started = time.perf_counter()
                model = build_model(portfolio)
                builds.append(time.perf_counter() - started)
                for solver in solvers:
                    outcome = run_solver(model, solver=solver, time_limit=args.time_limit)
                    times[solver].append(outcome.seconds)
                    proven[solver] += outcome.status == "optimal"
                    if outcome.objective is not None:
                        objectives.setdefault(seed, []).append(outcome.objective)
            cells = " | ".join(f"{summary(times[s])} | {proven[s]}/{args.seeds}" for s in solvers)
            # Both solvers stop at a relative gap of 1e-4, so proven objectives may differ by up to that much.
            spread = max(((max(v) - min(v)) / max(abs(max(v)), 1e-9) for v in objectives.values()), default=0.0)
            note = "" if spread <= 1e-4 else " objectives differ by more than the gap"
            print(f"| {n:,} | {k} | {summary(builds)} | {cells} | {spread:.1e} |{note}", flush=True)


if __name__ == "__main__":
    main()
