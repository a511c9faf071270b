"""Reading and writing portfolio files: the versioned JSON form and the priorities CSV table."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .domain import Portfolio, Priority
from .errors import PortfolioError
from .parsing import BASE_COLUMNS, COST_PREFIX, SCORE_PREFIX, parse_portfolio, replace_priorities

SCHEMA_VERSION = 1
MAX_FILE_BYTES = 20 * 1024 * 1024


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
    return record


def table_columns(portfolio: Portfolio) -> list[str]:
    return (
        list(BASE_COLUMNS)
        + [COST_PREFIX + d.name for d in portfolio.dimensions]
        + [SCORE_PREFIX + c.name for c in portfolio.criteria]
    )


def priorities_frame(portfolio: Portfolio) -> pd.DataFrame:
    """The priorities as a table with one column per capacity dimension and per criterion."""
    return pd.DataFrame([priority_to_record(p) for p in portfolio.priorities], columns=table_columns(portfolio))


def portfolio_to_dict(portfolio: Portfolio) -> dict[str, Any]:
    rules = portfolio.rules
    return {
        "schema_version": SCHEMA_VERSION,
        "name": portfolio.name,
        "capacity_dimensions": [
            {"name": d.name, "label": d.label, "unit": d.unit, "available": d.available, "headroom_pct": d.headroom_pct}
            for d in portfolio.dimensions
        ],
        "criteria": [{"name": c.name, "label": c.label, "weight": c.weight} for c in portfolio.criteria],
        "rules": {
            "balance_dimension": rules.balance_dimension,
            "max_priorities": rules.max_priorities,
            "horizon_bands": {b.horizon: {"min_pct": b.min_pct, "max_pct": b.max_pct} for b in rules.horizon_bands},
            "theme_limits": {t.theme: {"min": t.min_count, "max": t.max_count} for t in rules.theme_limits},
            "locked_in": list(rules.locked_in),
            "locked_out": list(rules.locked_out),
            "sensitivity_penalty": rules.sensitivity_penalty,
        },
        "priorities": [
            {
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
            for p in portfolio.priorities
        ],
    }


def portfolio_to_json(portfolio: Portfolio) -> str:
    return json.dumps(portfolio_to_dict(portfolio), indent=2, ensure_ascii=False) + "\n"


def _decode(data: bytes, what: str) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise PortfolioError(f"The {what} is {len(data) / 2**20:.1f} MB; the limit is {MAX_FILE_BYTES / 2**20:.0f} MB.")
    if not data.strip():
        raise PortfolioError(f"The {what} is empty.")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:1000]:
        raise PortfolioError(f"The {what} looks like UTF-16 text. Save it as 'CSV UTF-8' (or plain CSV) and try again.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise PortfolioError(f"The {what} is not text in UTF-8 or Windows-1252. Save it as UTF-8 and try again.")


def portfolio_from_json(data: bytes | str) -> Portfolio:
    text = _decode(data.encode() if isinstance(data, str) else data, "portfolio file")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as err:
        raise PortfolioError(
            f"The portfolio file is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})."
        ) from err
    if not isinstance(raw, Mapping):
        raise PortfolioError("The portfolio file must hold a JSON object.")
    version = raw.get("schema_version")
    if version is None:
        raise PortfolioError("The portfolio file has no 'schema_version'. Add \"schema_version\": 1 at the top.")
    if version != SCHEMA_VERSION:
        raise PortfolioError(
            f"The portfolio file has schema_version {version!r}; this version of the tool reads schema_version {SCHEMA_VERSION}."
        )
    return parse_portfolio(raw)


def _normalise_column(name: str, portfolio: Portfolio) -> str:
    """Match column names case- and space-insensitively to the expected ones."""
    text = str(name).strip()
    key = text.lower().replace(" ", "_").replace("-", "_")
    aliases = {"must-do": "must_do", "mustdo": "must_do", "prerequisites": "requires", "alternatives": "excludes"}
    key = aliases.get(key, key)
    if key in BASE_COLUMNS:
        return key
    for prefix, names in (
        (COST_PREFIX, [d.name for d in portfolio.dimensions]),
        (SCORE_PREFIX, [c.name for c in portfolio.criteria]),
    ):
        if key.startswith(prefix):
            wanted = key[len(prefix) :].strip("_ ")
            for candidate in names:
                if candidate.lower().replace(" ", "_") == wanted:
                    return prefix + candidate
    return text


def priorities_from_csv(data: bytes | str, portfolio: Portfolio) -> Portfolio:
    """The portfolio with its priorities replaced by a CSV table (rows numbered as in a spreadsheet)."""
    text = _decode(data.encode() if isinstance(data, str) else data, "CSV file")
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise PortfolioError(f"The CSV file could not be read: {err}") from err
    frame.columns = [_normalise_column(c, portfolio) for c in frame.columns]
    missing = [
        c
        for c in table_columns(portfolio)
        if c not in frame.columns and c not in ("owner", "theme", "must_do", "sensitivity", "requires", "excludes")
    ]
    if missing:
        raise PortfolioError(
            f"The CSV file has no column {', '.join(repr(c) for c in missing)}. "
            f"Expected columns: {', '.join(table_columns(portfolio))}."
        )
    # Row 1 of a spreadsheet is the header, so the first priority is row 2.
    return replace_priorities(portfolio, frame.to_dict(orient="records"), first_row=2)


def priorities_to_csv(portfolio: Portfolio) -> str:
    return priorities_frame(portfolio).to_csv(index=False)


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
