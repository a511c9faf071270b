"""Robustness benchmark: seeded samples of the uncertain scores and costs, each re-solved and checked.

    .venv/bin/python -m bench.robust_speed                 # sample: 500 samples; gen.py N=200 K=5: 200 samples
    .venv/bin/python -m bench.robust_speed --runs 3 --workers 2

The sample portfolio uses its own ranges and spreads (15% on every score, 10% on every cost); the gen.py
instance gets a spread of 15% on its score and 10% on every cost. Prints wall seconds (median [min-max] over
the runs), the process's CPU seconds (both threads; on two otherwise idle cores the wall time is about half of
it), CPU seconds per sample and what the samples found. Targets (issue 14): under 10 s and under 30 s.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace
from pathlib import Path

from bench.gen_portfolio import gen_portfolio
from optimiser.formats import load_portfolio
from optimiser.robustness import robustness

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "icb_portfolio.json"


def with_spreads(portfolio, score_pct: float, cost_pct: float):
    return replace(
        portfolio,
        criteria=tuple(replace(c, spread_pct=score_pct) for c in portfolio.criteria),
        dimensions=tuple(replace(d, spread_pct=cost_pct) for d in portfolio.dimensions),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sample-samples", type=int, default=500)
    parser.add_argument("--gen-samples", type=int, default=200)
    args = parser.parse_args()
    cases = [
        ("sample (48), own ranges and spreads", load_portfolio(SAMPLE), args.sample_samples, 10.0),
        (
            "gen.py N=200 K=5 seed 0, spreads 15%/10%",
            with_spreads(gen_portfolio(200, 5, 0), 15, 10),
            args.gen_samples,
            30.0,
        ),
    ]
    print(
        "| portfolio | samples | judgements | wall s median [min-max] | CPU s (both threads) | CPU s per sample | "
        "target s | bands kept/contested/dropped | unproven |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, portfolio, samples, target in cases:
        times, cpu = [], []
        found = None
        for _ in range(args.runs):
            started = time.process_time()
            found = robustness(portfolio, samples, 1, workers=args.workers)
            cpu.append(time.process_time() - started)
            times.append(found.seconds)
        bands = "/".join(str(len(found.band_ids(b))) for b in ("kept", "contested", "dropped"))
        print(
            f"| {name} | {samples} | {found.judgements} | {statistics.median(times):.2f} "
            f"[{min(times):.2f}-{max(times):.2f}] | {statistics.median(cpu):.1f} | {statistics.median(cpu) / samples:.3f} | "
            f"{target:g} | {bands} | "
            f"{found.unproven} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
