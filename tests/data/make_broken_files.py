"""Writes the deliberately broken files in tests/data/broken/ and expected.json (the error each must give).

    .venv/bin/python -m tests.data.make_broken_files

Each workbook starts from the template filled with the sample portfolio and breaks one thing.
The file over the upload limit is made by the test itself (it is too big to keep in the repository).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

from openpyxl import load_workbook

from optimiser.excel import template_workbook
from optimiser.formats import load_portfolio, priorities_to_csv

HERE = Path(__file__).resolve().parent
OUT = HERE / "broken"
SAMPLE = HERE.parent.parent / "sample_data" / "icb_portfolio.json"


def workbook(change: Callable) -> bytes:
    wb = load_workbook(io.BytesIO(template_workbook(load_portfolio(SAMPLE))))
    change(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def column(ws, name: str) -> int:
    return next(c.column for c in ws[1] if c.value == name)


def set_cell(sheet: str, row: int, name: str, value) -> Callable:
    def change(wb):
        ws = wb[sheet]
        ws.cell(row=row, column=column(ws, name)).value = value  # .value also clears a cell with None

    return change


def delete_column(sheet: str, name: str) -> Callable:
    return lambda wb: wb[sheet].delete_cols(column(wb[sheet], name))


def rule(setting: str, value) -> Callable:
    def change(wb):
        ws = wb["Rules"]
        for row in ws.iter_rows(min_row=2):
            if row[0].value == setting:
                row[1].value = value

    return change


CASES: dict[str, tuple[bytes | Callable[[], bytes], str]] = {
    "missing_column.xlsx": (
        lambda: workbook(delete_column("Priorities", "horizon")),
        "Sheet 'Priorities', row 1, field 'horizon': The column 'horizon' is missing",
    ),
    "wrong_type_cost.xlsx": (
        lambda: workbook(set_cell("Priorities", 3, "cost:operational", "lots")),
        "Sheet 'Priorities', row 3, priority NAT-UEC02, field 'cost:operational': 'lots' is not a finite number",
    ),
    "unknown_id.xlsx": (
        lambda: workbook(set_cell("Priorities", 4, "requires", "NOPE")),
        "Sheet 'Priorities', row 4, priority NAT-ELE01, field 'requires': 'NOPE' is not the id of any priority",
    ),
    "duplicate_id.xlsx": (
        lambda: workbook(set_cell("Priorities", 5, "id", "NAT-UEC01")),
        "Sheet 'Priorities', row 5, priority NAT-UEC01, field 'id': 'NAT-UEC01' is already used on row 2",
    ),
    "cycle.xlsx": (
        lambda: workbook(set_cell("Priorities", 35, "requires", "NAT-UEC01")),
        "prerequisites form a cycle: NAT-UEC01 -> LOC-NH04 -> NAT-UEC01",
    ),
    "score_out_of_range.xlsx": (
        lambda: workbook(set_cell("Priorities", 2, "score:outcomes", 14)),
        "field 'score:outcomes': 14 is out of range. Enter a score from 0 to 10.",
    ),
    "empty_required_cell.xlsx": (
        lambda: workbook(set_cell("Priorities", 6, "name", None)),
        "Sheet 'Priorities', row 6, priority NAT-CAN01, field 'name': is missing",
    ),
    "missing_sheet.xlsx": (
        lambda: workbook(lambda wb: wb.remove(wb["Capacity"])),
        "Sheet 'Capacity', field 'sheet': The sheet 'Capacity' is missing",
    ),
    "bad_source.xlsx": (
        lambda: workbook(set_cell("Priorities", 7, "source", "regional")),
        "field 'source': 'regional' is not a source",
    ),
    "bad_horizon.xlsx": (
        lambda: workbook(set_cell("Priorities", 8, "horizon", "someday")),
        "field 'horizon': 'someday' is not a horizon",
    ),
    "bad_must_do.xlsx": (
        lambda: workbook(set_cell("Priorities", 9, "must_do", "maybe")),
        "field 'must_do': 'maybe' is not yes or no",
    ),
    "negative_capacity.xlsx": (
        lambda: workbook(set_cell("Capacity", 3, "available", -5)),
        "Sheet 'Capacity', row 3, field 'available': -5 is out of range",
    ),
    "headroom_too_high.xlsx": (
        lambda: workbook(set_cell("Capacity", 2, "headroom_pct", 95)),
        "Sheet 'Capacity', row 2, field 'headroom_pct': 95 is out of range",
    ),
    "bad_weight.xlsx": (
        lambda: workbook(set_cell("Criteria", 2, "weight", "heavy")),
        "Sheet 'Criteria', row 2, field 'weight': 'heavy' is not a finite number",
    ),
    "bad_rule_setting.xlsx": (
        lambda: workbook(lambda wb: wb["Rules"].cell(row=2, column=1, value="max_prio")),
        "Sheet 'Rules', row 2, field 'setting': 'max_prio' is not a setting",
    ),
    "band_min_above_max.xlsx": (
        lambda: workbook(rule("short_min_pct", 70)),
        "Sheet 'Rules', row 6, field 'value': minimum 70% is above maximum 60%",
    ),
    "bad_theme_limit.xlsx": (
        lambda: workbook(lambda wb: wb["Theme limits"].cell(row=2, column=3, value="three")),
        "Sheet 'Theme limits', row 2, field 'max': 'three' must be a whole number",
    ),
    "requires_and_excludes.xlsx": (
        lambda: workbook(set_cell("Priorities", 3, "excludes", "NAT-UEC01")),
        "NAT-UEC01 is both required and excluded",
    ),
    "empty.xlsx": (b"", "The file is empty."),
    "not_excel.xlsx": (b"id,name\nA,B\n", "This is not an Excel workbook (.xlsx)"),
    "wrong_file_type.pdf": (b"%PDF-1.4 not a portfolio", "'wrong_file_type.pdf' is not a file this tool reads"),
    "empty.csv": (b"", "The CSV file is empty."),
    "non_utf8.csv": (b"id,name\nA,Caf\x81\x8d\n", "is not text in UTF-8 or Windows-1252"),
    "utf16.csv": ("id,name,source\n".encode("utf-16"), "looks like UTF-16"),
    "csv_missing_column.csv": (b"id,name,source\nA,First,local\n", "The CSV file has no column 'horizon'"),
    "bad_json.json": (b'{"schema_version": 1, "name": ', "not valid JSON (line 1, column"),
    "old_schema.json": (
        b'{"schema_version": 0, "name": "old"}',
        "schema_version 0; this version of the tool reads schema_version 1",
    ),
}


def main() -> None:
    OUT.mkdir(exist_ok=True)
    expected = {}
    for name, (content, message) in CASES.items():
        data = content() if callable(content) else content
        (OUT / name).write_bytes(data)
        expected[name] = message
    (OUT / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")
    # A valid CSV written in Windows-1252 (as Excel does on many NHS desktops) must load.
    text = priorities_to_csv(load_portfolio(SAMPLE)).replace("Reach 78%", "Réach 78%")
    (HERE / "windows_1252.csv").write_bytes(text.encode("cp1252"))


if __name__ == "__main__":
    main()
