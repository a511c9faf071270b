"""Frontier benchmark: a 25-point frontier for the sample and a 200-priority generated portfolio.

    .venv/bin/python -m bench.frontier_speed [--runs 3] [--points 25]

Prints the median [min-max] seconds over the runs (each point is a re-solve).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from optimiser.formats import load_portfolio
from optimiser.frontier import frontier, weight_sensitivity
from optimiser.synthetic import generate_portfolio

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "icb_portfolio.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--points", type=int, default=25)
    args = parser.parse_args()
    cases = [
        ("sample (48)", load_portfolio(SAMPLE), "operational"),
        ("generated n=200 k=3", generate_portfolio(200, 3, 1), "operational"),
    ]
    print("| portfolio | what | median s [min-max] |")
    print("| --- | --- | --- |")
    for name, portfolio, dimension in cases:
        times = [frontier(portfolio, dimension, args.points).seconds for _ in range(args.runs)]
        print(
            f"| {name} | {args.points}-point frontier of {dimension} | "
            f"{statistics.median(times):.2f} [{min(times):.2f}-{max(times):.2f}] |",
            flush=True,
        )
        weights = []
        for _ in range(args.runs):
            started = time.perf_counter()
            weight_sensitivity(portfolio)
            weights.append(time.perf_counter() - started)
        print(
            f"| {name} | weight sensitivity, all criteria | "
            f"{statistics.median(weights):.2f} [{min(weights):.2f}-{max(weights):.2f}] |",
            flush=True,
        )


if __name__ == "__main__":
    main()
