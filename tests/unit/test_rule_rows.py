"""Each rule's row in the one model, and the independent checker's verdict on each rule, on small portfolios
whose rows, coefficients and violations can be worked out by hand (README, "The model in plain words")."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optimiser.backends import run_solver
from optimiser.domain import CapacityDimension, Criterion, HorizonBand, Portfolio, Priority, Rules, ThemeLimit
from optimiser.model import build_model, elastic_model, threshold_model, with_costs_at
from optimiser.rules import RuleViolationError, Violation, assert_rules, check_rules
from optimiser.solve import solve
from tests.builders import portfolio, priority

INF = math.inf


def row_table(model) -> list[tuple[str, str, str]]:
    return [(r.name, r.kind, r.subject) for r in model.rows]


def rows_by_name(model) -> dict:
    return {r.name: r for r in model.rows}


def sides(row) -> tuple[list[int], list[float], float, float]:
    return row.cols.tolist(), row.coefs.tolist(), row.lower, row.upper


# ------------------------------------------------------------------ the rows of the base model


def every_rule() -> Portfolio:
    """Two urgent-care and two digital priorities with one rule of every kind; ops costs 2, 2, 1, 1 of 10."""
    return portfolio(
        [
            priority("UEC01", 2, theme="urgent care"),
            priority("UEC02", 2, theme="urgent care", requires=["UEC01"]),
            priority("DIG01", 1, theme="digital", horizon="long", excludes=["DIG02"]),
            priority("DIG02", 1, theme="digital", horizon="medium", excludes=["DIG01"]),
        ],
        rules={
            "max_priorities": 3,
            "theme_limits": {"urgent care": {"min": 1, "max": 2}, "digital": {"max": 1}},
            "horizon_bands": {"short": {"max_pct": 80}, "long": {"min_pct": 1}},
        },
    )


def test_every_rule_has_one_row_named_after_it_with_its_kind_and_subject():
    # The exclusion is stated on both sides but is one rule; a band with only a maximum has no minimum row
    # and a band with only a minimum no maximum row; names are safe for solvers (no spaces).
    assert row_table(build_model(every_rule())) == [
        ("capacity_0_ops", "capacity", "ops"),
        ("requires_1_0_UEC02_UEC01", "requires", "UEC02|UEC01"),
        ("excludes_2_3_DIG01_DIG02", "excludes", "DIG01|DIG02"),
        ("max_priorities", "max_priorities", ""),
        ("theme_min_0_urgent_care", "theme_min", "urgent care"),
        ("theme_max_0_urgent_care", "theme_max", "urgent care"),
        ("theme_max_1_digital", "theme_max", "digital"),
        ("horizon_max_short", "horizon_max", "short"),
        ("horizon_min_long", "horizon_min", "long"),
    ]


def test_each_rule_row_has_the_coefficients_and_bounds_of_its_rule():
    rows = rows_by_name(build_model(every_rule()))  # columns: UEC01, UEC02, DIG01, DIG02
    assert sides(rows["capacity_0_ops"]) == ([0, 1, 2, 3], [2, 2, 1, 1], -INF, 10)
    assert sides(rows["requires_1_0_UEC02_UEC01"]) == ([1, 0], [1, -1], -INF, 0)  # x_UEC02 <= x_UEC01
    assert sides(rows["excludes_2_3_DIG01_DIG02"]) == ([2, 3], [1, 1], -INF, 1)
    assert sides(rows["max_priorities"]) == ([0, 1, 2, 3], [1, 1, 1, 1], -INF, 3)
    assert sides(rows["theme_min_0_urgent_care"]) == ([0, 1], [1, 1], 1, INF)
    assert sides(rows["theme_max_0_urgent_care"]) == ([0, 1], [1, 1], -INF, 2)
    assert sides(rows["theme_max_1_digital"]) == ([2, 3], [1, 1], -INF, 1)


def test_a_band_row_weighs_each_use_of_the_balance_capacity_by_its_distance_from_the_band_edge():
    rows = rows_by_name(build_model(every_rule()))
    # Short share <= 80%: (1 - 0.8) * 2 for each short priority, (0 - 0.8) * 1 for the others, sum <= 0.
    cols, coefs, lower, upper = sides(rows["horizon_max_short"])
    assert cols == [0, 1, 2, 3] and (lower, upper) == (-INF, 0)
    assert coefs == pytest.approx([0.4, 0.4, -0.8, -0.8])
    # Long share >= 1%: (0 - 0.01) * 2, (0 - 0.01) * 2, (1 - 0.01) * 1, (0 - 0.01) * 1, sum >= 0.
    cols, coefs, lower, upper = sides(rows["horizon_min_long"])
    assert cols == [0, 1, 2, 3] and (lower, upper) == (0, INF)
    assert coefs == pytest.approx([-0.02, -0.02, 0.99, -0.01])


def test_each_pair_of_alternatives_gets_its_own_row_however_the_pairs_are_stated():
    # B names A (already paired by A) before C: the B-C pair still gets its row, and each pair holds.
    items = [priority("A", 1, 5, excludes=["B"]), priority("B", 1, 9, excludes=["A", "C"]), priority("C", 1, 5)]
    p = portfolio(items)
    assert [r.name for r in build_model(p).rows] == ["capacity_0_ops", "excludes_0_1_A_B", "excludes_1_2_B_C"]
    assert solve(p).kept == ("A", "C")


def test_a_theme_maximum_of_one_keeps_one():
    items = [priority("A", 1, 9, theme="x"), priority("B", 1, 8, theme="x"), priority("C", 1, 1, theme="y")]
    result = solve(portfolio(items, rules={"theme_limits": {"x": {"max": 1}}}))
    assert result.kept == ("A", "C")


def test_a_theme_minimum_keeps_a_poor_priority_of_that_theme():
    items = [priority("A", 1, 9, theme="x"), priority("B", 1, 8, theme="x"), priority("C", 1, 1, theme="y")]
    result = solve(portfolio(items, capacity=2, rules={"theme_limits": {"y": {"min": 1}}}))
    assert result.kept == ("A", "C")


def test_a_priority_without_a_cost_for_a_dimension_uses_none_of_it():
    a = Priority("A", "A", "local", "", "t", "short", (("ops", 4.0),), (("v", 1.0),))
    b = Priority("B", "B", "local", "", "t", "short", (("ops", 4.0), ("cash", 3.0)), (("v", 1.0),))
    dims = (CapacityDimension("ops", "days", 10.0), CapacityDimension("cash", "k", 3.0))
    two = Portfolio("two", dims, (Criterion("v", 1.0),), (a, b))
    assert sides(rows_by_name(build_model(two))["capacity_1_cash"]) == ([1], [3], -INF, 3)
    assert check_rules(two, {"A", "B"}) == ()
    assert solve(two).kept == ("A", "B")


def test_a_portfolio_without_criteria_values_every_priority_at_nothing():
    a = Priority("A", "A", "local", "", "t", "short", (("ops", 1.0),), ())
    model = build_model(Portfolio("bare", (CapacityDimension("ops", "days", 1.0),), (), (a,)))
    assert model.objective.tolist() == [0.0] and model.constant == 0.0


# ------------------------------------------------------------------ the checker, rule by rule


def test_an_unknown_id_is_reported_as_not_in_the_portfolio():
    p = portfolio([priority("A")])
    assert check_rules(p, {"A", "Z"}) == (Violation("unknown_id", "Z", 1.0, "is not a priority of the portfolio"),)


def test_a_use_over_the_capacity_left_after_headroom_is_reported_with_the_excess():
    # 10 days less 20% headroom leaves 8: 8.05 is over by 0.05, though it is within 1% of the 10 available.
    p = portfolio([priority("A", 8.05)], capacity=10, headroom=20)
    assert check_rules(p, {"A"}) == (Violation("capacity", "ops", pytest.approx(0.05), "uses 8.05 of 8"),)
    assert check_rules(p, set()) == ()


def test_a_selection_that_fills_a_large_capacity_exactly_is_within_it():
    # 0.1 + 99999.8 is 99999.9 exactly, but one unit of float round-off above it: that is no breach.
    p = portfolio([priority("A", 0.1, 1), priority("B", 99999.8, 1)], capacity=99999.9)
    assert 0.1 + 99999.8 > 99999.9
    assert check_rules(p, {"A", "B"}) == ()
    assert solve(p).kept == ("A", "B")


def test_a_priority_kept_without_what_it_requires_is_reported():
    p = portfolio([priority("A"), priority("B", requires=["A"])])
    assert check_rules(p, {"B"}) == (Violation("requires", "B|A", 1.0, "B is kept without A"),)
    assert check_rules(p, {"A", "B"}) == ()


def test_two_kept_alternatives_are_reported_once_as_a_pair():
    p = portfolio([priority("DIG01", excludes=["DIG02"]), priority("DIG02", excludes=["DIG01"])])
    assert check_rules(p, {"DIG01", "DIG02"}) == (
        Violation("excludes", "DIG01|DIG02", 1.0, "both alternatives are kept"),
    )
    assert check_rules(p, {"DIG02"}) == ()


def test_a_dropped_must_do_and_broken_locks_are_reported():
    items = [priority("M", must_do=True), priority("I"), priority("O")]
    p = portfolio(items, rules={"locked_in": ["I"], "locked_out": ["O"]})
    assert check_rules(p, {"O"}) == (
        Violation("must_do", "M", 1.0, "a must-do is dropped"),
        Violation("locked_in", "I", 1.0, "locked in but dropped"),
        Violation("locked_out", "O", 1.0, "locked out but kept"),
    )
    assert check_rules(p, {"M", "I"}) == ()


def test_keeping_more_than_the_maximum_number_is_reported_with_the_excess():
    p = portfolio([priority(x) for x in "ABC"], rules={"max_priorities": 1})
    assert check_rules(p, {"A", "B", "C"}) == (Violation("max_priorities", "", 2, "3 kept"),)
    assert check_rules(p, {"A"}) == ()


def test_theme_minimums_and_maximums_are_reported_with_the_shortfall_or_excess():
    items = [priority("A", theme="x"), priority("B", theme="x"), priority("C", theme="y")]
    p = portfolio(items, rules={"theme_limits": {"x": {"max": 1}, "y": {"min": 1}}})
    assert check_rules(p, {"A", "B"}) == (
        Violation("theme_max", "x", 1, "2 kept"),
        Violation("theme_min", "y", 1, "0 kept"),
    )
    assert check_rules(p, {"A", "C"}) == ()


def test_a_theme_minimum_missed_by_one_is_short_by_one():
    p = portfolio([priority("A", theme="y"), priority("B", theme="y")], rules={"theme_limits": {"y": {"min": 2}}})
    assert check_rules(p, {"A"}) == (Violation("theme_min", "y", 1, "1 kept"),)


def test_a_share_outside_its_band_is_reported_with_the_distance_in_points():
    items = [priority("S", 2), priority("L", 2, horizon="long")]
    p = portfolio(items, rules={"horizon_bands": {"long": {"min_pct": 60}, "short": {"max_pct": 40}}})
    assert check_rules(p, {"S", "L"}) == (
        Violation("horizon_max", "short", pytest.approx(10.0), "share 50%"),
        Violation("horizon_min", "long", pytest.approx(10.0), "share 50%"),
    )
    assert check_rules(p, {"L"}) == ()


def test_shares_of_less_than_one_day_are_checked_too():
    # 0.2 days short-term and 0.2 long-term: the long share is 50%, under its 60% minimum.
    items = [priority("S", 0.2), priority("L", 0.2, horizon="long")]
    p = portfolio(items, rules={"horizon_bands": {"long": {"min_pct": 60}}})
    assert check_rules(p, {"S", "L"}) == (Violation("horizon_min", "long", pytest.approx(10.0), "share 50%"),)


def test_a_priority_without_a_cost_on_the_balance_capacity_takes_no_share():
    # The balance is measured on cash: S has no cash cost, so L's 3 is all of the kept use (100% long-term).
    s = Priority("S", "S", "local", "", "t", "short", (("ops", 1.0),), (("v", 1.0),))
    long = Priority("L", "L", "local", "", "t", "long", (("ops", 1.0), ("cash", 3.0)), (("v", 1.0),))
    dims = (CapacityDimension("ops", "days", 10.0), CapacityDimension("cash", "k", 10.0))
    rules = Rules(horizon_bands=(HorizonBand("long", 100.0),), balance_dimension="cash")
    two = Portfolio("two", dims, (Criterion("v", 1.0),), (s, long), rules)
    assert check_rules(two, {"S", "L"}) == ()
    assert solve(two).kept == ("S", "L")


def test_the_internal_error_names_the_first_five_broken_rules():
    p = portfolio([priority("A")])
    with pytest.raises(RuleViolationError) as caught:
        assert_rules(p, {f"Z{i}" for i in range(1, 7)}, "a test selection")
    assert caught.value.violations == check_rules(p, {f"Z{i}" for i in range(1, 7)})
    assert len(caught.value.violations) == 6
    listed = "; ".join(f"unknown_id (Z{i}): is not a priority of the portfolio" for i in range(1, 6))
    assert str(caught.value) == f"Internal error: a test selection breaks 6 rule(s): {listed}"
    with pytest.raises(RuleViolationError, match=r"^Internal error: a selection breaks 1 rule\(s\): unknown_id \(Z\)"):
        assert_rules(p, {"Z"})


# ------------------------------------------------------------------ the elastic model


def elastic_case() -> Portfolio:
    """A must-do A (short, theme x, 0.2 days, value 1.5), B (long, 0.3 days) and X (locked out, no cost)
    under 0.5 days of ops, a count limit of 2, a theme-x minimum of 1 and a long-term minimum of 20%."""

    def item(pid: str, theme: str, horizon: str, cost: float, value: float, must_do: bool = False) -> Priority:
        return Priority(pid, pid, "local", "", theme, horizon, (("ops", cost),), (("v", value),), must_do)

    return Portfolio(
        "elastic",
        (CapacityDimension("ops", "days", 0.5),),
        (Criterion("v", 1.0),),
        (
            item("A", "x", "short", 0.2, 1.5, must_do=True),
            item("B", "y", "long", 0.3, 0.0),
            item("X", "y", "short", 0, 0),
        ),
        Rules(
            max_priorities=2,
            horizon_bands=(HorizonBand("long", 20.0),),
            theme_limits=(ThemeLimit("x", 1, None),),
            locked_out=("X",),
        ),
    )


def test_each_breakable_rule_gets_a_slack_priced_by_its_share_of_the_limit():
    model, where = elastic_model(elastic_case())
    assert model.aux_names == (
        "slack_capacity_0_ops",
        "slack_max_priorities",
        "slack_theme_min_0_x",
        "slack_horizon_min_long",
        "lift_in_A",
        "lift_out_X",
    )
    # Value: 1e-6 of each priority's share of the total value. Breaches: capacity 1/0.5 days, count 1/2,
    # theme 1/1, balance 1/0.5 (the wish-list's use of the balance capacity), each lifted lock 1.
    assert model.objective.tolist() == pytest.approx([1e-6, 0, 0, -2, -0.5, -1, -2, -1, -1], rel=1e-12, abs=1e-15)
    assert model.constant == 0.0
    assert [col for col, _ in where.slacks] == [3, 4, 5, 6]
    assert [r.name for _, r in where.slacks] == [
        "capacity_0_ops",
        "max_priorities",
        "theme_min_0_x",
        "horizon_min_long",
    ]


def test_a_slack_loosens_an_upper_rule_upwards_and_a_lower_rule_downwards():
    model, _ = elastic_model(elastic_case())
    rows = rows_by_name(model)
    assert sides(rows["capacity_0_ops"])[:2] == ([0, 1, 3], [0.2, 0.3, -1])
    assert sides(rows["max_priorities"])[:2] == ([0, 1, 2, 4], [1, 1, 1, -1])
    assert sides(rows["theme_min_0_x"])[:2] == ([0, 5], [1, 1])
    assert sides(rows["horizon_min_long"])[1][-1] == 1 and sides(rows["horizon_min_long"])[0][-1] == 6


def test_must_dos_and_locks_become_rows_that_a_lift_column_may_break():
    model, where = elastic_model(elastic_case())
    assert where.locks == ((7, "A", "in"), (8, "X", "out"))
    rows = rows_by_name(model)
    assert (rows["lock_in_0_A"].kind, rows["lock_in_0_A"].subject) == ("lock_in", "A")
    assert sides(rows["lock_in_0_A"]) == ([0, 7], [1, 1], 1, INF)  # x_A + lift >= 1
    assert (rows["lock_out_2_X"].kind, rows["lock_out_2_X"].subject) == ("lock_out", "X")
    assert sides(rows["lock_out_2_X"]) == ([2, 8], [1, -1], -INF, 0)  # x_X - lift <= 0


def test_the_elastic_model_keeps_priorities_binary_and_its_slacks_continuous():
    model, _ = elastic_model(elastic_case())
    assert model.col_lower.tolist() == [0] * 9
    assert model.col_upper.tolist() == [1, 1, 1, INF, INF, INF, INF, 1, 1]
    assert model.is_integer().tolist() == [True, True, True] + [False] * 6


def test_without_soft_locks_every_must_do_and_lock_stays_a_column_bound():
    model, where = elastic_model(elastic_case(), soften_locks=False)
    assert where.locks == () and not any(r.name.startswith("lock_") for r in model.rows)
    assert model.col_lower.tolist()[:3] == [1, 0, 0] and model.col_upper.tolist()[:3] == [1, 1, 0]


def test_a_capacity_short_by_half_a_day_is_reported_as_half_a_day():
    # The must-do S and a 60% long-term share need L (8.5 days) too: 10.5 > 10.
    items = [priority("S", 2, 5, must_do=True), priority("L", 8.5, 5, horizon="long")]
    result = solve(portfolio(items, capacity=10, rules={"horizon_bands": {"long": {"min_pct": 60}}}))
    assert result.status == "infeasible"
    (conflict,) = result.conflicts
    assert conflict.rule == "capacity_0_ops" and conflict.amount == pytest.approx(0.5)


def test_a_theme_minimum_that_alternatives_cannot_meet_is_remedied_by_lowering_it():
    items = [priority("A", theme="x", excludes=["B"]), priority("B", theme="x")]
    result = solve(portfolio(items, rules={"theme_limits": {"x": {"min": 2}}}))
    assert result.status == "infeasible"
    (remedy,) = result.remedies
    assert remedy.conflict.rule == "theme_min_0_x"
    (fix,) = remedy.options
    assert (fix.kind, fix.target, fix.current, fix.proposed) == ("theme_min", "x", 2, 1)


# ------------------------------------------------------------------ the threshold model


def threshold_case() -> Portfolio:
    """A (4 days, value 5) and B (8 days, value 3, sensitivity 2) under 10 days and a count limit of 2.
    Keeping A alone nets 5 - 2 = 3, and so does keeping B alone; keeping both needs B's costs at 75%."""
    return portfolio(
        [priority("A", 4, 5), priority("B", 8, 3, sensitivity=2)],
        capacity=10,
        rules={"max_priorities": 2, "sensitivity_penalty": 1},
    )


def test_the_threshold_model_moves_the_priority_s_costs_to_a_share_column():
    model = threshold_model(threshold_case(), "B", 3.0)
    assert row_table(model) == [
        ("max_priorities", "max_priorities", ""),
        ("capacity_0_ops", "capacity", "ops"),
        ("value_beats_today", "value", "B"),
    ]
    rows = rows_by_name(model)
    assert sides(rows["capacity_0_ops"]) == ([0, 2], [4, 8], -INF, 10)  # 4 x_A + 8 f <= 10
    # Worth more than today's 3: 5 x_A + (3 + 2) x_B - 2 > 3, by a margin of 1e-5.
    cols, coefs, lower, upper = sides(rows["value_beats_today"])
    assert (cols, coefs, upper) == ([0, 1], [5, 5], INF) and lower == pytest.approx(5.00001, abs=1e-12)
    assert model.col_lower.tolist() == [0, 1, 0] and model.col_upper.tolist() == [1, 1, 1]
    assert model.objective.tolist() == [0, 0, 1] and model.constant == 0.0
    assert model.is_integer().tolist() == [True, True, False] and model.aux_names == ("cost_share",)


def test_the_highest_share_is_where_keeping_both_beats_today_and_a_tie_does_not_count():
    model = threshold_model(threshold_case(), "B", 3.0)
    outcome = run_solver(model, "highs")
    assert outcome.status == "optimal"
    assert outcome.x[:2].tolist() == [1, 1]  # B alone only ties today's 3: A must come too
    assert outcome.x[2] == pytest.approx(0.75) and outcome.objective == pytest.approx(0.75)


def test_the_covering_model_keeps_every_rule_at_the_share_and_looks_down_from_it():
    model = threshold_model(threshold_case(), "B", 3.0, upper=0.9, covering=0.5)
    assert [r.name for r in model.rows] == [
        "capacity_0_ops",
        "max_priorities",
        "capacity_0_ops_at_share",
        "value_beats_today",
    ]
    rows = rows_by_name(model)
    assert sides(rows["capacity_0_ops"]) == ([0, 1], [4, 4], -INF, 10)  # B at half of its 8 days
    assert sides(rows["capacity_0_ops_at_share"]) == ([0, 2], [4, 8], -INF, 10)
    assert model.col_upper.tolist() == [1, 1, 0.5] and model.objective.tolist() == [0, 0, -1]
    outcome = run_solver(model, "highs")
    assert outcome.status == "optimal" and outcome.x[2] == pytest.approx(0.0)


def test_costs_at_a_share_scale_only_that_priority():
    changed = with_costs_at(threshold_case(), "B", 0.5)
    assert [p.costs for p in changed.priorities] == [(("ops", 4.0),), (("ops", 4.0),)]
    assert np.array_equal(build_model(changed).rows[0].coefs, [4, 4])
