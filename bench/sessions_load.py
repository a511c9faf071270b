"""Concurrent-sessions benchmark: N app sessions at once (AppTest, in threads), each on its own scenario.

    .venv/bin/python -m bench.sessions_load [--sessions 1,10,20]

Prints the median and worst seconds per rerun (a first run and one rerun per session).
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.testing.v1 import AppTest

from optimiser.domain import Portfolio
from optimiser.formats import load_portfolio

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")


def scenario(sample: Portfolio, i: int) -> Portfolio:
    """Different scenarios: count limits from 10 to 17 and, for odd sessions, a locked-out priority."""
    rules = replace(sample.rules, max_priorities=10 + i % 8, locked_out=("LOC-NH01",) if i % 2 else ())
    return replace(sample, name=f"Session {i}", rules=rules)


_COMPILE_LOCK = threading.Lock()


@contextmanager
def compiles_one_at_a_time():
    """Compile page scripts one thread at a time while sessions run in threads.

    CPython 3.11's AST constructor is not thread-safe: two threads compiling at once can raise
    "SystemError: AST constructor recursion depth mismatch". Each AppTest session has its own Runtime and so
    its own script cache, and compiles the pages itself, at the same moment as the others. A real server has
    one script cache, which compiles each page once under its own lock, so this only serialises what AppTest
    in threads would otherwise do at once; the runs themselves still overlap."""
    original = ScriptCache.get_bytecode

    def serialised(self, script_path):
        with _COMPILE_LOCK:
            return original(self, script_path)

    ScriptCache.get_bytecode = serialised
    try:
        yield
    finally:
        ScriptCache.get_bytecode = original


def run_sessions(sample: Portfolio, count: int):
    """Run `count` sessions at once; returns ({session: (kept metric, caption)}, seconds per run, errors,
    sessions whose run AppTest had to repeat)."""
    seen: dict[int, tuple[str, str]] = {}
    times: list[float] = []
    errors: list[BaseException] = []
    retries: list[int] = []
    start = threading.Barrier(count)

    def session(i: int) -> None:
        try:
            at = AppTest.from_file(APP, default_timeout=300)
            at.session_state["portfolio"] = scenario(sample, i)
            # The solver's time limit is wall-clock: with 20 sessions sharing 2 cores, 10 s can run out.
            at.session_state["solver_time_limit"] = 120.0
            start.wait()
            for _ in range(2):  # first run and a rerun
                began = time.perf_counter()
                at.run()
                if not at.title and not at.exception:
                    # AppTest is not built for threads: its runs share one Runtime singleton, and another
                    # session's teardown can remove it mid-run ("Runtime hasn't been created!" in the script
                    # thread), leaving an empty page and no error. Rerunning that session shows its page.
                    # Counted and reported, not hidden.
                    retries.append(i)
                    at.run()
                times.append(time.perf_counter() - began)
            if at.exception:
                raise RuntimeError(at.exception[0].value)
            kept = [m.value for m in at.metric if m.label == "Priorities kept"]
            caption = [c.value for c in at.caption if "Portfolio" in c.value]
            if not kept or not caption:
                raise RuntimeError(
                    f"session {i} shows no result: errors {[e.value for e in at.error]}, "
                    f"titles {[t.value for t in at.title]}"
                )
            seen[i] = (kept[0], caption[0])
        except BaseException as err:  # noqa: BLE001 - reported to the caller
            errors.append(err)

    threads = [threading.Thread(target=session, args=(i,)) for i in range(count)]
    with compiles_one_at_a_time():
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    return seen, times, errors, retries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", default="1,10,20")
    args = parser.parse_args()
    sample = load_portfolio(ROOT / "sample_data" / "icb_portfolio.json")
    print("| sessions at once | median s per run | worst s per run | errors | runs repeated |")
    print("| --- | --- | --- | --- | --- |")
    for count in (int(x) for x in args.sessions.split(",")):
        _, times, errors, retries = run_sessions(sample, count)
        print(
            f"| {count} | {statistics.median(times):.2f} | {max(times):.2f} | {len(errors)} | {len(retries)} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
