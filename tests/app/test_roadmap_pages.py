"""The roadmap in the app: the Roadmap page, the Capacity page's plan inputs, the plan chart builders (pure
functions, tested through their frames and `to_dict()`), the roadmap export and the board pack's roadmap."""

from __future__ import annotations

import io
import json
from dataclasses import replace

import pandas as pd
import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from optimiser.domain import PlanSettings, Portfolio
from optimiser.errors import PortfolioError
from optimiser.exports import roadmap_frame, roadmap_workbook
from optimiser.plan import solve_plan
from optimiser.result import HorizonShare, PlanResult, PlanRow, Schedule, YearUse
from tests.builders import portfolio as build
from tests.builders import priority
from tests.pages import APP
from ui import plan_charts, state

# ------------------------------------------------------------------ small hand-checkable plans


def three_year_plan() -> Portfolio:
    """Three priorities of cost 4 (values 5, 4, 3) and 10 a year of one capacity, over three years, value counted
    for each year from completion: A and B start in year 1, C in year 2 (A, C then B is worth 10.67; this 11)."""
    base = build([priority("A", 4, 5), priority("B", 4, 4), priority("C", 4, 3)], capacity=10)
    return replace(base, plan=PlanSettings(years=3, first_year="2026/27", value_mode="per_year"))


def impossible_plan() -> Portfolio:
    """A must-do due in the first year that needs more than the year's capacity: no plan exists."""
    base = build([priority("A", 4, 5), priority("D", 11, 1, must_do=True)], capacity=10)
    plan = replace(base, plan=PlanSettings(years=2, value_mode="per_year"))
    return replace(plan, priorities=tuple(replace(p, deadline=1) if p.id == "D" else p for p in plan.priorities))


def starts(plan: PlanResult) -> dict[str, int]:
    return dict(plan.schedule.starts) if plan.schedule else {}


def hand_plan() -> tuple[Portfolio, PlanResult]:
    """A hand-made plan (no solver): a new priority from year 1, one deferred to year 2 with a two-year profile,
    one not started, an existing activity stopped from year 2 and one continued; a capacity gain in year 3."""
    base = build(
        [
            priority("N1", 2, 5, must_do=True, theme="care"),
            priority("N2", 3, 4, theme="digital", horizon="long"),
            priority("N3", 9, 1, theme="care"),
            priority("E1", 3, 1, theme="care"),
            priority("E2", 1, 2, theme="digital"),
        ],
        capacity=10,
    )
    by_id = {p.id: p for p in base.priorities}
    priorities = (
        by_id["N1"],
        replace(
            by_id["N2"],
            name="A very long priority name that must wrap on the axis",
            duration=2,
            cost_profile=(("ops", (3.0, 1.5)),),
            gains=(("ops", 2.0),),
        ),
        by_id["N3"],
        replace(by_id["E1"], existing=True),
        replace(by_id["E2"], existing=True),
    )
    portfolio = replace(base, priorities=priorities, plan=PlanSettings(years=3))
    shares = (
        HorizonShare("short", 60.0, 0, 0, 0),
        HorizonShare("medium", 0.0, 0, 0, 0),
        HorizonShare("long", 40.0, 0, 0, 0),
    )
    plan = PlanResult(
        status="optimal",
        message="Optimal plan (proven: no plan meeting every rule has a higher net value).",
        solver="hand",
        seconds=0.0,
        years=("2026/27", "2027/28", "2028/29"),
        schedule=Schedule(starts=(("N1", 1), ("N2", 2)), stops=(("E1", 2),)),
        rows=(
            PlanRow("N1", "started", start=1, finish=1, value=5.0),
            PlanRow("N2", "started", start=2, finish=3, value=4.0),
            PlanRow("N3", "not_started"),
            PlanRow("E1", "stopped", start=1, finish=1, stop=2, value=0.33, frees=(("ops", 3.0),)),
            PlanRow("E2", "continued", start=1, finish=3, value=2.0),
        ),
        objective=11.33,
        value=11.33,
        capacity=(
            YearUse("ops", 1, 10.0, 0.0, 0.0, 10.0, 6.0, "Ops"),
            YearUse("ops", 2, 10.0, 0.0, 0.0, 10.0, 4.0, "Ops"),
            YearUse("ops", 3, 10.0, 2.0, 0.0, 12.0, 2.5, "Ops"),
        ),
        horizons=shares,
        horizons_by_year=((1, shares), (2, shares), (3, shares)),
    )
    return portfolio, plan


# ------------------------------------------------------------------ chart builders (pure)


def test_the_gantt_frame_has_a_bar_per_delivered_priority_named_first_with_its_id_in_brackets():
    portfolio, plan = hand_plan()
    frame = plan_charts.gantt_frame(portfolio, plan, "theme")
    assert set(frame["id"]) == {"N1", "N2", "E1", "E2"}  # not started: left out unless asked for
    row = frame.set_index("id").loc["N2"]
    assert row["priority"] == "A very long priority name that must wrap on the axis (N2)"
    assert "\n" in row["axis_label"] and all(
        len(line) <= plan_charts.NAME_WIDTH for line in row["axis_label"].split("\n")
    )
    assert (row["x_start"], row["x_end"], row["kind"]) == (1.0, 3.0, plan_charts.KIND_DEFERRED)
    assert row["when"] == "2027/28 to 2028/29"
    stopped = frame.set_index("id").loc["E1"]
    assert (stopped["x_start"], stopped["x_end"], stopped["x_stop"]) == (0.0, 1.0, 1.0)
    assert stopped["when"] == "runs to 2026/27, stopped from 2027/28" and stopped["existing"]
    assert frame.set_index("id").loc["N1", "must_do"]
    assert list(frame["group"]) == sorted(frame["group"])  # grouped by theme


def test_the_gantt_frame_groups_by_horizon_and_can_show_what_is_not_started():
    portfolio, plan = hand_plan()
    frame = plan_charts.gantt_frame(portfolio, plan, "horizon", include_not_started=True)
    waiting = frame.set_index("id").loc["N3"]
    assert waiting["kind"] == plan_charts.KIND_NOT_STARTED and pd.isna(waiting["x_start"])
    assert frame.set_index("id").loc["N2", "group"] == "Long (3+ years)"


def test_the_gantt_chart_fills_its_container_labels_years_and_describes_every_bar():
    portfolio, plan = hand_plan()
    frame = plan_charts.gantt_frame(portfolio, plan, "theme")
    spec = plan_charts.gantt_chart(frame, plan.years, "theme").to_dict()
    assert spec["width"] == "container"
    text = json.dumps(spec)
    assert all(label in text for label in plan.years)  # the axis labels each year by its label
    assert "split(datum.value" in text  # wrapped names are drawn on several lines, not cut off
    assert "labelLimit" in text
    assert "A very long priority name that must wrap on the axis (N2): 2027/28 to 2028/29" in spec["description"]
    assert "stopped from 2027/28" in spec["description"]
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in spec["layer"]]
    assert marks.count("bar") == 1 and "tick" in marks and "text" in marks


def test_capacity_per_year_shows_gained_capacity_and_the_headroom_limit():
    portfolio, plan = hand_plan()
    frame = plan_charts.capacity_years_frame(portfolio, plan)
    last = frame[frame["year"] == 3].iloc[0]
    assert (last["available"], last["gained"], last["total"], last["usable"], last["used"]) == (10, 2, 12, 12, 2.5)
    assert list(frame["year_label"]) == list(plan.years)
    spec = plan_charts.capacity_years_chart(frame, "Ops").to_dict()
    assert spec["width"] == "container"
    text = json.dumps(spec)
    assert "usable" in text and "Gained" in text and "Entered" in text


def test_the_balance_per_year_ends_with_the_whole_plan():
    portfolio, plan = hand_plan()
    frame = plan_charts.balance_years_frame(portfolio, plan)
    assert list(dict.fromkeys(frame["period"])) == [*plan.years, plan_charts.WHOLE_PLAN]
    spec = plan_charts.balance_years_chart(frame, "ops capacity", "Bands: short-term 20-60%").to_dict()
    assert spec["width"] == "container" and "Bands: short-term 20-60%" in json.dumps(spec)


def test_the_tables_say_what_is_stopped_what_it_frees_what_is_deferred_and_not_started():
    portfolio, plan = hand_plan()
    stops = plan_charts.stop_frame(portfolio, plan)
    assert stops.to_dict(orient="records") == [
        {
            "activity": "Priority E1 (E1)",
            "stops from": "2027/28",
            "years stopped": 2,
            "frees ops (days)": 3.0,
            "value while it runs": 0.3,
        }
    ]
    deferred = plan_charts.deferred_frame(portfolio, plan)
    assert list(deferred["priority"]) == ["A very long priority name that must wrap on the axis (N2)"]
    assert list(deferred["starts"]) == ["2027/28"]
    assert list(plan_charts.not_started_frame(portfolio, plan)["priority"]) == ["Priority N3 (N3)"]
    summary = plan_charts.plan_summary(portfolio, plan)
    assert summary.startswith("Over 3 years (2026/27 to 2028/29) the plan starts 2 of 3 new priorities")
    assert "1 in 2026/27, 1 later" in summary and "continues 1 and stops 1" in summary


def test_plans_and_one_year_selections_side_by_side():
    portfolio, plan = hand_plan()

    class OneYear:
        kept = ("N1", "N3", "E1", "E2")

    side = plan_charts.plans_side_by_side([("plan", portfolio, plan), ("one year", portfolio, OneYear())])
    rows = side.set_index("priority")
    assert rows.loc["Priority N1 (N1)", "plan"] == "starts 2026/27"
    assert rows.loc["Priority N3 (N3)", "plan"] == "not started"
    assert rows.loc["Priority N3 (N3)", "one year"] == "kept"
    assert rows.loc["Priority N3 (N3)", "in each"] == "only in some"
    assert not rows.loc["Priority N1 (N1)", "differs"]  # kept in the one year, started in its first year
    assert rows.loc["Priority N3 (N3)", "differs"]  # kept in the one year, not started in the plan
    assert not rows.loc["Priority E2 (E2)", "differs"]  # continues in the plan, kept in the one year
    assert rows.loc["Priority E1 (E1)", "differs"]  # stopped in the plan


# ------------------------------------------------------------------ exports


def test_the_roadmap_sheet_has_status_years_and_the_cost_of_each_year():
    portfolio, plan = hand_plan()
    frame = roadmap_frame(portfolio, plan).set_index("id")
    assert list(frame.columns[:6]) == ["name", "status", "start", "finish", "stop year", "value in the plan"]
    assert [frame.loc["N2", f"Ops {y}"] for y in plan.years] == [0.0, 3.0, 1.5]  # its cost profile
    assert [frame.loc["E1", f"Ops {y}"] for y in plan.years] == [3.0, 0.0, 0.0]  # stopped from year 2
    assert frame.loc["E1", "stop year"] == "2027/28" and frame.loc["E1", "status"] == "existing: stopped"
    book = load_workbook(io.BytesIO(roadmap_workbook(portfolio, plan)))
    assert book.sheetnames == ["Summary", "Roadmap", "Capacity by year", "Assumptions"]
    header = [c.value for c in book["Roadmap"][1]]
    assert header[:7] == ["id", "name", "status", "start", "finish", "stop year", "value in the plan"]


def test_the_board_pack_has_a_roadmap_section_only_for_a_plan_of_several_years():
    from optimiser.solve import solve
    from reports.board_pack import board_pack_html

    portfolio, plan = hand_plan()
    one = replace(portfolio, plan=PlanSettings(years=1))
    result = solve(one)
    assert "Roadmap" not in board_pack_html(one, result)
    pack = board_pack_html(portfolio, result, plan=plan)
    assert '<h1 class="pagebreak">Roadmap</h1>' in pack
    assert "What we stop, and what that frees" in pack and "Priority E1 (E1)" in pack
    assert pack.count('class="roadmap"') >= 1 and "data:image/png;base64," in pack


# ------------------------------------------------------------------ plan settings (pure helpers of ui.state)


def test_a_plan_length_and_a_growth_a_year_set_the_capacity_of_each_year(sample):
    table = state.plan_capacity_rows(sample, 3, "2026/27")
    assert list(table.columns) == ["capacity", "figure", "2026/27", "2027/28", "2028/29"]
    grown = state.grow_rows(table, 10)
    planned = state.with_plan(sample, years=3, first_year="2026/27", value_mode="per_year", table=grown)
    assert planned.plan == PlanSettings(years=3, first_year="2026/27", value_mode="per_year")
    assert planned.dimension("strategic").available_by_year == (144.0, 158.4, 174.24)
    assert planned.dimension("strategic").headroom_by_year == ()  # the same every year
    assert planned.priorities == sample.priorities


def test_a_bad_year_figure_is_refused_naming_the_capacity_the_figure_and_the_year(sample):
    table = state.plan_capacity_rows(sample, 3, "2026/27")
    table.loc[1, "2027/28"] = 95  # strategic headroom
    table.loc[2, "2028/29"] = -1  # operational available
    with pytest.raises(PortfolioError) as caught:
        state.with_plan(sample, years=3, first_year="2026/27", value_mode="completion", table=table)
    fields = [p.field for p in caught.value.problems]
    assert fields == ["Strategic headroom % in 2027/28", "Operational available in 2028/29"]
    with pytest.raises(PortfolioError, match="plan length"):
        state.with_plan(sample, years=11, first_year="2026/27", value_mode="completion")


def test_year_locks_and_forbidden_years_replace_and_remove_cleanly():
    portfolio = three_year_plan()
    locked = state.with_year_lock(state.with_year_lock(portfolio, "C", 1), "C", 3)
    assert locked.rules.year_locks == (("C", 3),)
    forbidden = state.with_forbidden_start(state.with_forbidden_start(locked, "A", 1), "A", 1)
    assert forbidden.rules.forbidden_starts == (("A", 1),)
    cleared = state.without_year_rule(state.without_year_rule(forbidden, "lock", "C", 3), "forbid", "A", 1)
    assert cleared == portfolio


def test_the_capacity_page_tables_keep_the_plan_fields_they_do_not_show():
    portfolio, _ = hand_plan()
    locked = state.with_year_lock(portfolio, "N2", 2)
    plain = replace(
        locked,
        plan=PlanSettings(),
        rules=replace(locked.rules, year_locks=()),
        priorities=tuple(replace(p, duration=1, cost_profile=(), gains=(), existing=False) for p in locked.priorities),
    )
    assert state.carry_plan(locked, plain) == locked


# ------------------------------------------------------------------ the engine on the small plans


def test_the_small_plan_is_solved_as_worked_out_by_hand():
    plan = solve_plan(three_year_plan())
    assert plan.status == "optimal" and starts(plan) == {"A": 1, "B": 1, "C": 2}
    locked = solve_plan(state.with_year_lock(three_year_plan(), "C", 1))
    assert starts(locked) == {"A": 1, "C": 1, "B": 2}
    forbidden = solve_plan(state.with_forbidden_start(three_year_plan(), "A", 1))
    assert starts(forbidden) == {"B": 1, "C": 1, "A": 2}


# ------------------------------------------------------------------ AppTest journeys


def open_roadmap(portfolio: Portfolio | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if portfolio is not None:
        at.session_state["portfolio"] = portfolio
    at.run()
    at.switch_page("pages/roadmap.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def plan_table(at: AppTest) -> dict[str, str]:
    """Priority -> when it runs, from the page's table of every priority in the plan."""
    frame = next(f.value for f in at.dataframe if "in the plan" in f.value.columns and "when" in f.value.columns)
    return dict(zip(frame["priority"], frame["when"]))


def gantt_description(at: AppTest) -> str:
    for element in at.get("vega_lite_chart"):
        spec = json.loads(element.proto.spec)
        if spec.get("description", "").startswith("Roadmap"):
            return spec["description"]
    raise AssertionError("no Gantt on the page")


def test_the_roadmap_page_shows_the_plan_in_words_a_gantt_and_the_tables():
    at = open_roadmap(three_year_plan())
    assert at.title[0].value == "Roadmap"
    text = " ".join(m.value.replace("\\", "") for m in at.markdown)
    assert "Over 3 years (2026/27 to 2028/29) the plan starts 3 of 3 new priorities (2 in 2026/27, 1 later)" in text
    assert any("Optimal plan (proven" in c.value.replace("\\", "") for c in at.caption)
    assert plan_table(at) == {"Priority A (A)": "2026/27", "Priority B (B)": "2026/27", "Priority C (C)": "2027/28"}
    assert "Priority C (C): 2027/28" in gantt_description(at)
    assert not at.error


def test_locking_a_priority_to_a_year_changes_the_schedule_and_undo_restores_it():
    at = open_roadmap(three_year_plan())
    at.selectbox(key="roadmap_lock_priority").set_value("C").run()
    at.selectbox(key="roadmap_lock_year").set_value(1).run()
    at.button(key="roadmap_lock").click().run()
    assert at.session_state["portfolio"].rules.year_locks == (("C", 1),)
    assert plan_table(at)["Priority C (C)"] == "2026/27"
    assert plan_table(at)["Priority B (B)"] == "2027/28"
    assert "Priority C (C): 2026/27" in gantt_description(at)
    assert any("Priority C (C) starts in 2026/27" in m.value.replace("\\", "") for m in at.markdown)
    (change,) = [i.value.replace("\\", "") for i in at.info]
    assert change == (
        "Last change: Priority C (C) locked to 2026/27. Effect on the plan: Priority B (B) starts 2027/28 (was: "
        "starts 2026/27); Priority C (C) starts 2026/27 (was: starts 2027/28)."
    )
    at.button(key="roadmap_undo").click().run()
    assert at.session_state["portfolio"].rules.year_locks == ()
    assert plan_table(at)["Priority C (C)"] == "2027/28"


def test_forbidding_a_year_moves_the_start_and_the_rule_can_be_removed():
    at = open_roadmap(three_year_plan())
    at.selectbox(key="roadmap_lock_priority").set_value("A").run()
    at.button(key="roadmap_forbid").click().run()
    assert at.session_state["portfolio"].rules.forbidden_starts == (("A", 1),)
    assert plan_table(at)["Priority A (A)"] == "2027/28"
    assert any("Priority A (A) may not start in 2026/27" in m.value.replace("\\", "") for m in at.markdown)
    at.button(key="roadmap_remove_forbid_A_1").click().run()
    assert at.session_state["portfolio"].rules.forbidden_starts == ()
    assert plan_table(at)["Priority A (A)"] == "2026/27"


def test_a_one_year_portfolio_says_how_to_make_a_plan():
    at = open_roadmap()
    (info,) = at.info
    assert "This scenario is a one-year selection (2026/27)" in info.value
    assert "Set a plan length of two or more years on Capacity and rules" in info.value
    assert not at.get("vega_lite_chart")


def test_the_five_year_sample_can_be_loaded_from_the_roadmap_page():
    if not state.plan_sample_available():
        pytest.skip("the five-year sample is not in sample_data/")
    at = open_roadmap()
    at.button(key="roadmap_load_sample").click().run(timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["portfolio"].plan.years == 5
    assert gantt_description(at).startswith("Roadmap. ")
    at.button(key="roadmap_undo").click().run()
    assert at.session_state["portfolio"].plan.years == 1


def test_when_no_plan_exists_the_page_names_the_conflict_in_words_and_offers_a_checked_fix():
    at = open_roadmap(impossible_plan())
    assert any("No plan meets every rule" in e.value for e in at.error)
    text = " ".join(m.value.replace("\\", "") for m in at.markdown)
    assert "Ops capacity in 2026/27 is short by 1 days" in text
    assert "Raise ops capacity in 2026/27 from 10 to 11" in text
    assert not at.get("vega_lite_chart")
    at.button(key="roadmap_apply_option_0").click().run()
    assert at.session_state["portfolio"].dimension("ops").available_in(1) == 11.0
    assert not at.error and gantt_description(at).startswith("Roadmap. ")


# ------------------------------------------------------------------ the Capacity page's plan inputs


def open_capacity(portfolio: Portfolio | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if portfolio is not None:
        at.session_state["portfolio"] = portfolio
    at.run()
    at.switch_page("pages/capacity_and_rules.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_setting_a_plan_length_on_the_capacity_page_makes_a_plan_and_can_be_undone(sample):
    at = open_capacity()
    rev = at.session_state["portfolio_revision"]
    at.number_input(key=f"rules_plan_years_{rev}").set_value(4).run()
    assert not at.error
    assert at.session_state["portfolio"].plan.years == 4
    assert at.session_state["portfolio"].priorities == sample.priorities
    year_table = next(e for e in at.data_editor if "2029/30" in e.value.columns)
    assert list(year_table.value.columns) == ["capacity", "figure", "2026/27", "2027/28", "2028/29", "2029/30"]
    at.radio(key=f"rules_plan_value_mode_{rev}").set_value("per_year").run()
    assert at.session_state["portfolio"].plan.value_mode == "per_year"
    at.switch_page("pages/rationalise.py").run()
    at.button(key="undo_last").click().run()
    at.button(key="undo_last").click().run()
    assert at.session_state["portfolio"] == sample


def test_a_year_figure_edited_on_the_capacity_page_applies_and_a_bad_one_names_its_field():
    at = open_capacity(three_year_plan())
    rev = at.session_state["portfolio_revision"]
    key = f"rules_plan_capacity_3_2026/27_{rev}"
    at.session_state[key] = {"edited_rows": {0: {"2028/29": 14.0}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.error
    assert at.session_state["portfolio"].dimension("ops").available_by_year == (10.0, 10.0, 14.0)
    before = at.session_state["portfolio"]
    at.session_state[key] = {"edited_rows": {1: {"2027/28": 95.0}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert at.error and at.session_state["portfolio"] == before
    problems = next(f.value for f in at.dataframe if "problem and how to fix it" in f.value.columns)
    assert list(problems["column"]) == ["Ops headroom % in 2027/28"]


def test_growing_every_capacity_by_a_percentage_a_year():
    at = open_capacity(three_year_plan())
    rev = at.session_state["portfolio_revision"]
    at.number_input(key=f"rules_plan_growth_{rev}").set_value(10.0).run()
    at.button(key=f"rules_plan_apply_growth_{rev}").click().run()
    assert not at.error
    assert at.session_state["portfolio"].dimension("ops").available_by_year == (10.0, 11.0, 12.1)


def test_the_why_panel_says_why_a_priority_starts_when_it_does_and_what_a_year_earlier_would_do():
    at = open_roadmap(three_year_plan())
    at.selectbox(key="roadmap_why_priority").set_value("C").run()
    assert not at.exception, [e.value for e in at.exception]
    text = " ".join(m.value.replace("\\", "") for m in at.markdown)
    assert "Priority C (C) starts in 2027/28" in text
    assert "A year earlier:" in text and "with Priority C (C) starting in 2026/27" in text
    at.button(key="roadmap_capacity_worth").click().run()
    worth = next(f.value for f in at.dataframe if "capacity" in f.value.columns and "2026/27" in f.value.columns)
    assert list(worth["capacity"]) == ["Ops"] and list(worth.columns) == ["capacity", "2026/27", "2027/28", "2028/29"]


def test_compare_sets_a_plan_beside_its_one_year_selection_and_another_scenarios_plan(private_store):
    from optimiser.store import ScenarioStore

    saved = ScenarioStore(private_store).save(
        state.with_year_lock(three_year_plan(), "C", 1), name="C first", author="Al"
    )
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["portfolio"] = three_year_plan()
    at.run()
    at.switch_page("pages/compare.py").run()
    at.multiselect(key="compare_pick").set_value(["__current__", f"{saved.scenario_id}@1"]).run()
    assert not at.exception, [e.value for e in at.exception]
    at.toggle(key="compare_plans_only_diff").set_value(False).run()
    side = next(f.value for f in at.dataframe if "in each" in f.value.columns).set_index("priority")
    assert list(side.columns) == [
        "Current: 3-year plan",
        "Current: one year (2026/27)",
        "C first v1: 3-year plan",
        "C first v1: one year (2026/27)",
        "in each",
    ]
    assert list(side.loc["Priority C (C)"][:4]) == ["starts 2027/28", "dropped", "starts 2026/27", "dropped"]
    assert list(side.loc["Priority B (B)"][:3]) == ["starts 2026/27", "kept", "starts 2027/28"]


@pytest.mark.parametrize("page", ["pages/priorities.py", "pages/capacity_and_rules.py", "pages/compare.py"])
def test_the_pages_that_edit_or_compare_a_plan_run_on_the_five_year_sample(page):
    if not state.plan_sample_available():
        pytest.skip("the five-year sample is not in sample_data/")
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["portfolio"] = state.load_plan_sample()
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    assert at.session_state["portfolio"] == state.load_plan_sample(), "opening a page changed the portfolio"


def test_the_roadmap_page_prepares_a_board_pack_with_the_roadmap():
    at = open_roadmap(three_year_plan())
    at.button(key="roadmap_prepare_pack").click().run(timeout=180)
    assert not at.exception, [e.value for e in at.exception]
    (key, pdf) = at.session_state["roadmap_board_pack"]
    assert key[0] == three_year_plan() and pdf[:4] == b"%PDF"
    assert any(b.label == "Download the board pack (.pdf)" for b in at.get("download_button"))


def test_a_plan_not_proven_says_how_close_it_is_and_offers_a_longer_time_limit(monkeypatch):
    from optimiser import words

    real = state.cached_plan

    def stopped_early(portfolio, solver, time_limit):
        plan = real(portfolio, solver, time_limit)
        message = words.plan_status_message("feasible", 0.004, True)
        return replace(plan, status="feasible", gap=0.004, time_limit_hit=True, message=message)

    monkeypatch.setattr(state, "cached_plan", stopped_early)
    at = open_roadmap(three_year_plan())
    (warning,) = [w.value.replace("\\", "") for w in at.warning]
    assert "stopped at its time limit before proving this plan the best" in warning
    assert "within 0.4% of the best possible" in warning and "longer time limit" in warning
    assert not any("Optimal plan (proven" in c.value.replace("\\", "") for c in at.caption)
    assert gantt_description(at).startswith("Roadmap. ")


def test_hostile_names_render_as_plain_text_on_the_roadmap_with_its_why_panel_and_locks():
    from tests.app.test_hostile_text import DANGEROUS, HOSTILE, rendered_texts

    sample = state.load_plan_sample() if state.plan_sample_available() else replace(three_year_plan())
    hostile = replace(
        sample,
        name="<script>alert('portfolio')</script>",
        priorities=tuple(replace(p, name=HOSTILE.get(p.id, p.name), owner="<b>owner</b>") for p in sample.priorities),
    )
    target = "LOC-UEC03" if any(p.id == "LOC-UEC03" for p in hostile.priorities) else hostile.priorities[0].id
    at = open_roadmap(hostile)
    at.selectbox(key="roadmap_lock_priority").set_value(target).run()
    at.button(key="roadmap_forbid").click().run()
    at.selectbox(key="roadmap_why_priority").set_value(target).run()
    assert not at.exception, [e.value for e in at.exception]
    for text in rendered_texts(at):
        for pattern in DANGEROUS:
            assert not pattern.search(text), f"unescaped markup on the Roadmap: {text[:120]!r}"


def test_the_board_pack_draws_a_label_that_its_limit_would_cut_inside_an_emoji(sample):
    from optimiser.solve import solve
    from reports.board_pack import board_pack_html

    label = "https://example.org/path?q=1 🙂 `code`"  # vl-convert fails on the label cut at its limit
    emoji = replace(
        sample, dimensions=tuple(replace(d, label=label) if i == 0 else d for i, d in enumerate(sample.dimensions))
    )
    assert "data:image/png;base64," in board_pack_html(emoji, solve(emoji))


def test_the_roadmap_workbook_keeps_a_formula_like_name_as_guarded_text():
    portfolio, plan = hand_plan()
    hostile = replace(
        portfolio,
        priorities=tuple(
            replace(p, name='=HYPERLINK("http://evil.example","x")') if p.id == "N1" else p
            for p in portfolio.priorities
        ),
    )
    book = load_workbook(io.BytesIO(roadmap_workbook(hostile, plan)))
    names = [row[1] for row in book["Roadmap"].iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://evil.example","x")' in names
    assert not any(cell.data_type == "f" for sheet in book.worksheets for row in sheet.iter_rows() for cell in row), (
        "no formula in the workbook"
    )


def test_rationalise_says_it_answers_the_one_year_question_of_a_plan():
    if not state.plan_sample_available():
        pytest.skip("the five-year sample is not in sample_data/")
    from optimiser.formats import load_portfolio

    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["portfolio"] = load_portfolio(state.SAMPLE_PLAN_PATH)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    captions = " ".join(c.value.replace("\\", "") for c in at.caption)  # captions are Markdown-escaped
    assert "This scenario has a 5-year plan (2026/27 to 2030/31)" in captions
    assert "The Roadmap page shows the plan." in captions


def test_opening_the_five_year_sample_is_named_as_such_on_rationalise():
    """Opening another portfolio is one change in words, not a list of every difference."""
    if not state.plan_sample_available():
        pytest.skip("the five-year sample is not in sample_data/")
    at = open_roadmap()
    at.button(key="roadmap_load_sample").click().run(timeout=300)
    name = at.session_state["portfolio"].name
    assert at.session_state["portfolio"].plan.years == 5
    at.switch_page("pages/rationalise.py").run()
    assert not at.exception, [e.value for e in at.exception]
    (info,) = [i.value.replace("\\", "") for i in at.info if "Last change" in i.value.replace("\\", "")]
    assert info == f"Last change: opened {name}."
