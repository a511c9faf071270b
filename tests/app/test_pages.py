"""Streamlit AppTest journeys for every page."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages import APP, PAGES

ROOT = Path(__file__).resolve().parents[2]


def open_app(page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def table(at: AppTest, column: str, first_starts: str = ""):
    """The first table with this column (and, if given, whose first value in it starts so)."""
    for frame in at.dataframe:
        value = frame.value
        if column in value.columns and (not first_starts or str(value[column].iloc[0]).startswith(first_starts)):
            return value
    raise AssertionError(f"no table with column {column!r}")


def problems(at: AppTest):
    return table(at, "problem and how to fix it")


def usable_and_used(at: AppTest, capacity: str) -> tuple[float, float]:
    """(usable after headroom, used) of one capacity, from the Rationalise page's capacity table."""
    frame = table(at, "usable after headroom")
    row = frame[frame["capacity"] == capacity].iloc[0]
    return float(row["usable after headroom"]), float(row["used"])


def metric(at: AppTest, label: str) -> str:
    """A metric's value by its label (labels holding user text are Markdown-escaped)."""
    return next(m.value for m in at.metric if m.label.replace("\\", "") == label)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_exception(page):
    at = open_app(page)
    assert at.title[0].value in {
        "Rationalise",
        "Roadmap",
        "Present",
        "Priorities",
        "Capacity and rules",
        "Scenarios",
        "Compare scenarios",
        "Frontier",
        "Workshop",
        "Join a workshop",
    }
    assert not at.error


def test_sample_portfolio_is_loaded_and_solved_by_default():
    at = open_app()
    assert at.title[0].value == "Rationalise"
    assert metric(at, "Priorities kept") == "17 of 48"
    assert metric(at, "Weighted value kept") == "1,105.5"
    assert metric(at, "Net value") == "965.5"
    assert usable_and_used(at, "Operational") == (591.3, 588.0)
    kept, dropped = table(at, "why", "Kept"), table(at, "why", "Dropped")
    assert len(kept) == 17 and len(dropped) == 31
    assert set(kept["id"]) >= {"NAT-UEC01", "NAT-ELE01", "NAT-CAN01", "NAT-MH01", "NAT-MAT01"}
    assert dropped["why"].str.startswith("Dropped:").all()


def test_priorities_page_shows_the_whole_sample_table():
    at = open_app("pages/priorities.py")
    table = at.data_editor[0].value
    assert len(table) == 48
    assert {"id", "cost:strategic", "cost:operational", "score:outcomes"} <= set(table.columns)


def edit_dimension(at: AppTest, row: int, **changes) -> None:
    key = f"rules_dimensions_{at.session_state['portfolio_revision']}"
    at.session_state[key] = {"edited_rows": {row: changes}, "added_rows": [], "deleted_rows": []}
    at.run()


def test_a_capacity_change_changes_the_result():
    at = open_app("pages/capacity_and_rules.py")
    edit_dimension(at, 1, available=1300.0)  # operational from 657 to 1300 WTE-months
    assert not at.error
    assert at.session_state["portfolio"].dimension("operational").available == 1300.0
    at.switch_page("pages/rationalise.py")
    at.run()
    assert usable_and_used(at, "Operational")[0] == 1170.0
    assert metric(at, "Priorities kept") != "17 of 48"


def test_a_bad_capacity_edit_shows_an_error_and_keeps_the_settings():
    at = open_app("pages/capacity_and_rules.py")
    edit_dimension(at, 0, name="operational")  # duplicate name
    assert at.error, "a duplicate dimension name must be reported"
    found = problems(at)
    assert "'operational' is used twice" in " ".join(found["problem and how to fix it"])
    assert [d.name for d in at.session_state["portfolio"].dimensions][:2] == ["strategic", "operational"]


def test_a_bad_priority_edit_shows_an_error_and_keeps_the_data():
    at = open_app("pages/priorities.py")
    version = at.session_state["priorities_editor_version"]
    at.session_state[f"priorities_editor_{version}"] = {
        "edited_rows": {2: {"horizon": None, "cost:operational": None}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert at.error
    found = problems(at)
    assert set(found["priority"]) == {"NAT-ELE01"}
    assert set(found["column"]) == {"horizon", "cost:operational"}
    assert set(found["row"]) == {"3"}
    portfolio = at.session_state["portfolio"]
    assert len(portfolio.priorities) == 48
    assert portfolio.priority("NAT-ELE01").horizon == "short"


def test_a_valid_priority_edit_is_used_by_the_model():
    at = open_app("pages/priorities.py")
    version = at.session_state["priorities_editor_version"]
    at.session_state[f"priorities_editor_{version}"] = {
        "edited_rows": {},
        "added_rows": [],
        "deleted_rows": [47],  # LOC-FIN01
    }
    at.run()
    assert not at.error
    assert len(at.session_state["portfolio"].priorities) == 47
    at.switch_page("pages/rationalise.py")
    at.run()
    assert metric(at, "Priorities kept").endswith("of 47")


def test_locking_out_a_kept_priority_drops_it():
    at = open_app("pages/capacity_and_rules.py")
    at.multiselect(key="rules_locked_out_0").set_value(["LOC-NH01"]).run()
    assert at.session_state["portfolio"].rules.locked_out == ("LOC-NH01",)
    at.switch_page("pages/rationalise.py")
    at.run()
    dropped = table(at, "why", "Dropped")
    row = dropped[dropped["id"] == "LOC-NH01"].iloc[0]
    assert row["why"] == "Dropped: locked out for this scenario."


def test_must_dos_over_capacity_are_explained_not_just_infeasible():
    at = open_app("pages/capacity_and_rules.py")
    edit_dimension(at, 1, available=100.0)
    at.switch_page("pages/rationalise.py")
    at.run()
    assert at.error[0].value.startswith("No selection can satisfy all the rules")
    text = " ".join(m.value for m in at.markdown)
    assert "alone need" in text and "operational capacity" in text and "over by" in text
    assert not at.metric


def test_max_priorities_rule_is_applied():
    at = open_app("pages/capacity_and_rules.py")
    at.number_input(key="rules_max_priorities_0").set_value(10).run()
    assert at.session_state["portfolio"].rules.max_priorities == 10
    at.switch_page("pages/rationalise.py")
    at.run()
    assert metric(at, "Priorities kept") == "10 of 48"


def test_uploading_a_bad_file_lists_problems_and_keeps_the_portfolio():
    at = open_app("pages/priorities.py")
    raw = json.loads((ROOT / "sample_data" / "icb_portfolio.json").read_text())
    raw["priorities"][0]["horizon"] = "eventually"
    raw["priorities"][5]["requires"] = ["NOPE"]
    at.file_uploader[0].set_value(("broken.json", json.dumps(raw).encode(), "application/json")).run()
    assert any("broken.json was not loaded" in e.value.replace("\\", "") for e in at.error)
    found = problems(at)
    assert list(found["priority"]) == ["NAT-UEC01", "NAT-CAN02"]
    assert list(found["column"]) == ["horizon", "requires"]
    assert len(at.session_state["portfolio"].priorities) == 48
    assert at.session_state["portfolio"].priority("NAT-UEC01").horizon == "short"


def test_uploading_a_valid_json_replaces_the_portfolio():
    at = open_app("pages/priorities.py")
    raw = json.loads((ROOT / "sample_data" / "icb_portfolio.json").read_text())
    raw["name"] = "Smaller list"
    raw["priorities"] = raw["priorities"][:20]
    raw["priorities"] = [
        {
            **p,
            "requires": [r for r in p["requires"] if r in {q["id"] for q in raw["priorities"]}],
            "excludes": [e for e in p["excludes"] if e in {q["id"] for q in raw["priorities"]}],
        }
        for p in raw["priorities"]
    ]
    at.file_uploader[0].set_value(("smaller.json", json.dumps(raw).encode(), "application/json")).run()
    assert not at.error
    assert any("smaller.json is valid: 20 priorities" in s.value.replace("\\", "") for s in at.success)
    assert len(at.session_state["portfolio"].priorities) == 48, "nothing changes before the user confirms"
    at.button(key="confirm_replace").click().run()
    assert any("Loaded 20 priorities from smaller.json" in s.value.replace("\\", "") for s in at.success)
    assert len(at.data_editor[0].value) == 20
    at.switch_page("pages/rationalise.py")
    at.run()
    assert metric(at, "Priorities kept").endswith("of 20")


def test_uploading_a_csv_table_replaces_only_the_priorities():
    from optimiser.formats import load_portfolio, priorities_frame

    sample = load_portfolio(ROOT / "sample_data" / "icb_portfolio.json")
    frame = priorities_frame(sample)
    frame.loc[0, "name"] = "Renamed in a spreadsheet"
    at = open_app("pages/priorities.py")
    at.file_uploader[0].set_value(("table.csv", frame.to_csv(index=False).encode(), "text/csv")).run()
    at.button(key="confirm_replace").click().run()
    portfolio = at.session_state["portfolio"]
    assert portfolio.priority("NAT-UEC01").name == "Renamed in a spreadsheet"
    assert portfolio.dimensions == sample.dimensions and portfolio.rules == sample.rules


def test_why_panel_explains_the_chosen_priority_with_figures():
    at = open_app()
    at.selectbox(key="why_priority").set_value("LOC-UEC03").run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown).replace("\\", "")
    assert (
        "Bringing Extend same-day emergency care hours (LOC-UEC03) in would lose 20 of net value and displace "
        "Community diagnostic centre expansion (LOC-CAN01)" in text
    )
    assert metric(at, "Net value lost by reversing this decision") == "20.0"
    assert metric(at, "Weighted value needed to be kept") == "> 75.5"
    assert metric(at, "Kept at these costs (% of today's)") == "57% or less"


def test_trade_off_figures_are_on_the_rationalise_page():
    at = open_app()
    assert metric(at, "What the must-dos cost the local agenda") == "83.5 net value"
    assert metric(at, "Optimised versus a simple ranking (net value)") == "965.5 vs 955.5"
    capacity = table(at, "net value of 10% more")
    assert list(capacity["capacity"]) == ["Strategic", "Operational", "Improvement support", "Revenue"]
    assert capacity.loc[capacity["capacity"] == "Operational", "net value of 10% more"].iloc[0] == 53.5


def test_explain_every_decision_fills_a_table_for_all_priorities():
    at = open_app()
    at.button(key="explain_all").click().run(timeout=180)
    assert not at.exception
    explained = table(at, "explanation")
    assert len(explained) == 48
    row = explained[explained["id"] == "LOC-UEC03"].iloc[0]
    assert "Acute frailty unit at the front door (LOC-UEC04)" in row["would displace"]


def test_infeasible_rules_offer_checked_fixes_a_capacity_only_one_first_and_undo():
    at = open_app("pages/capacity_and_rules.py")
    edit_dimension(at, 1, available=300.0)
    at.switch_page("pages/rationalise.py")
    at.run()
    errors = " ".join(e.value for e in at.error)
    assert "No selection can satisfy all the rules" in errors
    statements = [m.value.replace("\\", "") for m in at.markdown]
    assert any("alone need 312 WTE-months of operational capacity" in m and "over by 42" in m for m in statements)
    assert not any("short by" in m for m in statements), "one statement of each shortfall"
    options = [m for m in statements if m.startswith("**Capacity only**") or m.startswith("**Smallest")]
    assert options[0].startswith("**Capacity only**: Raise operational capacity from 300 to ")
    assert any("weakens the balance bands" in m for m in options[1:])
    before = at.session_state["portfolio"]
    at.button(key="apply_option_0").click().run()
    assert not at.error
    assert at.session_state["portfolio"].dimension("operational").available > 300
    assert [d.available for d in at.session_state["portfolio"].dimensions if d.name != "operational"] == [
        d.available for d in before.dimensions if d.name != "operational"
    ]
    assert at.session_state["portfolio"].rules == before.rules, "a capacity-only option changes capacity only"
    assert any("Applied: Raise operational capacity from 300 to" in s.value.replace("\\", "") for s in at.success)
    assert metric(at, "Priorities kept").endswith("of 48")
    at.button(key="undo_fix").click().run()
    assert at.session_state["portfolio"] == before
    assert at.error


def solve_kept(sample, limit: int) -> tuple[str, ...]:
    from optimiser.solve import solve

    return solve(replace(sample, rules=replace(sample.rules, max_priorities=limit))).kept


def save_on_page(at: AppTest, name: str, author: str, note: str = "") -> None:
    inputs = {t.label: t for t in at.text_input}
    inputs["Scenario name"].input(name)
    inputs["Your name"].input(author)
    at.text_area[0].input(note)
    next(b for b in at.button if b.label == "Save").click()
    at.run()


def test_saving_and_reopening_a_scenario(private_store):
    at = open_app("pages/scenarios.py")
    save_on_page(at, "Option A", "Facilitator", "tight capacity")
    assert not at.exception
    assert any("Saved" in s.value and "version 1" in s.value for s in at.success)
    info = at.session_state["current_scenario"]
    assert (info.name, info.version) == ("Option A", 1)
    assert at.query_params["scenario"] in (info.scenario_id, [info.scenario_id])
    # Save a second version after changing a rule elsewhere.
    at.switch_page("pages/capacity_and_rules.py").run()
    at.number_input(key="rules_max_priorities_0").set_value(12).run()
    at.switch_page("pages/scenarios.py").run()
    save_on_page(at, "Option A", "Facilitator")
    assert at.session_state["current_scenario"].version == 2
    # Open version 1 again: the rule comes back.
    at.selectbox(key="version_pick").set_value(1).run()
    at.button(key="open_scenario").click().run()
    assert at.session_state["portfolio"].rules.max_priorities == 18
    assert at.session_state["current_scenario"].version == 1


def test_saving_from_a_stale_copy_shows_the_conflict(private_store, sample):
    from optimiser.store import ScenarioStore

    at = open_app("pages/scenarios.py")
    save_on_page(at, "Shared plan", "Al")
    info = at.session_state["current_scenario"]
    ScenarioStore(private_store).save(
        sample, name="Shared plan", author="Bea", scenario_id=info.scenario_id, based_on=1
    )
    save_on_page(at, "Shared plan", "Al")
    assert any("Not saved: version 2 of this scenario was saved by Bea" in e.value.replace("\\", "") for e in at.error)
    assert len(ScenarioStore(private_store).versions(info.scenario_id)) == 2


def test_a_link_opens_the_stored_scenario(private_store, sample):
    from optimiser.store import ScenarioStore

    smaller = replace(sample, rules=replace(sample.rules, max_priorities=12))
    info = ScenarioStore(private_store).save(smaller, name="Linked", author="Al")
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["scenario"] = info.scenario_id
    at.query_params["version"] = "1"
    at.run()
    assert not at.exception
    assert at.session_state["portfolio"].rules.max_priorities == 12
    assert metric(at, "Priorities kept") == "12 of 48"
    # The link opens the result page, named by scenario and version; a change marks it unsaved.
    assert at.title[0].value == "Rationalise"
    captions = [c.value.replace("\\", "") for c in at.caption]
    assert "Scenario 'Linked', version 1" in captions
    at.session_state["portfolio"] = replace(smaller, rules=replace(smaller.rules, max_priorities=11))
    at.run()
    captions = [c.value.replace("\\", "") for c in at.caption]
    assert "Scenario 'Linked', version 1 · unsaved changes" in captions


def test_a_bad_link_says_so_and_keeps_the_sample():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["scenario"] = "nosuchid"
    at.run()
    assert any("There is no scenario 'nosuchid'" in e.value for e in at.error)
    assert metric(at, "Priorities kept") == "17 of 48"


def test_deleting_needs_confirmation(private_store, sample):
    from optimiser.store import ScenarioStore

    ScenarioStore(private_store).save(sample, name="To delete", author="Al")
    at = open_app("pages/scenarios.py")
    assert at.button(key="delete_scenario").disabled
    at.checkbox(key="confirm_delete").check().run()
    at.button(key="delete_scenario").click().run()
    assert ScenarioStore(private_store).list() == []


def test_compare_shows_what_differs_between_scenarios(private_store, sample):
    from optimiser.store import ScenarioStore

    ScenarioStore(private_store).save(
        replace(sample, rules=replace(sample.rules, max_priorities=12)), name="Lean", author="Al"
    )
    at = open_app("pages/compare.py")
    assert not at.exception
    headline = table(at, "weighted value")
    assert list(headline["kept"]) == ["17 of 48", "12 of 48"]
    diff = table(at, "in the scenarios")
    assert set(diff["in the scenarios"]) == {"only in some"}
    lean = solve_kept(sample, 12)
    assert len(diff) == len(set(solve_kept(sample, 18)) ^ set(lean))


def test_frontier_page_shows_25_points_and_weight_ranges():
    at = open_app("pages/frontier.py")
    points = table(at, "entered")
    assert len(points) == 25
    assert (points["value"].dropna().diff().dropna() >= 0).all()
    at.toggle(key="weights_on").set_value(True).run(timeout=120)
    ranges = table(at, "same set from")
    assert list(ranges["criterion"])[:2] == ["Health outcomes", "Reducing inequalities"]


def test_an_excel_workbook_is_checked_then_replaces_the_portfolio_on_confirmation(sample):
    from optimiser.excel import template_workbook

    smaller = replace(sample, rules=replace(sample.rules, max_priorities=12))
    at = open_app("pages/priorities.py")
    at.file_uploader[0].set_value(("plan.xlsx", template_workbook(smaller), "application/octet-stream")).run()
    assert at.session_state["portfolio"].rules.max_priorities == 18
    at.button(key="confirm_replace").click().run()
    assert at.session_state["portfolio"] == replace(smaller, name=sample.name)
    at.switch_page("pages/rationalise.py").run()
    assert metric(at, "Priorities kept") == "12 of 48"


def test_a_broken_workbook_lists_every_problem_with_sheet_row_and_column(sample):
    import io

    from openpyxl import load_workbook

    from optimiser.excel import template_workbook

    wb = load_workbook(io.BytesIO(template_workbook(sample)))
    wb["Priorities"]["F2"] = "someday"  # horizon of NAT-UEC01
    wb["Priorities"]["N3"] = "lots"  # cost:revenue of NAT-UEC02
    wb["Capacity"]["D3"] = -5  # operational available
    buffer = io.BytesIO()
    wb.save(buffer)
    at = open_app("pages/priorities.py")
    at.file_uploader[0].set_value(("broken.xlsx", buffer.getvalue(), "application/octet-stream")).run()
    found = problems(at)
    assert list(zip(found["sheet"], found["row"], found["column"], found["value found"])) == [
        ("Capacity", "3", "available", "-5"),
        ("Priorities", "2", "horizon", "someday"),
        ("Priorities", "3", "cost:revenue", "lots"),
    ]
    assert len(at.session_state["portfolio"].priorities) == 48


def test_results_and_board_pack_downloads_are_offered():
    at = open_app()
    assert any(b.label == "Prepare the board pack (HTML and PDF)" for b in at.button)
    at.button(key="prepare_pack").click().run(timeout=120)
    assert not at.exception
    pack = at.session_state["board_pack"]
    assert pack[2].startswith(b"%PDF") and "Kept priorities (17)" in pack[1]


def test_when_the_store_fails_mid_session_the_work_stays_and_can_be_downloaded(private_store):
    at = open_app("pages/scenarios.py")
    save_on_page(at, "Before the fault", "Al")
    assert at.session_state["current_scenario"].version == 1
    at.switch_page("pages/capacity_and_rules.py").run()
    at.number_input(key="rules_max_priorities_0").set_value(13).run()
    # The database file is destroyed while the session is open.
    Path(private_store.removeprefix("sqlite:///")).write_bytes(b"this is not a database any more" * 100)
    at.switch_page("pages/scenarios.py").run()
    assert not at.exception
    assert any("is not available" in e.value and "Your current work is still here" in e.value for e in at.error)
    save_on_page(at, "After the fault", "Al")
    assert not at.exception
    assert at.session_state["portfolio"].rules.max_priorities == 13
    assert any(b.label == "Download the current scenario (.json)" for b in at.get("download_button"))


def test_a_time_limited_result_shows_its_gap_and_no_trade_off_figures(monkeypatch):
    # A small fake in place of the cached solve: the sample's own selection, stopped before being proven.
    import ui.state

    real = ui.state.cached_solve

    def stopped_early(portfolio, solver, time_limit):
        result = real(portfolio, solver, time_limit)
        return replace(result, status="feasible", gap=0.004, message="The solver stopped at its time limit.")

    monkeypatch.setattr(ui.state, "cached_solve", stopped_early)
    at = open_app()
    assert any("stopped at its time limit" in w.value for w in at.warning)
    assert any("shown only when today's selection is proven optimal" in i.value for i in at.info)
    labels = [m.label for m in at.metric]
    assert "What the must-dos cost the local agenda" not in labels
    assert "Net value lost by reversing this decision" not in labels
    assert not [f for f in at.dataframe if "net value of 10% more" in f.value.columns]
    assert metric(at, "Priorities kept") == "17 of 48"


def test_unapplied_edits_survive_a_page_switch_are_flagged_and_can_be_discarded():
    at = open_app("pages/priorities.py")
    version = at.session_state["priorities_editor_version"]
    at.session_state[f"priorities_editor_{version}"] = {
        "edited_rows": {2: {"cost:operational": -5}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    found = problems(at)
    assert list(zip(found["row"], found["priority"], found["column"])) == [("3", "NAT-ELE01", "cost:operational")]
    assert at.session_state["portfolio"].priority("NAT-ELE01").cost("operational") == 67.0
    at.switch_page("pages/rationalise.py").run()
    assert any("Edits on the Priorities page are not applied (1 problem" in w.value for w in at.warning)
    at.switch_page("pages/priorities.py").run()
    table = at.data_editor[0].value
    assert table.loc[table["id"] == "NAT-ELE01", "cost:operational"].iloc[0] == -5, "the edit was lost"
    assert problems(at)["priority"].tolist() == ["NAT-ELE01"]
    at.button(key="discard_edits").click().run()
    table = at.data_editor[0].value
    assert table.loc[table["id"] == "NAT-ELE01", "cost:operational"].iloc[0] == 67.0
    at.switch_page("pages/rationalise.py").run()
    assert not any("not applied" in w.value for w in at.warning)


def test_a_negative_cost_is_refused_with_its_row_id_and_field_never_altered():
    at = open_app("pages/priorities.py")
    version = at.session_state["priorities_editor_version"]
    at.session_state[f"priorities_editor_{version}"] = {
        "edited_rows": {0: {"cost:strategic": -5}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    (message,) = problems(at)["problem and how to fix it"]
    assert "-5 is out of range" in message
    assert at.session_state["portfolio"].priority("NAT-UEC01").cost("strategic") == 6.0


def test_two_versions_of_one_scenario_can_be_compared_labelled_by_name_and_version(private_store, sample):
    from optimiser.store import ScenarioStore

    store = ScenarioStore(private_store)
    first = store.save(sample, name="Board plan", author="Al")
    smaller = replace(sample, rules=replace(sample.rules, max_priorities=12))
    store.save(smaller, name="Board plan", author="Bea", scenario_id=first.scenario_id, based_on=1)
    at = open_app("pages/compare.py")
    at.multiselect(key="compare_pick").set_value([f"{first.scenario_id}@1", f"{first.scenario_id}@2"]).run()
    assert not at.exception
    headline = table(at, "net value")
    assert list(headline["scenario"]) == ["Board plan v1", "Board plan v2"]
    assert list(headline["kept"]) == ["17 of 48", "12 of 48"]


def test_a_change_says_what_it_did_and_can_be_undone_and_redone(sample):
    at = open_app("pages/capacity_and_rules.py")
    edit_dimension(at, 1, available=1300.0)
    at.switch_page("pages/rationalise.py").run()
    (info,) = [i.value.replace("\\", "") for i in at.info if "Last change" in i.value.replace("\\", "")]
    assert info.startswith("Last change: operational capacity 657 → 1,300. Effect: brought in ")
    from optimiser.solve import solve

    changed = at.session_state["portfolio"]
    brought = [p for p in solve(changed).kept if p not in solve(sample).kept]
    assert all(f"({pid})" in info for pid in brought)
    at.button(key="undo_last").click().run()
    assert at.session_state["portfolio"] == sample
    assert metric(at, "Priorities kept") == "17 of 48"
    at.button(key="redo_last").click().run()
    assert at.session_state["portfolio"] == changed
    assert usable_and_used(at, "Operational")[0] == 1170.0


def test_the_presentation_view_shows_the_summary_balance_names_and_the_last_change():
    at = open_app("pages/capacity_and_rules.py")
    edit_dimension(at, 1, available=1300.0)
    at.switch_page("pages/present.py").run()
    assert not at.exception
    assert at.header[0].value.replace("\\", "").startswith("Keeps 18 of 48")
    assert [h.value.replace("\\", "") for h in at.header[1:]] == ["Kept (18)", "Dropped (30)"]
    assert any(
        s.value.replace("\\", "").startswith("Last change: operational capacity 657 → 1,300") for s in at.subheader
    )
    names = " ".join(m.value.replace("\\", "") for m in at.markdown)
    assert "Integrated neighbourhood teams (LOC-NH01)" in names


def test_an_owner_brief_can_be_prepared_and_downloaded():
    at = open_app()
    at.selectbox(key="brief_owner").set_value("Cancer alliance").run()
    at.button(key="prepare_brief").click().run(timeout=120)
    assert not at.exception
    (key, pdf) = at.session_state["owner_brief"]
    assert key[2] == "Cancer alliance" and pdf[:4] == b"%PDF"
    assert any(b.label == "Download the brief (.pdf)" for b in at.get("download_button"))
