"""Excel in and out: the template, reading a filled workbook, and the results workbook.

A portfolio workbook has the sheets Priorities, Capacity and Criteria (required) and Rules and
Theme limits (optional). Reading collects every problem at once, each with its sheet, row, column,
the value found and what is expected, and goes through the same validation as every other input.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .domain import HORIZON_LABELS, HORIZONS, SOURCES, VALUE_MODES, PlanSettings, Portfolio
from .errors import PortfolioError, Problem, printable
from .exports import decisions_frame, neutralise
from .formats import (
    MAX_FILE_BYTES,
    column_key,
    header_problems,
    pairs_text,
    priority_to_record,
    table_columns,
)
from .parsing import (
    MAX_NAME_LENGTH,
    MAX_PRIORITIES,
    MAX_PROBLEMS,
    READINESS_COLUMNS,
    READINESS_RULE_KEYS,
    _Collector,
    _text_field,
    build_portfolio,
    parse_criteria,
    parse_dimensions,
    parse_plan,
    parse_rules,
    shown,
    strip_formula_guard,
    suggest,
)
from .result import Result

PRIORITIES, CAPACITY, CRITERIA, RULES, THEMES, INSTRUCTIONS = (
    "Priorities",
    "Capacity",
    "Criteria",
    "Rules",
    "Theme limits",
    "Instructions",
)
CAPACITY_COLUMNS = (
    "name",
    "label",
    "unit",
    "available",
    "headroom_pct",
    "spread_pct",
    "available_by_year",
    "headroom_by_year",
)
CRITERIA_COLUMNS = ("name", "label", "weight", "spread_pct")
RULE_SETTINGS = (
    ("max_priorities", "sensitivity_penalty", "locked_in", "locked_out", "balance_dimension")
    + tuple(f"{h}_{side}_pct" for h in HORIZONS for side in ("min", "max"))
    + ("expected_value", *READINESS_RULE_KEYS)
    + ("plan_years", "first_year", "value_mode", "year_locks", "forbidden_starts")
)
# The Rules sheet's settings of the plan, and the key of each in the JSON form's 'plan' object.
PLAN_SETTINGS = {"plan_years": "years", "first_year": "first_year", "value_mode": "value_mode"}
THEME_COLUMNS = ("theme", "min", "max")
RULES_COLUMNS = ("setting", "value")
HEADER_FILL = PatternFill("solid", fgColor="005EB8")
HEADER_FONT = Font(bold=True, color="FFFFFF")
MAX_ROWS = 1000  # rows of the template's drop-down lists

# Limits on a workbook, checked before openpyxl reads it (the 20 MB upload limit is on the compressed file):
MAX_PARTS = 1000  # files inside the .xlsx (zip) archive
MAX_UNPACKED_BYTES = 50 * 2**20  # all parts together, unpacked
MAX_SHEET_PART_BYTES = 40 * 2**20  # one worksheet or the shared strings, unpacked
MAX_OTHER_XML_BYTES = 2 * 2**20  # any other XML part (styles, workbook, properties): openpyxl builds objects of them
MAX_RATIO = 100  # unpacked size over packed size, for parts over RATIO_FROM_BYTES
RATIO_FROM_BYTES = 2**20
# openpyxl reads a whole worksheet to size it when the sheet has no <dimension> record: refused above this size.
MAX_UNSIZED_SHEET_BYTES = 4 * 2**20
# ... and while reading a sheet:
MAX_SHEET_ROWS = MAX_PRIORITIES + 1  # rows read per sheet, the header included; one more is refused
MAX_SHEET_COLUMNS = 200  # columns read per sheet; a value in the next column is refused
MAX_CELL_CHARS = 1000  # characters of text in one cell
# Excel stores a control character in a cell as an escape such as _x000B_ (a line break pasted from Word);
# openpyxl leaves the escape as it is, so the reader turns it back into the character, which is then refused.
_CONTROL_ESCAPE = re.compile(r"_x(00[01][0-9A-Fa-f]|007[Ff]|008[0-9A-Fa-f]|009[0-9A-Fa-f])_")

INSTRUCTIONS_TEXT = [
    "How to fill in this workbook",
    "",
    "Priorities: one row per candidate priority. id must be unique (letters, digits, - _ .).",
    "  source: national or local. horizon: short (within 12 months), medium (1-3 years), long (3+ years).",
    "  must_do: yes or no (national must-dos are always kept). sensitivity: 0 (easy to drop) to 5 (very hard).",
    "  requires / excludes: ids of other priorities, separated by ; or ,.",
    "  cost:<dimension>: the capacity it needs, in that dimension's unit (0 or more).",
    "  score:<criterion>: 0 to 10.",
    "  ready:<factor> (optional): readiness on each of the seven success factors, 1 (not in place), 2 (emerging),",
    "  3 (established) or 4 (strong); blank means not assessed. ranges (optional): low..high of any score or",
    "  cost, e.g. score:outcomes=6..9; cost:operational=2..4 (the score or cost itself is the likely figure).",
    "Capacity: one row per capacity dimension: name, label (optional, shown to users), unit, available amount,",
    "  headroom_pct kept free (0-90), spread_pct (optional): how far each cost may be lower or higher (%).",
    "  Renaming a dimension here means renaming its cost: column on Priorities too.",
    "Criteria: one row per criterion: name, label (optional, shown to users), weight (0-100) and spread_pct",
    "  (optional: how far each score may be lower or higher, %). Its score:",
    "  column must match the name.",
    "Rules (optional): max_priorities (blank for no limit), sensitivity_penalty, locked_in / locked_out",
    "  (ids separated by ;), balance_dimension (the capacity whose use measures the short/medium/long",
    "  balance; blank for the first), and the horizon balance bands as percentages of it (e.g. short_max_pct = 60).",
    "  expected_value (yes/no): maximise value x delivery confidence from readiness; readiness_floor_pct,",
    "  readiness_cap_weakest_1_pct, readiness_cap_weakest_2_pct, readiness_low_pct: the readiness rule (README).",
    "Theme limits (optional): theme, min and/or max number of priorities kept in it.",
    "",
    "A multi-year plan (all optional; leave them blank for a one-year selection):",
    "  Rules: plan_years (1-10), first_year (e.g. 2026/27, the label of year 1), value_mode (completion: full value",
    "  when finished within the plan; per_year: value for each year after completion), year_locks (e.g.",
    "  LOC-WF03: 2026/27; NAT-DIG01: 2, the year each starts in, or an existing activity stops from) and",
    "  forbidden_starts (e.g. LOC-WF03: 1, 2; NAT-DIG01: 2027/28).",
    "  Capacity: available_by_year and headroom_by_year, one figure per year from year 1 separated by commas",
    "  (e.g. 657, 680, 700); a year after the last figure keeps the last figure; blank: the same every year.",
    "  Priorities: duration (years of delivery effort, blank for 1), earliest_start and deadline (a year of the",
    "  plan as its label, e.g. 2027/28, or its number; blank: from year 1, no deadline), existing (yes for an",
    "  activity already running, which the plan continues or stops; it has no duration, start or deadline),",
    "  alongside (prerequisites that only need to have started), lags (e.g. LOC-NH04: 1, years to wait after a",
    "  prerequisite finishes), gains (e.g. improvement_support: 20, capacity added each year after it finishes),",
    "  cost_profile (e.g. operational: 10, 8, 5, the cost in each delivery year).",
    "",
    "Column names may differ in case and spacing; numbers may be typed as text, with a point for decimals and",
    "  no thousands separators (1200.5, not 1,200.5). Text fields hold one line (no line breaks or tabs).",
    "Upload the workbook on the Priorities page. Every problem is listed with its sheet, row and column,",
    "and nothing replaces the current portfolio until the file is valid and you confirm.",
]


# ------------------------------------------------------------------ writing


def _style_header(ws, columns: int) -> None:
    for col in range(1, columns + 1):
        cell = ws.cell(row=1, column=col)
        cell.fill = HEADER_FILL
        cell.font = HEADER_FONT
        ws.column_dimensions[get_column_letter(col)].width = max(12, min(45, len(str(cell.value or "")) + 4))
    ws.freeze_panes = "A2"


def _write(ws, row: int, col: int, value: Any) -> None:
    """Write a value as plain data: text that looks like a formula is neutralised and kept as text."""
    value = neutralise(value)
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"


def _write_table(ws, header: list[str], rows: list[list[Any]]) -> None:
    for c, name in enumerate(header, start=1):
        _write(ws, 1, c, name)
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            _write(ws, r, c, value)
    _style_header(ws, len(header))


def _list_validation(ws, column: int, options: list[str], title: str, *, strict: bool = True, cells: str = "") -> None:
    """A drop-down list on a column (rows 2 to MAX_ROWS) or on `cells`; `strict` False lets other values be
    typed too (a year's number where the list holds labels)."""
    letter = get_column_letter(column)
    dv = DataValidation(
        type="list",
        formula1='"' + ",".join(options) + '"',
        allow_blank=True,
        showErrorMessage=strict,
        errorTitle=title,
        error=f"Choose one of: {', '.join(options)}",
    )
    dv.add(cells or f"{letter}2:{letter}{MAX_ROWS}")
    ws.add_data_validation(dv)


def _figures_text(figures: tuple[float, ...]) -> str | None:
    """Per-year figures as the Capacity sheet holds them: '657, 680, 700' (None when there are none)."""
    return ", ".join(f"{x:g}" if float(f"{x:g}") == x else repr(x) for x in figures) or None


def template_workbook(portfolio: Portfolio) -> bytes:
    """The Excel template, filled with `portfolio` as the worked example."""
    wb = Workbook()
    wb.properties.title = portfolio.name[:200]
    ws = wb.active
    ws.title = INSTRUCTIONS
    for r, line in enumerate(INSTRUCTIONS_TEXT, start=1):
        ws.cell(row=r, column=1, value=line)
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 110

    ws = wb.create_sheet(PRIORITIES)
    header = table_columns(portfolio)
    rows = []
    plan = portfolio.plan
    for p in portfolio.priorities:
        record = priority_to_record(p)
        record["must_do"] = "yes" if p.must_do else "no"
        record["existing"] = "yes" if p.existing else "no"
        for column in ("earliest_start", "deadline"):  # years as the plan's labels ('2027/28')
            record[column] = None if record[column] is None else plan.label(record[column])
        rows.append([record[c] for c in header])
    _write_table(ws, header, rows)
    _list_validation(ws, header.index("source") + 1, list(SOURCES), "Source")
    _list_validation(ws, header.index("horizon") + 1, list(HORIZONS), "Horizon")
    _list_validation(ws, header.index("must_do") + 1, ["yes", "no"], "Must-do")
    _list_validation(ws, header.index("existing") + 1, ["yes", "no"], "Existing activity")
    for column in READINESS_COLUMNS:
        _list_validation(ws, header.index(column) + 1, ["1", "2", "3", "4"], "Readiness")
    if plan.years > 1:  # drop-down lists that suggest (a year's number is accepted too)
        for column in ("earliest_start", "deadline"):
            _list_validation(ws, header.index(column) + 1, list(plan.labels), "Year", strict=False)
        durations = [str(n) for n in range(1, plan.years + 1)]
        _list_validation(ws, header.index("duration") + 1, durations, "Duration", strict=False)

    ws = wb.create_sheet(CAPACITY)
    _write_table(
        ws,
        list(CAPACITY_COLUMNS),
        [
            [
                d.name,
                d.label,
                d.unit,
                d.available,
                d.headroom_pct,
                d.spread_pct or None,
                _figures_text(d.available_by_year),
                _figures_text(d.headroom_by_year),
            ]
            for d in portfolio.dimensions
        ],
    )
    ws = wb.create_sheet(CRITERIA)
    _write_table(
        ws, list(CRITERIA_COLUMNS), [[c.name, c.label, c.weight, c.spread_pct or None] for c in portfolio.criteria]
    )

    ws = wb.create_sheet(RULES)
    rules = portfolio.rules
    bands = {b.horizon: b for b in rules.horizon_bands}
    values: dict[str, Any] = {
        "max_priorities": rules.max_priorities,
        "sensitivity_penalty": rules.sensitivity_penalty,
        "locked_in": "; ".join(rules.locked_in),
        "locked_out": "; ".join(rules.locked_out),
        "balance_dimension": rules.balance_dimension,
        "expected_value": "yes" if rules.expected_value else "no",
    }
    for key, attribute in READINESS_RULE_KEYS.items():
        values[key] = getattr(rules.readiness, attribute)
    for h in HORIZONS:
        band = bands.get(h)
        values[f"{h}_min_pct"] = band.min_pct if band else None
        values[f"{h}_max_pct"] = band.max_pct if band else None
    values["plan_years"] = plan.years
    values["first_year"] = plan.first_year
    values["value_mode"] = plan.value_mode
    values["year_locks"] = pairs_text((pid, plan.label(year)) for pid, year in rules.year_locks) or None
    forbidden: dict[str, list[str]] = {}
    for pid, year in rules.forbidden_starts:
        forbidden.setdefault(pid, []).append(plan.label(year))
    values["forbidden_starts"] = pairs_text((pid, ", ".join(years)) for pid, years in forbidden.items()) or None
    _write_table(ws, ["setting", "value"], [[k, values[k]] for k in RULE_SETTINGS])
    mode_row = RULE_SETTINGS.index("value_mode") + 2
    _list_validation(ws, 2, list(VALUE_MODES), "Value mode", cells=f"B{mode_row}")

    ws = wb.create_sheet(THEMES)
    _write_table(ws, list(THEME_COLUMNS), [[t.theme, t.min_count, t.max_count] for t in rules.theme_limits])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ------------------------------------------------------------------ reading


def _key(name: Any) -> str:
    return column_key(str(name or ""))


def _empty(value: Any) -> bool:
    """An empty cell: nothing, or only spaces (a NaN number in a cell is not empty: it is refused)."""
    return value is None or (isinstance(value, str) and not value.strip())


def _all(problems: list[Problem]) -> PortfolioError:
    """The error listing the first MAX_PROBLEMS problems, and how many more there are."""
    if len(problems) <= MAX_PROBLEMS:
        return PortfolioError(problems)
    more = Problem("file", f"{len(problems) - MAX_PROBLEMS:,} more problems are not listed. Fix these first.")
    return PortfolioError([*problems[:MAX_PROBLEMS], more])


def _refuse(message: str, sheet: str | None = None, row: int | None = None, field: str = "file") -> PortfolioError:
    return PortfolioError(Problem(field=field, message=message, row=row, sheet=sheet))


def _mb(size: int) -> str:
    return f"{size / 2**20:,.1f} MB"


def _part_limit(name: str) -> int | None:
    """The most a part may unpack to (None: only the total limit applies)."""
    if name.startswith("xl/worksheets/") or name == "xl/sharedStrings.xml":
        return MAX_SHEET_PART_BYTES
    if name.endswith((".xml", ".rels")):
        return MAX_OTHER_XML_BYTES
    return None


def check_archive(data: bytes) -> None:
    """Refuse a workbook that would unpack to too much (a zip bomb) or whose XML declares a DTD or entities,
    before openpyxl reads any of it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as err:
        raise _refuse(_NOT_A_WORKBOOK) from err
    if len(parts) > MAX_PARTS:
        raise _refuse(f"The workbook holds {len(parts):,} parts; a workbook has a few dozen (limit {MAX_PARTS:,}).")
    total = sum(p.file_size for p in parts)
    if total > MAX_UNPACKED_BYTES:
        raise _refuse(
            f"The workbook unpacks to {_mb(total)}; the limit is {_mb(MAX_UNPACKED_BYTES)}. Delete unused sheets, "
            "rows and pictures (or use a .json file for a very large portfolio)."
        )
    for part in parts:
        limit = _part_limit(part.filename)
        if limit is not None and part.file_size > limit:
            raise _refuse(
                f"The workbook part '{part.filename}' unpacks to {_mb(part.file_size)}; the limit is {_mb(limit)}."
            )
        if part.file_size > RATIO_FROM_BYTES and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            raise _refuse(
                f"The workbook part '{part.filename}' is packed more than {MAX_RATIO} times over "
                f"({_mb(part.compress_size)} unpacking to {_mb(part.file_size)}), as no real workbook is. "
                "Open it in Excel and save it again."
            )
    for part in parts:
        if part.filename.endswith((".xml", ".rels")):
            _refuse_dtd(archive, part)
        if part.filename.startswith("xl/worksheets/") and part.file_size > MAX_UNSIZED_SHEET_BYTES:
            _refuse_unsized(archive, part)


def _refuse_dtd(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
    """Read one XML part through (the zip module stops at its declared size) and refuse a DTD or entity."""
    tail = b""
    try:
        with archive.open(part) as stream:
            while chunk := stream.read(2**20):
                block = tail + chunk
                if b"<!DOCTYPE" in block or b"<!ENTITY" in block:
                    raise _refuse(
                        f"The workbook part '{part.filename}' declares a DTD or entities, which workbooks saved by "
                        "Excel never do and this tool does not read. Open it in Excel and save it again."
                    )
                tail = block[-16:]
    except PortfolioError:
        raise
    except Exception as err:  # noqa: BLE001 - zipfile and zlib raise many types for damaged or encrypted parts
        raise _refuse(_damaged(err)) from err


def _refuse_unsized(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
    """Refuse a large worksheet without a <dimension> record near its start (where Excel writes it)."""
    try:
        with archive.open(part) as stream:
            head = stream.read(2**16)
    except Exception as err:  # noqa: BLE001 - zipfile and zlib raise many types for damaged or encrypted parts
        raise _refuse(_damaged(err)) from err
    if not re.search(rb"<(\w+:)?dimension\b", head.split(b"sheetData", 1)[0]):
        raise _refuse(
            f"The workbook part '{part.filename}' unpacks to {_mb(part.file_size)} and has no dimension record "
            "(workbooks saved by Excel have one). Open it in Excel and save it again."
        )


_NOT_A_WORKBOOK = (
    "This is not an Excel workbook (.xlsx), or it is damaged. Save it as an Excel Workbook, or upload the "
    "priorities as .csv or the portfolio as .json."
)


def _damaged(err: Exception) -> str:
    kind = err.__class__.__name__
    if kind == "error":  # zlib.error, binascii.error
        kind = f"{err.__class__.__module__} error"
    if "Forbidden" in kind:  # defusedxml: DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
        return "The workbook declares a DTD or entities, which this tool does not read. Save it again in Excel."
    return (
        f"The workbook could not be read ({kind}): it is damaged. Open it in Excel, save it again as .xlsx and retry."
    )


def _header_cell(value: Any) -> str:
    return "" if value is None else str(strip_formula_guard(value)).strip()


def _cell(value: Any, sheet: str, row: int, column: str, problems: list[Problem]) -> Any:
    """A cell's value, the formula guard taken off text; text over MAX_CELL_CHARS is refused."""
    if isinstance(value, str):
        if len(value) > MAX_CELL_CHARS:
            problems.append(
                _problem(
                    sheet, row, column, f"The cell holds {len(value):,} characters; the limit is {MAX_CELL_CHARS:,}."
                )
            )
            return None
        return strip_formula_guard(_CONTROL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value))
    return value


def _read_sheet(ws, sheet: str, problems: list[Problem]) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """Header (as typed) and the non-blank rows as (sheet row number, {header: value}), reading at most
    MAX_SHEET_ROWS rows and MAX_SHEET_COLUMNS columns. Damaged XML is refused with a PortfolioError."""
    try:
        return _read_rows(ws, sheet, problems)
    except PortfolioError:
        raise
    except Exception as err:  # noqa: BLE001 - openpyxl and the XML parser raise many types for damaged sheets
        raise _refuse(_damaged(err), sheet) from err


def _read_rows(ws, sheet: str, problems: list[Problem]) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    rows = ws.iter_rows(max_col=MAX_SHEET_COLUMNS + 1, values_only=True)
    first = next(rows, None)
    if first is None:
        return [], []
    header = [_header_cell(h) for h in first[:MAX_SHEET_COLUMNS]]
    if len(first) > MAX_SHEET_COLUMNS and not _empty(first[MAX_SHEET_COLUMNS]):
        message = f"Only the first {MAX_SHEET_COLUMNS} columns are read; a column after them has a name."
        problems.append(_problem(sheet, 1, "sheet", message, first[MAX_SHEET_COLUMNS]))
    records = []
    for number, values in enumerate(rows, start=2):
        if number > MAX_SHEET_ROWS:
            raise _refuse(
                f"The sheet has more than {MAX_SHEET_ROWS:,} rows (empty rows with formatting count too); a portfolio "
                f"holds at most {MAX_PRIORITIES:,} priorities. Delete the rows below the table and save again.",
                sheet,
                number,
                "sheet",
            )
        record = {}
        for index, value in [(i, v) for i, v in enumerate(values) if v is not None and v != ""]:
            if _empty(value):
                continue
            if index >= MAX_SHEET_COLUMNS or not header[index]:
                where = get_column_letter(index + 1)
                message = (
                    f"Column {where} holds a value but has no column name in row 1. Name the column or clear it."
                    if index < MAX_SHEET_COLUMNS
                    else f"Only the first {MAX_SHEET_COLUMNS} columns are read; column {where} holds a value."
                )
                problems.append(_problem(sheet, number, f"column {where}", message, value))
                continue
            record[header[index]] = _cell(value, sheet, number, header[index], problems)
        if record:
            records.append((number, record))
    return header, records


def _problem(sheet: str, row: int | None, column: str, message: str, value: Any = None) -> Problem:
    return Problem(field=column, message=message, row=row, value=shown(value), sheet=sheet)


def _open(data: bytes):
    if len(data) > MAX_FILE_BYTES:
        raise _refuse(f"The file is {len(data) / 2**20:.1f} MB; the limit is {MAX_FILE_BYTES / 2**20:.0f} MB.")
    if not data:
        raise _refuse("The file is empty.")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _refuse(_NOT_A_WORKBOOK)
    check_archive(data)
    try:
        return load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except Exception as err:  # noqa: BLE001 - openpyxl raises many types for damaged files
        raise _refuse(_damaged(err).replace("it is damaged", "it may be damaged")) from err


def _workbook_name(wb, problems: list[Problem]) -> str:
    """The portfolio's name: the workbook's title (File > Info > Properties), checked like any text field."""
    out = _Collector()
    title = _text_field(out, wb.properties.title, "workbook title (File > Info > Properties)", limit=MAX_NAME_LENGTH)
    problems += out.all_problems()
    return title or "Imported workbook"


def _read_tables(wb, problems: list[Problem]) -> dict[str, tuple[list[str], list[tuple[int, dict[str, Any]]]]]:
    sheets = {_key(ws.title): ws for ws in wb.worksheets}
    tables = {}
    for sheet, required in ((PRIORITIES, True), (CAPACITY, True), (CRITERIA, True), (RULES, False), (THEMES, False)):
        ws = sheets.get(_key(sheet))
        if ws is None:
            if required:
                problems.append(
                    _problem(
                        sheet,
                        None,
                        "sheet",
                        f"The sheet '{sheet}' is missing. Use the template's "
                        f"sheets: {PRIORITIES}, {CAPACITY}, {CRITERIA}.",
                    )
                )
            continue
        tables[sheet] = _read_sheet(ws, sheet, problems)
    return tables


def read_workbook(data: bytes, name: str | None = None) -> Portfolio:
    """A portfolio from a workbook laid out like the template. Raises PortfolioError with every problem."""
    wb = _open(data)
    problems: list[Problem] = []
    try:
        name = name or _workbook_name(wb, problems)
        tables = _read_tables(wb, problems)
    finally:
        wb.close()
    if problems:
        raise _all(problems)

    def columns(sheet: str, expected: tuple[str, ...], required: tuple[str, ...]) -> list[tuple[int, dict[str, Any]]]:
        header, rows = tables.get(sheet, ([], []))
        keys = [_key(h) for h in header if h]
        for key in keys:
            if key not in expected:
                message = f"'{key}' is not a column of this sheet. {suggest(key, expected)}"
                problems.append(_problem(sheet, 1, key, message))
        for key in {k for k in keys if keys.count(k) > 1}:
            problems.append(_problem(sheet, 1, key, f"The column '{key}' appears twice. Keep one."))
        for column in required:
            if column not in keys:
                problems.append(
                    _problem(
                        sheet, 1, column, f"The column '{column}' is missing. Expected columns: {', '.join(expected)}."
                    )
                )
        return [(n, {_key(k): v for k, v in r.items()}) for n, r in rows]

    capacity_rows = columns(CAPACITY, CAPACITY_COLUMNS, ("name", "available"))
    criteria_rows = columns(CRITERIA, CRITERIA_COLUMNS, ("name",))
    if RULES in tables:
        columns(RULES, RULES_COLUMNS, RULES_COLUMNS if tables[RULES][1] else ())
    if THEMES in tables:
        columns(THEMES, THEME_COLUMNS, ("theme",) if tables[THEMES][1] else ())
    if problems:
        raise _all(problems)

    rules_raw, setting_rows = _rules_from_sheets(tables, problems)
    plan_raw = {key: rules_raw.pop(setting) for setting, key in PLAN_SETTINGS.items() if setting in rules_raw}
    out = _Collector()
    plan = parse_plan(plan_raw, out)
    problems += [_locate_rule(p, setting_rows) for p in out.all_problems()]

    out = _Collector()
    dims = parse_dimensions([r for _, r in capacity_rows], out, plan)
    problems += _locate(out.all_problems(), CAPACITY, capacity_rows, CAPACITY_COLUMNS)
    out = _Collector()
    crits = parse_criteria([r for _, r in criteria_rows], out)
    problems += _locate(out.all_problems(), CRITERIA, criteria_rows, CRITERIA_COLUMNS)

    out = _Collector()
    rules = parse_rules(rules_raw, out, plan)
    problems += [_locate_rule(p, setting_rows) for p in out.all_problems()]

    expected = Portfolio("", dims, crits, (), rules, plan or PlanSettings())
    records = _priority_records(tables[PRIORITIES], expected, problems)
    missing_columns = any(p.sheet == PRIORITIES and p.row == 1 for p in problems)
    portfolio = None
    try:
        if not missing_columns:
            portfolio = build_portfolio(name, dims, crits, records, rules, first_row=2, plan=plan)
    except PortfolioError as err:
        for p in err.problems:
            if p.field.startswith("rules."):
                setting = p.field.removeprefix("rules.")
                problems.append(replace(p, sheet=RULES, row=setting_rows.get(setting), field="value"))
            else:
                problems.append(replace(p, sheet=PRIORITIES))
    if problems or portfolio is None:
        raise _all(problems)
    return portfolio


def _locate_rule(p: Problem, setting_rows: dict[str, int]) -> Problem:
    """A problem of the rules parser, placed on the Rules or Theme limits sheet."""
    if p.field.startswith("plan."):
        key = p.field.removeprefix("plan.")
        setting = next((s for s, k in PLAN_SETTINGS.items() if k == key), key)
        return replace(p, sheet=RULES, row=setting_rows.get(setting), field="value")
    setting = p.field.removeprefix("rules.")
    if setting.startswith("theme_limits."):
        theme, _, column = setting.removeprefix("theme_limits.").rpartition(".")
        if f"theme:{theme}" not in setting_rows:  # a problem with the theme itself, not its min or max
            theme, column = setting.removeprefix("theme_limits."), "theme"
        return replace(p, sheet=THEMES, row=setting_rows.get(f"theme:{theme}"), field=column)
    if setting.startswith("horizon_bands."):
        horizon = setting.split(".")[1]
        side = setting.split(".")[2].removesuffix("_pct") if setting.count(".") == 2 else "min"
        return replace(p, sheet=RULES, row=setting_rows.get(f"{horizon}_{side}_pct"), field="value")
    return replace(p, sheet=RULES, row=setting_rows.get(setting), field="value")


def _locate(found: list[Problem], sheet: str, rows: list[tuple[int, dict[str, Any]]], columns: tuple[str, ...]):
    """Give problems from the dimension/criteria parsers their sheet, row and column. Their fields read
    "capacity 'NAME' COLUMN", "criterion 'NAME' COLUMN" or "SECTION[N].COLUMN"."""
    by_name: dict[str, int] = {}
    for n, r in rows:
        by_name.setdefault(str(r.get("name", "")).strip(), n)
    located = []
    for p in found:
        named = re.fullmatch(r"\w+ '(.*)' (\w+)(?: (year \d+))?", p.field)
        index = re.fullmatch(r"\w+\[(\d+)\](?:\.(.+))?", p.field)
        row, column = None, p.field
        if named:
            row, column = by_name.get(named.group(1)), named.group(2)
            if named.group(3):  # one figure of a per-year list
                p = replace(p, message=f"{named.group(3)}: {p.message}")
        elif index:
            row, column = rows[int(index.group(1)) - 1][0], index.group(2) or "name"
        located.append(replace(p, sheet=sheet, row=row, field=column if column in columns else p.field))
    return located


def _rules_from_sheets(tables, problems: list[Problem]) -> tuple[dict[str, Any], dict[str, int]]:
    raw: dict[str, Any] = {}
    where: dict[str, int] = {}
    if RULES in tables:
        for n, record in tables[RULES][1]:
            record = {_key(k): v for k, v in record.items()}
            setting = _key(record.get("setting"))
            if not setting:
                continue
            if setting not in RULE_SETTINGS:
                problems.append(
                    _problem(
                        RULES,
                        n,
                        "setting",
                        f"'{record.get('setting')}' is not a setting. {suggest(setting, RULE_SETTINGS)}",
                        record.get("setting"),
                    )
                )
                continue
            if setting in where:
                problems.append(
                    _problem(
                        RULES,
                        n,
                        "setting",
                        f"'{setting}' is set on row {where[setting]} and again on row {n}. Keep one of them.",
                        setting,
                    )
                )
                continue
            where[setting] = n
            raw[setting] = record.get("value")
    bands = {}
    for h in HORIZONS:
        low, high = raw.pop(f"{h}_min_pct", None), raw.pop(f"{h}_max_pct", None)
        if not _empty(low) or not _empty(high):
            bands[h] = {"min_pct": 0 if _empty(low) else low, "max_pct": 100 if _empty(high) else high}
    raw["horizon_bands"] = bands
    raw["theme_limits"] = _theme_limits(tables, where, problems)
    return raw, where


def _theme_limits(tables, where: dict[str, int], problems: list[Problem]) -> dict[Any, dict[str, Any]]:
    limits: dict[Any, dict[str, Any]] = {}
    for n, record in tables.get(THEMES, ([], []))[1]:
        record = {_key(k): v for k, v in record.items()}
        theme = record.get("theme")
        key = theme.strip() if isinstance(theme, str) else theme
        if _empty(key):
            if not (_empty(record.get("min")) and _empty(record.get("max"))):
                problems.append(_problem(THEMES, n, "theme", "A theme limit needs the name of a theme."))
            continue
        place = f"theme:{printable(str(key))}"  # as the field of a problem with the theme shows it
        if place in where:
            message = f"The theme '{key}' is limited on row {where[place]} and again on row {n}. Keep one."
            problems.append(_problem(THEMES, n, "theme", message, key))
            continue
        limits[key] = {"min": record.get("min"), "max": record.get("max")}
        where[place] = n
    return limits


def _priority_records(table, portfolio: Portfolio, problems: list[Problem]) -> list[dict[str, Any]]:
    header, rows = table
    columns, found = header_problems(header, portfolio, 1, PRIORITIES)
    problems += found
    mapping = {h: c for h, c in zip(header, columns) if h and c}
    records: list[dict[str, Any]] = []
    last_row = 1
    for n, record in rows:
        mapped = {mapping[h]: v for h, v in record.items() if h in mapping}
        # Keep spreadsheet row numbers: pad skipped blank rows with empty records (ignored by the parser).
        records.extend({} for _ in range(n - last_row - 1))
        records.append(mapped)
        last_row = n
    return records


# ------------------------------------------------------------------ results workbook


def results_workbook(portfolio: Portfolio, result: Result, explanations: dict[str, str] | None = None) -> bytes:
    """Kept and dropped priorities with reasons, capacity use, horizon balance and the assumptions."""
    if not result.has_selection:
        raise ValueError("There is no selection to export.")
    wb = Workbook()
    ws = wb.active
    ws.title = "Summary"
    summary = [
        ["Portfolio", portfolio.name],
        ["Status", result.status],
        ["Priorities kept", f"{len(result.kept)} of {len(portfolio.priorities)}"],
        ["Weighted value kept", round(result.value, 2)],
        ["Penalty for sensitive priorities dropped", round(result.drop_penalty, 2)],
        ["Solver", result.solver],
    ] + [["Binding rule", b.text] for b in result.binding]
    _write_table(ws, ["item", "value"], summary)
    frame = decisions_frame(portfolio, result)
    if explanations:
        frame["explanation"] = frame["id"].map(explanations).fillna("")
    for title, decision in (("Kept", "kept"), ("Dropped", "dropped")):
        part = frame[frame["decision"] == decision].drop(columns="decision")
        _write_table(wb.create_sheet(title), list(part.columns), part.values.tolist())
    _write_table(
        wb.create_sheet("Capacity"),
        ["dimension", "unit", "available", "headroom_pct", "usable after headroom", "used", "free", "whole wish-list"],
        [
            [
                u.dimension,
                u.unit,
                u.available,
                u.headroom_pct,
                round(u.usable, 2),
                round(u.used, 2),
                round(u.free, 2),
                round(u.wishlist, 2),
            ]
            for u in result.capacity
        ],
    )
    _write_table(
        wb.create_sheet("Horizon balance"),
        ["horizon", "kept share %", "whole wish-list share %", "kept", "in wish-list"],
        [
            [HORIZON_LABELS[h.horizon], round(h.kept_pct, 1), round(h.wishlist_pct, 1), h.kept_count, h.wishlist_count]
            for h in result.horizons
        ],
    )
    rules = portfolio.rules
    assumptions: list[list[Any]] = []
    assumptions += [
        ["capacity", d.name, f"{d.available:g} {d.unit} available, {d.headroom_pct:g}% headroom"]
        for d in portfolio.dimensions
    ]
    assumptions += [["criterion weight", c.name, c.weight] for c in portfolio.criteria]
    assumptions.append(["rule", "max_priorities", "no limit" if rules.max_priorities is None else rules.max_priorities])
    assumptions.append(["rule", "sensitivity_penalty", rules.sensitivity_penalty])
    assumptions += [["horizon band", b.horizon, f"{b.min_pct:g}-{b.max_pct:g}%"] for b in rules.horizon_bands]
    assumptions += [
        [
            "theme limit",
            t.theme,
            f"min {t.min_count if t.min_count is not None else '-'}, "
            f"max {t.max_count if t.max_count is not None else '-'}",
        ]
        for t in rules.theme_limits
    ]
    assumptions += [["lock in", pid, ""] for pid in rules.locked_in]
    assumptions += [["lock out", pid, ""] for pid in rules.locked_out]
    _write_table(wb.create_sheet("Assumptions"), ["kind", "name", "value"], assumptions)
    for sheet in wb.worksheets:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str):
                    cell.alignment = Alignment(wrap_text=len(cell.value) > 60, vertical="top")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
