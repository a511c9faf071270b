"""The model on small hand-checkable portfolios."""

import pytest

from optimiser.backends import run_solver
from optimiser.model import build_model
from optimiser.solve import solve
from tests.builders import portfolio, priority

# cbc: CBC on the MPS file written from the model; cbc-pulp: PuLP's route; race: HiGHS and CBC at once.
SOLVERS = ["highs", "cbc", "cbc-pulp", "race"]


@pytest.mark.parametrize("solver", SOLVERS)
def test_best_pair_that_fits_is_kept(solver):
    # capacity 10: A+B (value 9) beats C alone (value 8) though C has the best single value.
    p = portfolio([priority("A", 5, 4), priority("B", 5, 5), priority("C", 10, 8)])
    result = solve(p, solver=solver)
    assert result.status == "optimal"
    assert result.kept == ("A", "B")
    assert result.value == 9


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_prerequisite_pulls_in_its_parent(solver):
    # B is worth keeping only with A, which it requires; A alone is worth little.
    p = portfolio([priority("A", 4, 1), priority("B", 4, 10, requires=["A"]), priority("C", 6, 6)])
    result = solve(p, solver=solver)
    assert result.kept == ("A", "B")
    assert result.value == 11


@pytest.mark.parametrize("solver", SOLVERS)
def test_an_exclusion_keeps_only_one_alternative(solver):
    p = portfolio([priority("A", 1, 5, excludes=["B"]), priority("B", 1, 4), priority("C", 1, 1)])
    result = solve(p, solver=solver)
    assert result.kept == ("A", "C")
    assert "alternative to Priority A (A)" in result.decision("B").reason


def test_locked_out_priority_is_never_selected():
    p = portfolio([priority("A", 1, 9), priority("B", 1, 1)], rules={"locked_out": ["A"]})
    result = solve(p)
    assert result.kept == ("B",)
    assert result.decision("A").reason == "Dropped: locked out for this scenario."


def test_locked_in_priority_is_kept_even_when_poor_value():
    p = portfolio([priority("A", 6, 1), priority("B", 6, 9)], rules={"locked_in": ["A"]})
    result = solve(p)
    assert result.kept == ("A",)


def test_must_do_is_kept_and_pulls_in_what_it_requires():
    p = portfolio([priority("A", 3, 0), priority("M", 3, 0, must_do=True, requires=["A"]), priority("B", 5, 9)])
    result = solve(p)
    assert set(result.kept) == {"A", "M"}


def test_headroom_reduces_what_fits():
    items = [priority("A", 5, 5), priority("B", 5, 5)]
    assert solve(portfolio(items, capacity=10, headroom=0)).kept == ("A", "B")
    squeezed = solve(portfolio(items, capacity=10, headroom=20))
    assert len(squeezed.kept) == 1
    assert squeezed.capacity[0].usable == pytest.approx(8.0)


def test_max_count_limits_the_number_kept():
    p = portfolio([priority(x, 1, v) for x, v in zip("ABCD", (4, 3, 2, 1))], rules={"max_priorities": 2})
    result = solve(p)
    assert result.kept == ("A", "B")
    assert any(b.rule == "max_priorities" for b in result.binding)


def test_horizon_band_forces_long_term_work_in():
    items = [priority("S1", 2, 9), priority("S2", 2, 9), priority("L", 2, 1, horizon="long")]
    free = solve(portfolio(items, capacity=4))
    assert free.kept == ("S1", "S2")
    banded = solve(portfolio(items, capacity=4, rules={"horizon_bands": {"long": {"min_pct": 40}}}))
    assert "L" in banded.kept and len(banded.kept) == 2  # long share 50% >= 40%
    assert dict((h.horizon, h.kept_pct) for h in banded.horizons)["long"] == pytest.approx(50.0)


def test_horizon_band_maximum_caps_short_term_share():
    items = [priority("S1", 2, 9), priority("S2", 2, 9), priority("M", 2, 1, horizon="medium")]
    result = solve(portfolio(items, capacity=6, rules={"horizon_bands": {"short": {"max_pct": 50}}}))
    assert sorted(result.kept) in (["M", "S1"], ["M", "S2"])


def test_theme_limits_are_respected():
    items = [priority("A", 1, 9, theme="x"), priority("B", 1, 8, theme="x"), priority("C", 1, 1, theme="y")]
    result = solve(portfolio(items, capacity=2, rules={"theme_limits": {"x": {"max": 1}, "y": {"min": 1}}}))
    assert result.kept == ("A", "C")


def test_sensitivity_penalty_keeps_a_hard_to_drop_priority():
    items = [priority("A", 5, 5, sensitivity=5), priority("B", 5, 6)]
    plain = solve(portfolio(items, capacity=5))
    assert plain.kept == ("B",)
    sensitive = solve(portfolio(items, capacity=5, rules={"sensitivity_penalty": 1}))
    assert sensitive.kept == ("A",)
    assert sensitive.drop_penalty == 0 and sensitive.objective == pytest.approx(5 - 0)


def test_infeasible_must_dos_are_explained_with_the_amount():
    p = portfolio([priority("M1", 6, 1, must_do=True), priority("M2", 6, 1, must_do=True)], capacity=10, headroom=10)
    result = solve(p)
    assert result.status == "infeasible"
    assert not result.kept and not result.decisions
    (conflict,) = result.conflicts
    assert conflict.rule == "capacity_0_ops"
    assert conflict.amount == pytest.approx(3.0)
    assert "alone need 12 days of ops capacity; 9 is available after 10% headroom (over by 3)" in conflict.text


def test_infeasible_balance_band_is_explained_by_the_elastic_model():
    # A 60% long-term share needs L (cost 9) beside the must-do S (cost 2): 11 > 10 available.
    items = [priority("S", 2, 5, must_do=True), priority("L", 9, 5, horizon="long")]
    result = solve(portfolio(items, capacity=10, rules={"horizon_bands": {"long": {"min_pct": 60}}}))
    assert result.status == "infeasible"
    (conflict,) = result.conflicts
    assert conflict.text == (
        "Ops capacity is short by 1 days: the other rules need at least 11, and 10 is available after 0% headroom."
    )
    (remedy,) = result.remedies
    assert remedy.options[0].text == "Raise ops capacity from 10 to 11 days."


def test_forced_alternatives_conflict_is_named():
    items = [priority("A", 1, 1, must_do=True, excludes=["B"]), priority("B", 1, 1)]
    result = solve(portfolio(items, rules={"locked_in": ["B"]}))
    assert result.status == "infeasible"
    assert result.conflicts[0].rule == "excludes_0_1_A_B"


def test_constraints_are_named_after_their_rules():
    p = portfolio(
        [
            priority("UEC01"),
            priority("UEC02", requires=["UEC01"]),
            priority("DIG01", excludes=["DIG02"]),
            priority("DIG02"),
        ],
        rules={"max_priorities": 3},
    )
    names = {row.name for row in build_model(p).rows}
    assert names == {"capacity_0_ops", "requires_1_0_UEC02_UEC01", "excludes_2_3_DIG01_DIG02", "max_priorities"}


def test_solves_are_deterministic(sample):
    first = solve(sample)
    for _ in range(3):
        assert solve(sample).kept == first.kept


def test_highs_and_cbc_agree_on_the_sample_value(sample):
    model = build_model(sample)
    highs = run_solver(model, "highs")
    cbc = run_solver(model, "cbc")
    assert highs.status == cbc.status == "optimal"
    assert highs.objective == pytest.approx(cbc.objective, abs=1e-6)


def test_hitting_the_time_limit_never_shows_unproven_numbers_without_a_gap():
    from optimiser.synthetic import generate_portfolio

    result = solve(generate_portfolio(3000, 5, seed=4), solver="highs", time_limit=0.01)
    assert result.status in ("feasible", "no_solution")
    if result.status == "feasible":
        assert result.gap is not None and "below the optimum" in result.message
    else:
        assert result.kept == () and result.objective is None and result.decisions == ()


def test_sample_keeps_about_a_third(sample):
    result = solve(sample)
    assert result.status == "optimal"
    assert 0.25 <= len(result.kept) / len(sample.priorities) <= 0.42
    for use in result.capacity:
        assert use.used <= use.usable + 1e-9


def test_auto_picks_highs_for_small_cbc_for_middling_and_highs_for_large_portfolios():
    from optimiser.backends import choose_solver

    assert choose_solver("auto", 48) == "highs"
    assert choose_solver("auto", 200) == choose_solver("auto", 1000) == "cbc"
    assert choose_solver("auto", 5000) == "highs"
    assert choose_solver("cbc", 10) == "cbc"
    with pytest.raises(ValueError, match="Unknown solver 'gurobi'"):
        choose_solver("gurobi", 10)


def test_every_back_end_proves_the_same_optimum_on_a_generated_portfolio():
    from optimiser.synthetic import generate_portfolio

    model = build_model(generate_portfolio(150, 3, seed=2))
    outcomes = {name: run_solver(model, name) for name in ("highs", "cbc", "cbc-pulp", "race")}
    assert {o.status for o in outcomes.values()} == {"optimal"}
    values = [o.objective for o in outcomes.values()]
    assert max(values) - min(values) <= 1e-6
    assert outcomes["race"].solver.endswith("(raced)")


def test_the_race_reports_infeasibility_when_must_dos_exceed_capacity():
    p = portfolio([priority("A", 6, 4, must_do=True), priority("B", 6, 5, must_do=True)], capacity=10)
    outcome = run_solver(build_model(p), "race")
    assert outcome.status == "infeasible" and outcome.x is None


def test_the_race_stops_the_loser(monkeypatch):
    """When HiGHS proves first, CBC's process is killed, not left running."""
    import optimiser.backends as backends

    started = []
    real = backends.solve_with_cbc

    def slow_cbc(model, time_limit, gap, on_start=None):
        def hold(process):
            started.append(process)
            if on_start:
                on_start(process)

        return real(model, time_limit, gap, on_start=hold)

    monkeypatch.setattr(backends, "solve_with_cbc", slow_cbc)
    from optimiser.synthetic import generate_portfolio

    outcome = run_solver(build_model(generate_portfolio(300, 3, seed=1)), "race")
    assert outcome.status == "optimal"
    assert started and all(process.poll() is not None for process in started)
