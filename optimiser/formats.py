"""Reading and writing portfolio files: the versioned JSON form and the priorities CSV table."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .domain import Portfolio, Priority
from .errors import PortfolioError, Problem

if TYPE_CHECKING:
    import pandas as pd

from .parsing import (
    BASE_COLUMNS,
    COST_PREFIX,
    MAX_PRIORITIES,
    MAX_PROBLEMS,
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

SCHEMA_VERSION = 1
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
)
COLUMN_ALIASES = {"mustdo": "must_do", "prerequisites": "requires", "alternatives": "excludes"}


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
    return record


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
    return item


def table_columns(portfolio: Portfolio) -> list[str]:
    return (
        list(BASE_COLUMNS)
        + [COST_PREFIX + d.name for d in portfolio.dimensions]
        + [SCORE_PREFIX + c.name for c in portfolio.criteria]
        + list(READINESS_COLUMNS)
        + [RANGES_COLUMN]
    )


def priorities_frame(portfolio: Portfolio) -> pd.DataFrame:
    """The priorities as a table with one column per capacity dimension and per criterion."""
    import pandas as pd  # here, not at the top: the command line reads JSON without pandas

    frame = pd.DataFrame([priority_to_record(p) for p in portfolio.priorities], columns=table_columns(portfolio))
    # Ratings are whole numbers or blank (not assessed): a nullable integer column, not floats or objects.
    return frame.astype({column: "Int64" for column in READINESS_COLUMNS})


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


def portfolio_to_dict(portfolio: Portfolio) -> dict[str, Any]:
    rules = portfolio.rules
    return {
        "schema_version": SCHEMA_VERSION,
        "name": portfolio.name,
        "capacity_dimensions": [
            _with_spread(
                {
                    "name": d.name,
                    "label": d.label,
                    "unit": d.unit,
                    "available": d.available,
                    "headroom_pct": d.headroom_pct,
                },
                d.spread_pct,
            )
            for d in portfolio.dimensions
        ],
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
        raise PortfolioError("The portfolio file has no 'schema_version'. Add \"schema_version\": 1 at the top.")
    if type(version) is not int:
        raise PortfolioError(
            Problem(
                field="schema_version",
                message=f"must be the whole number {SCHEMA_VERSION}, not {shown(version, 40)!r}. "
                f'Write "schema_version": {SCHEMA_VERSION}.',
                value=shown(version),
            )
        )
    if version != SCHEMA_VERSION:
        raise PortfolioError(
            f"The portfolio file has schema_version {version!r}; this version of the tool reads schema_version {SCHEMA_VERSION}."
        )
    return parse_portfolio(raw)


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
    if key in BASE_COLUMNS or key == RANGES_COLUMN:
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
        portfolio.name, portfolio.dimensions, portfolio.criteria, records, portfolio.rules, rows=numbers
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
