"""Multidimensional knapsacks through the command line, with the default settings.

    .venv/bin/python -m bench.knapsack_cli                       # 100 priorities x 5 capacities, 10 instances
    .venv/bin/python -m bench.knapsack_cli --solvers auto,cbc,highs --instances 5

The classic shape (Chu and Beasley's OR-Library generator): weights w_ij uniform on 1..1000, capacity
c_j = tightness x sum_i w_ij with tightness 0.25, 0.5 and 0.75, and correlated profits
p_i = sum_j w_ij / m + uniform 1..500, rounded (entered as a score p_i / 160, at most 10, on a criterion of
weight 100, so that the value of an item is 0.625 x its profit). Each instance is written as a portfolio file and solved by
`python -m optimiser solve FILE --json` in a fresh process (start-up included). Prints per tightness the
median and worst wall seconds and how many answers were proven optimal, for each solver.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def knapsack_document(n: int, m: int, tightness: float, seed: int) -> dict:
    rng = np.random.default_rng([seed, n, m, int(tightness * 100)])
    weights = rng.integers(1, 1001, size=(n, m))
    capacity = np.floor(tightness * weights.sum(axis=0))
    profit = weights.sum(axis=1) / m + rng.integers(1, 501, size=n)
    profit = np.round(profit)  # whole numbers, as in the OR-Library files
    dims = [f"c{j}" for j in range(m)]
    return {
        "schema_version": 1,
        "name": f"knapsack n={n} m={m} tightness={tightness} seed={seed}",
        "capacity_dimensions": [
            {"name": d, "unit": "units", "available": float(capacity[j]), "headroom_pct": 0} for j, d in enumerate(dims)
        ],
        "criteria": [{"name": "profit", "weight": 100.0}],
        "priorities": [
            {
                "id": f"K{i:03d}",
                "name": f"Item {i}",
                "source": "local",
                "owner": "",
                "theme": "knapsack",
                "horizon": "short",
                "costs": {d: float(weights[i, j]) for j, d in enumerate(dims)},
                "scores": {"profit": float(profit[i]) / 160.0},
            }
            for i in range(n)
        ],
        "rules": {},
    }


def run_cli(path: Path, solver: str) -> tuple[float, str]:
    started = time.perf_counter()
    args = [sys.executable, "-m", "optimiser", "solve", str(path), "--json"]
    if solver != "auto":
        args += ["--solver", solver]
    out = subprocess.run(args, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    status = json.loads(out.stdout)["status"] if out.stdout.strip() else f"error: {out.stderr.strip()[-200:]}"
    return seconds, status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--m", type=int, default=5)
    parser.add_argument("--instances", type=int, default=10)
    parser.add_argument("--tightness", default="0.25,0.5,0.75")
    parser.add_argument("--solvers", default="auto")
    args = parser.parse_args()
    solvers = args.solvers.split(",")
    print("| tightness | solver | median s | worst s | proven optimal |")
    print("| --- | --- | --- | --- | --- |", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        for tightness in (float(t) for t in args.tightness.split(",")):
            paths = []
            for seed in range(args.instances):
                path = Path(folder) / f"k_{tightness}_{seed}.json"
                path.write_text(json.dumps(knapsack_document(args.n, args.m, tightness, seed)))
                paths.append(path)
            for solver in solvers:
                runs = [run_cli(path, solver) for path in paths]
                times = [t for t, _ in runs]
                proven = sum(status == "optimal" for _, status in runs)
                print(
                    f"| {tightness} | {solver} | {statistics.median(times):.2f} | {max(times):.2f} | "
                    f"{proven}/{len(runs)} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
