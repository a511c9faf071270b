"""Reading and writing portfolio files: the versioned JSON form and the priorities CSV table."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .domain import CapacityDimension, PlanSettings, Portfolio, Priority, Rules
from .errors import PortfolioError, Problem

if TYPE_CHECKING:
    import pandas as pd

from .parsing import (
    BASE_COLUMNS,
    COST_PREFIX,
    MAX_PRIORITIES,
    MAX_PROBLEMS,
    PLAN_COLUMNS,
    PLAN_KEYS,
    RANGES_COLUMN,
    READINESS_COLUMNS,
    READY_PREFIX,
    SCORE_PREFIX,
    build_portfolio,
    guard_formula,
    parse_portfolio,
    shown,
    strip_formula_guard,
    suggest,
    text_problem,
)

SCHEMA_VERSION = 2  # written; version 1 (no plan: a one-year selection) is read as well
READ_VERSIONS = (1, 2)
# Fields that version 1 files do not have: a version 1 file that holds one is refused (write version 2).
VERSION_2_KEYS: dict[str, tuple[str, ...]] = {
    "": ("plan",),
    "capacity_dimensions": ("available_by_year", "headroom_by_year"),
    "rules": ("year_locks", "forbidden_starts"),
    "priorities": PLAN_COLUMNS,
}
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_JSON_NUMBER_TEXT = 50  # digits of a JSON number read as a number; longer ones are refused as too long
MAX_JSON_CONTAINERS = 1_000_000  # objects and lists in a JSON file (20,000 priorities need about 100,000)
OPTIONAL_COLUMNS = (
    "owner",
    "theme",
    "must_do",
    "sensitivity",
    "requires",
    "excludes",
    *READINESS_COLUMNS,
    RANGES_COLUMN,
    *PLAN_COLUMNS,
)
COLUMN_ALIASES = {
    "mustdo": "must_do",
    "prerequisites": "requires",
    "alternatives": "excludes",
    "earliest_start_year": "earliest_start",
    "start_year": "earliest_start",
    "deadline_year": "deadline",
    "duration_years": "duration",
    "existing_activity": "existing",
    "runs_alongside": "alongside",
    "capacity_gains": "gains",
}
# The table's plan columns that hold whole numbers or blank (the app's editor shows them as such).
YEAR_COLUMNS = ("duration", "earliest_start", "deadline")


def priority_to_record(p: Priority) -> dict[str, Any]:
    """The flat table form of a priority: base columns, then cost:<dim> and score:<criterion>."""
    record: dict[str, Any] = {
        "id": p.id,
        "name": p.name,
        "source": p.source,
        "owner": p.owner,
        "theme": p.theme,
        "horizon": p.horizon,
        "must_do": p.must_do,
        "sensitivity": p.sensitivity,
        "requires": "; ".join(p.requires),
        "excludes": "; ".join(p.excludes),
    }
    record.update({COST_PREFIX + name: value for name, value in p.costs})
    record.update({SCORE_PREFIX + name: value for name, value in p.scores})
    ratings = dict(p.readiness)
    record.update({column: ratings.get(column.removeprefix(READY_PREFIX)) for column in READINESS_COLUMNS})
    record[RANGES_COLUMN] = ranges_text(p.ranges)
    record.update(plan_record(p))
    return record


def plan_record(p: Priority) -> dict[str, Any]:
    """The table form of a priority's plan fields, blank at their defaults (1 year, from year 1, no deadline);
    years are written as numbers (1 is the plan's first year)."""
    return {
        "duration": None if p.existing or p.duration == 1 else p.duration,
        "earliest_start": None if p.existing or p.earliest_start == 1 else p.earliest_start,
        "deadline": p.deadline,
        "existing": p.existing,
        "alongside": "; ".join(p.alongside),
        "lags": pairs_text((other, str(years)) for other, years in p.lags),
        "gains": pairs_text((name, _exact(amount)) for name, amount in p.gains),
        "cost_profile": pairs_text((name, ", ".join(_exact(cost) for cost in costs)) for name, costs in p.cost_profile),
    }


def pairs_text(pairs: Iterable[tuple[str, str]]) -> str:
    """'name: value; name: value', a name that holds a ';' or starts with a quote written in double quotes."""
    return "; ".join(f"{_range_column(name)}: {value}" for name, value in pairs)


def ranges_text(ranges: tuple[tuple[str, float, float], ...]) -> str:
    """The table form of a priority's ranges: 'score:outcomes=6..9; cost:operational=2..4'."""
    return "; ".join(f"{_range_column(column)}={_exact(low)}..{_exact(high)}" for column, low, high in ranges)


def _exact(number: float) -> str:
    """A number written short when that reads back exactly (6, 2.5), else in full."""
    short = f"{number:g}"
    return short if float(short) == number else repr(number)


def _range_column(column: str) -> str:
    """A column name as the ranges text writes it: in double quotes when it holds a ';' or starts with a quote."""
    if ";" in column or column.startswith('"'):
        return '"' + column.replace('"', '""') + '"'
    return column


def _priority_dict(p: Priority) -> dict[str, Any]:
    """The JSON form of a priority; readiness and ranges only when given (files without them stay as they were)."""
    item: dict[str, Any] = {
        "id": p.id,
        "name": p.name,
        "source": p.source,
        "owner": p.owner,
        "theme": p.theme,
        "horizon": p.horizon,
        "must_do": p.must_do,
        "sensitivity": p.sensitivity,
        "costs": dict(p.costs),
        "scores": dict(p.scores),
        "requires": list(p.requires),
        "excludes": list(p.excludes),
    }
    if p.readiness:
        item["readiness"] = dict(p.readiness)
    if p.ranges:
        item[RANGES_COLUMN] = {column: {"low": low, "high": high} for column, low, high in p.ranges}
    item.update(_plan_fields(p))
    return item


def _plan_fields(p: Priority) -> dict[str, Any]:
    """The JSON form of a priority's plan fields, each only when it differs from its default."""
    fields: dict[str, Any] = {}
    if p.duration != 1:
        fields["duration"] = p.duration
    if p.cost_profile:
        fields["cost_profile"] = {name: list(costs) for name, costs in p.cost_profile}
    if p.earliest_start != 1:
        fields["earliest_start"] = p.earliest_start
    if p.deadline is not None:
        fields["deadline"] = p.deadline
    if p.gains:
        fields["gains"] = dict(p.gains)
    if p.existing:
        fields["existing"] = True
    if p.alongside:
        fields["alongside"] = list(p.alongside)
    if p.lags:
        fields["lags"] = dict(p.lags)
    return fields


def table_columns(portfolio: Portfolio) -> list[str]:
    return (
        list(BASE_COLUMNS)
        + [COST_PREFIX + d.name for d in portfolio.dimensions]
        + [SCORE_PREFIX + c.name for c in portfolio.criteria]
        + list(READINESS_COLUMNS)
        + [RANGES_COLUMN]
        + list(PLAN_COLUMNS)
    )


def priorities_frame(portfolio: Portfolio) -> pd.DataFrame:
    """The priorities as a table with one column per capacity dimension and per criterion."""
    import pandas as pd  # here, not at the top: the command line reads JSON without pandas

    frame = pd.DataFrame([priority_to_record(p) for p in portfolio.priorities], columns=table_columns(portfolio))
    # Ratings, durations and years are whole numbers or blank (not assessed, or the default): nullable integer
    # columns, not floats or objects; 'existing' is a yes/no column.
    return frame.astype({column: "Int64" for column in (*READINESS_COLUMNS, *YEAR_COLUMNS)} | {"existing": bool})


def _with_spread(item: dict[str, Any], spread: float) -> dict[str, Any]:
    if spread:
        item["spread_pct"] = spread
    return item


def _readiness_settings(rules) -> dict[str, Any]:
    """The expected-value switch and the readiness rule, only where they differ from the defaults."""
    from .domain import ReadinessRule
    from .parsing import READINESS_RULE_KEYS

    out: dict[str, Any] = {}
    if rules.expected_value:
        out["expected_value"] = True
    default = ReadinessRule()
    for key, attribute in READINESS_RULE_KEYS.items():
        if getattr(rules.readiness, attribute) != getattr(default, attribute):
            out[key] = getattr(rules.readiness, attribute)
    return out


def _dimension_dict(d: CapacityDimension) -> dict[str, Any]:
    item = _with_spread(
        {"name": d.name, "label": d.label, "unit": d.unit, "available": d.available, "headroom_pct": d.headroom_pct},
        d.spread_pct,
    )
    if d.available_by_year:
        item["available_by_year"] = list(d.available_by_year)
    if d.headroom_by_year:
        item["headroom_by_year"] = list(d.headroom_by_year)
    return item


def plan_dict(plan: PlanSettings) -> dict[str, Any]:
    """The JSON form of the plan settings: {years, first_year, value_mode}."""
    return {key: getattr(plan, key) for key in PLAN_KEYS}


def _timing_rules(rules: Rules) -> dict[str, Any]:
    """Year locks and forbidden starts, only when there are some."""
    out: dict[str, Any] = {}
    if rules.year_locks:
        out["year_locks"] = dict(rules.year_locks)
    if rules.forbidden_starts:
        grouped: dict[str, list[int]] = {}
        for pid, year in rules.forbidden_starts:
            grouped.setdefault(pid, []).append(year)
        out["forbidden_starts"] = grouped
    return out


def portfolio_to_dict(portfolio: Portfolio) -> dict[str, Any]:
    """The JSON form (schema version 2); the plan and the plan fields only where they differ from their
    defaults, so a one-year portfolio is written as it was in version 1 but for the version number."""
    rules = portfolio.rules
    plan = {"plan": plan_dict(portfolio.plan)} if portfolio.plan != PlanSettings() else {}
    return {
        "schema_version": SCHEMA_VERSION,
        "name": portfolio.name,
        **plan,
        "capacity_dimensions": [_dimension_dict(d) for d in portfolio.dimensions],
        "criteria": [
            _with_spread({"name": c.name, "label": c.label, "weight": c.weight}, c.spread_pct)
            for c in portfolio.criteria
        ],
        "rules": {
            "balance_dimension": rules.balance_dimension,
            "max_priorities": rules.max_priorities,
            "horizon_bands": {b.horizon: {"min_pct": b.min_pct, "max_pct": b.max_pct} for b in rules.horizon_bands},
            "theme_limits": {t.theme: {"min": t.min_count, "max": t.max_count} for t in rules.theme_limits},
            "locked_in": list(rules.locked_in),
            "locked_out": list(rules.locked_out),
            "sensitivity_penalty": rules.sensitivity_penalty,
            **_readiness_settings(rules),
            **_timing_rules(rules),
        },
        "priorities": [_priority_dict(p) for p in portfolio.priorities],
    }


def portfolio_to_json(portfolio: Portfolio) -> str:
    return json.dumps(portfolio_to_dict(portfolio), indent=2, ensure_ascii=False) + "\n"


def _decode(data: bytes | str, what: str, save_as: str) -> str:
    """The text of a file: UTF-8 (with or without a byte order mark) or Windows-1252. Text given as a str
    (not bytes) is taken as it is."""
    if len(data) > MAX_FILE_BYTES:
        raise PortfolioError(f"The {what} is {len(data) / 2**20:.1f} MB; the limit is {MAX_FILE_BYTES / 2**20:.0f} MB.")
    if not data.strip():
        raise PortfolioError(f"The {what} is empty.")
    if isinstance(data, str):
        return data
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:1000]:
        raise PortfolioError(f"The {what} looks like UTF-16 text. Save it as {save_as} and try again.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise PortfolioError(f"The {what} is not text in UTF-8 or Windows-1252. Save it as {save_as} and try again.")


def _json_number(text: str) -> Any:
    """Numbers of JSON as Python numbers, except very long ones, which stay text (refused where a number goes)."""
    if len(text) > MAX_JSON_NUMBER_TEXT:
        return text
    return float(text) if any(c in text for c in ".eE") else int(text)


def _load_json(text: str) -> Any:
    """json.loads that refuses a key repeated in one object and never raises anything but PortfolioError.
    NaN and Infinity are read as floats and refused by the parser with the field that holds them."""
    repeated: list[Problem] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for key, value in items:
            if key in found and len(repeated) < 50:
                repeated.append(
                    Problem(
                        field=key,
                        message=f"the key '{key}' appears twice in one object (a JSON reader keeps only the last "
                        "silently). Keep one of them.",
                        value=shown(value),
                    )
                )
            found[key] = value
        return found

    containers = text.count("{") + text.count("[")
    if containers > MAX_JSON_CONTAINERS:
        raise PortfolioError(
            f"The portfolio file holds {containers:,} objects and lists (counting every '{{' and '['); the limit is "
            f"{MAX_JSON_CONTAINERS:,} (a portfolio of 20,000 priorities needs about 100,000)."
        )
    if text.lstrip()[:1] == "<":
        raise PortfolioError(
            "The portfolio file looks like a web page or XML (it starts with '<'), not JSON. Download the "
            "portfolio again as .json."
        )
    try:
        raw = json.loads(text, object_pairs_hook=pairs, parse_int=_json_number, parse_float=_json_number)
    except json.JSONDecodeError as err:
        raise PortfolioError(
            f"The portfolio file is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})."
        ) from err
    except RecursionError as err:
        raise PortfolioError(
            "The portfolio file nests lists or objects inside each other too deeply to be a portfolio file."
        ) from err
    if repeated:
        raise PortfolioError(repeated)
    return raw


def portfolio_from_json(data: bytes | str) -> Portfolio:
    text = _decode(data, "portfolio file", "UTF-8")
    raw = _load_json(text)
    if not isinstance(raw, Mapping):
        raise PortfolioError("The portfolio file must hold a JSON object.")
    version = raw.get("schema_version")
    if version is None:
        raise PortfolioError(
            f"The portfolio file has no 'schema_version'. Add \"schema_version\": {SCHEMA_VERSION} at the top."
        )
    if type(version) is not int:
        raise PortfolioError(
            Problem(
                field="schema_version",
                message=f"must be the whole number 1 or {SCHEMA_VERSION}, not {shown(version, 40)!r}. "
                f'Write "schema_version": {SCHEMA_VERSION}.',
                value=shown(version),
            )
        )
    if version not in READ_VERSIONS:
        raise PortfolioError(
            f"The portfolio file has schema_version {version!r}; this version of the tool reads schema_version 1 "
            f"or {SCHEMA_VERSION}."
        )
    if version == 1:
        _refuse_version_2_fields(raw)
    return parse_portfolio(raw)


def _refuse_version_2_fields(raw: Mapping[str, Any]) -> None:
    """A version 1 file is a one-year selection: the plan's fields are refused in it (they need version 2)."""
    found: list[Problem] = []

    def check(item: Any, section: str, row: int | None = None) -> None:
        if not isinstance(item, Mapping):
            return
        for key in VERSION_2_KEYS[section]:
            if key in item and len(found) < MAX_PROBLEMS:
                where = f"{section}." if section and section != "priorities" else ""
                pid = item.get("id") if section == "priorities" and isinstance(item.get("id"), str) else None
                found.append(
                    Problem(
                        field=f"{where}{key}",
                        message=f"'{key}' is a field of schema_version 2 (multi-year plans), but the file has "
                        f'schema_version 1. Write "schema_version": {SCHEMA_VERSION} at the top.',
                        priority_id=pid,
                        row=row,
                    )
                )

    check(raw, "")
    check(raw.get("rules"), "rules")
    for section in ("capacity_dimensions", "priorities"):
        items = raw.get(section)
        if isinstance(items, list):
            for n, item in enumerate(items[: MAX_PRIORITIES + 1], start=1):
                check(item, section, n if section == "priorities" else None)
    if found:
        raise PortfolioError(found)


def column_key(name: str) -> str:
    """A column name compared ignoring case, spaces and hyphens: ' Must-Do ' -> 'must_do'."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def priority_column(name: str, portfolio: Portfolio) -> str | None:
    """The priorities-table column a header names (matched ignoring case, spaces and hyphens), or None."""
    exact = re.fullmatch(r"(cost|score):(.*)", name.strip(), flags=re.S)
    if exact:  # the column as the tool writes it: the name exactly, before any loose matching
        prefix, wanted = exact.group(1) + ":", exact.group(2)
        names = (
            [d.name for d in portfolio.dimensions] if prefix == COST_PREFIX else [c.name for c in portfolio.criteria]
        )
        if wanted in names:
            return prefix + wanted
    key = column_key(name)
    key = COLUMN_ALIASES.get(key, key)
    if key in BASE_COLUMNS or key == RANGES_COLUMN or key in PLAN_COLUMNS:
        return key
    ready = re.fullmatch(r"ready_?:_?(.*)", key)
    if ready is not None:
        column = READY_PREFIX + ready.group(1).strip("_")
        return column if column in READINESS_COLUMNS else None
    match = re.fullmatch(r"(cost|score)_?:_?(.*)", key)
    if match is None:
        return None
    prefix, wanted = match.group(1) + ":", match.group(2).strip("_")
    names = [d.name for d in portfolio.dimensions] if prefix == COST_PREFIX else [c.name for c in portfolio.criteria]
    return next((prefix + n for n in names if column_key(n) == wanted), None)


def header_problems(
    header: list[Any], portfolio: Portfolio, row: int, sheet: str | None = None
) -> tuple[list[str | None], list[Problem]]:
    """The column each header cell names (None for a blank or refused one) and the problems: a name that is
    not one line of text, an unknown column (with the nearest known one), a repeated or a missing column."""
    expected = table_columns(portfolio)
    columns: list[str | None] = []
    problems: list[str | tuple[str, str]] = []
    first: dict[str, int] = {}
    for number, cell in enumerate(header, start=1):
        text = "" if cell is None else str(cell).strip()
        column = priority_column(text, portfolio) if text else None
        bad = text_problem(text)
        if bad:
            problems.append((text, f"The column name {bad}"))
            column = None
        elif text and column is None:
            problems.append((text, f"'{text}' is not a column of the priorities table. {suggest(text, expected)}"))
        elif column is not None and column in first:
            problems.append((column, f"The column '{column}' appears twice (columns {first[column]} and {number})."))
            column = None
        elif column is not None:
            first[column] = number
        columns.append(column)
    for column in expected:
        if column not in first and column not in OPTIONAL_COLUMNS:
            missing = f"The CSV file has no column '{column}'" if sheet is None else f"The column '{column}' is missing"
            message = f"{missing}. Expected columns: {', '.join(expected)}."
            problems.append((column, message))
    return columns, [Problem(field=f, message=m, row=row, sheet=sheet) for f, m in problems]


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """The rows that are not empty, with their spreadsheet numbers and the formula guard taken off each cell.
    Reading stops after the header and MAX_PRIORITIES + 1 rows (one too many is refused by the parser)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    kept = 0
    try:
        for number, row in enumerate(reader, start=1):
            if row and any(cell.strip() for cell in row):
                yield number, [strip_formula_guard(cell) for cell in row]
                kept += 1
                if kept > MAX_PRIORITIES + 1:
                    return
    except csv.Error as err:
        raise PortfolioError(f"The CSV file could not be read: {err} (row {reader.line_num}).") from err


def _row_problems(number: int, row: list[str], columns: list[str | None]) -> list[Problem]:
    """Cells beyond the header, or under a column without a name."""
    problems = []
    extra = [cell for cell in row[len(columns) :] if cell.strip()]
    if extra:
        message = f"has {len(row)} cells but the header has {len(columns)} columns. Remove the extra cells or add a column name for them."
        problems.append(Problem(field="row", message=message, row=number, value=extra[0]))
    unnamed = [n for n, cell in enumerate(row[: len(columns)], start=1) if columns[n - 1] is None and cell.strip()]
    if unnamed:
        message = "holds a value but the column has no name. Name the column or clear it."
        problems.append(Problem(field=f"column {unnamed[0]}", message=message, row=number, value=row[unnamed[0] - 1]))
    return problems


def priorities_from_csv(data: bytes | str, portfolio: Portfolio) -> Portfolio:
    """The portfolio with its priorities replaced by a CSV table (rows numbered as in a spreadsheet: the header
    is the first row that is not empty)."""
    rows = list(_csv_rows(_decode(data, "CSV file", "'CSV UTF-8'")))
    if not rows:
        raise PortfolioError("The CSV file is empty.")
    header_row, header = rows[0]
    columns, problems = header_problems(header, portfolio, header_row)
    numbers, records = [], []
    for number, row in rows[1:]:
        problems += _row_problems(number, row, columns)
        numbers.append(number)
        records.append({column: cell for column, cell in zip(columns, row) if column is not None})
    if problems:
        raise PortfolioError(problems[:MAX_PROBLEMS])
    return build_portfolio(
        portfolio.name,
        portfolio.dimensions,
        portfolio.criteria,
        records,
        portfolio.rules,
        rows=numbers,
        plan=portfolio.plan,
    )


def priorities_to_csv(portfolio: Portfolio) -> str:
    """The priorities table as CSV, text a spreadsheet would run as a formula guarded with an apostrophe
    (the CSV loader takes exactly that apostrophe off again)."""
    return priorities_frame(portfolio).map(guard_formula).to_csv(index=False)


def load_portfolio(path: str | Path, settings: str | Path | None = None) -> Portfolio:
    """Load a portfolio file (.json), a workbook (.xlsx), or a priorities table (.csv) with the settings of a
    .json file."""
    path = Path(path)
    if not path.exists():
        raise PortfolioError(f"File not found: {path}")
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix in (".json", ".xlsx"):
        return load_upload(path.name, data)
    if suffix == ".csv":
        if settings is None:
            raise PortfolioError(
                "A CSV file holds only the priorities table. Give the capacity dimensions, criteria and rules "
                "with --settings <portfolio.json>."
            )
        return priorities_from_csv(data, load_portfolio(settings))
    raise PortfolioError(f"'{path.name}' is not a .json portfolio file, an .xlsx workbook or a .csv priorities table.")


def load_upload(file_name: str, data: bytes, current: Portfolio | None = None) -> Portfolio:
    """A portfolio from an uploaded file, chosen by its extension (a .csv replaces only the priorities of
    `current`)."""
    suffix = Path(file_name).suffix.lower()
    if suffix == ".xlsx":
        from .excel import read_workbook

        return read_workbook(data)
    if suffix == ".json":
        return portfolio_from_json(data)
    if suffix == ".csv" and current is not None:
        return priorities_from_csv(data, current)
    raise PortfolioError(
        f"'{file_name}' is not a file this tool reads. Upload an Excel workbook (.xlsx), a portfolio file (.json) or "
        "a priorities table (.csv)."
    )
