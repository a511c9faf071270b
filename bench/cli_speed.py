"""The command line end to end: start-up, the sample, and gen.py portfolios up to 20,000 priorities.

    .venv/bin/python -m bench.cli_speed                    # --help, the sample, N=200 and N=20,000 (K=3)
    .venv/bin/python -m bench.cli_speed --sizes 200,5000 --runs 3

Each run is a fresh `python -m optimiser` process. Prints the median [min-max] wall seconds and the peak
resident memory (the largest of the process and the solver process it waited for, from getrusage), and for
the generated portfolios where the time goes inside one process (reading the file, building the model,
solving, checking and writing the JSON answer).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.gen_portfolio import gen_portfolio
from optimiser.formats import portfolio_to_dict

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "icb_portfolio.json"


def run(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS in MB of one command (its own process and any it waited for)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "optimiser", *args], capture_output=True, check=False, cwd=ROOT)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(after, before) / 1024.0


def peak_of(args: list[str]) -> float:
    """Peak RSS of one command alone, measured in a fresh measuring process (ru_maxrss is a running maximum)."""
    code = (
        "import resource, subprocess, sys; "
        f"subprocess.run([sys.executable, '-m', 'optimiser', *{args!r}], capture_output=True, cwd={str(ROOT)!r}); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024.0


def phases(path: Path) -> str:
    from optimiser import json_out
    from optimiser.backends import run_solver
    from optimiser.formats import load_portfolio
    from optimiser.model import build_model
    from optimiser.solve import solve

    marks = [time.perf_counter()]
    portfolio = load_portfolio(path)
    marks.append(time.perf_counter())
    model = build_model(portfolio)
    marks.append(time.perf_counter())
    outcome = run_solver(model)
    marks.append(time.perf_counter())
    result = solve(portfolio)  # the whole solve again: build, solve, check_rules, figures
    marks.append(time.perf_counter())
    json.dumps(json_out.result_document(portfolio, result))
    marks.append(time.perf_counter())
    load, build, solver, whole, answer = (b - a for a, b in zip(marks, marks[1:]))
    return (
        f"read {load:.2f} s, build {build:.2f} s, solver {solver:.2f} s ({outcome.solver}), "
        f"whole solve {whole:.2f} s (so checks and figures {max(whole - build - solver, 0):.2f} s), JSON {answer:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="200,20000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print("| command | median s [min-max] | peak MB |")
    print("| --- | --- | --- |", flush=True)
    cases: list[tuple[str, list[str], Path | None]] = [
        ("python -m optimiser --help", ["--help"], None),
        ("solve the sample", ["solve", str(SAMPLE)], None),
        ("solve the sample --json", ["solve", str(SAMPLE), "--json"], None),
    ]
    with tempfile.TemporaryDirectory() as folder:
        for n in (int(v) for v in args.sizes.split(",")):
            path = Path(folder) / f"gen_{n}.json"
            path.write_text(json.dumps(portfolio_to_dict(gen_portfolio(n, 3, 0))))
            cases.append((f"solve gen.py N={n:,} K=3 --json", ["solve", str(path), "--json"], path))
        for name, argv, path in cases:
            runs = args.runs if path is None or "20000" not in str(path) else max(1, min(args.runs, 3))
            times = [run(argv)[0] for _ in range(runs)]
            peak = peak_of(argv)
            print(
                f"| {name} | {statistics.median(times):.2f} [{min(times):.2f}-{max(times):.2f}] | {peak:.0f} |",
                flush=True,
            )
        for name, _, path in cases:
            if path is not None:
                print(f"- {name}: {phases(path)}", flush=True)


if __name__ == "__main__":
    main()
