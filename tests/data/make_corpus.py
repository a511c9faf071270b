"""Writes the bad-input corpus in tests/data/corpus/ and its expected outcomes (expected.json).

    .venv/bin/python -m tests.data.make_corpus

Every file is a mutation of the sample portfolio (or of a small part of it, "mini", to keep the corpus
small) as a .json portfolio file, a .csv priorities table or an .xlsx workbook. Its expected outcome is
either {"loads": true, "priorities": N, "spot": {"id": ..., "name": ...}} or {"error_fields": [...]}: the
fields that the PortfolioError's problems must name ("file" for a problem with the file as a whole).
tests/unit/test_corpus.py loads each file as the app does (`load_upload`, with the sample as the current
portfolio, which a .csv table needs). Zip bombs too large to keep are made by that test at run time.
The output is the same on every run (fixed seeds, fixed times inside the workbooks).
"""

from __future__ import annotations

import copy
import csv
import gzip
import io
import json
import random
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from optimiser.errors import printable
from optimiser.excel import template_workbook
from optimiser.exports import to_safe_csv
from optimiser.formats import load_portfolio, parse_portfolio, priorities_frame, priorities_to_csv
from optimiser.parsing import MAX_PRIORITIES
from tests.data import hostile

HERE = Path(__file__).resolve().parent
OUT = HERE / "corpus"
SAMPLE_PATH = HERE.parent.parent / "sample_data" / "icb_portfolio.json"
SAMPLE_RAW: dict[str, Any] = json.loads(SAMPLE_PATH.read_text(encoding="utf-8"))
MINI_IDS = (
    "NAT-UEC01",
    "NAT-UEC02",
    "NAT-ELE01",
    "NAT-DIG01",
    "LOC-UEC03",
    "LOC-UEC04",
    "LOC-CAN01",
    "LOC-NH04",
    "LOC-PRV01",
    "LOC-DIG03",
)
T = 2  # the priority most mutations change: NAT-ELE01, row 3 of the JSON list, row 4 of a table
T_ID = "NAT-ELE01"
T_NAME = next(p["name"] for p in SAMPLE_RAW["priorities"] if p["id"] == T_ID)
DIMS = [d["name"] for d in SAMPLE_RAW["capacity_dimensions"]]
CRITS = [c["name"] for c in SAMPLE_RAW["criteria"]]
CONTROLS = ["\x01", "\x0b", "\x00", "\x7f", "\x85", "\ud800", "\t", "\n", "\r", "\x1b", "\x9f", "\x1f"]

CASES: dict[str, tuple[bytes, dict[str, Any]]] = {}


def add(name: str, data: bytes | str, expected: dict[str, Any]) -> None:
    assert name not in CASES, name
    CASES[name] = (data.encode("utf-8") if isinstance(data, str) else data, expected)


def loads(count: int, pid: str = "NAT-UEC01", name: str | None = None) -> dict[str, Any]:
    spot_name = name if name is not None else next(p["name"] for p in SAMPLE_RAW["priorities"] if p["id"] == pid)
    return {"loads": True, "priorities": count, "spot": {"id": pid, "name": spot_name}}


def fails(*fields: str) -> dict[str, Any]:
    return {"error_fields": list(fields)}


def mini_raw() -> dict[str, Any]:
    raw = copy.deepcopy(SAMPLE_RAW)
    raw["priorities"] = [p for p in raw["priorities"] if p["id"] in MINI_IDS]
    raw["name"] = "Northvale ICB, eleven priorities (fictional)"
    return raw


MINI = len(MINI_IDS)
SAMPLE = load_portfolio(SAMPLE_PATH)
MINI_PORTFOLIO = parse_portfolio(mini_raw())


def text(raw: Any, **options: Any) -> str:
    return json.dumps(raw, ensure_ascii=options.pop("ascii", False), separators=(",", ":"), **options)


def mutated(change: Callable[[dict[str, Any]], Any]) -> str:
    raw = mini_raw()
    change(raw)
    return text(raw, ascii=True)


def setter(*path: Any, value: Any = None, delete: bool = False) -> Callable[[dict[str, Any]], None]:
    def change(raw: dict[str, Any]) -> None:
        target = raw
        for key in path[:-1]:
            target = target[key]
        if delete:
            del target[path[-1]]
        else:
            target[path[-1]] = value

    return change


def both(first: tuple[Any, ...], second: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(raw: dict[str, Any]) -> None:
        setter(*first, value=value)(raw)
        setter(*second, value=value)(raw)

    return change


def target(*rest: Any, value: Any = None, delete: bool = False) -> Callable[[dict[str, Any]], None]:
    return setter("priorities", T, *rest, value=value, delete=delete)


# ------------------------------------------------------------------ JSON


def json_valid() -> None:
    add("json_valid_sample.json", SAMPLE_PATH.read_bytes(), loads(48))
    add("json_valid_mini.json", text(mini_raw()), loads(MINI))
    add("json_valid_bom.json", b"\xef\xbb\xbf" + text(mini_raw()).encode(), loads(MINI))
    raw = mini_raw()
    raw["priorities"][0]["name"] = "Réach 78% of A&E patients – seen within 4 hours"
    add("json_valid_windows_1252.json", text(raw).encode("cp1252"), loads(MINI, name=raw["priorities"][0]["name"]))
    add("json_valid_crlf.json", json.dumps(mini_raw(), indent=2).replace("\n", "\r\n"), loads(MINI))
    add("json_valid_ascii_escapes.json", text(mini_raw(), ascii=True), loads(MINI))
    raw = mini_raw()
    for record in raw["priorities"]:
        if not record["requires"] and not record["excludes"] and record["id"] not in ("NAT-DIG01", "LOC-NH04"):
            for key in ("owner", "theme", "sensitivity", "requires", "excludes", "must_do"):
                record.pop(key)
    raw.pop("rules")
    add("json_valid_optional_fields_left_out.json", text(raw), loads(MINI))
    raw = mini_raw()
    raw["priorities"][0]["costs"] = {k: str(v) for k, v in raw["priorities"][0]["costs"].items()}
    raw["priorities"][0]["costs"]["revenue"] = "£" + raw["priorities"][0]["costs"]["revenue"]
    raw["priorities"][0]["must_do"] = "Yes"
    raw["priorities"][1]["source"] = " National "
    add("json_valid_numbers_and_yes_as_text.json", text(raw), loads(MINI))
    names = ["**Bold** plan", "<b>HTML</b> &amp; <script>x</script>", "🏥 Care 👩‍⚕️", "تحسين الرعاية", "a\u200bb\u202ec"]
    raw = mini_raw()
    for record, name in zip(raw["priorities"], names):
        record["name"] = name
        record["owner"] = name[:20]
    add("json_valid_markdown_html_emoji_rtl.json", text(raw), loads(MINI, "NAT-UEC02", names[1]))
    guarded = ["-Reduce waits", "+Add beds", "=SUM(A1)", "@risk", "'=quoted", "''-two", "'plain"]
    raw = mini_raw()
    for record, name in zip(raw["priorities"], guarded):
        record["name"] = name
        record["theme"] = name
    raw["rules"]["theme_limits"] = {"-Reduce waits": {"max": 1}}
    add("json_valid_formula_like_names.json", text(raw), loads(MINI, "LOC-UEC03", "'=quoted"))
    raw = mini_raw()
    raw["priorities"][1]["owner"] = None
    raw["priorities"][1]["sensitivity"] = None
    raw["rules"]["max_priorities"] = None
    raw["rules"]["balance_dimension"] = None
    add("json_valid_nulls_for_optional_fields.json", text(raw), loads(MINI))
    raw = mini_raw()
    raw["capacity_dimensions"][3]["available"] = 1e9
    raw["priorities"][0]["costs"]["revenue"] = 1e9
    add("json_valid_largest_amounts.json", text(raw), loads(MINI))
    raw = mini_raw()
    raw["priorities"][0]["name"] = "n" * 200
    add("json_valid_longest_name.json", text(raw), loads(MINI, name="n" * 200))


WRONG_TYPES: list[tuple[str, Any, list[str]]] = [
    ("id", [], ["id"]),
    ("id", {}, ["id"]),
    ("id", True, ["id"]),
    ("id", None, ["id"]),
    ("id", "", ["id"]),
    ("id", "has space", ["id"]),
    ("id", "-dash", ["id"]),
    ("name", [], ["name"]),
    ("name", {"en": "x"}, ["name"]),
    ("name", True, ["name"]),
    ("name", None, ["name"]),
    ("name", "   ", ["name"]),
    ("source", [], ["source"]),
    ("source", 5, ["source"]),
    ("source", "regional", ["source"]),
    ("source", None, ["source"]),
    ("owner", [], ["owner"]),
    ("owner", {}, ["owner"]),
    ("owner", True, ["owner"]),
    ("theme", ["digital"], ["theme"]),
    ("theme", False, ["theme"]),
    ("horizon", [], ["horizon"]),
    ("horizon", 3, ["horizon"]),
    ("horizon", "someday", ["horizon"]),
    ("horizon", None, ["horizon"]),
    ("must_do", "maybe", ["must_do"]),
    ("must_do", [], ["must_do"]),
    ("must_do", {}, ["must_do"]),
    ("must_do", 2, ["must_do"]),
    ("sensitivity", "high", ["sensitivity"]),
    ("sensitivity", [], ["sensitivity"]),
    ("sensitivity", 6, ["sensitivity"]),
    ("sensitivity", -1, ["sensitivity"]),
    ("sensitivity", True, ["sensitivity"]),
    ("costs", [], ["costs", "cost:strategic"]),
    ("costs", "6", ["costs", "cost:operational"]),
    ("costs", 5, ["costs"]),
    ("costs", {}, ["cost:strategic", "cost:operational", "cost:improvement_support", "cost:revenue"]),
    ("costs", None, ["cost:strategic", "cost:revenue"]),
    ("scores", [], ["scores", "score:outcomes"]),
    ("scores", {}, ["score:outcomes", "score:three_shifts"]),
    ("scores", True, ["scores"]),
    ("requires", {}, ["requires"]),
    ("requires", True, ["requires"]),
    ("requires", 5, ["requires"]),
    ("requires", [[]], ["requires"]),
    ("requires", [{"id": "NAT-UEC01"}], ["requires"]),
    ("excludes", {"x": 1}, ["excludes"]),
    ("excludes", 1.5, ["excludes"]),
]


def json_wrong_types() -> None:
    for n, (field, value, fields) in enumerate(WRONG_TYPES, start=1):
        kind = type(value).__name__ if value not in ("", "   ") else "blank"
        add(f"json_type_{n:02d}_{field}_{kind}.json", mutated(target(field, value=value)), fails(*fields))
    others: list[tuple[str, Callable, list[str]]] = [
        (
            "available_text",
            setter("capacity_dimensions", 0, "available", value="lots"),
            ["capacity 'strategic' available"],
        ),
        (
            "available_negative",
            setter("capacity_dimensions", 1, "available", value=-1),
            ["capacity 'operational' available"],
        ),
        (
            "available_null",
            setter("capacity_dimensions", 0, "available", value=None),
            ["capacity 'strategic' available"],
        ),
        (
            "available_list",
            setter("capacity_dimensions", 0, "available", value=[1]),
            ["capacity 'strategic' available"],
        ),
        (
            "headroom_95",
            setter("capacity_dimensions", 0, "headroom_pct", value=95),
            ["capacity 'strategic' headroom_pct"],
        ),
        (
            "headroom_text",
            setter("capacity_dimensions", 0, "headroom_pct", value="ten"),
            ["capacity 'strategic' headroom_pct"],
        ),
        ("dimension_name_list", setter("capacity_dimensions", 0, "name", value=["a"]), ["capacity_dimensions[1].name"]),
        (
            "dimension_unit_list",
            setter("capacity_dimensions", 0, "unit", value=["days"]),
            ["capacity 'strategic' unit"],
        ),
        ("dimension_label_object", setter("capacity_dimensions", 0, "label", value={}), ["capacity 'strategic' label"]),
        ("dimensions_object", setter("capacity_dimensions", value={"name": "x"}), ["capacity_dimensions"]),
        ("dimensions_empty", setter("capacity_dimensions", value=[]), ["capacity_dimensions"]),
        ("dimension_not_object", setter("capacity_dimensions", 0, value=5), ["capacity_dimensions[1]"]),
        ("weight_101", setter("criteria", 0, "weight", value=101), ["criterion 'outcomes' weight"]),
        ("weight_text", setter("criteria", 0, "weight", value="heavy"), ["criterion 'outcomes' weight"]),
        ("weight_negative", setter("criteria", 1, "weight", value=-1), ["criterion 'inequalities' weight"]),
        ("criterion_name_missing", setter("criteria", 0, "name", delete=True), ["criteria[1].name"]),
        ("criteria_object", setter("criteria", value={}), ["criteria"]),
        ("rules_list", setter("rules", value=[]), ["rules"]),
        ("max_priorities_negative", setter("rules", "max_priorities", value=-1), ["rules.max_priorities"]),
        ("max_priorities_fraction", setter("rules", "max_priorities", value=2.5), ["rules.max_priorities"]),
        ("max_priorities_text", setter("rules", "max_priorities", value="ten"), ["rules.max_priorities"]),
        ("max_priorities_bool", setter("rules", "max_priorities", value=True), ["rules.max_priorities"]),
        ("penalty_2000", setter("rules", "sensitivity_penalty", value=2000), ["rules.sensitivity_penalty"]),
        ("penalty_text", setter("rules", "sensitivity_penalty", value="x"), ["rules.sensitivity_penalty"]),
        ("locked_in_object", setter("rules", "locked_in", value={}), ["rules.locked_in"]),
        ("locked_in_number", setter("rules", "locked_in", value=[5]), ["rules.locked_in"]),
        ("balance_dimension_list", setter("rules", "balance_dimension", value=["x"]), ["rules.balance_dimension"]),
        ("bands_list", setter("rules", "horizon_bands", value=[]), ["rules.horizon_bands"]),
        ("bands_text", setter("rules", "horizon_bands", value="short"), ["rules.horizon_bands"]),
        ("band_not_object", setter("rules", "horizon_bands", "short", value=50), ["rules.horizon_bands.short"]),
        (
            "band_unknown_horizon",
            setter("rules", "horizon_bands", "someday", value={}),
            ["rules.horizon_bands.someday"],
        ),
        (
            "band_min_above_max",
            setter("rules", "horizon_bands", "short", value={"min_pct": 70, "max_pct": 60}),
            ["rules.horizon_bands.short"],
        ),
        (
            "band_min_text",
            setter("rules", "horizon_bands", "short", "min_pct", value="x"),
            ["rules.horizon_bands.short.min_pct"],
        ),
        (
            "bands_minimums_over_100",
            setter("rules", "horizon_bands", "long", "min_pct", value=70),
            ["rules.horizon_bands"],
        ),
        ("theme_limit_not_object", setter("rules", "theme_limits", "digital", value=3), ["rules.theme_limits.digital"]),
        (
            "theme_limit_min_above_max",
            setter("rules", "theme_limits", "digital", value={"min": 4, "max": 3}),
            ["rules.theme_limits.digital"],
        ),
        (
            "theme_limit_text",
            setter("rules", "theme_limits", "digital", "max", value="three"),
            ["rules.theme_limits.digital.max"],
        ),
        ("theme_limits_list", setter("rules", "theme_limits", value=[]), ["rules.theme_limits"]),
        ("portfolio_name_list", setter("name", value=["x"]), ["name"]),
        ("priorities_object", setter("priorities", value={}), ["priorities"]),
        ("priorities_empty", setter("priorities", value=[]), ["priorities"]),
        ("priority_not_object", setter("priorities", 0, value=5), ["priorities"]),
    ]
    for name, change, fields in others:
        add(f"json_type_{name}.json", mutated(change), fails(*fields))


def json_missing_and_links() -> None:
    cases: list[tuple[str, Callable, list[str]]] = [
        ("missing_id", target("id", delete=True), ["id"]),
        ("missing_name", target("name", delete=True), ["name"]),
        ("missing_source", target("source", delete=True), ["source"]),
        ("missing_horizon", target("horizon", delete=True), ["horizon"]),
        ("missing_costs", target("costs", delete=True), ["cost:strategic", "cost:operational"]),
        ("missing_one_cost", setter("priorities", T, "costs", "revenue", delete=True), ["cost:revenue"]),
        ("missing_scores", target("scores", delete=True), ["score:outcomes"]),
        ("missing_one_score", setter("priorities", T, "scores", "three_shifts", delete=True), ["score:three_shifts"]),
        ("missing_dimensions", setter("capacity_dimensions", delete=True), ["capacity_dimensions"]),
        ("missing_criteria", setter("criteria", delete=True), ["criteria"]),
        ("missing_priorities", setter("priorities", delete=True), ["priorities"]),
        ("missing_schema_version", setter("schema_version", delete=True), ["file"]),
        (
            "missing_available",
            setter("capacity_dimensions", 2, "available", delete=True),
            ["capacity 'improvement_support' available"],
        ),
        (
            "missing_dimension_name",
            setter("capacity_dimensions", 1, "name", delete=True),
            ["capacity_dimensions[2].name"],
        ),
        ("duplicate_id", target("id", value="NAT-UEC01"), ["id"]),
        (
            "duplicate_dimension",
            setter("capacity_dimensions", 1, "name", value="strategic"),
            ["capacity_dimensions[2].name"],
        ),
        ("duplicate_criterion", setter("criteria", 2, "name", value="outcomes"), ["criteria[3].name"]),
        ("unknown_requires", target("requires", value=["NOPE"]), ["requires"]),
        ("unknown_excludes", target("excludes", value=["LOC-ZZZ"]), ["excludes"]),
        ("unknown_locked_in", setter("rules", "locked_in", value=["NOPE"]), ["rules.locked_in"]),
        ("unknown_locked_out", setter("rules", "locked_out", value="LOC-UEC03; NOPE"), ["rules.locked_out"]),
        ("unknown_balance_dimension", setter("rules", "balance_dimension", value="money"), ["rules.balance_dimension"]),
        ("requires_itself", target("requires", value=[T_ID]), ["requires"]),
        ("excludes_itself", target("excludes", value=[T_ID]), ["excludes"]),
        (
            "requires_and_excludes",
            both(("priorities", T, "requires"), ("priorities", T, "excludes"), ["LOC-NH04"]),
            ["excludes"],
        ),
        ("must_do_locked_out", setter("rules", "locked_out", value=["NAT-UEC01"]), ["rules.locked_out"]),
        (
            "locked_in_and_out",
            both(("rules", "locked_in"), ("rules", "locked_out"), ["LOC-UEC03"]),
            ["rules.locked_out"],
        ),
        ("cycle_of_two", setter("priorities", 7, "requires", value=["NAT-UEC01"]), ["requires"]),
        ("cycle_of_three", setter("priorities", 7, "requires", value=["NAT-UEC02"]), ["requires"]),
    ]
    for name, change, fields in cases:
        add(f"json_{name}.json", mutated(change), fails(*fields))


def plan_raw() -> dict[str, Any]:
    """The mini portfolio as a three-year plan (schema version 2) that loads."""
    raw = mini_raw()
    raw["schema_version"] = 2
    raw["plan"] = {"years": 3, "first_year": "2026/27", "value_mode": "completion"}
    raw["capacity_dimensions"][1]["available_by_year"] = [657, 670, 680]
    raw["priorities"][T]["deadline"] = "2027/28"
    by_id = {p["id"]: p for p in raw["priorities"]}
    by_id["NAT-DIG01"].update(duration=2, gains={"operational": 20})
    by_id["LOC-PRV01"].update(existing=True)
    return raw


def plan_mutated(change: Callable[[dict[str, Any]], Any]) -> str:
    raw = plan_raw()
    change(raw)
    return text(raw, ascii=True)


def json_plan() -> None:
    """Version 2 files: a three-year plan that loads, and one mutation per check of the plan's fields."""
    add("json_plan_valid_mini.json", plan_mutated(lambda raw: None), loads(MINI))
    uec = 0  # NAT-UEC01, a must-do that requires LOC-NH04
    nh04 = next(n for n, p in enumerate(plan_raw()["priorities"]) if p["id"] == "LOC-NH04")
    prv = next(n for n, p in enumerate(plan_raw()["priorities"]) if p["id"] == "LOC-PRV01")
    cases: list[tuple[str, Callable, list[str]]] = [
        ("deadline_after_the_plan", target("deadline", value="2030/31"), ["deadline"]),
        ("deadline_text", target("deadline", value="soon"), ["deadline"]),
        (
            "deadline_before_finish",
            lambda raw: raw["priorities"][T].update(earliest_start=2, duration=2, deadline=2),
            ["deadline"],
        ),
        ("duration_zero", target("duration", value=0), ["duration"]),
        ("duration_longer_than_plan", target("duration", value=4), ["duration"]),
        ("duration_fraction", target("duration", value=1.5), ["duration"]),
        ("earliest_start_outside", target("earliest_start", value=4), ["earliest_start"]),
        ("existing_with_duration", setter("priorities", prv, "duration", value=2), ["duration"]),
        ("existing_with_deadline", setter("priorities", prv, "deadline", value=1), ["deadline"]),
        ("existing_requires", setter("priorities", prv, "requires", value=["LOC-NH04"]), ["requires"]),
        ("alongside_not_required", target("alongside", value=["LOC-NH04"]), ["alongside"]),
        ("lag_negative", setter("priorities", uec, "lags", value={"LOC-NH04": -1}), ["lags"]),
        ("lag_not_required", target("lags", value="LOC-NH04: 1"), ["lags"]),
        ("gain_unknown_dimension", target("gains", value={"coach_days": 20}), ["gains"]),
        ("gain_negative", target("gains", value={"operational": -5}), ["gains"]),
        ("cost_profile_too_long", target("cost_profile", value={"operational": [1, 2]}), ["cost_profile"]),
        ("cost_profile_not_a_list", target("cost_profile", value={"operational": {"a": 1}}), ["cost_profile"]),
        (
            "must_do_chain_misses_deadline",
            both(("priorities", nh04, "duration"), ("priorities", uec, "deadline"), 2),
            ["deadline"],
        ),
        ("plan_years_eleven", setter("plan", "years", value=11), ["plan.years"]),
        ("plan_years_text", setter("plan", "years", value="five"), ["plan.years"]),
        ("plan_value_mode_unknown", setter("plan", "value_mode", value="npv"), ["plan.value_mode"]),
        ("plan_first_year_wrong", setter("plan", "first_year", value="2026/28"), ["plan.first_year"]),
        ("plan_not_an_object", setter("plan", value=5), ["plan"]),
        ("plan_unknown_key", setter("plan", "length", value=5), ["plan.length"]),
        (
            "by_year_too_long",
            setter("capacity_dimensions", 1, "available_by_year", value=[1, 2, 3, 4]),
            ["capacity 'operational' available_by_year"],
        ),
        (
            "headroom_by_year_95",
            setter("capacity_dimensions", 0, "headroom_by_year", value=[10, 95]),
            ["capacity 'strategic' headroom_by_year year 2"],
        ),
        ("year_lock_unknown_id", setter("rules", "year_locks", value={"NOPE": 1}), ["rules.year_locks"]),
        ("year_lock_after_deadline", setter("rules", "year_locks", value={T_ID: 3}), ["rules.year_locks"]),
        ("forbidden_start_outside", setter("rules", "forbidden_starts", value={T_ID: [9]}), ["rules.forbidden_starts"]),
    ]
    for name, change, fields in cases:
        add(f"json_plan_{name}.json", plan_mutated(change), fails(*fields))
    version_1 = plan_raw()
    version_1["schema_version"] = 1
    add("json_plan_in_a_version_1_file.json", text(version_1, ascii=True), fails("plan", "deadline"))


def json_file_level() -> None:
    base = text(mini_raw())
    for name, data in [
        ("empty", b""),
        ("whitespace", b"  \n\t "),
        ("empty_object", b"{}"),
        ("list", b"[]"),
        ("null", b"null"),
        ("number", b"42"),
        ("utf16", base.encode("utf-16")),
        ("utf16_be_no_bom", base.encode("utf-16-be")),
        ("utf32", base.encode("utf-32")),
        ("invalid_bytes", b'{"schema_version": 1, "name": "Caf\x81\x8d"}'),
        ("random_bytes", random.Random(7).randbytes(3000)),
        ("png", b"\x89PNG\r\n\x1a\n" + random.Random(8).randbytes(500)),
        ("gzip", gzip.compress(base.encode(), mtime=0)),
        ("workbook_bytes", hostile.deterministic(template_workbook(MINI_PORTFOLIO))),
        ("pdf", b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"),
        ("html", b"<!DOCTYPE html><html><body><h1>Sign in</h1></body></html>"),
        ("xml", b'<?xml version="1.0"?><portfolio name="x"/>'),
        ("jsonp", ("callback(" + base + ");").encode()),
        ("comments", ("// exported\n" + base).encode()),
        ("trailing_comma", (base[:-1] + ",}").encode()),
        ("single_quotes", base.replace('"', "'").encode()),
        ("python_literals", base.replace("true", "True").replace("false", "False").encode()),
        ("truncated_half", base[: len(base) // 2].encode()),
        ("truncated_end", base[:-1].encode()),
        ("truncated_one_char", b"{"),
        ("deep_nesting", b'{"schema_version": 1, "name": ' + b"[" * 5_000 + b"]" * 5_000 + b"}"),
        ("schema_version_missing_value", b'{"schema_version": null}'),
        ("schema_version_zero", base.replace('"schema_version":1', '"schema_version":0').encode()),
        ("schema_version_three", base.replace('"schema_version":1', '"schema_version":3').encode()),
    ]:
        add(f"json_file_{name}.json", data, fails("file"))
    for name, value in [("true", "true"), ("float", "1.0"), ("text", '"1"'), ("list", "[1]"), ("object", "{}")]:
        data = base.replace('"schema_version":1', f'"schema_version":{value}')
        add(f"json_schema_version_{name}.json", data, fails("schema_version"))
    nested = mini_raw()
    nested["priorities"][T]["name"] = json.loads("[" * 500 + "]" * 500)
    add("json_nested_list_as_name.json", text(nested), fails("name"))
    repeated = base.replace(f'"name":"{T_NAME}"', f'"name":"x","name":"{T_NAME}"', 1)
    assert repeated != base
    add("json_repeated_key_in_priority.json", repeated, fails("name"))
    add("json_repeated_top_level_key.json", base[:-1] + ',"rules":{}}', fails("rules"))


def json_numbers() -> None:
    base = text(mini_raw())
    first = base.index('"id":"NAT-ELE01"')

    def at_target(old: str, new: str) -> str:
        cut = base.index(old, first)
        return base[:cut] + new + base[cut + len(old) :]

    strategic = f'"strategic":{mini_raw()["priorities"][T]["costs"]["strategic"]}'
    for name, literal in [
        ("1e15", "1e15"),
        ("400_digits", "9" * 400),
        ("5000_digits", "9" * 5000),
        ("5000_digit_decimal", "1" * 5000 + ".5"),
        ("1e400", "1e400"),
        ("minus_1e400", "-1e400"),
        ("nan", "NaN"),
        ("infinity", "Infinity"),
        ("minus_infinity", "-Infinity"),
        ("negative", "-3"),
        ("comma_text", '"2,5"'),
        ("thousands_text", '"1,200"'),
        ("underscore_text", '"1_000"'),
        ("hex_text", '"0x10"'),
        ("percent_text", '"5%"'),
        ("nan_text", '"nan"'),
        ("bool", "true"),
    ]:
        add(f"json_number_cost_{name}.json", at_target(strategic, f'"strategic":{literal}'), fails("cost:strategic"))
    for name, path, value, field in [
        ("available_1e10", ("capacity_dimensions", 0, "available"), 1e10, "capacity 'strategic' available"),
        ("available_nan", ("capacity_dimensions", 0, "available"), float("nan"), "capacity 'strategic' available"),
        (
            "headroom_nan",
            ("capacity_dimensions", 1, "headroom_pct"),
            float("nan"),
            "capacity 'operational' headroom_pct",
        ),
        ("weight_1e300", ("criteria", 0, "weight"), 1e300, "criterion 'outcomes' weight"),
        ("weight_nan", ("criteria", 0, "weight"), float("nan"), "criterion 'outcomes' weight"),
        ("weight_comma", ("criteria", 3, "weight"), "1,5", "criterion 'financial_sustainability' weight"),
        ("sensitivity_nan", ("priorities", T, "sensitivity"), float("nan"), "sensitivity"),
        ("sensitivity_comma", ("priorities", T, "sensitivity"), "2,5", "sensitivity"),
        ("score_nan", ("priorities", T, "scores", "outcomes"), float("nan"), "score:outcomes"),
        ("score_infinity", ("priorities", T, "scores", "outcomes"), float("inf"), "score:outcomes"),
        ("penalty_nan", ("rules", "sensitivity_penalty"), float("nan"), "rules.sensitivity_penalty"),
        ("penalty_minus_infinity", ("rules", "sensitivity_penalty"), float("-inf"), "rules.sensitivity_penalty"),
        ("max_priorities_nan", ("rules", "max_priorities"), float("nan"), "rules.max_priorities"),
        ("max_priorities_1e12", ("rules", "max_priorities"), 1e12, "rules.max_priorities"),
        ("max_priorities_huge_int", ("rules", "max_priorities"), 10**40, "rules.max_priorities"),
        ("max_priorities_comma", ("rules", "max_priorities"), "1,000", "rules.max_priorities"),
        (
            "theme_min_nan",
            ("rules", "theme_limits", "prevention", "min"),
            float("nan"),
            "rules.theme_limits.prevention.min",
        ),
        ("theme_max_1e9", ("rules", "theme_limits", "digital", "max"), 10**9, "rules.theme_limits.digital.max"),
        (
            "band_min_nan",
            ("rules", "horizon_bands", "short", "min_pct"),
            float("nan"),
            "rules.horizon_bands.short.min_pct",
        ),
        ("must_do_nan", ("priorities", T, "must_do"), float("nan"), "must_do"),
    ]:
        add(f"json_number_{name}.json", mutated(setter(*path, value=value)), fails(field))


TEXT_PATHS: list[tuple[str, tuple[Any, ...], str]] = [
    ("priority_name", ("priorities", T, "name"), "name"),
    ("priority_owner", ("priorities", T, "owner"), "owner"),
    ("priority_theme", ("priorities", T, "theme"), "theme"),
    ("priority_source", ("priorities", T, "source"), "source"),
    ("priority_horizon", ("priorities", T, "horizon"), "horizon"),
    ("priority_id", ("priorities", T, "id"), "id"),
    ("priority_requires", ("priorities", 1, "requires", 0), "requires"),
    ("priority_excludes", ("priorities", 4, "excludes", 0), "excludes"),
    ("dimension_name", ("capacity_dimensions", 0, "name"), "capacity_dimensions[1].name"),
    ("dimension_unit", ("capacity_dimensions", 1, "unit"), "capacity 'operational' unit"),
    ("dimension_label", ("capacity_dimensions", 2, "label"), "capacity 'improvement_support' label"),
    ("criterion_name", ("criteria", 1, "name"), "criteria[2].name"),
    ("criterion_label", ("criteria", 2, "label"), "criterion 'performance_recovery' label"),
    ("portfolio_name", ("name",), "name"),
    ("locked_out", ("rules", "locked_out"), "rules.locked_out"),
    ("balance_dimension", ("rules", "balance_dimension"), "rules.balance_dimension"),
]


def json_control_characters() -> None:
    for n, (name, path, field) in enumerate(TEXT_PATHS):
        for k in range(2):
            char = CONTROLS[(n * 2 + k) % len(CONTROLS)]

            def change(raw: dict[str, Any], path: tuple[Any, ...] = path, char: str = char) -> None:
                holder = raw
                for key in path[:-1]:
                    holder = holder[key]
                old = holder[path[-1]]
                holder[path[-1]] = [f"LOC-UEC{char}03"] if isinstance(old, list) else f"{old}{char}"

            add(f"json_control_{name}_U{ord(char):04X}.json", mutated(change), fails(field))
    for char in ("\x0b", "\x01", "\ud800"):
        raw_text = mutated(setter("rules", "theme_limits", value={f"digi{char}tal": {"max": 3}}))
        field = printable(f"rules.theme_limits.digi{char}tal")  # problems show control characters escaped
        add(f"json_control_theme_limit_key_U{ord(char):04X}.json", raw_text, fails(field))


def json_keys_and_limits() -> None:
    cases: list[tuple[str, Callable, list[str]]] = [
        ("priority_must_dash_do", target("must-do", value=True), ["must-do"]),
        ("priority_capitalised_name", target("Name", value="x"), ["Name"]),
        ("priority_notes", target("notes", value="x"), ["notes"]),
        ("priority_flat_unknown_cost", target("cost:money", value=1), ["cost:money"]),
        ("rules_max_priority", setter("rules", "max_priority", value=3), ["rules.max_priority"]),
        ("rules_locked", setter("rules", "locked", value=[]), ["rules.locked"]),
        ("top_level_rule", setter("rule", value={}), ["rule"]),
        ("top_level_description", setter("description", value="x"), ["description"]),
        ("dimension_avail", setter("capacity_dimensions", 0, "avail", value=3), ["capacity_dimensions[1].avail"]),
        ("criterion_wieght", setter("criteria", 0, "wieght", value=3), ["criteria[1].wieght"]),
        ("costs_unknown_dimension", setter("priorities", T, "costs", "opperational", value=3), ["costs"]),
        ("scores_unknown_criterion", setter("priorities", T, "scores", "value", value=3), ["scores"]),
        ("band_key_min", setter("rules", "horizon_bands", "short", "min", value=3), ["rules.horizon_bands.short.min"]),
        (
            "theme_limit_key_maximum",
            setter("rules", "theme_limits", "digital", "maximum", value=3),
            ["rules.theme_limits.digital.maximum"],
        ),
        (
            "too_many_dimensions",
            setter("capacity_dimensions", value=[{"name": f"d{i}", "available": 1} for i in range(51)]),
            ["capacity_dimensions"],
        ),
        ("too_many_criteria", setter("criteria", value=[{"name": f"c{i}"} for i in range(51)]), ["criteria"]),
        ("name_201_characters", target("name", value="n" * 201), ["name"]),
        ("id_41_characters", target("id", value="I" * 41), ["id"]),
        ("owner_101_characters", target("owner", value="o" * 101), ["owner"]),
        ("theme_101_characters", target("theme", value="t" * 101), ["theme"]),
        (
            "unit_101_characters",
            setter("capacity_dimensions", 0, "unit", value="u" * 101),
            ["capacity 'strategic' unit"],
        ),
        ("portfolio_name_201_characters", setter("name", value="p" * 201), ["name"]),
        (
            "too_many_theme_limits",
            setter("rules", "theme_limits", value={f"t{i}": {"max": 1} for i in range(501)}),
            ["rules.theme_limits"],
        ),
    ]
    for name, change, fields in cases:
        add(f"json_key_{name}.json", mutated(change), fails(*fields))


# ------------------------------------------------------------------ CSV

MINI_CSV = priorities_to_csv(MINI_PORTFOLIO)
CSV_HEADER, *CSV_ROWS = MINI_CSV.splitlines()
CSV_T = CSV_ROWS[T]  # the NAT-ELE01 row, spreadsheet row 4


def csv_with(row: str, *, header: str = CSV_HEADER) -> str:
    rows = list(CSV_ROWS)
    rows[T] = row
    return "\n".join([header, *rows]) + "\n"


def csv_cell(column: str, value: str, row: int = T) -> str:
    cells = next(csv.reader([CSV_ROWS[row]]))
    cells[CSV_HEADER.split(",").index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    rows = list(CSV_ROWS)
    rows[row] = out.getvalue().removesuffix("\r\n")
    return "\n".join([CSV_HEADER, *rows]) + "\n"


def csv_cases() -> None:
    add("csv_valid_mini.csv", MINI_CSV, loads(MINI))
    add("csv_valid_sample.csv", priorities_to_csv(SAMPLE), loads(48))
    add("csv_valid_bom.csv", b"\xef\xbb\xbf" + MINI_CSV.encode(), loads(MINI))
    add("csv_valid_crlf.csv", MINI_CSV.replace("\n", "\r\n"), loads(MINI))
    accented = MINI_CSV.replace("Reach 78%", "Réach 78%")
    add(
        "csv_valid_windows_1252.csv",
        accented.encode("cp1252"),
        loads(MINI, name="Réach 78% of A&E patients seen within 4 hours"),
    )
    add("csv_valid_blank_lines.csv", "\n" + CSV_HEADER + "\n\n" + "\n\n".join(CSV_ROWS) + "\n\n", loads(MINI))
    header = (
        CSV_HEADER.replace("id,name", "ID, Name ")
        .replace("must_do", "Must Do")
        .replace("cost:strategic", "Cost: Strategic")
    )
    add("csv_valid_header_spelling.csv", csv_with(CSV_T, header=header), loads(MINI))
    frame = priorities_frame(MINI_PORTFOLIO)
    add("csv_valid_columns_reordered.csv", frame[list(reversed(frame.columns))].to_csv(index=False), loads(MINI))
    slim = frame.drop(columns=["owner", "theme", "sensitivity", "excludes"])
    add("csv_valid_optional_columns_left_out.csv", slim.to_csv(index=False), loads(MINI))
    add("csv_valid_must_do_yes.csv", MINI_CSV.replace(",True,", ",Yes,").replace(",False,", ",n,"), loads(MINI))
    add("csv_valid_trailing_empty_column.csv", "\n".join(r + "," for r in [CSV_HEADER, *CSV_ROWS]) + "\n", loads(MINI))
    guarded = ["-Reduce waits", "+Add beds", "=SUM(A1)", "@risk", "'=quoted", "''-two", "'plain"]
    names = tuple(
        replace(p, name=guarded[i % 7], owner=guarded[(i + 3) % 7]) for i, p in enumerate(MINI_PORTFOLIO.priorities)
    )
    safe = to_safe_csv(priorities_frame(replace(MINI_PORTFOLIO, priorities=names)))
    add("csv_valid_formula_guard.csv", safe, loads(MINI, "NAT-UEC01", "-Reduce waits"))
    guarded_csv = priorities_to_csv(replace(MINI_PORTFOLIO, priorities=names))
    add("csv_valid_guard_on_quote.csv", guarded_csv, loads(MINI, "LOC-UEC03", "'=quoted"))

    add("csv_column_unknown.csv", csv_with(CSV_T + ",x", header=CSV_HEADER + ",notes"), fails("notes"))
    add(
        "csv_column_unknown_cost.csv",
        MINI_CSV.replace("cost:revenue", "cost:money"),
        fails("cost:money", "cost:revenue"),
    )
    add("csv_column_unknown_score.csv", MINI_CSV.replace("score:outcomes", "score:outcome"), fails("score:outcome"))
    add("csv_column_twice.csv", csv_with(CSV_T + ",x", header=CSV_HEADER + ",Name"), fails("name"))
    add("csv_column_missing_horizon.csv", frame.drop(columns=["horizon"]).to_csv(index=False), fails("horizon"))
    add(
        "csv_column_missing_cost.csv",
        frame.drop(columns=["cost:operational"]).to_csv(index=False),
        fails("cost:operational"),
    )
    add("csv_row_extra_cells.csv", csv_with(CSV_T + ",extra"), fails("row"))
    stray = f"column {CSV_HEADER.count(',') + 2}"  # the first column after the named ones
    add("csv_column_without_name.csv", csv_with(CSV_T + ",note", header=CSV_HEADER + ","), fails(stray))
    for column in ("name", "owner", "theme", "id", "requires"):
        for char in ("\x0b", "\x01", "\x7f", "\x85", "\x1b"):
            value = next(csv.reader([CSV_T]))[CSV_HEADER.split(",").index(column)]
            value = (value or "LOC-NH04") if column != "requires" else "NAT-UEC01"
            bad = value[:3] + char + value[3:]
            add(f"csv_control_{column}_U{ord(char):04X}.csv", csv_cell(column, bad), fails(column))
    add("csv_control_tab_in_name.csv", csv_cell("name", "Elective\trecovery"), fails("name"))
    add("csv_control_newline_in_quoted_name.csv", csv_cell("name", "Elective\nrecovery"), fails("name"))
    nul = csv_cell("name", "Digital\x00care", row=MINI - 1)  # a NUL in the first 1,000 bytes means UTF-16
    assert nul.index("\x00") > 1000
    add("csv_control_nul_in_name.csv", nul, fails("name"))
    for name, column, value in [
        ("sensitivity_nan", "sensitivity", "nan"),
        ("cost_inf", "cost:strategic", "inf"),
        ("score_NaN", "score:outcomes", "NaN"),
        ("cost_decimal_comma", "cost:strategic", "2,5"),
        ("cost_thousands", "cost:revenue", "1,200"),
        ("cost_1e15", "cost:revenue", "1e15"),
        ("cost_400_digits", "cost:revenue", "9" * 400),
        ("cost_negative", "cost:strategic", "-3"),
        ("cost_text", "cost:strategic", "lots"),
        ("cost_empty", "cost:strategic", ""),
        ("score_11", "score:outcomes", "11"),
        ("sensitivity_6", "sensitivity", "6"),
        ("source_regional", "source", "regional"),
        ("horizon_someday", "horizon", "someday"),
        ("must_do_maybe", "must_do", "maybe"),
        ("id_duplicate", "id", "NAT-UEC01"),
        ("id_with_space", "id", "NAT ELE01"),
        ("id_41_characters", "id", "I" * 41),
        ("name_201_characters", "name", "n" * 201),
        ("name_empty", "name", ""),
        ("owner_101_characters", "owner", "o" * 101),
        ("requires_unknown", "requires", "NOPE"),
        ("requires_itself", "requires", T_ID),
        ("excludes_unknown", "excludes", "LOC-ZZZ"),
    ]:
        field = "id" if column == "id" else column
        add(f"csv_value_{name}.csv", csv_cell(column, value), fails(field))
    cycle = MINI_CSV.splitlines()
    nh04 = next(i for i, r in enumerate(cycle) if r.startswith("LOC-NH04,"))
    cells = next(csv.reader([cycle[nh04]]))
    cells[CSV_HEADER.split(",").index("requires")] = "NAT-UEC01"
    cycle[nh04] = ",".join(cells)
    add("csv_value_cycle.csv", "\n".join(cycle) + "\n", fails("requires"))
    for name, data, fields in [
        ("empty", b"", ["file"]),
        ("whitespace", b" \n \n", ["file"]),
        ("header_only", CSV_HEADER + "\n", ["priorities"]),
        ("utf16", MINI_CSV.encode("utf-16"), ["file"]),
        ("invalid_bytes", b"id,name\nA,Caf\x81\x8d\n", ["file"]),
        ("random_bytes", random.Random(11).randbytes(2000), ["file"]),
        ("html", b"<!DOCTYPE html><html><body>Sign in</body></html>\n", ["id", "name"]),
        ("semicolon_separated", MINI_CSV.replace(",", ";").encode(), ["id"]),
        ("truncated_mid_row", MINI_CSV[: MINI_CSV.index("LOC-PRV01") + 25].encode(), ["cost:strategic"]),
        ("field_over_csv_limit", (CSV_HEADER + "\n" + "x" * 140_000 + "\n").encode(), ["file"]),
    ]:
        add(f"csv_file_{name}.csv", data, fails(*fields))


# ------------------------------------------------------------------ XLSX


def csv_plan_cases() -> None:
    """Plan columns in a priorities table loaded into the one-year sample: blank or at their defaults they
    load; a deadline in a year the one-year plan does not have is refused."""
    frame = priorities_frame(MINI_PORTFOLIO)
    add("csv_plan_columns_at_defaults.csv", frame.to_csv(index=False), loads(MINI))
    frame = frame.astype({"deadline": object})
    frame.loc[T, "deadline"] = "2027/28"
    add("csv_plan_deadline_outside_one_year_plan.csv", frame.to_csv(index=False), fails("deadline"))
    frame = priorities_frame(MINI_PORTFOLIO)
    frame.loc[T, "gains"] = "coach_days: 20"
    add("csv_plan_gain_unknown_dimension.csv", frame.to_csv(index=False), fails("gains"))


def book(change: Callable[[Any], None] | None = None, portfolio: Any = MINI_PORTFOLIO) -> bytes:
    data = template_workbook(portfolio)
    if change is not None:
        wb = load_workbook(io.BytesIO(data))
        change(wb)
        out = io.BytesIO()
        wb.save(out)
        data = out.getvalue()
    return hostile.deterministic(data)


def column_of(ws, name: str) -> int:
    return next(c.column for c in ws[1] if c.value == name)


def cell(sheet: str, row: int, column: str, value: Any) -> Callable[[Any], None]:
    def change(wb: Any) -> None:
        ws = wb[sheet]
        ws.cell(row=row, column=column_of(ws, column)).value = value

    return change


def rule_row(setting: str, value: Any) -> Callable[[Any], None]:
    def change(wb: Any) -> None:
        for row in wb["Rules"].iter_rows(min_row=2):
            if row[0].value == setting:
                row[1].value = value

    return change


def part(data: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    return hostile.deterministic(hostile.rezip(data, {name: change}))


def xml_cell(data: bytes, old: bytes, new: bytes, name: str = hostile.PRIORITIES_PART) -> bytes:
    def change(xml: bytes) -> bytes:
        assert old in xml, old
        return xml.replace(old, new, 1)

    return part(data, name, change)


def xlsx_valid() -> None:
    add("xlsx_valid_mini.xlsx", book(), loads(MINI))
    add("xlsx_valid_sample.xlsx", book(portfolio=SAMPLE), loads(48))

    def spelling(wb: Any) -> None:
        ws = wb["Priorities"]
        ws["A1"], ws["G1"], ws["K1"] = "  ID ", "Must Do", "Cost: Strategic"
        ws["G2"], ws["K2"], ws["L2"] = "Y", "6", " 41 "
        wb["Capacity"]["A1"] = "NAME"

    add("xlsx_valid_spelling_and_numbers_as_text.xlsx", book(spelling), loads(MINI))
    add(
        "xlsx_valid_extra_sheet.xlsx",
        book(lambda wb: wb.create_sheet("Notes").append(["anything", "=1+1"])),
        loads(MINI),
    )
    add(
        "xlsx_valid_without_rules_sheets.xlsx",
        book(lambda wb: (wb.remove(wb["Rules"]), wb.remove(wb["Theme limits"]))),
        loads(MINI),
    )

    def blank_rows(wb: Any) -> None:
        wb["Priorities"].insert_rows(5, 3)

    add("xlsx_valid_blank_rows.xlsx", book(blank_rows), loads(MINI))

    def lower_case(wb: Any) -> None:
        wb["Priorities"].title = "renamed"  # openpyxl would add a 1 to a name that differs only in case
        wb["renamed"].title = "priorities"

    add("xlsx_valid_lower_case_sheet.xlsx", book(lower_case), loads(MINI))
    guarded = ["-Reduce waits", "+Add beds", "=SUM(A1)", "@risk", "'=quoted", "''-two", "'plain"]
    priorities = tuple(
        replace(p, name=guarded[i % 7], theme=guarded[(i + 2) % 7]) for i, p in enumerate(MINI_PORTFOLIO.priorities)
    )
    add(
        "xlsx_valid_formula_guard.xlsx",
        book(portfolio=replace(MINI_PORTFOLIO, priorities=priorities)),
        loads(MINI, "LOC-UEC03", "'=quoted"),
    )
    add(
        "xlsx_valid_markdown_emoji.xlsx",
        book(cell("Priorities", 3, "name", "**Care** 🏥 <b>x</b> تحسين")),
        loads(MINI, "NAT-UEC02", "**Care** 🏥 <b>x</b> تحسين"),
    )
    add("xlsx_valid_must_do_bool.xlsx", book(cell("Priorities", 2, "must_do", True)), loads(MINI))


def xlsx_errors() -> None:
    r = T + 2  # NAT-ELE01's row
    template_columns = load_workbook(io.BytesIO(book()))["Priorities"].max_column
    cases: list[tuple[str, Callable[[Any], None], list[str]]] = [
        ("missing_sheet_capacity", lambda wb: wb.remove(wb["Capacity"]), ["sheet"]),
        ("missing_sheet_priorities", lambda wb: wb.remove(wb["Priorities"]), ["sheet"]),
        ("missing_column_horizon", lambda wb: wb["Priorities"].delete_cols(6), ["horizon"]),
        ("missing_column_available", lambda wb: wb["Capacity"].delete_cols(4), ["available"]),
        ("unknown_column", lambda wb: wb["Priorities"].cell(row=1, column=21, value="notes"), ["notes"]),
        ("unknown_column_capacity", lambda wb: wb["Capacity"].cell(row=1, column=6, value="owner"), ["owner"]),
        ("unknown_cost_column", cell("Priorities", 1, "cost:revenue", "cost:money"), ["cost:money", "cost:revenue"]),
        ("column_twice", lambda wb: wb["Priorities"].cell(row=1, column=21, value="Name"), ["name"]),
        ("cost_text", cell("Priorities", r, "cost:operational", "lots"), ["cost:operational"]),
        ("cost_1e15", cell("Priorities", r, "cost:operational", 1e15), ["cost:operational"]),
        ("cost_comma", cell("Priorities", r, "cost:operational", "2,5"), ["cost:operational"]),
        ("cost_negative", cell("Priorities", r, "cost:operational", -1), ["cost:operational"]),
        ("capacity_comma", cell("Capacity", 2, "available", "1,440"), ["available"]),
        ("capacity_1e10", cell("Capacity", 2, "available", 1e10), ["available"]),
        ("headroom_95", cell("Capacity", 3, "headroom_pct", 95), ["headroom_pct"]),
        ("weight_text", cell("Criteria", 2, "weight", "heavy"), ["weight"]),
        ("source_regional", cell("Priorities", r, "source", "regional"), ["source"]),
        ("horizon_someday", cell("Priorities", r, "horizon", "someday"), ["horizon"]),
        ("must_do_maybe", cell("Priorities", r, "must_do", "maybe"), ["must_do"]),
        ("duplicate_id", cell("Priorities", r, "id", "NAT-UEC01"), ["id"]),
        ("unknown_requires", cell("Priorities", r, "requires", "NOPE"), ["requires"]),
        ("cycle", cell("Priorities", 9, "requires", "NAT-UEC01"), ["requires"]),
        ("score_14", cell("Priorities", r, "score:outcomes", 14), ["score:outcomes"]),
        ("name_empty", cell("Priorities", r, "name", None), ["name"]),
        ("name_201_characters", cell("Priorities", r, "name", "n" * 201), ["name"]),
        ("cell_1001_characters", cell("Priorities", r, "owner", "o" * 1001), ["owner"]),
        ("name_with_line_break", cell("Priorities", r, "name", "Elective\nrecovery"), ["name"]),
        ("name_with_tab", cell("Priorities", r, "name", "Elective\trecovery"), ["name"]),
        ("theme_with_carriage_return", cell("Priorities", r, "theme", "elective\r"), ["theme"]),
        ("unknown_rule_setting", lambda wb: wb["Rules"].cell(row=2, column=1, value="max_prio"), ["setting"]),
        ("repeated_rule_row", lambda wb: wb["Rules"].append(["max_priorities", 5]), ["setting"]),
        ("repeated_theme", lambda wb: wb["Theme limits"].append(["digital", None, 1]), ["theme"]),
        ("band_min_above_max", rule_row("short_min_pct", 70), ["value"]),
        ("max_priorities_negative", rule_row("max_priorities", -1), ["value"]),
        ("max_priorities_nan_text", rule_row("max_priorities", "nan"), ["value"]),
        ("locked_in_unknown", rule_row("locked_in", "NOPE"), ["value"]),
        ("balance_dimension_unknown", rule_row("balance_dimension", "money"), ["value"]),
        ("theme_max_text", lambda wb: wb["Theme limits"].cell(row=2, column=3, value="three"), ["max"]),
        (
            "stray_value_without_column_name",
            lambda wb: wb["Priorities"].cell(row=r, column=wb["Priorities"].max_column + 1, value="note"),
            [f"column {get_column_letter(template_columns + 1)}"],
        ),
        ("value_in_column_201", lambda wb: wb["Priorities"].cell(row=r, column=201, value="far"), ["column GS"]),
        (
            "too_many_rows",
            lambda wb: [wb["Priorities"].cell(row=n, column=1, value=" ") for n in range(13, MAX_PRIORITIES + 10)],
            ["sheet"],
        ),
    ]
    for name, change, fields in cases:
        add(f"xlsx_{name}.xlsx", book(change), fails(*fields))
    base = book()
    for column, old in [
        ("name", b"<t>Reach 78% of"),
        ("owner", b"<t>Acute trusts"),
        ("theme", b"<t>urgent and emergency care"),
        ("requires", b'<c r="I3" t="inlineStr"><is><t>NAT-UEC01'),
        ("id", b"<t>NAT-UEC02</t>"),
    ]:
        for escape in (b"_x000B_", b"_x0001_", b"_x001F_", b"_x0085_"):
            cut = old.index(b"<t>") + 3
            new = old[:cut] + old[cut : cut + 3] + escape + old[cut + 3 :]
            add(f"xlsx_control_{column}_{escape.decode().strip('_')}.xlsx", xml_cell(base, old, new), fails(column))
    capacity = "xl/worksheets/sheet3.xml"
    add(
        "xlsx_control_unit.xlsx",
        xml_cell(base, b"<t>executive days", b"<t>executive_x000B_days", capacity),
        fails("unit"),
    )
    criteria = "xl/worksheets/sheet4.xml"
    add(
        "xlsx_control_criterion_label.xlsx",
        xml_cell(base, b"<t>Health outcomes", b"<t>Health_x0007_outcomes", criteria),
        fails("label"),
    )
    rules = "xl/worksheets/sheet5.xml"
    add(
        "xlsx_control_balance_dimension.xlsx",
        xml_cell(base, b"<t>operational</t>", b"<t>opera_x000B_tional</t>", rules),
        fails("value"),
    )
    themes = "xl/worksheets/sheet6.xml"
    add(
        "xlsx_control_theme_limit.xlsx",
        xml_cell(base, b"<t>digital</t>", b"<t>digi_x0001_tal</t>", themes),
        fails("theme"),
    )
    long_title = xml_cell(
        base, b"(fictional)</dc:title>", b"(fictional)" + b"t" * 200 + b"</dc:title>", "docProps/core.xml"
    )
    add("xlsx_title_too_long.xlsx", long_title, fails("workbook title (File > Info > Properties)"))


def zip_of(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(zipfile.ZipInfo(name, hostile.FIXED_DATE), content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def xlsx_damaged() -> None:
    base = book()
    add(
        "xlsx_damaged_truncated_sheet_xml.xlsx",
        part(base, hostile.PRIORITIES_PART, lambda x: x[: len(x) // 2]),
        fails("file"),
    )
    add(
        "xlsx_damaged_sheet_not_xml.xlsx",
        part(base, hostile.PRIORITIES_PART, lambda x: b"not xml at all"),
        fails("file"),
    )
    dtd = b'<!DOCTYPE worksheet [<!ENTITY boom "BOOM">]>'
    add(
        "xlsx_damaged_entity.xlsx",
        part(base, hostile.PRIORITIES_PART, lambda x: dtd + x.replace(b"<t>Reach", b"<t>&boom;Reach")),
        fails("file"),
    )
    add(
        "xlsx_damaged_dtd.xlsx",
        part(base, hostile.PRIORITIES_PART, lambda x: b"<!DOCTYPE worksheet>" + x),
        fails("file"),
    )
    laughs = b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    add(
        "xlsx_damaged_billion_laughs_in_workbook.xlsx",
        part(base, "xl/workbook.xml", lambda x: laughs + x),
        fails("file"),
    )
    add(
        "xlsx_damaged_external_entity.xlsx",
        part(
            base,
            "docProps/core.xml",
            lambda x: b'<!DOCTYPE c [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + x.replace(b"openpyxl<", b"&e;<"),
        ),
        fails("file"),
    )
    add("xlsx_damaged_truncated_file.xlsx", base[: len(base) * 6 // 10], fails("file"))
    add("xlsx_damaged_empty.xlsx", b"", fails("file"))
    add("xlsx_damaged_csv_bytes.xlsx", MINI_CSV.encode(), fails("file"))
    add("xlsx_damaged_old_xls_header.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), fails("file"))
    add("xlsx_damaged_html.xlsx", b"<html><body>Sign in</body></html>", fails("file"))
    add("xlsx_damaged_zip_without_workbook.xlsx", zip_of({"hello.txt": b"not a workbook"}), fails("file"))
    add("xlsx_damaged_too_many_parts.xlsx", zip_of({f"p{i}.txt": b"" for i in range(1001)}), fails("file"))
    corrupt = bytearray(base)
    start = corrupt.index(b"xl/worksheets/sheet2.xml") + 40
    corrupt[start : start + 40] = bytes(40)
    add("xlsx_damaged_corrupt_sheet_data.xlsx", bytes(corrupt), fails("file"))
    add("xlsx_damaged_workbook_xml_missing.xlsx", part(base, "xl/workbook.xml", lambda x: b""), fails("file"))
    add(
        "xlsx_damaged_missing_relationship.xlsx",
        part(base, "xl/_rels/workbook.xml.rels", lambda x: x.replace(b"sheet2.xml", b"sheet9.xml")),
        fails("sheet"),  # openpyxl leaves out a sheet whose part is missing
    )
    big = hostile.shared_string_bomb(60 * 2**20)  # 60 MB unpacked from about 60 kB
    add("xlsx_bomb_total_size.xlsx", hostile.deterministic(big), fails("file"))
    add("xlsx_bomb_ratio.xlsx", hostile.deterministic(hostile.shared_string_bomb(3 * 2**20)), fails("file"))
    styles = part(
        base, "xl/styles.xml", lambda x: x.replace(b"</styleSheet>", b"<!--" + b" " * (3 * 2**20) + b"--></styleSheet>")
    )
    add("xlsx_bomb_styles_part.xlsx", styles, fails("file"))


def main() -> None:
    json_valid()
    json_wrong_types()
    json_missing_and_links()
    json_file_level()
    json_numbers()
    json_control_characters()
    json_keys_and_limits()
    json_plan()
    csv_cases()
    csv_plan_cases()
    xlsx_valid()
    xlsx_errors()
    xlsx_damaged()
    OUT.mkdir(exist_ok=True)
    for old in OUT.iterdir():
        old.unlink()
    expected = {}
    for name, (data, outcome) in sorted(CASES.items()):
        (OUT / name).write_bytes(data)
        expected[name] = outcome
    (OUT / "expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=True) + "\n", encoding="ascii")
    size = sum(len(d) for d, _ in CASES.values())
    print(f"{len(CASES)} files, {size / 2**20:.2f} MB")


if __name__ == "__main__":
    main()
