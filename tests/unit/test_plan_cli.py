"""`python -m optimiser plan FILE`: the roadmap in text, the versioned JSON document, exit codes and --years,
on small plans built in code and written with `formats.portfolio_to_json`."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from optimiser.__main__ import main
from optimiser.domain import CapacityDimension, Criterion, PlanSettings, Portfolio, Rules
from optimiser.formats import load_portfolio, portfolio_to_json
from optimiser.result import Schedule
from optimiser.rules import check_rules
from tests.builders import plan_item as item

ROOT = Path(__file__).resolve().parents[2]


def roadmap(years: int = 3) -> Portfolio:
    """A (must-do by year 1) and the 2-year B that needs it; C fills year 1; E is existing activity that is
    stopped for D (which may start only in year 2); X never fits. Per-year value: earlier is worth more."""
    return Portfolio(
        name="Tiny roadmap",
        dimensions=(CapacityDimension("ops", "days", 12.0),),
        criteria=(Criterion("benefit", 1.0),),
        priorities=(
            item("A", 4, 3, must_do=True, deadline=1),
            item("B", 5, 6, requires=("A",), duration=2, horizon="medium"),
            item("C", 2, 1),
            item("E", 6, 1, existing=True),
            item("D", 6, 9, earliest_start=2),
            item("X", 20, 5, horizon="long"),
        ),
        rules=Rules(sensitivity_penalty=0.0),
        plan=PlanSettings(years, "2026/27", "per_year"),
    )


@pytest.fixture
def plan_file(tmp_path) -> Path:
    path = tmp_path / "roadmap.json"
    path.write_text(portfolio_to_json(roadmap()), encoding="utf-8")
    return path


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "optimiser", *args], cwd=ROOT, capture_output=True, text=True)


def test_the_file_written_in_code_loads_back_as_the_same_plan(plan_file):
    assert load_portfolio(plan_file) == roadmap()


def test_plan_prints_a_roadmap_year_by_year(plan_file, capsys):
    assert main(["plan", str(plan_file)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Plan: Tiny roadmap: a 3-year plan, 2026/27 to 2028/29")
    assert "Status: optimal (HiGHS" in out and "Optimal plan (proven" in out
    # Year 1: A (must-do by 2026/27) and C start; E runs. Year 2: B (2 years, after A) and D start, E stops.
    year1, year2, year3 = (
        out.split("\n2026/27\n")[1].split("\n2027/28\n")[0],
        *out.split("\n2027/28\n")[1].split("\n2028/29\n"),
    )
    assert "Starts     Priority A (A), must-do by 2026/27" in year1
    assert "Priority C (C)" in year1
    assert "Continues  Priority E (E) (existing)" in year1
    assert "Starts     Priority B (B), 2 years to 2028/29" in year2
    assert "Priority D (D)" in year2
    assert "Stops      Priority E (E) from 2027/28: frees 6 days of ops capacity a year" in year2
    assert "Continues  Priority B (B), year 2 of 2" in year3
    assert "Finishes   Priority B (B)" in year3
    assert "Capacity   Ops: 12 of 12 days usable (100%), 0 free" in year1
    assert "Capacity   Ops: 11 of 12 days usable (92%), 1 free" in year2
    assert "What we stop, and what that frees:\n  Priority E (E) from 2027/28" in out
    assert "Not started in the plan (1):\n  Priority X (X)" in out
    assert "Ops capacity is full in 2026/27" in out


def test_plan_json_is_a_versioned_document_with_the_schedule(plan_file, capsys):
    assert main(["plan", str(plan_file), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema"] == "priority-rationaliser/plan" and doc["schema_version"] == 1
    assert doc["status"] == "optimal" and doc["proven"] is True and doc["gap"] == 0
    assert [y["label"] for y in doc["years"]] == ["2026/27", "2027/28", "2028/29"]
    starts = {s["id"]: s["year"] for s in doc["schedule"]["starts"]}
    assert starts == {"A": 1, "C": 1, "B": 2, "D": 2}
    assert doc["schedule"]["stops"] == [{"id": "E", "year": 2, "label": "2027/28"}]
    schedule = Schedule(tuple(starts.items()), (("E", 2),))
    assert check_rules(roadmap(), schedule) == ()
    rows = {r["id"]: r for r in doc["priorities"]}
    assert rows["B"]["start_label"] == "2027/28" and rows["B"]["finish_label"] == "2028/29"
    assert rows["E"]["status"] == "stopped" and rows["E"]["frees"] == [{"dimension": "ops", "amount": 6.0}]
    assert rows["X"]["status"] == "not_started" and rows["X"]["start"] is None
    # Per-year value: A 3, C 1 (finish year 1: 3/3); B 6 x 1/3 = 2; D 9 x 2/3 = 6; E 1 x 1/3.
    assert doc["figures"]["net_value"] == pytest.approx(3 + 1 + 2 + 6 + 1 / 3)
    use = {(c["dimension"], c["year"]): c for c in doc["capacity"]}
    assert use[("ops", 1)]["used"] == 12 and use[("ops", 2)]["used"] == 11 and use[("ops", 3)]["free"] == 7
    assert doc["balance"]["dimension"] == "ops"
    assert [y["year"] for y in doc["balance"]["by_year"]] == [1, 2, 3]
    assert {h["horizon"] for h in doc["balance"]["plan"]} == {"short", "medium", "long"}
    assert [b["rule"] for b in doc["binding"]] == ["capacity_ops_1"]


def test_years_shortens_the_plan(plan_file, capsys):
    assert main(["plan", str(plan_file), "--years", "1", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [y["label"] for y in doc["years"]] == ["2026/27"]
    assert {s["id"] for s in doc["schedule"]["starts"]} <= {"A", "C"}


def test_no_plan_exits_1_naming_the_conflict(tmp_path, capsys):
    # Two must-dos of 8 days each, both due in the first year, do not fit its 12 days.
    broken = replace(
        roadmap(), priorities=(item("M", 8, 1, must_do=True, deadline=1), item("N", 8, 1, must_do=True, deadline=1))
    )
    path = tmp_path / "broken.json"
    path.write_text(portfolio_to_json(broken), encoding="utf-8")
    assert main(["plan", str(path)]) == 1
    out = capsys.readouterr().out
    assert "Status: infeasible" in out and "Ops capacity in 2026/27 is short by 4 days" in out
    assert main(["plan", str(path), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["status"] == "infeasible" and doc["schedule"] is None and doc["conflicts"]


def test_bad_input_exits_2(tmp_path, capsys):
    missing = tmp_path / "missing.json"
    assert main(["plan", str(missing)]) == 2
    assert "error:" in capsys.readouterr().err
    for years in ("0", "11", "two"):
        with pytest.raises(SystemExit) as stop:
            main(["plan", str(missing), "--years", years])
        assert stop.value.code == 2


def test_plan_runs_as_a_command(plan_file):
    out = run("plan", str(plan_file), "--json", "--time-limit", "20")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["schema"] == "priority-rationaliser/plan"
    assert "plan" in run("--help").stdout


def test_an_unproven_plan_says_so_with_its_gap_in_text_and_json():
    from optimiser import words
    from optimiser.plan import solve_plan
    from optimiser.plan_cli import plan_document, plan_text

    portfolio = roadmap()
    solved = solve_plan(portfolio)
    unproven = replace(
        solved,
        status="feasible",
        gap=0.02,
        bound=12.6,
        time_limit_hit=True,
        message=words.plan_status_message("feasible", 0.02, True),
    )
    text = plan_text(portfolio, unproven)
    assert (
        "Status: feasible (HiGHS" in text
        and "before proving this plan the best: it is within 2% of the best possible" in text
    )
    doc = plan_document(portfolio, unproven)
    assert doc["proven"] is False and doc["gap"] == 0.02 and doc["time_limit_hit"] is True
