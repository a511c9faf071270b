"""Frontier benchmark: a 25-point frontier and weight sensitivity for the sample, a 200-priority generated
portfolio and the gen.py N=1,000 instance (K=3, seed 0; frontier only).

    .venv/bin/python -m bench.frontier_speed [--runs 3] [--points 25] [--reference]

Prints the median [min-max] seconds over the runs; `--reference` also times the plain path (fast=False).
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
    parser.add_argument("--reference", action="store_true", help="also time the plain path (fast=False)")
    args = parser.parse_args()
    from bench.gen_portfolio import gen_portfolio

    cases = [
        ("sample (48)", load_portfolio(SAMPLE), "operational", True),
        ("generated n=200 k=3", generate_portfolio(200, 3, 1), "operational", True),
        ("gen.py N=1,000 K=3", gen_portfolio(1000, 3, 0), "d0", False),
    ]
    paths = [("fast", True)] + ([("plain", False)] if args.reference else [])
    print("| portfolio | what | median s [min-max] |")
    print("| --- | --- | --- |")
    for name, portfolio, dimension, weights_too in cases:
        for label, fast in paths:
            times = [frontier(portfolio, dimension, args.points, fast=fast).seconds for _ in range(args.runs)]
            print(
                f"| {name} | {args.points}-point frontier of {dimension} ({label}) | "
                f"{statistics.median(times):.2f} [{min(times):.2f}-{max(times):.2f}] |",
                flush=True,
            )
            if not weights_too:
                continue
            weights = []
            for _ in range(args.runs):
                started = time.perf_counter()
                weight_sensitivity(portfolio, fast=fast)
                weights.append(time.perf_counter() - started)
            print(
                f"| {name} | weight sensitivity, all criteria ({label}) | "
                f"{statistics.median(weights):.2f} [{min(weights):.2f}-{max(weights):.2f}] |",
                flush=True,
            )


if __name__ == "__main__":
    main()
