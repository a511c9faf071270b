"""Explanation, frontier and weight-sensitivity benchmark (issue 12): "explain every decision" on the sample
(48 priorities) and on gen.py instances (K=3, seed 0), the 25-point frontier at N=1,000 and weight
sensitivity on the sample.

    .venv/bin/python -m bench.explain_speed                       # sample, N=200 and N=1,000, 3 runs
    .venv/bin/python -m bench.explain_speed --sizes 48,200 --runs 1
    .venv/bin/python -m bench.explain_speed --reference           # also time the plain re-solves (fast=False)

Size 48 is the sample portfolio; other sizes are gen.py instances (`bench.gen_portfolio`). Prints the median
[min-max] wall seconds over the runs, the CPU seconds of the median run, the MIP re-solves, the extra solves
run only for a bound, and the cost-range searches a bound settled without a re-solve. The load average is
printed first: the machines are shared, so compare runs made side by side.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from optimiser.domain import Portfolio
from optimiser.explanations import explain_portfolio
from optimiser.formats import load_portfolio
from optimiser.frontier import frontier, weight_sensitivity
from optimiser.solve import solve

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "icb_portfolio.json"


def portfolio_of(size: int, k: int, seed: int) -> tuple[str, Portfolio]:
    if size == 48:
        return "sample (48)", load_portfolio(SAMPLE)
    from bench.gen_portfolio import gen_portfolio

    return f"gen.py N={size:,} K={k}", gen_portfolio(size, k, seed)


def timed(call, runs: int) -> tuple[list[float], list[float], object]:
    walls, cpus, last = [], [], None
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        last = call()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus, last


def row(name: str, what: str, walls: list[float], cpus: list[float], extra: str) -> None:
    median = statistics.median(walls)
    cpu = cpus[walls.index(sorted(walls)[len(walls) // 2])]
    print(f"| {name} | {what} | {median:.2f} [{min(walls):.2f}-{max(walls):.2f}] | {cpu:.2f} | {extra} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="48,200,1000", help="comma-separated; 48 is the sample")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--points", type=int, default=25)
    parser.add_argument("--frontier-size", type=int, default=1000)
    parser.add_argument("--reference", action="store_true", help="also time the plain re-solves (fast=False)")
    parser.add_argument("--no-frontier", action="store_true")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}, {os.cpu_count()} CPUs")
    print("| portfolio | what | wall s median [min-max] | CPU s | re-solves (MIP / bound-only / skipped) |")
    print("| --- | --- | --- | --- | --- |")
    paths = [("fast", True)] + ([("plain", False)] if args.reference else [])
    for size in [int(s) for s in args.sizes.split(",") if s]:
        name, portfolio = portfolio_of(size, args.k, args.seed)
        result = solve(portfolio, solver="highs")
        for label, fast in paths:

            def explain(portfolio: Portfolio = portfolio, result=result, fast: bool = fast):
                return explain_portfolio(portfolio, result, workers=args.workers, fast=fast)

            walls, cpus, explained = timed(explain, args.runs)
            unproven = sum(1 for e in explained.priorities if not e.proven)
            extra = f"{explained.solves} / {explained.bounds} / {explained.skipped}"
            extra += f" ({unproven} unproven)" if unproven else ""
            row(name, f"explain every decision ({label})", walls, cpus, extra)
    if args.no_frontier:
        return
    name, portfolio = portfolio_of(args.frontier_size, args.k, args.seed)
    dimension = portfolio.dimensions[0].name
    for label, fast in paths:
        walls, cpus, _ = timed(lambda fast=fast: frontier(portfolio, dimension, args.points, fast=fast), args.runs)
        row(name, f"{args.points}-point frontier of {dimension} ({label})", walls, cpus, "-")
    name, portfolio = portfolio_of(48, args.k, args.seed)
    for label, fast in paths:
        walls, cpus, _ = timed(lambda fast=fast: weight_sensitivity(portfolio, fast=fast), args.runs)
        row(name, f"weight sensitivity, all criteria ({label})", walls, cpus, "-")


if __name__ == "__main__":
    main()
