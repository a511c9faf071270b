"""Command line: `python -m optimiser solve|explain|frontier|report|robust|plan <portfolio file>`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

# Only what the argument parser needs is imported here, so that `--help` and argument errors answer at
# once; the engine (numpy, the solvers, pandas for tables) is imported once a command runs.
from .solver_options import DEFAULT_TIME_LIMIT, SOLVERS, check_time_limit


def time_limit_arg(text: str) -> float:
    """argparse type of --time-limit: seconds, finite, above 0 and at most an hour (`check_time_limit`)."""
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds.") from None
    try:
        return check_time_limit(seconds)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from err


def plan_years_arg(text: str) -> int:
    """argparse type of --years: a whole number of plan years, 1-10."""
    try:
        years = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of years.") from None
    if not 1 <= years <= 10:
        raise argparse.ArgumentTypeError(f"the plan must have 1 to 10 years, not {years}.")
    return years


def main(argv: list[str] | None = None) -> int:
    """Run one command; a reader that closes the pipe early (`| head`) ends it quietly."""
    try:
        return run(argv)
    except BrokenPipeError:
        # Python flushes stdout again at exit: point it at /dev/null so that no second error is printed.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


# glibc's malloc.h: mallopt(M_TRIM_THRESHOLD / M_MMAP_THRESHOLD, bytes).
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MALLOC_THRESHOLD = 1 << 20


def give_back_freed_memory() -> None:
    """Have glibc's malloc hand blocks of 1 MB or more back to the system once freed.

    By default glibc raises its thresholds to the size of the largest block freed so far (the file's text,
    then HiGHS's vectors): later blocks of up to several MB come from the heap and stay resident once freed.
    Fixed at 1 MB, the peak of `solve --json` on a gen.py portfolio of 20,000 priorities is about 10 MB lower
    (bench/cli_speed.py). Lower thresholds save more (128 kB: another 25 MB) but cost seconds of system time
    there, as HiGHS allocates and frees vectors of 100-250 kB throughout its search. A C library other than
    glibc is left as it is; results do not depend on it."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(M_MMAP_THRESHOLD, MALLOC_THRESHOLD)
        libc.mallopt(M_TRIM_THRESHOLD, MALLOC_THRESHOLD)
    except (OSError, AttributeError):
        pass


def emit(document: dict) -> None:
    print(json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False))


def run(argv: list[str] | None = None) -> int:
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
    solve_cmd.add_argument(
        "--time-limit", type=time_limit_arg, default=DEFAULT_TIME_LIMIT, help="seconds (default %(default)s)"
    )
    solve_cmd.add_argument("--json", action="store_true", help="print a JSON document (see the README's schema)")
    explain_cmd = sub.add_parser("explain", help="explain why each priority is kept or dropped (or what conflicts)")
    explain_cmd.add_argument("portfolio", help="portfolio file (.json) or priorities table (.csv, with --settings)")
    explain_cmd.add_argument(
        "--settings", help="portfolio .json whose capacities, criteria and rules go with a .csv table"
    )
    explain_cmd.add_argument("--solver", choices=SOLVERS, default="auto")
    explain_cmd.add_argument(
        "--time-limit", type=time_limit_arg, default=DEFAULT_TIME_LIMIT, help="seconds (default %(default)s)"
    )
    explain_cmd.add_argument("--json", action="store_true", help="print a JSON document (see the README's schema)")
    frontier_cmd = sub.add_parser("frontier", help="best value at levels of one capacity, and what enters where")
    frontier_cmd.add_argument("portfolio", help="portfolio file (.json) or priorities table (.csv, with --settings)")
    frontier_cmd.add_argument(
        "--settings", help="portfolio .json whose capacities, criteria and rules go with a .csv table"
    )
    frontier_cmd.add_argument("--dimension", required=True, help="capacity dimension to vary")
    frontier_cmd.add_argument("--points", type=int, default=25, help="number of capacity levels (default %(default)s)")
    frontier_cmd.add_argument(
        "--time-limit", type=time_limit_arg, default=DEFAULT_TIME_LIMIT, help="seconds (default %(default)s)"
    )
    frontier_cmd.add_argument("--json", action="store_true", help="print a JSON document (see the README's schema)")
    report_cmd = sub.add_parser("report", help="write the board pack (PDF or self-contained HTML)")
    report_cmd.add_argument(
        "portfolio", help="portfolio file (.json), workbook (.xlsx) or table (.csv, with --settings)"
    )
    report_cmd.add_argument(
        "--settings", help="portfolio .json whose capacities, criteria and rules go with a .csv table"
    )
    report_cmd.add_argument("--out", required=True, help="output file ending in .pdf or .html")
    report_cmd.add_argument("--name", help="scenario name for the title (default: the portfolio's name)")
    report_cmd.add_argument(
        "--owner",
        help="write the brief for this owner instead: their dropped priorities and what would bring each back",
    )
    report_cmd.add_argument("--solver", choices=SOLVERS, default="auto")
    report_cmd.add_argument(
        "--time-limit", type=time_limit_arg, default=DEFAULT_TIME_LIMIT, help="seconds (default %(default)s)"
    )
    robust_cmd = sub.add_parser(
        "robust", help="how often each priority is kept when scores and costs are drawn from their ranges"
    )
    robust_cmd.add_argument(
        "portfolio", help="portfolio file (.json), workbook (.xlsx) or table (.csv, with --settings)"
    )
    robust_cmd.add_argument(
        "--settings", help="portfolio .json whose capacities, criteria and rules go with a .csv table"
    )
    robust_cmd.add_argument("--samples", type=int, default=500, help="number of samples (default %(default)s)")
    robust_cmd.add_argument("--seed", type=int, default=1, help="seed of the random draws (default %(default)s)")
    robust_cmd.add_argument(
        "--time-limit", type=time_limit_arg, default=10.0, help="seconds per sampled solve (default %(default)s)"
    )
    robust_cmd.add_argument("--json", action="store_true", help="print a JSON document (see the README's schema)")
    plan_cmd = sub.add_parser(
        "plan", help="the multi-year plan as a roadmap: what starts, continues and stops in each year"
    )
    plan_cmd.add_argument("portfolio", help="portfolio file (.json), workbook (.xlsx) or table (.csv, with --settings)")
    plan_cmd.add_argument(
        "--settings", help="portfolio .json whose capacities, criteria and rules go with a .csv table"
    )
    plan_cmd.add_argument("--years", type=plan_years_arg, help="plan length in years, 1-10 (default: the file's plan)")
    plan_cmd.add_argument("--solver", choices=SOLVERS, default="auto")
    plan_cmd.add_argument(
        "--time-limit", type=time_limit_arg, default=DEFAULT_TIME_LIMIT, help="seconds (default %(default)s)"
    )
    plan_cmd.add_argument("--json", action="store_true", help="print a JSON document (see the README's schema)")
    args = parser.parse_args(argv)
    give_back_freed_memory()
    from . import json_out
    from .errors import PortfolioError
    from .formats import load_portfolio
    from .report_text import frontier_text, result_text
    from .solve import solve

    try:
        portfolio = load_portfolio(args.portfolio, settings=args.settings)
        check_time_limit(args.time_limit)
    except (PortfolioError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.command == "plan":
        from .plan_cli import plan_command  # imported here: start-up time of the other commands

        return plan_command(portfolio, args)
    if args.command == "robust":
        from .robust_cli import robust_command  # imported here: start-up time of the other commands

        return robust_command(portfolio, args)
    if args.command == "frontier":
        names = [d.name for d in portfolio.dimensions]
        if args.dimension not in names:
            print(f"error: no capacity dimension '{args.dimension}'. Use one of: {', '.join(names)}.", file=sys.stderr)
            return 2
        if not 2 <= args.points <= 200:
            print("error: --points must be from 2 to 200.", file=sys.stderr)
            return 2
        from .frontier import frontier

        found = frontier(portfolio, args.dimension, args.points, args.time_limit)
        if args.json:
            emit(json_out.frontier_document(portfolio, found))
        else:
            print(frontier_text(found))
        return 0
    result = solve(portfolio, solver=args.solver, time_limit=args.time_limit)
    if args.command == "report":
        return write_report(portfolio, result, args.out, args.name, args.owner)
    if args.command == "explain":
        from .explanations import explain_portfolio
        from .report_text import explain_text

        explained = explain_portfolio(portfolio, result, time_limit=args.time_limit) if result.has_selection else None
        if args.json:
            emit(json_out.explanation_document(portfolio, result, explained))
        else:
            print(explain_text(portfolio, result, explained, time_limit=args.time_limit))
    elif args.json:
        emit(json_out.result_document(portfolio, result))
    else:
        print(result_text(portfolio, result))
    return 0 if result.has_selection else 1


def write_report(portfolio, result, out: str, name: str | None, owner: str | None = None) -> int:
    from .report_text import result_text

    target = Path(out)
    if target.suffix.lower() not in (".pdf", ".html"):
        print("error: --out must end in .pdf or .html.", file=sys.stderr)
        return 2
    if not result.has_selection:
        print(result_text(portfolio, result))
        if result.status == "infeasible":
            print("error: no board pack: the rules conflict (see above).", file=sys.stderr)
        elif result.time_limit_hit:
            print(
                "error: no board pack: the solver reached its time limit before finding any selection. "
                "Try a longer --time-limit.",
                file=sys.stderr,
            )
        else:
            print(f"error: no board pack: {result.message}", file=sys.stderr)
        return 1
    from reports.board_pack import board_pack_html, html_to_pdf, owner_brief_html, owner_explanations, owners

    if owner is not None:
        if owner not in owners(portfolio):
            print(
                f"error: no priority has the owner '{owner}'. Owners: {', '.join(owners(portfolio))}.", file=sys.stderr
            )
            return 2
        explained = owner_explanations(portfolio, result, owner)
        document = owner_brief_html(portfolio, result, owner, explained, name)
    else:
        document = board_pack_html(portfolio, result, name)
    try:
        if target.suffix.lower() == ".pdf":
            target.write_bytes(html_to_pdf(document))
        else:
            target.write_text(document, encoding="utf-8")
    except OSError as err:
        print(f"error: cannot write {target}: {err.strerror}", file=sys.stderr)
        return 2
    what = f"Brief for {owner}" if owner is not None else "Board pack"
    print(f"{what} written to {target} ({len(result.kept)} of {len(portfolio.priorities)} priorities kept).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
