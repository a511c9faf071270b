"""Twenty sessions at once, each on its own scenario: every run of every session (first run and rerun) shows
that session's own result, with no cross-talk in session state or the shared caches. No run is repeated."""

from __future__ import annotations

import itertools
import statistics
from pathlib import Path

from bench.sessions_load import RUNS_PER_SESSION, run_sessions, scenario
from optimiser.formats import load_portfolio
from optimiser.solve import solve

ROOT = Path(__file__).resolve().parents[2]
SESSIONS = 20


def test_twenty_sessions_at_once_each_get_their_own_result():
    sample = load_portfolio(ROOT / "sample_data" / "icb_portfolio.json")
    scenarios = [scenario(sample, i) for i in range(SESSIONS)]
    assert len({s.rules for s in scenarios}) == SESSIONS, "every session has its own rules"
    solved = [solve(s) for s in scenarios]
    assert all(r.has_selection and r.proven for r in solved)
    expected = {i: (f"{len(r.kept)} of {len(sample.priorities)}", frozenset(r.kept)) for i, r in enumerate(solved)}
    same = [(a, b) for a, b in itertools.combinations(range(SESSIONS), 2) if expected[a][1] == expected[b][1]]
    assert not same, f"sessions with the same kept set would hide a mix-up between them: {same}"

    report = run_sessions(sample, SESSIONS)

    print(f"\n{SESSIONS} sessions at once, {RUNS_PER_SESSION} runs each, no run repeated:")
    for run in report.runs:
        print(
            f"  session {run.session:2} run {run.run}: {run.seconds:6.2f} s, {run.kept_metric}"
            + (f", PROBLEM: {run.problem}" if run.problem else "")
        )
    for error in report.errors:
        print(f"  ERROR {error}")
    times = [r.seconds for r in report.runs]
    if times:
        print(f"  median {statistics.median(times):.2f} s, worst {max(times):.2f} s per run")

    assert not report.errors, report.errors
    assert [(r.session, r.run) for r in report.runs] == [
        (i, run) for i in range(SESSIONS) for run in range(RUNS_PER_SESSION)
    ], "every session ran a first run and a rerun"
    wrong = [
        f"session {r.session} run {r.run}: {r.problem or ''} shows {r.kept_metric} {sorted(r.kept_ids)} "
        f"and caption {r.caption!r}; expected {expected[r.session][0]} {sorted(expected[r.session][1])}"
        for r in report.runs
        if r.problem
        or (r.kept_metric, r.kept_ids) != expected[r.session]
        or not (r.caption or "").startswith(f"Portfolio: Session {r.session} · ")
    ]
    assert not wrong, "\n".join(wrong)
