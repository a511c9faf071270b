"""Explanation benchmark: every priority explained, plus the portfolio-level trade-offs.

    .venv/bin/python -m bench.explain_speed            # sample portfolio and a 200-priority generated one
    .venv/bin/python -m bench.explain_speed --runs 1

Prints the median [min-max] seconds over the runs, the number of re-solves and seconds per re-solve.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from optimiser.explanations import explain_portfolio, portfolio_figures
from optimiser.formats import load_portfolio
from optimiser.solve import solve
from optimiser.synthetic import generate_portfolio

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "icb_portfolio.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    cases = [("sample (48)", load_portfolio(SAMPLE)), ("generated n=200 k=3", generate_portfolio(200, 3, 1))]
    print("| portfolio | what | median s [min-max] | re-solves | wall s per re-solve |")
    print("| --- | --- | --- | --- | --- |")
    for name, portfolio in cases:
        result = solve(portfolio)
        full, figures = [], []
        solves = 0
        for _ in range(args.runs):
            explained = explain_portfolio(portfolio, result, workers=args.workers)
            full.append(explained.seconds)
            solves = explained.solves
            figures.append(portfolio_figures(portfolio, result).seconds)
        for what, times, count in (
            ("every priority + figures", full, solves),
            ("portfolio figures only", figures, None),
        ):
            per = f"{statistics.median(times) / count:.3f}" if count else "-"
            print(
                f"| {name} | {what} | {statistics.median(times):.2f} [{min(times):.2f}-{max(times):.2f}] | "
                f"{count if count else '-'} | {per} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
