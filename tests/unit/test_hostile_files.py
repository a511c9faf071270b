"""An outside tester's findings on hostile and malformed input, one test each: every loader either loads the
data exactly or refuses it with a PortfolioError whose problems name the row, the priority id and the field."""

from __future__ import annotations

import io
import json
import math
import subprocess
import sys
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook

from optimiser.domain import Priority
from optimiser.errors import PortfolioError
from optimiser.excel import read_workbook, template_workbook
from optimiser.exports import to_safe_csv
from optimiser.formats import (
    load_portfolio,
    load_upload,
    portfolio_from_json,
    portfolio_to_json,
    priorities_frame,
    priorities_from_csv,
    priorities_to_csv,
)
from optimiser.parsing import MAX_PRIORITIES, parse_portfolio, replace_priorities, replace_settings
from optimiser.solve import solve
from tests.builders import portfolio, priority, raw_portfolio
from tests.data import hostile

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_JSON = json.loads((ROOT / "sample_data" / "icb_portfolio.json").read_text())


def refused(load, *args) -> list:
    with pytest.raises(PortfolioError) as info:
        load(*args)
    assert info.value.problems
    return list(info.value.problems)


def json_problems(raw) -> list:
    return refused(portfolio_from_json, json.dumps(raw, allow_nan=True))


def small() -> dict:
    return raw_portfolio(
        [priority("A", theme="digital"), priority("B", requires=["A"])],
        rules={"theme_limits": {"digital": {"max": 1}}, "locked_in": ["A"]},
    )


def workbook_bytes(change) -> bytes:
    wb = load_workbook(io.BytesIO(hostile.sample_workbook()))
    change(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ------------------------------------------------------------------ 1. control characters

TEXT_FIELDS = {
    # where in the JSON form -> (field named by the problem, priority id named, row named)
    ("priorities", 1, "name"): ("name", "B", 2),
    ("priorities", 1, "owner"): ("owner", "B", 2),
    ("priorities", 1, "theme"): ("theme", "B", 2),
    ("priorities", 1, "source"): ("source", "B", 2),
    ("priorities", 1, "horizon"): ("horizon", "B", 2),
    ("priorities", 1, "id"): ("id", None, 2),
    ("priorities", 1, "requires"): ("requires", "B", 2),
    ("priorities", 1, "excludes"): ("excludes", "B", 2),
    ("capacity_dimensions", 0, "name"): ("capacity_dimensions[1].name", None, None),
    ("capacity_dimensions", 0, "unit"): ("capacity 'ops' unit", None, None),
    ("capacity_dimensions", 0, "label"): ("capacity 'ops' label", None, None),
    ("criteria", 0, "name"): ("criteria[1].name", None, None),
    ("criteria", 0, "label"): ("criterion 'benefit' label", None, None),
    ("name",): ("name", None, None),
    ("rules", "locked_in"): ("rules.locked_in", None, None),
    ("rules", "balance_dimension"): ("rules.balance_dimension", None, None),
}
CONTROLS = {
    "\x01": "U+0001",
    "\x0b": "U+000B",
    "\x00": "U+0000",
    "\x7f": "U+007F",
    "\x85": "U+0085",
    "\t": "U+0009",
    "\n": "U+000A",
    "\ud800": "U+D800",
}


def put(raw: dict, path: tuple, text: str) -> None:
    target = raw
    for key in path[:-1]:
        target = target[key]
    old = target[path[-1]]
    if isinstance(old, list):
        target[path[-1]] = [f"A{text}"]
    elif path[-1] == "id":
        target[path[-1]] = f"B{text}"
    else:
        target[path[-1]] = f"{old or 'x'}{text}"


@pytest.mark.parametrize("path", sorted(TEXT_FIELDS, key=str))
@pytest.mark.parametrize("char", sorted(CONTROLS))
def test_control_characters_in_any_text_field_are_refused_naming_field_row_and_id(path, char):
    raw = small()
    raw["capacity_dimensions"][0]["label"] = "Ops"
    raw["criteria"][0]["label"] = "Benefit"
    raw["rules"]["balance_dimension"] = "ops"
    put(raw, path, char)
    field, pid, row = TEXT_FIELDS[path]
    problems = json_problems(raw)
    (problem,) = [p for p in problems if p.field == field]
    assert f"({CONTROLS[char]}) at character " in problem.message
    if path[-1] == "id":
        assert problem.row == 2 and problem.priority_id.startswith("B\\")  # the id as found, escaped
    else:
        assert (problem.priority_id, problem.row) == (pid, row)


def test_a_vertical_tab_as_word_writes_it_is_refused_in_json_csv_and_excel(sample):
    text = "Reach 78%\x0bof A&E"
    message = "contains a control character (U+000B) at character 10; remove it (Word writes line breaks this way)."
    raw = small()
    raw["priorities"][0]["name"] = text
    (problem,) = json_problems(raw)
    assert (problem.row, problem.priority_id, problem.field, problem.message) == (1, "A", "name", message)
    csv = priorities_to_csv(sample).replace("Reach 78% of A&E", text.replace(" of", "of"), 1)
    (problem,) = refused(priorities_from_csv, csv.replace("78%\x0bofA&E", "78%\x0bof A&E"), sample)
    assert (problem.row, problem.priority_id, problem.field) == (2, "NAT-UEC01", "name")
    book = hostile.with_priorities_xml(lambda xml: xml.replace(b"Reach 78% of", b"Reach 78%_x000B_of"))
    (problem,) = refused(read_workbook, book)  # Excel keeps the character as the escape _x000B_
    assert (problem.sheet, problem.row, problem.priority_id, problem.field) == ("Priorities", 2, "NAT-UEC01", "name")
    assert "U+000B" in problem.message


def test_lone_surrogates_from_json_escapes_and_c1_controls_are_refused():
    raw = small()
    text = portfolio_to_json(parse_portfolio(raw)).replace('"Priority A"', '"Priority \\ud800A"')
    (problem,) = refused(portfolio_from_json, text)
    assert (problem.field, problem.priority_id) == ("name", "A") and "lone surrogate (U+D800)" in problem.message
    raw["rules"]["theme_limits"] = {"digi\u0090tal": {"max": 1}}
    (problem,) = json_problems(raw)
    assert problem.field == "rules.theme_limits.digi\\x90tal" and "U+0090" in problem.message


def test_markdown_html_emoji_and_right_to_left_text_are_kept_exactly():
    names = ["**bold** _x_ [link](http://x)", "<b>café</b> &amp;", "🏥 Care 👩‍⚕️", "تحسين الرعاية", "a\u200bb\u202ec"]
    raw = raw_portfolio([priority(f"P{i}", name=name, owner=name[:20]) for i, name in enumerate(names)])
    loaded = portfolio_from_json(json.dumps(raw))
    assert [p.name for p in loaded.priorities] == names
    assert [p.owner for p in loaded.priorities] == [n[:20] for n in names]


# ------------------------------------------------------------------ 2. zip bombs


def load_measured(data: bytes) -> tuple[PortfolioError, float, float]:
    return load_measured_as("bomb.xlsx", data)


def load_measured_as(name: str, data: bytes, current=None) -> tuple[PortfolioError, float, float]:
    """The error, the seconds taken and the peak of memory allocated (MB) while the file is refused."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        load_upload(name, data, current)
    except PortfolioError as err:
        error = err
    else:
        raise AssertionError(f"{name} must be refused")
    finally:
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return error, seconds, peak


def test_a_workbook_of_millions_of_blank_rows_without_a_dimension_is_refused_at_once():
    data = hostile.blank_rows_bomb(3_000_000)  # about 7 MB packed, 50 MB unpacked
    error, seconds, peak = load_measured(data)
    assert "unpacks to" in str(error) and "the limit is 50.0 MB" in str(error)
    assert seconds < 2 and peak < 50
    smaller = hostile.blank_rows_bomb(400_000)  # under the total, but no dimension record: openpyxl would scan it
    error, seconds, peak = load_measured(smaller)
    assert "has no dimension record" in str(error) and seconds < 2


def test_a_workbook_with_a_huge_shared_string_is_refused_before_it_is_unpacked():
    error, seconds, peak = load_measured(hostile.shared_string_bomb(100 * 2**20))
    assert "unpacks to 100.1 MB; the limit is 50.0 MB" in str(error) and seconds < 2 and peak < 50
    error, seconds, peak = load_measured(hostile.shared_string_bomb(3 * 2**20))
    assert "is packed more than 100 times over" in str(error) and seconds < 2 and peak < 50


def test_rows_columns_and_cell_text_are_bounded_while_reading():
    (problem,) = refused(read_workbook, hostile.many_rows(MAX_PRIORITIES))
    assert (problem.sheet, problem.row, problem.field) == ("Priorities", MAX_PRIORITIES + 2, "sheet")
    assert f"more than {MAX_PRIORITIES + 1:,} rows" in problem.message
    (problem,) = refused(read_workbook, hostile.wide_row("GS"))  # column 201
    assert (problem.sheet, problem.row, problem.field) == ("Priorities", 3, "column GS")
    long_name = workbook_bytes(lambda wb: wb["Priorities"].cell(row=4, column=2, value="x" * 1001))
    (problem,) = refused(read_workbook, long_name)
    assert (problem.sheet, problem.row, problem.field) == ("Priorities", 4, "name")
    assert "1,001 characters; the limit is 1,000" in problem.message
    stray = workbook_bytes(lambda wb: wb["Priorities"].cell(row=5, column=40, value="note"))
    (problem,) = refused(read_workbook, stray)
    assert (problem.row, problem.field) == (5, "column AN") and "has no column name" in problem.message


def test_json_and_csv_files_of_millions_of_tiny_items_are_refused_without_running_away(sample):
    flood = '{"schema_version": 1, "priorities": [' + "[]," * 6_000_000 + "[]]}"  # 18 MB
    error, seconds, peak = load_measured_as("flood.json", flood.encode())
    assert "holds 6,000,003 objects and lists" in str(error) and seconds < 5 and peak < 150
    header = priorities_to_csv(sample).splitlines()[0]
    rows = "".join(f"P{i},n,local,,,short,,,,,1,1,1,1,1,1,1,1,1,1\n" for i in range(400_000))  # 17 MB
    error, seconds, peak = load_measured_as("flood.csv", (header + "\n" + rows).encode(), sample)
    assert [(p.field, p.row) for p in error.problems] == [("priorities", MAX_PRIORITIES + 2)]
    assert seconds < 30 and peak < 150  # 20,001 rows parsed, not 400,000 (under 5 s on a quiet machine)


# ------------------------------------------------------------------ 3. errors that escaped as tracebacks


def test_deeply_nested_json_is_refused_not_a_recursion_error():
    text = '{"schema_version": 1, "name": ' + "[" * 100_000 + "]" * 100_000 + "}"
    (problem,) = refused(portfolio_from_json, text)
    assert "nests lists or objects inside each other too deeply" in problem.message
    raw = small()
    raw["priorities"][0]["name"] = json.loads("[" * 500 + "]" * 500)
    (problem,) = json_problems(raw)
    assert (problem.field, problem.priority_id, problem.message) == ("name", "A", "must be text, not a list.")


@pytest.mark.parametrize("digits", [400, 5000])
def test_a_number_with_hundreds_or_thousands_of_digits_is_refused_naming_its_field(digits):
    text = json.dumps(small()).replace('"ops": 1.0', '"ops": ' + "9" * digits, 1)
    (problem,) = refused(portfolio_from_json, text)
    assert (problem.field, problem.priority_id, problem.row) == ("cost:ops", "A", 1)
    assert "too long to be a number" in problem.message
    text = json.dumps(small()).replace('"available": 10.0', '"available": 1' + "0" * (digits - 1))
    (problem,) = refused(portfolio_from_json, text)
    assert problem.field == "capacity 'ops' available"
    many = json.dumps(small()).replace('"sensitivity_penalty": 0', '"sensitivity_penalty": ' + "7" * 45)
    (problem,) = refused(portfolio_from_json, many)
    assert problem.field == "rules.sensitivity_penalty" and "out of range" in problem.message


def test_damaged_worksheet_xml_and_dtds_are_refused_not_parse_errors():
    (problem,) = refused(load_upload, "cut.xlsx", hostile.truncated_sheet())
    assert problem.sheet == "Priorities" and "could not be read (ParseError): it is damaged" in problem.message
    for data in (hostile.sheet_with_dtd(), hostile.sheet_with_dtd(entity=False)):
        (problem,) = refused(load_upload, "dtd.xlsx", data)
        assert "declares a DTD or entities" in problem.message


# ------------------------------------------------------------------ 4. limits and constant-time lookups


def test_cost_and_score_lookups_take_constant_time():
    names = [f"d{i}" for i in range(10_000)]
    p = Priority("A", "A", "local", "", "", "short", tuple((n, 1.0) for n in names), tuple((n, 2.0) for n in names))
    started = time.perf_counter()
    total = sum(p.cost(n) + p.score(n) for n in names)
    assert total == 30_000 and time.perf_counter() - started < 0.5
    assert replace(p, costs=(("d0", 5.0),)).cost("d0") == 5.0 and p.cost("d0") == 1.0


def test_too_many_dimensions_criteria_or_priorities_and_too_long_text_are_refused():
    raw = small()
    raw["capacity_dimensions"] = [{"name": f"d{i}", "available": 1} for i in range(51)]
    raw["criteria"] = [{"name": f"c{i}"} for i in range(51)]
    fields = {p.field: p.message for p in json_problems(raw)}
    assert fields["capacity_dimensions"] == "has 51 entries; the limit is 50 capacity dimensions. Remove some."
    assert fields["criteria"] == "has 51 entries; the limit is 50 criteria. Remove some."
    raw = small()
    raw["priorities"] = [priority(f"P{i}") for i in range(MAX_PRIORITIES + 1)]
    problems = json_problems(raw)
    assert [(p.field, p.row) for p in problems] == [("priorities", MAX_PRIORITIES + 1)]
    raw = small()
    raw["priorities"][0]["name"] = "n" * 201
    raw["priorities"][1]["owner"] = "o" * 101
    raw["priorities"][1]["id"] = "B" * 41
    found = {(p.field, p.row) for p in json_problems(raw)}
    assert found == {("name", 1), ("id", 2)}  # B's other fields are not read once its id is refused
    raw["priorities"][1]["id"] = "B"
    found = {(p.field, p.row): p.message for p in json_problems(raw)}
    assert found[("owner", 2)] == "is 101 characters long; the limit is 100. Shorten it."


# ------------------------------------------------------------------ 5. magnitudes


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("priorities", 0, "costs", "ops"), 1e15, "cost:ops"),
        (("priorities", 0, "costs", "ops"), math.inf, "cost:ops"),
        (("priorities", 0, "costs", "ops"), -math.inf, "cost:ops"),
        (("capacity_dimensions", 0, "available"), 1e10, "capacity 'ops' available"),
        (("capacity_dimensions", 0, "available"), math.inf, "capacity 'ops' available"),
        (("criteria", 0, "weight"), 1e12, "criterion 'benefit' weight"),
        (("rules", "sensitivity_penalty"), -math.inf, "rules.sensitivity_penalty"),
        (("rules", "max_priorities"), 1e12, "rules.max_priorities"),
        (("rules", "max_priorities"), "1e400", "rules.max_priorities"),
        (("priorities", 0, "sensitivity"), "1e400", "sensitivity"),
    ],
)
def test_huge_or_infinite_numbers_are_refused_at_load(path, value, field):
    raw = small()
    target = raw
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    (problem,) = json_problems(raw)
    assert problem.field == field


def test_the_largest_amounts_allowed_still_solve():
    raw = raw_portfolio([priority("A", 1e9, 5), priority("B", 6e8, 3)], capacity=1e9)
    result = solve(parse_portfolio(raw))
    assert result.status == "optimal" and result.kept == ("A",)


# ------------------------------------------------------------------ 6. silently wrong


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (("rules", "max_priorities"), "rules.max_priorities"),
        (("capacity_dimensions", 0, "headroom_pct"), "capacity 'ops' headroom_pct"),
        (("criteria", 0, "weight"), "criterion 'benefit' weight"),
        (("priorities", 0, "sensitivity"), "sensitivity"),
        (("rules", "sensitivity_penalty"), "rules.sensitivity_penalty"),
        (("rules", "theme_limits", "digital", "min"), "rules.theme_limits.digital.min"),
        (("rules", "horizon_bands", "short", "max_pct"), "rules.horizon_bands.short.max_pct"),
        (("priorities", 0, "must_do"), "must_do"),
    ],
)
def test_nan_is_refused_wherever_a_number_is_given(path, field):
    raw = small()
    raw["rules"]["horizon_bands"] = {"short": {"min_pct": 0, "max_pct": 100}}
    target = raw
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = math.nan
    (problem,) = json_problems(raw)
    assert problem.field == field and problem.value == "nan"


def test_nan_stays_an_empty_cell_in_the_apps_tables_only():
    base = portfolio([priority("A")])
    record = {"id": "A", "name": "A", "source": "local", "horizon": "short", "cost:ops": 1, "score:benefit": 1}
    edited = replace_priorities(base, [{**record, "sensitivity": math.nan, "owner": math.nan}])
    assert (edited.priorities[0].sensitivity, edited.priorities[0].owner) == (0.0, "")
    dims = [{"name": "ops", "unit": "days", "available": 10, "headroom_pct": math.nan, "label": math.nan}]
    assert replace_settings(base, dimensions=dims).dimensions[0].headroom_pct == 0.0
    csv = "id,name,source,horizon,sensitivity,cost:ops,score:benefit\nA,A,local,short,nan,1,1\n"
    (problem,) = refused(priorities_from_csv, csv, base)
    assert (problem.row, problem.priority_id, problem.field) == (2, "A", "sensitivity")


def test_a_comma_inside_a_number_is_refused_in_json_csv_and_excel(sample):
    raw = small()
    raw["priorities"][0]["costs"]["ops"] = "2,5"
    (problem,) = json_problems(raw)
    assert problem.field == "cost:ops" and "'2,5' has a comma" in problem.message
    assert "a point for decimals and no thousands separators" in problem.message
    base = portfolio([priority("A")])
    csv = 'id,name,source,horizon,cost:ops,score:benefit\nA,A,local,short,"2,5",1\n'
    (problem,) = refused(priorities_from_csv, csv, base)
    assert (problem.row, problem.priority_id, problem.field) == (2, "A", "cost:ops")
    book = workbook_bytes(lambda wb: wb["Capacity"].cell(row=2, column=4, value="1,440"))
    (problem,) = refused(read_workbook, book)
    assert (problem.sheet, problem.row, problem.field) == ("Capacity", 2, "available")


def test_bands_and_theme_limits_that_are_not_objects_are_refused():
    raw = small()
    raw["rules"]["horizon_bands"] = {"short": 50}
    raw["rules"]["theme_limits"] = {"digital": 3}
    problems = {p.field: p.message for p in json_problems(raw)}
    assert problems["rules.horizon_bands.short"].startswith("must be an object {min_pct, max_pct}")
    assert problems["rules.theme_limits.digital"].startswith("must be an object {min, max}")
    raw["rules"]["horizon_bands"] = []
    raw["rules"]["theme_limits"] = {}
    (problem,) = json_problems(raw)
    assert problem.field == "rules.horizon_bands" and "not a list" in problem.message


def test_unknown_keys_are_refused_with_the_nearest_known_one():
    raw = small()
    raw["priorities"][0]["must-do"] = True
    raw["rules"]["max_priority"] = 3
    raw["capacity_dimensions"][0]["avail"] = 3
    raw["criteria"][0]["wieght"] = 3
    raw["rulez"] = {}
    raw["priorities"][1]["costs"]["opps"] = 2
    problems = {(p.field, p.row, p.priority_id): p.message for p in json_problems(raw)}
    assert problems[("must-do", 1, "A")] == "unknown field 'must-do' in a priority. Did you mean 'must_do'?"
    assert problems[("rules.max_priority", None, None)].endswith("Did you mean 'max_priorities'?")
    assert problems[("capacity_dimensions[1].avail", None, None)].endswith("Did you mean 'available'?")
    assert problems[("criteria[1].wieght", None, None)].endswith("Did you mean 'weight'?")
    assert problems[("rulez", None, None)].endswith("Did you mean 'rules'?")
    assert problems[("costs", 2, "B")] == "'opps' is not a capacity dimension. Did you mean 'ops'?"


def test_unknown_csv_and_workbook_columns_are_refused(sample):
    base = portfolio([priority("A")])
    csv = "id,name,source,horizon,cost:opps,cost:ops,score:benefit,notes\nA,A,local,short,1,1,1,x\n"
    problems = {p.field: p.message for p in refused(priorities_from_csv, csv, base)}
    assert problems["cost:opps"].endswith("Did you mean 'cost:ops'?")
    assert problems["notes"].startswith("'notes' is not a column of the priorities table.")
    book = workbook_bytes(lambda wb: wb["Priorities"].cell(row=1, column=25, value="Must-Dos"))
    (problem,) = refused(read_workbook, book)
    assert (problem.sheet, problem.row, problem.field) == ("Priorities", 1, "Must-Dos")
    assert problem.message.endswith("Did you mean 'must_do'?")
    book = workbook_bytes(lambda wb: wb["Capacity"].cell(row=1, column=6, value="notes"))
    (problem,) = refused(read_workbook, book)
    assert (problem.sheet, problem.row, problem.field) == ("Capacity", 1, "notes")


@pytest.mark.parametrize("version", [True, 1.0, "1", [1]])
def test_schema_version_must_be_the_integer_one(version):
    raw = small()
    raw["schema_version"] = version
    (problem,) = refused(portfolio_from_json, json.dumps(raw))
    assert problem.field == "schema_version" and problem.message.startswith("must be the whole number 1")


def test_a_repeated_rules_row_or_theme_or_json_key_is_refused_naming_both():
    def repeat(wb):
        ws = wb["Rules"]
        ws.append(["max_priorities", 5])
        wb["Theme limits"].append(["digital", None, 1])

    problems = refused(read_workbook, workbook_bytes(repeat))
    rules = next(p for p in problems if p.sheet == "Rules")
    assert rules.row == 23 and "'max_priorities' is set on row 2 and again on row 23" in rules.message
    themes = next(p for p in problems if p.sheet == "Theme limits")
    assert themes.row == 4 and "'digital' is limited on row 2 and again on row 4" in themes.message
    text = json.dumps(small()).replace('"name": "Priority A"', '"name": "Priority A", "name": "Other"')
    (problem,) = refused(portfolio_from_json, text)
    assert problem.field == "name" and "appears twice in one object" in problem.message


# ------------------------------------------------------------------ 7. export then import is the identity

GUARDED = ["-Reduce waits", "+Add beds", "=SUM(A1)", "@risk", "'=already quoted", "''-two", "'plain quote"]


def guarded_portfolio(sample):
    themes = ["-digital", "+prevention", "=x", "@y", "'=z", "''-w", "'v"]
    priorities = tuple(
        replace(p, name=GUARDED[i % 7], owner=GUARDED[(i + 1) % 7], theme=themes[i % 7])
        for i, p in enumerate(sample.priorities)
    )
    limits = tuple(replace(t, theme=themes[i]) for i, t in enumerate(sample.rules.theme_limits))
    return replace(sample, priorities=priorities, rules=replace(sample.rules, theme_limits=limits))


def test_export_then_import_gives_back_text_with_the_formula_guard_taken_off(sample):
    p = guarded_portfolio(sample)
    assert portfolio_from_json(portfolio_to_json(p)) == p
    assert priorities_from_csv(priorities_to_csv(p), p) == p
    assert priorities_from_csv(to_safe_csv(priorities_frame(p)), p) == p
    assert read_workbook(template_workbook(p)) == p
    again = priorities_from_csv(to_safe_csv(priorities_frame(p)), p)
    kept_themes = {t.theme for t in again.rules.theme_limits}
    assert kept_themes <= {q.theme for q in again.priorities}
    assert "'-digital" in to_safe_csv(priorities_frame(p)) and "'''-two" in to_safe_csv(priorities_frame(p))


# ------------------------------------------------------------------ 8. the time limit


@pytest.mark.parametrize("limit", ["-5", "nan", "inf", "0", "5000", "soon"])
def test_the_cli_time_limit_must_be_finite_positive_and_at_most_an_hour(limit):
    out = subprocess.run(
        [sys.executable, "-m", "optimiser", "solve", "sample_data/icb_portfolio.json", f"--time-limit={limit}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2 and "argument --time-limit:" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("limit", [-5.0, math.nan, math.inf, 0.0, True])
def test_solve_refuses_a_time_limit_that_is_not_finite_and_positive(limit):
    with pytest.raises(ValueError, match="time limit must be"):
        solve(load_portfolio(ROOT / "sample_data" / "icb_portfolio.json"), time_limit=limit)
