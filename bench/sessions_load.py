"""Concurrent-sessions benchmark: N app sessions at once (AppTest, in threads), each on its own scenario.

    .venv/bin/python -m bench.sessions_load [--sessions 1,10,20]

Prints the median and worst seconds per run (a first run and one rerun per session), the runs whose page was
wrong or empty, and the exceptions raised in any thread. Runs are never repeated: every run counts.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path

import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options

from optimiser.domain import Portfolio
from optimiser.formats import load_portfolio

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
RUNS_PER_SESSION = 2  # a first run and a rerun

# Three families of rules; with count limits 10 to 17 they give 24 distinct scenarios, each with its own kept set
# on the sample portfolio (tests/app/test_concurrent_sessions.py checks that the sets differ pairwise).
LOCKS: tuple[dict[str, tuple[str, ...]], ...] = (
    {},
    {"locked_in": ("LOC-DIG03",)},
    {"locked_in": ("LOC-WF01",), "locked_out": ("LOC-NH01",)},
)
SCENARIOS = 8 * len(LOCKS)


def scenario(sample: Portfolio, i: int) -> Portfolio:
    """Scenario i (0 to 23): count limit 10 + i % 8, and the lock-ins and lock-outs of family i // 8."""
    if not 0 <= i < SCENARIOS:
        raise ValueError(f"there are {SCENARIOS} distinct scenarios; {i} is out of range")
    rules = replace(sample.rules, max_priorities=10 + i % 8, **LOCKS[i // 8])
    return replace(sample, name=f"Session {i}", rules=rules)


@dataclass(frozen=True)
class Run:
    """What one run of one session showed."""

    session: int
    run: int  # 0: first run, 1: rerun
    seconds: float
    kept_metric: str | None  # the "Priorities kept" metric, e.g. "12 of 48"
    kept_ids: frozenset[str]  # the ids in the Kept table
    caption: str | None  # the "Portfolio: <name> · solved by ..." caption, unescaped
    problem: str | None  # why the page is not a result page (exception, error or empty page), else None


@dataclass
class SessionsReport:
    runs: list[Run] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # exceptions in the session threads or the script threads


def _read_run(at: AppTest, session: int, run: int, seconds: float) -> Run:
    kept = [m.value for m in at.metric if m.label == "Priorities kept"]
    captions = [c.value.replace("\\", "") for c in at.caption if c.value.replace("\\", "").startswith("Portfolio:")]
    kept_tabs = [t for t in at.tabs if t.label.startswith("Kept (")]
    ids: frozenset[str] = frozenset()
    if kept_tabs and kept_tabs[0].dataframe:
        ids = frozenset(kept_tabs[0].dataframe[0].value["id"])
    problem = None
    if at.exception:
        problem = f"exception: {at.exception[0].value}"
    elif not kept or not captions or not kept_tabs:
        problem = (
            f"no result shown: titles {[t.value for t in at.title]}, errors {[e.value for e in at.error]}, "
            f"{len(list(at))} elements"
        )
    return Run(session, run, seconds, kept[0] if kept else None, ids, captions[0] if captions else None, problem)


_COMPILE_LOCK = threading.Lock()


@contextmanager
def app_tests_in_threads() -> Iterator[list[str]]:
    """Make AppTest safe to run from several threads at once; yields the list of exceptions raised in any thread.

    AppTest is written for one run at a time. Each run replaces process-wide state for its duration, which
    sessions running in threads share:

    - the Runtime singleton: a run installs a fresh mock Runtime (`Runtime._instance`) and sets it back to None
      when it ends. One session ending removed the Runtime from under the others: their script thread raised
      "Runtime hasn't been created!" in its clean-up and the run came back as an empty page with no error (the
      earlier harness repeated such runs). Here every session uses the first Runtime a run installs, as every
      session of a real server shares the server's one Runtime.
    - the config option `global.appTest`: each run patches `config.get_option` and restores it at its end; runs
      overlapping in threads restored each other's patch, so part of a run could see the option unset (and the
      last patch could outlive the block). Here it is set once for the whole block.
    - compiling: CPython 3.11's AST constructor is not thread-safe ("SystemError: AST constructor recursion depth
      mismatch"), and each AppTest run has its own script cache and compiles the pages itself. A real server has
      one script cache that compiles each page once under its own lock; here compiles happen one at a time. The
      runs themselves still overlap.
    """
    errors: list[str] = []
    shared: list[Runtime] = []
    shared_lock = threading.Lock()
    original_instance = Runtime.__dict__["instance"]
    original_exists = Runtime.__dict__["exists"]
    original_bytecode = ScriptCache.get_bytecode
    original_patch = app_test_module.patch_config_options
    original_hook = threading.excepthook
    overrides = {"global.appTest": True}

    def instance(cls) -> Runtime:
        # The first run's script thread asks for the Runtime before any run can have ended (a run clears the
        # singleton only after its script has finished), so the first Runtime seen here is a live one.
        with shared_lock:
            if not shared and cls._instance is not None:
                shared.append(cls._instance)
            if not shared:
                raise RuntimeError("Runtime hasn't been created!")
            return shared[0]

    def exists(cls) -> bool:
        return bool(shared) or cls._instance is not None

    def serialised(self, script_path):
        with _COMPILE_LOCK:
            return original_bytecode(self, script_path)

    def set_once(config_overrides):
        if config_overrides != overrides:  # a newer AppTest patches more: this harness must learn about it
            raise RuntimeError(f"AppTest patches {config_overrides}; this harness sets only {overrides}")
        return nullcontext()

    def record(args: threading.ExceptHookArgs) -> None:
        errors.append(f"{getattr(args.thread, 'name', '?')}: {args.exc_type.__name__}: {args.exc_value}")
        original_hook(args)

    Runtime.instance = classmethod(instance)
    Runtime.exists = classmethod(exists)
    ScriptCache.get_bytecode = serialised
    app_test_module.patch_config_options = set_once
    threading.excepthook = record
    try:
        with patch_config_options(overrides):
            yield errors
    finally:
        Runtime.instance = original_instance
        Runtime.exists = original_exists
        ScriptCache.get_bytecode = original_bytecode
        app_test_module.patch_config_options = original_patch
        threading.excepthook = original_hook


def run_sessions(sample: Portfolio, count: int) -> SessionsReport:
    """Run `count` sessions at once (scenarios 0 to count - 1), each a first run and a rerun; every run is
    recorded as it was, none is repeated."""
    report = SessionsReport()
    start = threading.Barrier(count)
    tests = []
    for i in range(count):  # prepared here, outside any script run
        at = AppTest.from_file(APP, default_timeout=300)
        at.session_state["portfolio"] = scenario(sample, i)
        # The solver's time limit is wall-clock: with 20 sessions sharing 2 cores, 10 s can run out.
        at.session_state["solver_time_limit"] = 120.0
        tests.append(at)
    lock = threading.Lock()

    def session(i: int) -> None:
        # An exception here ends the thread; app_tests_in_threads records it (and the run is then missing).
        start.wait(timeout=600)
        for run in range(RUNS_PER_SESSION):
            began = time.perf_counter()
            tests[i].run()
            seen = _read_run(tests[i], i, run, time.perf_counter() - began)
            with lock:
                report.runs.append(seen)

    with app_tests_in_threads() as thread_errors:
        threads = [threading.Thread(target=session, args=(i,), name=f"session-{i}") for i in range(count)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    report.errors.extend(thread_errors)
    report.runs.sort(key=lambda r: (r.session, r.run))
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", default="1,10,20")
    args = parser.parse_args()
    sample = load_portfolio(ROOT / "sample_data" / "icb_portfolio.json")
    print("| sessions at once | median s per run | worst s per run | runs without a result | errors |")
    print("| --- | --- | --- | --- | --- |")
    for count in (int(x) for x in args.sessions.split(",")):
        report = run_sessions(sample, count)
        times = [r.seconds for r in report.runs]
        bad = [r for r in report.runs if r.problem]
        print(
            f"| {count} | {statistics.median(times):.2f} | {max(times):.2f} | {len(bad)} | {len(report.errors)} |",
            flush=True,
        )
        for r in bad:
            print(f"  session {r.session} run {r.run}: {r.problem}")
        for e in report.errors:
            print(f"  {e}")


if __name__ == "__main__":
    main()
