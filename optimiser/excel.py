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

from .domain import HORIZON_LABELS, HORIZONS, SOURCES, Portfolio
from .errors import PortfolioError, Problem
from .exports import decisions_frame, neutralise
from .formats import MAX_FILE_BYTES, priority_to_record, table_columns
from .parsing import (
    COST_PREFIX,
    SCORE_PREFIX,
    _Collector,
    build_portfolio,
    is_blank,
    parse_criteria,
    parse_dimensions,
    parse_rules,
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
CAPACITY_COLUMNS = ("name", "label", "unit", "available", "headroom_pct")
CRITERIA_COLUMNS = ("name", "label", "weight")
RULE_SETTINGS = ("max_priorities", "sensitivity_penalty", "locked_in", "locked_out", "balance_dimension") + tuple(
    f"{h}_{side}_pct" for h in HORIZONS for side in ("min", "max")
)
THEME_COLUMNS = ("theme", "min", "max")
REQUIRED_PRIORITY_COLUMNS = ("id", "name", "source", "horizon")
HEADER_FILL = PatternFill("solid", fgColor="005EB8")
HEADER_FONT = Font(bold=True, color="FFFFFF")
MAX_ROWS = 1000

INSTRUCTIONS_TEXT = [
    "How to fill in this workbook",
    "",
    "Priorities: one row per candidate priority. id must be unique (letters, digits, - _ .).",
    "  source: national or local. horizon: short (within 12 months), medium (1-3 years), long (3+ years).",
    "  must_do: yes or no (national must-dos are always kept). sensitivity: 0 (easy to drop) to 5 (very hard).",
    "  requires / excludes: ids of other priorities, separated by ; or ,.",
    "  cost:<dimension>: the capacity it needs, in that dimension's unit (0 or more).",
    "  score:<criterion>: 0 to 10.",
    "Capacity: one row per capacity dimension: name, label (optional, shown to users), unit, available amount,",
    "  headroom_pct kept free (0-90).",
    "  Renaming a dimension here means renaming its cost: column on Priorities too.",
    "Criteria: one row per criterion: name, label (optional, shown to users) and weight (0-100). Its score:",
    "  column must match the name.",
    "Rules (optional): max_priorities (blank for no limit), sensitivity_penalty, locked_in / locked_out",
    "  (ids separated by ;), balance_dimension (the capacity whose use measures the short/medium/long",
    "  balance; blank for the first), and the horizon balance bands as percentages of it (e.g. short_max_pct = 60).",
    "Theme limits (optional): theme, min and/or max number of priorities kept in it.",
    "",
    "Column names may differ in case and spacing; numbers may be typed as text, with thousands separators.",
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


def _list_validation(ws, column: int, options: list[str], title: str) -> None:
    letter = get_column_letter(column)
    dv = DataValidation(
        type="list",
        formula1='"' + ",".join(options) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=title,
        error=f"Choose one of: {', '.join(options)}",
    )
    dv.add(f"{letter}2:{letter}{MAX_ROWS}")
    ws.add_data_validation(dv)


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
    for p in portfolio.priorities:
        record = priority_to_record(p)
        record["must_do"] = "yes" if p.must_do else "no"
        rows.append([record[c] for c in header])
    _write_table(ws, header, rows)
    _list_validation(ws, header.index("source") + 1, list(SOURCES), "Source")
    _list_validation(ws, header.index("horizon") + 1, list(HORIZONS), "Horizon")
    _list_validation(ws, header.index("must_do") + 1, ["yes", "no"], "Must-do")

    ws = wb.create_sheet(CAPACITY)
    _write_table(
        ws,
        list(CAPACITY_COLUMNS),
        [[d.name, d.label, d.unit, d.available, d.headroom_pct] for d in portfolio.dimensions],
    )
    ws = wb.create_sheet(CRITERIA)
    _write_table(ws, list(CRITERIA_COLUMNS), [[c.name, c.label, c.weight] for c in portfolio.criteria])

    ws = wb.create_sheet(RULES)
    rules = portfolio.rules
    bands = {b.horizon: b for b in rules.horizon_bands}
    values: dict[str, Any] = {
        "max_priorities": rules.max_priorities,
        "sensitivity_penalty": rules.sensitivity_penalty,
        "locked_in": "; ".join(rules.locked_in),
        "locked_out": "; ".join(rules.locked_out),
        "balance_dimension": rules.balance_dimension,
    }
    for h in HORIZONS:
        band = bands.get(h)
        values[f"{h}_min_pct"] = band.min_pct if band else None
        values[f"{h}_max_pct"] = band.max_pct if band else None
    _write_table(ws, ["setting", "value"], [[k, values[k]] for k in RULE_SETTINGS])

    ws = wb.create_sheet(THEMES)
    _write_table(ws, list(THEME_COLUMNS), [[t.theme, t.min_count, t.max_count] for t in rules.theme_limits])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ------------------------------------------------------------------ reading


def _key(name: Any) -> str:
    return re.sub(r"[\s\-]+", "_", str(name or "").strip().lower())


def _cell_text(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    return value


def _read_sheet(ws) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """Header (as typed) and the non-blank rows as (sheet row number, {header: value})."""
    rows = ws.iter_rows(values_only=True)
    try:
        header = [str(h).strip() if h is not None else "" for h in next(rows)]
    except StopIteration:
        return [], []
    records = []
    for number, values in enumerate(rows, start=2):
        record = {header[i]: _cell_text(v) for i, v in enumerate(values) if i < len(header) and header[i]}
        if record and not all(is_blank(v) for v in record.values()):
            records.append((number, record))
    return header, records


def _problem(sheet: str, row: int | None, column: str, message: str, value: Any = None) -> Problem:
    found = None if is_blank(value) else str(value)[:200]
    return Problem(field=column, message=message, row=row, value=found, sheet=sheet)


def _open(data: bytes):
    if len(data) > MAX_FILE_BYTES:
        raise PortfolioError(
            Problem("file", f"The file is {len(data) / 2**20:.1f} MB; the limit is {MAX_FILE_BYTES / 2**20:.0f} MB.")
        )
    if not data:
        raise PortfolioError(Problem("file", "The file is empty."))
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise PortfolioError(
            Problem(
                "file",
                "This is not an Excel workbook (.xlsx). Save it as an Excel Workbook, or "
                "upload the priorities as .csv or the portfolio as .json.",
            )
        )
    try:
        return load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except Exception as err:  # noqa: BLE001 - openpyxl raises many types for damaged files
        raise PortfolioError(
            Problem(
                "file",
                f"The workbook could not be read ({err.__class__.__name__}). "
                "Open it in Excel, save it again as .xlsx and retry.",
            )
        ) from err


def read_workbook(data: bytes, name: str | None = None) -> Portfolio:
    """A portfolio from a workbook laid out like the template. Raises PortfolioError with every problem."""
    wb = _open(data)
    name = name or (wb.properties.title or "").strip() or "Imported workbook"
    sheets = {_key(ws.title): ws for ws in wb.worksheets}
    problems: list[Problem] = []
    tables: dict[str, tuple[list[str], list[tuple[int, dict[str, Any]]]]] = {}
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
        tables[sheet] = _read_sheet(ws)
    wb.close()
    if problems:
        raise PortfolioError(problems)

    def columns(sheet: str, expected: tuple[str, ...], required: tuple[str, ...]) -> list[tuple[int, dict[str, Any]]]:
        header, rows = tables.get(sheet, ([], []))
        keys = {_key(h): h for h in header}
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
    if problems:
        raise PortfolioError(problems)

    out = _Collector()
    dims = parse_dimensions([r for _, r in capacity_rows], out)
    problems += _locate(out.problems, CAPACITY, capacity_rows, ("available", "headroom_pct", "name"))
    out = _Collector()
    crits = parse_criteria([r for _, r in criteria_rows], out)
    problems += _locate(out.problems, CRITERIA, criteria_rows, ("weight", "name"))

    rules_raw, setting_rows = _rules_from_sheets(tables, problems)
    out = _Collector()
    rules = parse_rules(rules_raw, out)
    for p in out.problems:
        setting = p.field.removeprefix("rules.")
        if setting.startswith("theme_limits."):
            theme = setting.split(".")[1]
            problems.append(
                replace(p, sheet=THEMES, row=setting_rows.get(f"theme:{theme}"), field=setting.split(".")[-1])
            )
        elif setting.startswith("horizon_bands."):
            horizon = setting.split(".")[1]
            problems.append(replace(p, sheet=RULES, row=setting_rows.get(f"{horizon}_min_pct"), field="value"))
        else:
            problems.append(replace(p, sheet=RULES, row=setting_rows.get(setting), field="value"))

    header, _ = tables[PRIORITIES]
    expected = table_columns(Portfolio("", dims, crits, (), rules))
    records = _priority_records(tables[PRIORITIES], dims, crits, expected, problems)
    missing_columns = any(p.sheet == PRIORITIES and p.row == 1 for p in problems)
    try:
        portfolio = None if missing_columns else build_portfolio(name, dims, crits, records, rules, first_row=2)
    except PortfolioError as err:
        for p in err.problems:
            if p.field.startswith("rules."):
                setting = p.field.removeprefix("rules.")
                problems.append(replace(p, sheet=RULES, row=setting_rows.get(setting), field="value"))
            else:
                problems.append(replace(p, sheet=PRIORITIES))
    if problems or portfolio is None:
        raise PortfolioError(problems)
    return portfolio


def _locate(found: list[Problem], sheet: str, rows: list[tuple[int, dict[str, Any]]], columns: tuple[str, ...]):
    """Give problems from the dimension/criteria parsers their sheet, row and column."""
    by_name = {str(r.get("name", "")).strip(): n for n, r in rows}
    located = []
    for p in found:
        index = re.search(r"\[(\d+)\]", p.field)
        named = re.search(r"'([^']*)'", p.field)
        row = rows[int(index.group(1)) - 1][0] if index else by_name.get(named.group(1)) if named else None
        column = next((c for c in columns if c in p.field), p.field)
        located.append(replace(p, sheet=sheet, row=row, field=column))
    return located


def _rules_from_sheets(tables, problems: list[Problem]) -> tuple[dict[str, Any], dict[str, int]]:
    raw: dict[str, Any] = {}
    where: dict[str, int] = {}
    if RULES in tables:
        header, rows = tables[RULES]
        keys = [_key(h) for h in header]
        if rows and ("setting" not in keys or "value" not in keys):
            problems.append(_problem(RULES, 1, "setting", "The Rules sheet needs the columns 'setting' and 'value'."))
        for n, record in rows:
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
                        f"'{record.get('setting')}' is not a setting. Use one of: {', '.join(RULE_SETTINGS)}.",
                        record.get("setting"),
                    )
                )
                continue
            where[setting] = n
            raw[setting] = record.get("value")
    bands = {}
    for h in HORIZONS:
        low, high = raw.pop(f"{h}_min_pct", None), raw.pop(f"{h}_max_pct", None)
        if not is_blank(low) or not is_blank(high):
            bands[h] = {"min_pct": 0 if is_blank(low) else low, "max_pct": 100 if is_blank(high) else high}
    raw["horizon_bands"] = bands
    limits = {}
    if THEMES in tables:
        _, rows = tables[THEMES]
        for n, record in rows:
            record = {_key(k): v for k, v in record.items()}
            theme = str(record.get("theme") or "").strip()
            if theme:
                limits[theme] = {"min": record.get("min"), "max": record.get("max")}
                where[f"theme:{theme}"] = n
    raw["theme_limits"] = limits
    return raw, where


def _priority_records(table, dims, crits, expected: list[str], problems: list[Problem]) -> list[dict[str, Any]]:
    header, rows = table
    known = {_key(c): c for c in expected}
    aliases = {"must_do": "must_do", "mustdo": "must_do", "prerequisites": "requires", "alternatives": "excludes"}
    mapping: dict[str, str] = {}
    for h in header:
        k = _key(h)
        k = aliases.get(k, k)
        k = re.sub(r"^(cost|score)_?:_?", lambda m: m.group(1) + ":", k)
        if k in known:
            mapping[h] = known[k]
    present = set(mapping.values())
    for column in (
        list(REQUIRED_PRIORITY_COLUMNS) + [COST_PREFIX + d.name for d in dims] + [SCORE_PREFIX + c.name for c in crits]
    ):
        if column not in present:
            problems.append(
                _problem(
                    PRIORITIES, 1, column, f"The column '{column}' is missing. Expected columns: {', '.join(expected)}."
                )
            )
    records = []
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
