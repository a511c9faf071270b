"""Readiness ratings: the files, the confidence rule, the expected-value switch and value at risk."""

from __future__ import annotations

import io

import pytest

from optimiser.domain import ReadinessRule
from optimiser.errors import PortfolioError
from optimiser.excel import read_workbook, template_workbook
from optimiser.formats import portfolio_from_json, portfolio_to_json, priorities_from_csv, priorities_to_csv
from optimiser.model import build_model
from optimiser.parsing import parse_portfolio
from optimiser.readiness import confidence_pct, readiness_of, value_at_risk
from optimiser.solve import solve
from tests.builders import portfolio, priority, raw_portfolio

RULE = ReadinessRule()  # floor 40, cap 50 when a factor is rated 1, cap 80 when the weakest is 2, low below 60


def test_no_factor_assessed_means_full_confidence_not_zero():
    assert confidence_pct([], RULE) == 100.0


def test_all_strong_is_full_confidence_and_all_established_is_floor_plus_two_thirds():
    assert confidence_pct([4] * 7, RULE) == pytest.approx(100.0)
    assert confidence_pct([3] * 7, RULE) == pytest.approx(40 + 60 * 2 / 3)


def test_the_weakest_factor_caps_the_confidence():
    # mean share (1 + 1 + 1 + 0) / 4 = 0.75 -> 40 + 45 = 85, capped at 50 by the factor rated 1
    assert confidence_pct([4, 4, 4, 1], RULE) == pytest.approx(50.0)
    # (1 + 1 + 1/3) / 3 -> 40 + 60 * 7/9 = 86.67, capped at 80 by the factor rated 2
    assert confidence_pct([4, 4, 2], RULE) == pytest.approx(80.0)
    assert confidence_pct([1], RULE) == pytest.approx(40.0)  # below the cap: the floor


def test_the_rule_is_editable():
    rule = ReadinessRule(floor_pct=0, cap_weakest_1_pct=100, cap_weakest_2_pct=100)
    assert confidence_pct([1, 4], rule) == pytest.approx(50.0)


def test_ratings_load_from_json_by_number_or_anchor_word_and_unrated_factors_are_not_assessed():
    p = portfolio([priority("A", readiness={"leadership": 4, "data": "not in place", "culture": None})])
    assert p.priority("A").readiness == (("leadership", 4), ("data", 1))
    found = readiness_of(p, "A")
    assert found.assessed == 2 and found.weakest == ("data",) and found.low
    assert found.confidence_pct == pytest.approx(50.0)


@pytest.mark.parametrize(
    "readiness, field, words",
    [
        ({"leadership": 5}, "ready:leadership", "'5' is not a rating"),
        ({"leadership": 2.5}, "ready:leadership", "is not a rating"),
        ({"leadrship": 2}, "readiness", "Did you mean 'leadership'?"),
        ([1, 2], "readiness", "must be an object"),
    ],
)
def test_a_bad_rating_is_refused_naming_the_priority_and_field(readiness, field, words):
    with pytest.raises(PortfolioError) as caught:
        portfolio([priority("A", readiness=readiness)])
    problem = caught.value.problems[0]
    assert problem.priority_id == "A" and problem.field == field and words in problem.message
    assert problem.row == 1


def test_readiness_survives_json_csv_and_excel_round_trips():
    p = portfolio(
        [priority("A", readiness={"leadership": 1, "environment": 3}), priority("B")],
        rules={"expected_value": True, "readiness_floor_pct": 30},
    )
    again = portfolio_from_json(portfolio_to_json(p))
    assert again == p
    assert priorities_from_csv(priorities_to_csv(p), p) == p
    assert read_workbook(template_workbook(p)).priorities == p.priorities
    assert read_workbook(template_workbook(p)).rules == p.rules


def test_old_files_load_unchanged_and_save_without_the_new_keys():
    raw = raw_portfolio([priority("A")])
    p = parse_portfolio(raw)
    assert p.priority("A").readiness == () and not p.rules.expected_value
    text = portfolio_to_json(p)
    assert "readiness" not in text and "expected_value" not in text and "spread_pct" not in text


def test_the_expected_value_switch_multiplies_each_value_by_its_confidence_exactly():
    records = [
        priority("A", value=10, readiness={"leadership": 4, "data": 1}),  # confidence 50%
        priority("B", value=8, readiness={"leadership": 3}),  # 40 + 60 x 2/3 = 80%
        priority("C", value=6),  # not assessed: 100%
    ]
    plain = portfolio(records)
    switched = portfolio(records, rules={"expected_value": True})
    assert list(build_model(plain).objective) == [10, 8, 6]
    assert list(build_model(switched).objective) == pytest.approx([5.0, 6.4, 6.0])


def test_expected_value_can_change_what_is_kept():
    records = [
        priority("A", cost=10, value=10, readiness={"data": 1}),  # worth 4 (confidence 40%)
        priority("B", cost=10, value=8, readiness={"data": 4}),  # worth 8
    ]
    assert solve(portfolio(records)).kept == ("A",)
    assert solve(portfolio(records, rules={"expected_value": True})).kept == ("B",)


def test_value_at_risk_is_the_value_kept_times_one_minus_confidence():
    p = portfolio(
        [
            priority("A", value=10, readiness={"data": 1}),  # 40%: 6 at risk, low readiness
            priority("B", value=5, readiness={"data": 3}),  # 80%: 1 at risk
            priority("C", value=4),  # not assessed: none at risk
        ]
    )
    risk = value_at_risk(p, ["A", "B", "C"])
    assert risk.value_at_risk == pytest.approx(7.0)
    assert risk.kept_value == pytest.approx(19.0)
    assert risk.low_readiness == ("A",) and risk.assessed == 2 and risk.kept == 3


def test_a_bad_readiness_setting_is_refused_with_its_field():
    with pytest.raises(PortfolioError) as caught:
        portfolio([priority("A")], rules={"readiness_floor_pct": 120, "expected_value": "maybe"})
    fields = {p.field for p in caught.value.problems}
    assert fields == {"rules.readiness_floor_pct", "rules.expected_value"}


def test_readiness_columns_in_a_csv_are_optional_and_matched_loosely():
    p = portfolio([priority("A")])
    text = "id,name,source,horizon,cost:ops,score:benefit,Ready: Data\nA,Priority A,local,short,1,1,strong\n"
    loaded = priorities_from_csv(io.StringIO(text).getvalue(), p)
    assert loaded.priority("A").readiness == (("data", 4),)


def test_the_value_cost_chart_sizes_points_by_delivery_confidence_when_any_priority_is_rated():
    from ui.charts import value_cost_chart, value_cost_frame

    rated = portfolio([priority("A", readiness={"data": 1}), priority("B")])
    frame = value_cost_frame(rated, solve(rated))
    assert list(frame["confidence_pct"]) == [40, 100]
    assert list(frame["readiness"]) == ["40% confidence (low readiness)", "not assessed"]
    spec = value_cost_chart(frame).to_dict()
    assert spec["encoding"]["size"]["field"] == "confidence_pct"
    unrated = portfolio([priority("A"), priority("B")])
    assert "size" not in value_cost_chart(value_cost_frame(unrated, solve(unrated))).to_dict()["encoding"]


def test_a_change_of_the_switch_the_rule_or_a_spread_is_said_in_words():
    from dataclasses import replace

    from optimiser.words import portfolio_change

    before = portfolio([priority("A")])
    after = replace(
        before,
        rules=replace(before.rules, expected_value=True, readiness=ReadinessRule(floor_pct=30)),
        criteria=(replace(before.criteria[0], spread_pct=20),),
        dimensions=(replace(before.dimensions[0], spread_pct=10),),
    )
    said = portfolio_change(before, after)
    assert "expected value (value x delivery confidence) on" in said
    assert "readiness rule changed" in said
    assert "benefit score spread ± 0% → ± 20%" in said and "ops cost spread ± 0% → ± 10%" in said
