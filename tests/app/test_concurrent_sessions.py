"""Twenty sessions at once, each on its own scenario: each gets its own correct result, with no cross-talk in
session state or the shared caches."""

from __future__ import annotations

import statistics
from pathlib import Path

from bench.sessions_load import run_sessions, scenario
from optimiser.formats import load_portfolio
from optimiser.solve import solve

ROOT = Path(__file__).resolve().parents[2]
SESSIONS = 20


def test_twenty_sessions_at_once_each_get_their_own_result():
    sample = load_portfolio(ROOT / "sample_data" / "icb_portfolio.json")
    expected = {i: f"{len(solve(scenario(sample, i)).kept)} of 48" for i in range(SESSIONS)}
    assert len(set(expected.values())) >= 5, "the scenarios must differ"
    seen, times, errors, retries = run_sessions(sample, SESSIONS)
    assert not errors, errors[:3]
    assert {i: kept for i, (kept, _) in seen.items()} == expected
    for i, (_, caption) in seen.items():
        assert f"Session {i}" in caption.replace("\\", "")
    assert len(retries) <= SESSIONS // 4, f"too many empty runs: {retries}"
    print(
        f"\n{SESSIONS} sessions: median {statistics.median(times):.2f} s, worst {max(times):.2f} s per run "
        f"({len(retries)} runs repeated by the harness)"
    )
