"""Every rejected input gives a message naming the priority id and the field, and how to fix it."""

import json
import math

import pytest

from optimiser.errors import PortfolioError
from optimiser.formats import portfolio_from_json, priorities_from_csv, priorities_to_csv
from optimiser.parsing import parse_portfolio, replace_priorities
from tests.builders import portfolio, priority, raw_portfolio


def problems_of(raw) -> list:
    with pytest.raises(PortfolioError) as info:
        parse_portfolio(raw)
    return list(info.value.problems)


def test_duplicate_ids_are_rejected_naming_both_rows():
    (problem,) = problems_of(raw_portfolio([priority("A"), priority("B"), priority("A")]))
    assert problem.priority_id == "A" and problem.field == "id" and problem.row == 3
    assert "already used on row 1" in problem.message


def test_unknown_prerequisite_id_is_rejected():
    (problem,) = problems_of(raw_portfolio([priority("A", requires=["ZZ"])]))
    assert (problem.priority_id, problem.field) == ("A", "requires")
    assert "'ZZ' is not the id of any priority" in problem.message


def test_unknown_exclusion_id_is_rejected():
    (problem,) = problems_of(raw_portfolio([priority("A", excludes=["Q"])]))
    assert (problem.priority_id, problem.field) == ("A", "excludes")
    assert "'Q' is not the id" in problem.message


def test_prerequisite_cycle_is_named():
    raw = raw_portfolio([priority("A", requires=["B"]), priority("B", requires=["C"]), priority("C", requires=["A"])])
    (problem,) = problems_of(raw)
    assert problem.field == "requires"
    assert "cycle: A -> B -> C -> A" in problem.message


def test_requiring_and_excluding_the_same_priority_is_rejected():
    raw = raw_portfolio([priority("A", requires=["B"], excludes=["B"]), priority("B")])
    (problem,) = problems_of(raw)
    assert (problem.priority_id, problem.field) == ("A", "excludes")
    assert "B is both required and excluded" in problem.message


@pytest.mark.parametrize("bad", [-1, "abc", None, math.inf, "nan"])
def test_negative_missing_or_non_finite_costs_are_rejected(bad):
    (problem,) = problems_of(raw_portfolio([priority("A", costs={"ops": bad})]))
    assert (problem.priority_id, problem.field) == ("A", "cost:ops")
    assert "number of at least 0" in problem.message


@pytest.mark.parametrize("bad", [-0.5, 10.5, 11])
def test_scores_outside_zero_to_ten_are_rejected(bad):
    (problem,) = problems_of(raw_portfolio([priority("A", scores={"benefit": bad})]))
    assert (problem.priority_id, problem.field) == ("A", "score:benefit")
    assert "out of range" in problem.message and "from 0 to 10" in problem.message


def test_negative_capacity_is_rejected():
    raw = raw_portfolio([priority("A")], capacity=-5)
    (problem,) = problems_of(raw)
    assert problem.field == "capacity 'ops' available"
    assert "-5 is out of range" in problem.message


@pytest.mark.parametrize("bad", [-1, 95, 100])
def test_headroom_out_of_range_is_rejected(bad):
    (problem,) = problems_of(raw_portfolio([priority("A")], headroom=bad))
    assert problem.field == "capacity 'ops' headroom_pct"
    assert "percentage from 0 to 90" in problem.message


def test_unknown_horizon_is_rejected():
    (problem,) = problems_of(raw_portfolio([priority("A", horizon="someday")]))
    assert (problem.priority_id, problem.field) == ("A", "horizon")
    assert "'someday' is not a horizon" in problem.message


def test_unknown_source_is_rejected():
    (problem,) = problems_of(raw_portfolio([priority("A", source="regional")]))
    assert (problem.priority_id, problem.field) == ("A", "source")
    assert "Use 'national' or 'local'" in problem.message


def test_all_problems_are_reported_at_once():
    raw = raw_portfolio([priority("A", horizon="x"), priority("B", source="y", scores={"benefit": 12})])
    problems = problems_of(raw)
    assert {(p.priority_id, p.field) for p in problems} == {("A", "horizon"), ("B", "source"), ("B", "score:benefit")}


def test_locking_an_unknown_id_is_rejected():
    (problem,) = problems_of(raw_portfolio([priority("A")], rules={"locked_in": ["B"]}))
    assert problem.field == "rules.locked_in" and "'B' is not the id" in problem.message


def test_a_must_do_cannot_be_locked_out():
    (problem,) = problems_of(raw_portfolio([priority("A", must_do=True)], rules={"locked_out": ["A"]}))
    assert problem.field == "rules.locked_out" and "must-do" in problem.message


def test_horizon_band_minimum_above_maximum_is_rejected():
    raw = raw_portfolio([priority("A")], rules={"horizon_bands": {"short": {"min_pct": 60, "max_pct": 40}}})
    (problem,) = problems_of(raw)
    assert problem.field == "rules.horizon_bands.short" and "minimum 60% is above maximum 40%" in problem.message


def test_error_text_names_row_priority_and_field():
    err = PortfolioError(problems_of(raw_portfolio([priority("A"), priority("B", horizon="soon")])))
    assert str(err) == "Row 2, priority B, field 'horizon': 'soon' is not a horizon. Use 'short', 'medium' or 'long'."


def test_a_bad_edit_raises_and_leaves_the_portfolio_untouched():
    original = portfolio([priority("A"), priority("B")])
    records = [
        {"id": "A", "name": "A", "source": "local", "horizon": "short", "cost:ops": 1, "score:benefit": 1},
        {"id": "B", "name": "B", "source": "local", "horizon": "short", "cost:ops": -3, "score:benefit": 1},
    ]
    with pytest.raises(PortfolioError, match="Row 2, priority B, field 'cost:ops'"):
        replace_priorities(original, records)
    assert [p.id for p in original.priorities] == ["A", "B"]


def test_csv_round_trip_gives_the_same_portfolio(sample):
    again = priorities_from_csv(priorities_to_csv(sample), sample)
    assert again == sample


def test_csv_accepts_yes_and_semicolon_lists_and_numbers_as_text():
    base = portfolio([priority("A")])
    text = "ID,Name,Source,Horizon,Must Do,Requires,cost:ops,score:benefit\nA,First,Local,short,Yes,, 1000 ,5\nB,Second,national,long,n,A;,2,3\n,,,,,,,\n"
    loaded = priorities_from_csv(text, base)
    a, b = loaded.priorities
    assert (a.must_do, a.cost("ops"), a.source) == (True, 1000.0, "local")
    assert (b.must_do, b.requires) == (False, ("A",))


def test_csv_rows_are_numbered_as_in_a_spreadsheet():
    base = portfolio([priority("A")])
    text = "id,name,source,horizon,cost:ops,score:benefit\nA,First,local,short,1,5\nB,Second,local,never,1,5\n"
    with pytest.raises(PortfolioError, match="Row 3, priority B, field 'horizon'"):
        priorities_from_csv(text, base)


def test_json_without_schema_version_is_refused_clearly():
    raw = raw_portfolio([priority("A")])
    del raw["schema_version"]
    with pytest.raises(PortfolioError, match="no 'schema_version'"):
        portfolio_from_json(json.dumps(raw))


def test_json_from_a_newer_schema_is_refused_clearly():
    raw = raw_portfolio([priority("A")])
    raw["schema_version"] = 99
    with pytest.raises(PortfolioError, match="schema_version 99"):
        portfolio_from_json(json.dumps(raw))


def test_invalid_json_names_line_and_column():
    with pytest.raises(PortfolioError, match=r"not valid JSON \(line 1, column"):
        portfolio_from_json("{nope")
