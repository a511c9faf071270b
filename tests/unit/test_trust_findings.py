"""Each finding of the issue "Every figure the tool states is true", as a test that failed before."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from optimiser import words
from optimiser.backends import _cbc_log, _found, is_proven
from optimiser.domain import CapacityDimension, Criterion, HorizonBand, Portfolio, Priority, Rules
from optimiser.errors import PortfolioError
from optimiser.explanations import explain_priority, portfolio_figures
from optimiser.frontier import weight_sensitivity
from optimiser.rules import check_rules
from optimiser.solve import solve
from optimiser.synthetic import generate_portfolio
from optimiser.whatif import Resolver, WhatIf
from tests.builders import portfolio, priority, raw_portfolio

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "optimiser", *args], cwd=ROOT, capture_output=True, text=True)


# 1. "No change would bring it in" when one would ------------------------------------------------


def test_1_the_cli_states_the_cost_at_which_a_too_big_priority_is_kept(tmp_path):
    path = tmp_path / "big.json"
    path.write_text(json.dumps(raw_portfolio([priority("BIG", 12, 10), priority("C", 5, 3)], capacity=10)))
    out = cli("explain", str(path))
    assert out.returncode == 0, out.stderr
    assert "No change to its score or cost alone would bring it in" not in out.stdout
    assert "It would be kept if its costs fell to 83% of today's" in out.stdout
    document = json.loads(cli("explain", str(path), "--json").stdout)
    big = next(p for p in document["priorities"] if p["id"] == "BIG")
    assert big["proven"] and big["kept_at_cost_shares"] == [[0.0, 0.8333]]


# 2. Keeping nothing is never presented without the rule that forces it ---------------------------


def three_horizons(bands: dict) -> dict:
    items = [priority("S", 3, 5), priority("M", 3, 5, horizon="medium"), priority("L", 3, 5, horizon="long")]
    return raw_portfolio(items, capacity=10, rules={"horizon_bands": bands})


def test_2_band_maxima_that_add_to_under_100_are_refused_with_the_reason():
    from optimiser.parsing import parse_portfolio

    bands = {h: {"min_pct": 0, "max_pct": 30} for h in ("short", "medium", "long")}
    with pytest.raises(PortfolioError) as err:
        parse_portfolio(three_horizons(bands))
    assert "maximum shares add up to 90%, under 100%" in str(err.value)


def test_2_a_minimum_for_a_horizon_with_no_priority_is_refused_with_the_reason():
    from optimiser.parsing import parse_portfolio

    raw = raw_portfolio(
        [priority("M", 3, 5, horizon="medium"), priority("L", 3, 5, horizon="long")],
        rules={"horizon_bands": {"short": {"min_pct": 20}}},
    )
    with pytest.raises(PortfolioError) as err:
        parse_portfolio(raw)
    assert "short-term minimum is 20%, but no short-term priority" in str(err.value)


def test_2_an_empty_selection_forced_by_the_bands_names_them():
    # Each alone is 100% of its horizon (below the other's 40% minimum); both do not fit.
    p = portfolio(
        [priority("S", 8, 5), priority("L", 8, 5, horizon="long")],
        capacity=10,
        rules={"horizon_bands": {"short": {"min_pct": 40}, "long": {"min_pct": 40}}},
    )
    result = solve(p)
    assert result.status == "optimal" and result.kept == ()
    assert result.binding[0].rule == "empty_bands"
    assert "Nothing is kept: no selection that uses ops capacity meets the balance bands" in result.message
    assert not check_rules(p, set())


# 3. Re-solves that stop at the time limit are never read as answers ------------------------------


class TimedOutResolver(Resolver):
    """A small fake: every re-solve stops at its time limit, with or without a selection."""

    def __init__(self, p: Portfolio, found: bool):
        super().__init__(p)
        self.found = found

    def _run(self, start=None) -> WhatIf:
        answer = super()._run(start)
        if self.found and answer.objective is not None:
            return replace(answer, status="feasible", gap=0.5)  # the same selection, not proven
        return WhatIf("no_solution", None, frozenset())

    def cost_ranges(self, pid, value_to_beat):
        from optimiser.whatif import CostRanges

        return CostRanges((), proven=False)


@pytest.mark.parametrize("found", [True, False])
def test_3_a_timed_out_what_if_gives_no_figure_and_says_so(found):
    p = portfolio(
        [priority("M", 2, 1, must_do=True, source="national"), priority("A", 6, 5), priority("B", 6, 6)], capacity=10
    )
    base = solve(p)
    assert base.kept == ("M", "B")
    dropped = explain_priority(p, base, "A", TimedOutResolver(p, found))
    assert not dropped.proven and dropped.value_change is None and dropped.cost_ranges is None
    assert "stopped at their time limit" in words.explanation_text(p, dropped)
    must = explain_priority(p, base, "M", TimedOutResolver(p, found))
    assert not must.proven
    assert "would keep it anyway" not in words.explanation_text(p, must)
    figures = portfolio_figures(p, base, TimedOutResolver(p, found))
    assert not figures.proven
    assert figures.must_do_cost.value_gain is None
    assert all(c.gain_one_unit is None and c.gain_ten_pct is None for c in figures.capacity_values)


def test_3_an_unproven_selection_gives_unproven_explanations():
    p = portfolio([priority("A", 6, 5), priority("B", 6, 6)], capacity=10)
    base = solve(p)
    unproven = replace(base, status="feasible", gap=0.01)
    e = explain_priority(p, unproven, "A")
    assert not e.proven and e.value_change is None
    assert not portfolio_figures(p, unproven).proven


# 4. is in test_explanations (test_finding_4_...) and the property test there ----------------------

# 5. The balance is measured on one named capacity: a tiny priority cannot dominate it ------------


def test_5_a_tiny_long_term_priority_does_not_meet_a_long_term_minimum_alone():
    # T uses 1 of 100 ops and 0.1 of a capacity nobody else uses. Under the old "capacity load" it was 50.5%
    # of the kept load beside nine short-term priorities and met a 50% long-term minimum on its own.
    shorts = [
        Priority(f"S{i}", f"Short {i}", "local", "", "t", "short", (("ops", 10.0), ("x", 0.0)), (("v", 10.0),))
        for i in range(9)
    ]
    tiny = Priority("T", "Tiny", "local", "", "t", "long", (("ops", 1.0), ("x", 0.1)), (("v", 1.0),))
    p = Portfolio(
        "tiny",
        (CapacityDimension("ops", "days", 100.0), CapacityDimension("x", "units", 1.0)),
        (Criterion("v", 1.0),),
        (*shorts, tiny),
        Rules(horizon_bands=(HorizonBand("long", 50.0, 100.0),), sensitivity_penalty=0.0, balance_dimension="ops"),
    )
    old_pathology = {"T", *(s.id for s in shorts)}
    (violation,) = check_rules(p, old_pathology)
    assert violation.kind == "horizon_min" and violation.subject == "long"
    result = solve(p)
    assert result.kept == ("T",)
    long_share = next(h for h in result.horizons if h.horizon == "long")
    assert long_share.kept_pct == 100.0 and long_share.kept_use == 1.0 and long_share.dimension == "ops"
    assert words.balance_unit(p) == "share of ops capacity used by the kept priorities"


# 6. Weight sensitivity with no feasible selection ---------------------------------------------------


def test_6_weight_sensitivity_says_there_is_no_selection_when_the_rules_conflict():
    p = portfolio([priority("M", 20, 5, must_do=True)], capacity=10)
    answer = weight_sensitivity(p)
    assert answer.status == "no_selection" and answer.ranges == ()


# 7. "Optimal" only when proven; otherwise the real gap ----------------------------------------------


def test_7_a_selection_is_optimal_only_when_its_bound_proves_it():
    x = np.zeros(1)
    assert _found(x, 41968.0, 41968.0, 0.1, "CBC", "", False).status == "optimal"
    within = _found(x, 41967.0, 41968.0, 0.1, "CBC", "Stopped.", False)
    assert within.status == "feasible" and within.gap == pytest.approx(1 / 41967)
    unknown = _found(x, 10.0, None, 0.1, "HiGHS (PuLP)", "Stopped.", True)
    assert unknown.status == "feasible" and unknown.gap is None and unknown.time_limit_hit
    assert not is_proven(100.0, 100.0 + 2e-5 * 100) and is_proven(100.0, 100.0 + 1e-7)
    assert words.status_message("feasible", 2e-5, False).endswith("within 0.002% of the best possible (net value).")


def test_7_cbc_s_bound_is_read_from_its_log_not_its_signed_gap():
    log = (
        "Result - Optimal solution found (within gap tolerance)\n\n"
        "Objective value:                16583.65000000\nUpper bound:                    16584.113\n"
        "Gap:                            -0.00\n"
    )
    gap, timed_out = _cbc_log(log)
    assert gap == pytest.approx(0.463) and not timed_out
    assert _cbc_log("Result - Stopped on time limit\n\nObjective value: 5\nUpper bound: 6\n") == (1.0, True)
    assert _cbc_log("Result - Optimal solution found\n\nObjective value: 5\n") == (0.0, False)


def test_7_a_cbc_run_with_a_gap_allowed_is_not_called_optimal_unless_proven():
    p = generate_portfolio(1000, 3, seed=0)
    result = solve(p, solver="cbc", gap=1e-3)
    assert result.has_selection
    if result.status == "optimal":
        assert result.gap == 0.0 and result.bound == pytest.approx(result.objective)
    else:
        assert result.gap > 0 and "within" in result.message
    exact = solve(p, solver="highs")
    assert exact.status == "optimal"
    assert result.objective <= exact.objective + 1e-6
    if result.status == "optimal":
        assert result.objective == pytest.approx(exact.objective)


# 8. Repeatable: the same scenario gives the same proven answer ---------------------------------------


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_8_a_proven_answer_is_the_same_every_time(sample, solver):
    first, second = solve(sample, solver=solver), solve(sample, solver=solver)
    assert first.status == second.status == "optimal"
    assert first.kept == second.kept and first.objective == second.objective


def test_8_a_time_limited_answer_is_labelled_as_such():
    p = generate_portfolio(5000, 5, seed=1)
    result = solve(p, solver="cbc", time_limit=0.5)
    assert result.status in ("feasible", "no_solution", "optimal")
    if result.status != "optimal":
        assert not result.proven
        said = ("before proving", "before finding any selection", "without a selection")
        assert any(part in result.message for part in said), result.message


# The command line: JSON documents, a closed pipe, and a time-out that is not called a conflict -------


def test_json_output_of_solve_explain_and_frontier_follows_the_schema():
    solved = json.loads(cli("solve", "sample_data/icb_portfolio.json", "--json").stdout)
    assert solved["schema"] == "priority-rationaliser/result" and solved["schema_version"] == 1
    assert solved["status"] == "optimal" and solved["proven"] and solved["gap"] == 0.0
    assert solved["figures"]["net_value"] == 965.5 and len(solved["kept"]) == 17
    assert solved["balance"]["dimension"] == "operational"
    assert set(solved) >= {"kept", "dropped", "capacity", "binding", "conflicts", "remedies", "message"}
    frontier = json.loads(
        cli(
            "frontier", "sample_data/icb_portfolio.json", "--dimension", "operational", "--points", "4", "--json"
        ).stdout
    )
    assert frontier["schema"] == "priority-rationaliser/frontier" and len(frontier["points"]) == 4
    assert all(point["proven"] for point in frontier["points"])


def test_closing_the_pipe_early_ends_quietly():
    command = f"{sys.executable} -m optimiser explain sample_data/icb_portfolio.json | head -1"
    out = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0
    assert out.stdout.startswith("Portfolio:") and "Traceback" not in out.stderr and "Broken pipe" not in out.stderr


def test_report_after_a_time_out_says_it_timed_out(tmp_path):
    out = cli("report", "sample_data/icb_portfolio.json", "--out", str(tmp_path / "pack.pdf"), "--time-limit", "0.0001")
    assert out.returncode == 1
    assert "time limit" in out.stderr and "conflict" not in out.stderr


def test_a_cbc_infeasibility_claim_that_no_rule_confirms_is_not_called_infeasible(sample):
    result = solve(sample, solver="cbc", time_limit=0.001)
    assert result.status != "infeasible" or result.conflicts[0].rule != "unknown"
