"""Command line: `python -m optimiser solve|explain|frontier <portfolio file>`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .backends import DEFAULT_TIME_LIMIT, SOLVERS
from .errors import PortfolioError
from .formats import load_portfolio
from .frontier import frontier
from .report_text import explain_text, frontier_text, result_text
from .solve import solve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m optimiser", description="Rationalise a portfolio of improvement priorities."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    solve_cmd = sub.add_parser("solve", help="pick the best set of priorities and print it")
    solve_cmd.add_argument("portfolio", help="portfolio file (.json) or priorities table (.csv, with --settings)")
    solve_cmd.add_argument(
        "--settings", help="portfolio .json whose capacities, criteria and rules go with a .csv table"
    )
    solve_cmd.add_argument("--solver", choices=SOLVERS, default="auto")
    solve_cmd.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT, help="seconds (default %(default)s)")
    explain_cmd = sub.add_parser("explain", help="explain why each priority is kept or dropped (or what conflicts)")
    explain_cmd.add_argument("portfolio", help="portfolio file (.json) or priorities table (.csv, with --settings)")
    explain_cmd.add_argument(
        "--settings", help="portfolio .json whose capacities, criteria and rules go with a .csv table"
    )
    explain_cmd.add_argument("--solver", choices=SOLVERS, default="auto")
    explain_cmd.add_argument(
        "--time-limit", type=float, default=DEFAULT_TIME_LIMIT, help="seconds (default %(default)s)"
    )
    frontier_cmd = sub.add_parser("frontier", help="best value at levels of one capacity, and what enters where")
    frontier_cmd.add_argument("portfolio", help="portfolio file (.json) or priorities table (.csv, with --settings)")
    frontier_cmd.add_argument(
        "--settings", help="portfolio .json whose capacities, criteria and rules go with a .csv table"
    )
    frontier_cmd.add_argument("--dimension", required=True, help="capacity dimension to vary")
    frontier_cmd.add_argument("--points", type=int, default=25, help="number of capacity levels (default %(default)s)")
    frontier_cmd.add_argument(
        "--time-limit", type=float, default=DEFAULT_TIME_LIMIT, help="seconds (default %(default)s)"
    )
    report_cmd = sub.add_parser("report", help="write the board pack (PDF or self-contained HTML)")
    report_cmd.add_argument(
        "portfolio", help="portfolio file (.json), workbook (.xlsx) or table (.csv, with --settings)"
    )
    report_cmd.add_argument(
        "--settings", help="portfolio .json whose capacities, criteria and rules go with a .csv table"
    )
    report_cmd.add_argument("--out", required=True, help="output file ending in .pdf or .html")
    report_cmd.add_argument("--name", help="scenario name for the title (default: the portfolio's name)")
    report_cmd.add_argument("--solver", choices=SOLVERS, default="auto")
    report_cmd.add_argument(
        "--time-limit", type=float, default=DEFAULT_TIME_LIMIT, help="seconds (default %(default)s)"
    )
    args = parser.parse_args(argv)
    try:
        portfolio = load_portfolio(args.portfolio, settings=args.settings)
    except PortfolioError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.command == "frontier":
        names = [d.name for d in portfolio.dimensions]
        if args.dimension not in names:
            print(f"error: no capacity dimension '{args.dimension}'. Use one of: {', '.join(names)}.", file=sys.stderr)
            return 2
        if not 2 <= args.points <= 200:
            print("error: --points must be from 2 to 200.", file=sys.stderr)
            return 2
        print(frontier_text(frontier(portfolio, args.dimension, args.points, args.time_limit)))
        return 0
    result = solve(portfolio, solver=args.solver, time_limit=args.time_limit)
    if args.command == "report":
        return write_report(portfolio, result, args.out, args.name)
    if args.command == "explain":
        print(explain_text(portfolio, result, time_limit=args.time_limit))
    else:
        print(result_text(portfolio, result))
    return 0 if result.has_selection else 1


def write_report(portfolio, result, out: str, name: str | None) -> int:
    target = Path(out)
    if target.suffix.lower() not in (".pdf", ".html"):
        print("error: --out must end in .pdf or .html.", file=sys.stderr)
        return 2
    if not result.has_selection:
        print(result_text(portfolio, result))
        print("error: no board pack: the rules conflict (see above).", file=sys.stderr)
        return 1
    from reports.board_pack import board_pack_html, html_to_pdf

    document = board_pack_html(portfolio, result, name)
    try:
        if target.suffix.lower() == ".pdf":
            target.write_bytes(html_to_pdf(document))
        else:
            target.write_text(document, encoding="utf-8")
    except OSError as err:
        print(f"error: cannot write {target}: {err.strerror}", file=sys.stderr)
        return 2
    print(f"Board pack written to {target} ({len(result.kept)} of {len(portfolio.priorities)} priorities kept).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
