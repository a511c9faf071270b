"""Multi-year plans in every file format (schema version 2): round trips in JSON, CSV, the app's table and
Excel; version 1 files as one-year plans; years as numbers or labels; each check of the plan's fields with
its row, priority id and field; the five-year sample."""

from __future__ import annotations

import io
import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from optimiser.domain import PlanSettings
from optimiser.errors import PortfolioError, Problem
from optimiser.excel import read_workbook, template_workbook
from optimiser.exports import to_safe_csv
from optimiser.formats import (
    SCHEMA_VERSION,
    load_portfolio,
    load_upload,
    portfolio_from_json,
    portfolio_to_dict,
    portfolio_to_json,
    priorities_frame,
    priorities_from_csv,
    table_columns,
)
from optimiser.parsing import PLAN_COLUMNS, replace_priorities, replace_settings
from tests.builders import priority

ROOT = Path(__file__).resolve().parents[2]
FIVE_PATH = ROOT / "sample_data" / "icb_five_year_plan.json"
V1_PATH = ROOT / "sample_data" / "icb_portfolio.json"


@pytest.fixture(scope="module")
def five():
    return load_portfolio(FIVE_PATH)


def plan_raw(priorities: list[dict[str, Any]], years: int = 3, **settings: Any) -> dict[str, Any]:
    """A small version 2 portfolio: one capacity ('ops', 10 days), one criterion, a plan of `years` years."""
    return {
        "schema_version": 2,
        "name": "test plan",
        "plan": {"years": years, "first_year": "2026/27", **settings},
        "capacity_dimensions": [{"name": "ops", "unit": "days", "available": 10}],
        "criteria": [{"name": "benefit", "weight": 1}],
        "rules": {},
        "priorities": priorities,
    }


def problems_of(raw: dict[str, Any]) -> list[Problem]:
    with pytest.raises(PortfolioError) as info:
        portfolio_from_json(json.dumps(raw))
    return list(info.value.problems)


def only(raw: dict[str, Any]) -> Problem:
    (problem,) = problems_of(raw)
    return problem


# ------------------------------------------------------------------ the five-year sample


def test_the_five_year_sample_has_what_the_story_needs(five):
    assert five.plan == PlanSettings(years=5, first_year="2026/27", value_mode="completion")
    assert five.plan.labels == ("2026/27", "2027/28", "2028/29", "2029/30", "2030/31")
    must_dos = [p for p in five.priorities if p.must_do]
    assert len([p for p in must_dos if p.deadline is not None and p.source == "national"]) >= 5
    builders = [p for p in five.priorities if p.gains]
    assert len(builders) >= 3
    assert five.priority("LOC-WF03").gain("improvement_support") > 0  # the academy adds coach days
    assert five.priority("NAT-DIG01").gain("operational") > 0  # record convergence frees operational time
    assert len([p for p in five.priorities if p.existing]) >= 4
    assert {p.duration for p in five.priorities} == {1, 2, 3}
    assert all(p.duration >= 2 for p in five.priorities if p.horizon == "long" and not p.existing)
    assert any(d.available_by_year and len(set(d.available_by_year)) > 1 for d in five.dimensions)
    # The one-year sample's priorities are all there, with the same costs and scores.
    one = load_portfolio(V1_PATH)
    for p in one.priorities:
        q = five.priority(p.id)
        assert (q.name, q.costs, q.scores, q.requires, q.excludes) == (
            p.name,
            p.costs,
            p.scores,
            p.requires,
            p.excludes,
        )


def test_the_five_year_sample_file_is_as_the_tool_writes_it(five):
    assert FIVE_PATH.read_text(encoding="utf-8") == portfolio_to_json(five)


# ------------------------------------------------------------------ round trips


def test_json_round_trip_of_a_plan_is_exact(five):
    text = portfolio_to_json(five)
    again = portfolio_from_json(text)
    assert again == five
    assert portfolio_to_json(again) == text
    raw = json.loads(text)
    assert raw["schema_version"] == SCHEMA_VERSION == 2
    assert raw["plan"] == {"years": 5, "first_year": "2026/27", "value_mode": "completion"}


def test_fields_at_their_defaults_are_left_out(sample, five):
    raw = portfolio_to_dict(sample)
    assert raw["schema_version"] == 2 and "plan" not in raw
    assert not any(key in d for d in raw["capacity_dimensions"] for key in ("available_by_year", "headroom_by_year"))
    assert not any(key in item for item in raw["priorities"] for key in PLAN_COLUMNS)
    assert "year_locks" not in raw["rules"] and "forbidden_starts" not in raw["rules"]
    academy = next(item for item in portfolio_to_dict(five)["priorities"] if item["id"] == "LOC-WF03")
    assert academy["duration"] == 2 and "earliest_start" not in academy and "deadline" not in academy
    assert academy["gains"] == {"improvement_support": 80.0, "strategic": 6.0}
    stop = next(item for item in portfolio_to_dict(five)["priorities"] if item["id"] == "RUN-DSH01")
    assert stop["existing"] is True and "duration" not in stop


def test_a_version_1_file_loads_unchanged_as_a_one_year_plan(sample):
    raw = json.loads(V1_PATH.read_text(encoding="utf-8"))
    assert raw["schema_version"] == 1
    assert sample.plan == PlanSettings() and not sample.is_multi_year
    assert all(
        (p.duration, p.earliest_start, p.deadline, p.existing, p.gains, p.lags, p.alongside, p.cost_profile)
        == (1, 1, None, False, (), (), (), ())
        for p in sample.priorities
    )
    assert all(not d.available_by_year and not d.headroom_by_year for d in sample.dimensions)
    # Saved again it is version 2, and loads to the same portfolio.
    assert portfolio_from_json(portfolio_to_json(sample)) == sample


def test_a_version_1_file_with_plan_fields_is_refused_asking_for_version_2():
    raw = plan_raw([priority("A", duration=2)])
    raw["schema_version"] = 1
    found = problems_of(raw)
    assert {(p.field, p.row, p.priority_id) for p in found} == {("plan", None, None), ("duration", 1, "A")}
    assert all('Write "schema_version": 2' in p.message for p in found)


def test_csv_round_trip_of_a_plan_is_exact(five):
    text = to_safe_csv(priorities_frame(five))
    assert priorities_from_csv(text, five) == five
    header = text.splitlines()[0].split(",")
    assert header[-8:] == list(PLAN_COLUMNS)
    academy = next(line for line in text.splitlines() if line.startswith("LOC-WF03,"))
    assert "improvement_support: 80; strategic: 6" in academy
    assert '"operational: 54, 40; improvement_support: 40, 28"' in academy


def test_the_table_has_the_plan_columns_and_an_edit_round_trips(five):
    frame = priorities_frame(five)
    assert list(frame.columns) == table_columns(five) and list(frame.columns[-8:]) == list(PLAN_COLUMNS)
    assert str(frame["duration"].dtype) == "Int64" and str(frame["deadline"].dtype) == "Int64"
    assert frame["existing"].dtype == bool
    assert replace_priorities(five, frame.to_dict(orient="records")) == five
    row = frame.index[frame["id"] == "LOC-WF03"][0]
    frame.loc[row, "earliest_start"] = 2
    frame.loc[row, "gains"] = "improvement_support: 100"
    edited = replace_priorities(five, frame.to_dict(orient="records"))
    academy = edited.priority("LOC-WF03")
    assert (academy.earliest_start, academy.gains) == (2, (("improvement_support", 100.0),))


def test_a_one_year_table_has_blank_plan_columns(sample):
    frame = priorities_frame(sample)
    assert frame[["duration", "earliest_start", "deadline"]].isna().all().all()
    assert not frame["existing"].any() and (frame[["alongside", "lags", "gains", "cost_profile"]] == "").all().all()


def test_excel_round_trip_of_a_plan_is_exact(five):
    data = template_workbook(five)
    assert read_workbook(data) == five
    wb = load_workbook(io.BytesIO(data))
    rules = {row[0]: row[1] for row in wb["Rules"].iter_rows(min_row=2, values_only=True)}
    assert (rules["plan_years"], rules["first_year"], rules["value_mode"]) == (5, "2026/27", "completion")
    capacity = {row[0]: row for row in wb["Capacity"].iter_rows(min_row=2, values_only=True)}
    assert capacity["improvement_support"][6] == "399, 360, 330, 310, 300"
    header = [c.value for c in wb["Priorities"][1]]
    rows = {r[0]: dict(zip(header, r)) for r in wb["Priorities"].iter_rows(min_row=2, values_only=True)}
    assert rows["NAT-UEC01"]["deadline"] == "2026/27" and rows["NAT-MAT01"]["deadline"] == "2027/28"
    assert rows["RUN-DSH01"]["existing"] == "yes" and rows["RUN-DSH01"]["duration"] is None
    lists = {dv.formula1 for dv in wb["Priorities"].data_validations.dataValidation}
    assert '"2026/27,2027/28,2028/29,2029/30,2030/31"' in lists and '"1,2,3,4,5"' in lists
    assert {dv.formula1 for dv in wb["Rules"].data_validations.dataValidation} == {'"completion,per_year"'}


def test_a_plan_with_locks_round_trips_in_every_format(five):
    rules = replace(five.rules, year_locks=(("LOC-WF03", 1), ("RUN-RMC01", 3)), forbidden_starts=(("NAT-NH01", 2),))
    locked = replace(five, rules=rules)
    assert portfolio_from_json(portfolio_to_json(locked)) == locked
    assert read_workbook(template_workbook(locked)) == locked
    raw = portfolio_to_dict(locked)["rules"]
    assert raw["year_locks"] == {"LOC-WF03": 1, "RUN-RMC01": 3} and raw["forbidden_starts"] == {"NAT-NH01": [2]}


# ------------------------------------------------------------------ years as numbers or labels


@pytest.mark.parametrize("written", [2, 2.0, "2", " 2027/28 ", "2027-28", "2027/2028", "Year 2", "year2"])
def test_a_year_may_be_its_number_or_its_label(written):
    loaded = portfolio_from_json(json.dumps(plan_raw([priority("A", deadline=written)])))
    assert loaded.priority("A").deadline == 2


def test_year_labels_are_read_in_locks_and_forbidden_starts():
    raw = plan_raw([priority("A"), priority("B", duration=2)], years=4)
    raw["rules"] = {"year_locks": {"A": "2028/29"}, "forbidden_starts": "B: 2026/27, 3; A: 2"}
    loaded = portfolio_from_json(json.dumps(raw))
    assert loaded.rules.year_locks == (("A", 3),)
    assert loaded.rules.forbidden_starts == (("B", 1), ("B", 3), ("A", 2))


def test_a_plan_not_starting_in_a_financial_year_is_labelled_year_1_2_3():
    loaded = portfolio_from_json(json.dumps(plan_raw([priority("A", deadline="Year 3")], first_year="Wave 1")))
    assert loaded.plan.labels == ("Year 1", "Year 2", "Year 3") and loaded.priority("A").deadline == 3


# ------------------------------------------------------------------ each check, naming row, id and field


def case(field: str, row: int | None, pid: str | None, *phrases: str):
    return field, row, pid, phrases


CHECKS = {
    "duration below 1": (
        plan_raw([priority("A"), priority("B", duration=0)]),
        case("duration", 2, "B", "0 is out of range", "whole number from 1 to 3"),
    ),
    "duration longer than the plan": (
        plan_raw([priority("A", duration=4)]),
        case("duration", 1, "A", "4 years is longer than the plan (3 years)", "Shorten the duration or lengthen"),
    ),
    "earliest start outside the plan": (
        plan_raw([priority("A", earliest_start="2029/30")]),
        case("earliest_start", 1, "A", "not a year of the plan, which runs from 2026/27 to 2028/29", "1 to 3"),
    ),
    "earliest start as a number outside the plan": (
        plan_raw([priority("A", earliest_start=0)]),
        case("earliest_start", 1, "A", "year 0 is outside the plan, which has 3 years", "Enter a year of the plan"),
    ),
    "deadline outside the plan": (
        plan_raw([priority("A", deadline=4)]),
        case("deadline", 1, "A", "year 4 is outside the plan"),
    ),
    "deadline before the earliest finish": (
        plan_raw([priority("A", earliest_start=2, duration=2, deadline="2027/28")]),
        case(
            "deadline",
            1,
            "A",
            "2027/28 (year 2) comes before it can be finished",
            "finishes in 2028/29 (year 3) at the earliest",
            "Move the deadline to 2028/29 (year 3) or later",
        ),
    ),
    "not finishing within the plan": (
        plan_raw([priority("A", earliest_start=3, duration=2)]),
        case("earliest_start", 1, "A", "would not finish within the plan, which ends in 2028/29"),
    ),
    "alongside a priority it does not require": (
        plan_raw([priority("A"), priority("B", alongside=["A"])]),
        case("alongside", 2, "B", "'A' is not one of its prerequisites", "add 'A' to requires, or remove it"),
    ),
    "a negative lag": (
        plan_raw([priority("A"), priority("B", requires=["A"], lags={"A": -1})]),
        case("lags", 2, "B", "-1 is negative", "0 to 10"),
    ),
    "a lag after a priority it does not require": (
        plan_raw([priority("A"), priority("B", lags="A: 1")]),
        case("lags", 2, "B", "'A', which is not one of its prerequisites", "Add 'A' to requires"),
    ),
    "a gain on an unknown dimension": (
        plan_raw([priority("A", gains={"opps": 3})]),
        case("gains", 1, "A", "'opps' is not a capacity dimension", "Did you mean 'ops'?"),
    ),
    "a cost profile longer than the duration": (
        plan_raw([priority("A", duration=2, cost_profile={"ops": [3, 2, 1]})]),
        case("cost_profile", 1, "A", "has 3 yearly costs but it is delivered over 2 years"),
    ),
    "an existing activity with a duration": (
        plan_raw([priority("A", existing=True, duration=2)]),
        case("duration", 1, "A", "already running", "so it has no duration", "Clear duration, or untick existing"),
    ),
    "an existing activity with an earliest start": (
        plan_raw([priority("A", existing=True, earliest_start=2)]),
        case("earliest_start", 1, "A", "so it has no start year"),
    ),
    "an existing activity with a deadline": (
        plan_raw([priority("A", existing="yes", deadline="2027/28")]),
        case("deadline", 1, "A", "so it has no deadline"),
    ),
    "an existing activity that requires another": (
        plan_raw([priority("A"), priority("B", existing=True, requires=["A"])]),
        case("requires", 2, "B", "cannot wait for a prerequisite (A)", "Remove them from requires"),
    ),
    "a lag after an existing activity": (
        plan_raw([priority("A", existing=True), priority("B", requires=["A"], lags={"A": 1})]),
        case("lags", 2, "B", "'A', an existing activity", "Remove the lag"),
    ),
    "a must-do whose prerequisites cannot finish by its deadline": (
        plan_raw(
            [
                priority("A", duration=2),
                priority("B", requires=["A"], lags={"A": 1}),
                priority("C", must_do=True, requires=["B"], deadline="2028/29"),
            ],
            years=5,
        ),
        case(
            "deadline",
            3,
            "C",
            "must be finished by its deadline, 2028/29 (year 3)",
            "A (2 years: 2026/27 to 2027/28) -> B after a 1-year lag (1 year: 2029/30) -> C (1 year: 2030/31)",
            "The earliest it can finish is 2030/31 (year 5)",
            "Move the deadline later",
        ),
    ),
    "a must-do whose prerequisites cannot finish within the plan": (
        plan_raw([priority("A", duration=3), priority("C", must_do=True, requires=["A"])]),
        case("deadline", 2, "C", "must be finished within the plan (by 2028/29 (year 3))", "A (3 years"),
    ),
    "a year lock before the earliest start": (
        {**plan_raw([priority("A", earliest_start=2)]), "rules": {"year_locks": {"A": 1}}},
        case("rules.year_locks", None, "A", "before its earliest start, 2027/28", "Move the lock to 2027/28 or later"),
    ),
    "a year lock after the deadline allows": (
        {**plan_raw([priority("A", duration=2, deadline=2)]), "rules": {"year_locks": {"A": "2027/28"}}},
        case(
            "rules.year_locks", None, "A", "after its deadline, 2027/28 (year 2)", "Move the lock to 2026/27 or earlier"
        ),
    ),
    "a year lock in a forbidden year": (
        {**plan_raw([priority("A")]), "rules": {"year_locks": {"A": 2}, "forbidden_starts": {"A": [2]}}},
        case("rules.year_locks", None, "A", "a year it is forbidden to start in"),
    ),
    "a year lock on an unknown priority": (
        {**plan_raw([priority("A")]), "rules": {"year_locks": {"Z": 2}}},
        case("rules.year_locks", None, "Z", "not the id of any priority"),
    ),
    "a plan of no years": (
        plan_raw([priority("A")], years=0),
        case("plan.years", None, None, "0 is out of range", "from 1 to 10"),
    ),
    "a plan of eleven years": (
        plan_raw([priority("A")], years=11),
        case("plan.years", None, None, "11 is out of range", "from 1 to 10"),
    ),
    "an unknown value mode": (
        plan_raw([priority("A")], value_mode="per year"),
        case("plan.value_mode", None, None, "'per year' is not a value mode", "Did you mean 'per_year'?"),
    ),
    "a first year that is not a financial year": (
        plan_raw([priority("A")], first_year="2026/28"),
        case("plan.first_year", None, None, "Write it as 2026/27"),
    ),
}


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_each_plan_check_names_row_id_and_field_and_says_how_to_fix(name):
    raw, (field, row, pid, phrases) = CHECKS[name]
    problem = only(raw)
    assert (problem.field, problem.row, problem.priority_id) == (field, row, pid), problem
    for phrase in phrases:
        assert phrase in problem.message, (phrase, problem.message)


def test_per_year_capacity_longer_than_the_plan_is_refused():
    raw = plan_raw([priority("A")])
    raw["capacity_dimensions"][0]["available_by_year"] = [10, 11, 12, 13]
    problem = only(raw)
    assert problem.field == "capacity 'ops' available_by_year"
    assert (
        "has 4 figures but the plan has 3 years" in problem.message
        and "Remove the figures after year 3" in problem.message
    )
    raw["capacity_dimensions"][0]["available_by_year"] = "10, 11"
    raw["capacity_dimensions"][0]["headroom_by_year"] = [10, 95]
    problem = only(raw)
    assert problem.field == "capacity 'ops' headroom_by_year year 2" and "from 0 to 90" in problem.message


def test_a_refused_plan_does_not_drown_the_file_in_year_problems():
    raw = plan_raw([priority("A", deadline="2027/28"), priority("B", deadline=2), priority("C", deadline=11)], years=12)
    found = problems_of(raw)  # labels are read once the plan is put right; numbers are read up to 10 years
    assert [(p.field, p.priority_id) for p in found] == [("plan.years", None), ("deadline", "C")]


def test_problems_in_a_csv_and_a_workbook_name_the_spreadsheet_row_and_sheet(five):
    lines = to_safe_csv(priorities_frame(five)).splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("LOC-WF03,"))
    lines[index] = lines[index].replace("improvement_support: 80; strategic: 6", "coach_days: 20")
    with pytest.raises(PortfolioError) as info:
        priorities_from_csv("\n".join(lines) + "\n", five)
    (problem,) = info.value.problems
    assert (problem.row, problem.priority_id, problem.field) == (index + 1, "LOC-WF03", "gains")
    assert "'coach_days' is not a capacity dimension" in problem.message

    wb = load_workbook(io.BytesIO(template_workbook(five)))
    ws = wb["Rules"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "plan_years":
            row[1].value = 12
            years_row = row[0].row
    ws = wb["Capacity"]
    ws["G2"] = "144, 150, 160, 160, 170, 180"
    buffer = io.BytesIO()
    wb.save(buffer)
    with pytest.raises(PortfolioError) as info:
        read_workbook(buffer.getvalue())
    found = {(p.sheet, p.row, p.field) for p in info.value.problems}
    assert ("Rules", years_row, "value") in found
    wb["Rules"].cell(row=years_row, column=2, value=5)
    buffer = io.BytesIO()
    wb.save(buffer)
    with pytest.raises(PortfolioError) as info:
        read_workbook(buffer.getvalue())
    (problem,) = info.value.problems
    assert (problem.sheet, problem.row, problem.field) == ("Capacity", 2, "available_by_year")
    assert "has 6 figures but the plan has 5 years" in problem.message


def test_a_bad_file_or_edit_leaves_the_portfolio_in_use_as_it_was(five):
    before = portfolio_to_json(five)
    raw = json.loads(before)
    raw["priorities"][0]["deadline"] = 9
    with pytest.raises(PortfolioError):
        load_upload("plan.json", json.dumps(raw).encode(), five)
    frame = priorities_frame(five)
    frame.loc[0, "duration"] = 7
    with pytest.raises(PortfolioError) as info:
        replace_priorities(five, frame.to_dict(orient="records"))
    assert info.value.problems[0].field == "duration" and info.value.problems[0].row == 1
    assert portfolio_to_json(five) == before


def test_changing_the_plan_checks_the_priorities_again(five):
    per_year = replace_settings(five, plan={"years": 5, "first_year": "2026/27", "value_mode": "per_year"})
    assert per_year.plan.value_mode == "per_year" and per_year.priorities == five.priorities
    with pytest.raises(PortfolioError) as info:
        replace_settings(five, plan=PlanSettings(years=2))
    fields = {(p.field, p.priority_id) for p in info.value.problems}
    assert ("duration", "NAT-DIG01") in fields  # three years in a two-year plan
    assert ("deadline", "NAT-CAN02") in fields  # by 2028/29, which a two-year plan does not have
    assert ("cost_profile", "NAT-DIG01") not in fields  # its profile fits its duration: one problem is enough
    # The per-year capacity after the plan's last year is left out, not refused.
    raw = plan_raw([priority("A")], years=4)
    raw["capacity_dimensions"][0]["available_by_year"] = [10, 11, 12, 13]
    shorter = replace_settings(portfolio_from_json(json.dumps(raw)), plan=PlanSettings(years=2))
    assert shorter.dimension("ops").available_by_year == (10, 11) and shorter.plan.years == 2


def test_nan_in_the_apps_table_is_a_blank_plan_cell(five):
    records = priorities_frame(five).to_dict(orient="records")
    records[0] = {**records[0], "deadline": math.nan, "duration": math.nan, "lags": math.nan}
    edited = replace_priorities(five, records)
    assert edited.priority(records[0]["id"]).deadline is None


def test_the_five_year_plan_tells_its_story_against_the_one_year_selection(five):
    from optimiser.plan import solve_plan
    from optimiser.solve import solve

    plan = solve_plan(five)
    assert plan.status == "optimal" and plan.seconds < 10  # about 0.6 s; the bound allows a busy machine
    starts = dict(plan.schedule.starts)
    one_year = solve(replace(five, plan=PlanSettings(1)))
    assert "LOC-WF03" not in one_year.kept  # the one-year selection drops the academy...
    assert starts["LOC-WF03"] == 1  # ...the plan starts it in 2026/27, and its coach days pay back later
    gained = {u.year: u.gained for u in plan.capacity if u.dimension == "improvement_support"}
    assert gained[1] == gained[2] == 0 and gained[3] == gained[5] == 80
    assert len(starts) > len(one_year.kept) and plan.schedule.stops  # more is done, and something is stopped
    without_gains = replace(
        five, priorities=tuple(replace(p, gains=()) if p.id == "LOC-WF03" else p for p in five.priorities)
    )
    assert solve_plan(without_gains).objective < plan.objective - 50
