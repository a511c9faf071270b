"""Turn raw input (JSON objects, table rows) into validated domain objects.

This is the one gate every input goes through: the JSON loader, the CSV loader, the app's
editable tables and the command line. Every problem is collected, then raised together as a
:class:`PortfolioError` whose messages name the row, the priority id and the field.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from .domain import (
    HEADROOM_MAX_PCT,
    HORIZONS,
    SCORE_MAX,
    SCORE_MIN,
    SENSITIVITY_MAX,
    SENSITIVITY_MIN,
    SOURCES,
    CapacityDimension,
    Criterion,
    HorizonBand,
    Portfolio,
    Priority,
    Rules,
    ThemeLimit,
)
from .errors import PortfolioError, Problem

COST_PREFIX = "cost:"
SCORE_PREFIX = "score:"
BASE_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "source",
    "owner",
    "theme",
    "horizon",
    "must_do",
    "sensitivity",
    "requires",
    "excludes",
)
_TRUE = {"yes", "y", "true", "1", "t"}
_FALSE = {"no", "n", "false", "0", "f", ""}
_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$")


class _Collector:
    """Gathers problems so that the user sees all of them at once."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(
        self, field: str, message: str, priority_id: str | None = None, row: int | None = None, value: Any = None
    ) -> None:
        found = None if is_blank(value) else str(value)[:200]
        self.problems.append(Problem(field=field, message=message, priority_id=priority_id, row=row, value=found))

    def raise_if_any(self) -> None:
        if self.problems:
            raise PortfolioError(self.problems)


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:  # pandas NA / NaT
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return True
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    return isinstance(value, str) and value.strip() == ""


def to_number(value: Any) -> float | None:
    """A finite float, or None when the value is not a number. Accepts '1,200' and ' 3.5 '."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace("£", "")
        try:
            number = float(text)
        except ValueError:
            return None
    else:
        try:
            number = float(value)
        except (TypeError, ValueError):
            return None
    return number if math.isfinite(number) else None


def to_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if is_blank(value):
        return False
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def split_ids(value: Any) -> tuple[str, ...]:
    """'A; B, C' or ['A', 'B'] -> ('A', 'B', 'C'); blanks ignored, order kept, no repeats."""
    if is_blank(value):
        return ()
    parts: Iterable[Any]
    if isinstance(value, (list, tuple)):
        parts = value
    else:
        parts = re.split(r"[;,]", str(value))
    seen: dict[str, None] = {}
    for part in parts:
        text = str(part).strip()
        if text:
            seen[text] = None
    return tuple(seen)


def _text(value: Any) -> str:
    return "" if is_blank(value) else str(value).strip()


def _number_field(
    out: _Collector,
    value: Any,
    field: str,
    *,
    low: float | None,
    high: float | None,
    hint: str,
    priority_id: str | None = None,
    row: int | None = None,
    required: bool = True,
    default: float = 0.0,
) -> float:
    if is_blank(value):
        if required:
            out.add(field, f"is missing. {hint}", priority_id, row)
        return default
    number = to_number(value)
    if number is None:
        out.add(field, f"'{value}' is not a finite number. {hint}", priority_id, row, value)
        return default
    if (low is not None and number < low) or (high is not None and number > high):
        out.add(field, f"{number:g} is out of range. {hint}", priority_id, row, value)
        return default
    return number


# ---------------------------------------------------------------- dimensions, criteria, rules


def _named_items(
    raw: Any, out: _Collector, *, section: str, noun: str, columns: str, example: str
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """The items of a list section that are objects with a unique, non-blank name; reports the rest."""
    if not isinstance(raw, list) or not raw:
        out.add(section, f"needs at least one {noun} ({columns}).")
        return
    seen: set[str] = set()
    for n, item in enumerate(raw, start=1):
        field = f"{section}[{n}]"
        if not isinstance(item, Mapping):
            out.add(field, f"must be an object with {columns}.")
            continue
        name = _text(item.get("name"))
        if not name:
            out.add(f"{field}.name", f"is missing. Give each {noun} a name, e.g. '{example}'.")
            continue
        if name in seen:
            out.add(f"{field}.name", f"'{name}' is used twice. Give each {noun} its own name.")
            continue
        seen.add(name)
        yield name, item


def parse_dimensions(raw: Any, out: _Collector) -> tuple[CapacityDimension, ...]:
    dims: list[CapacityDimension] = []
    for name, item in _named_items(
        raw,
        out,
        section="capacity_dimensions",
        noun="capacity dimension",
        columns="name, unit, available and headroom_pct",
        example="operational",
    ):
        available = _number_field(
            out,
            item.get("available"),
            f"capacity '{name}' available",
            low=0.0,
            high=None,
            hint="Enter the amount available as a number of at least 0.",
        )
        headroom = _number_field(
            out,
            item.get("headroom_pct", 0),
            f"capacity '{name}' headroom_pct",
            low=0.0,
            high=HEADROOM_MAX_PCT,
            hint=f"Enter the share kept free as a percentage from 0 to {HEADROOM_MAX_PCT:g}.",
            required=False,
        )
        dims.append(
            CapacityDimension(
                name=name,
                unit=_text(item.get("unit")),
                available=available,
                headroom_pct=headroom,
                label=_text(item.get("label")),
            )
        )
    return tuple(dims)


def parse_criteria(raw: Any, out: _Collector) -> tuple[Criterion, ...]:
    crits: list[Criterion] = []
    for name, item in _named_items(
        raw, out, section="criteria", noun="criterion", columns="name and weight", example="outcomes"
    ):
        weight = _number_field(
            out,
            item.get("weight", 1),
            f"criterion '{name}' weight",
            low=0.0,
            high=100.0,
            hint="Enter a weight from 0 to 100.",
            required=False,
            default=1.0,
        )
        crits.append(Criterion(name=name, weight=weight, label=_text(item.get("label"))))
    return tuple(crits)


def parse_rules(raw: Any, out: _Collector) -> Rules:
    if raw is None:
        return Rules()
    if not isinstance(raw, Mapping):
        out.add("rules", "must be an object (max_priorities, horizon_bands, theme_limits, locked_in, locked_out).")
        return Rules()
    max_priorities: int | None = None
    if not is_blank(raw.get("max_priorities")):
        number = to_number(raw.get("max_priorities"))
        if number is None or number < 0 or number != int(number):
            out.add(
                "rules.max_priorities",
                f"'{raw.get('max_priorities')}' must be a whole number of at least 0, or blank for no limit.",
            )
        else:
            max_priorities = int(number)
    bands: list[HorizonBand] = []
    raw_bands = raw.get("horizon_bands") or {}
    if not isinstance(raw_bands, Mapping):
        out.add("rules.horizon_bands", "must map a horizon to {min_pct, max_pct}.")
        raw_bands = {}
    for horizon, band in raw_bands.items():
        field = f"rules.horizon_bands.{horizon}"
        if horizon not in HORIZONS:
            out.add(field, f"unknown horizon '{horizon}'. Use one of: {', '.join(HORIZONS)}.")
            continue
        band = band if isinstance(band, Mapping) else {}
        low = _number_field(
            out,
            band.get("min_pct", 0),
            f"{field}.min_pct",
            low=0,
            high=100,
            hint="Enter a percentage from 0 to 100.",
            required=False,
        )
        high = _number_field(
            out,
            band.get("max_pct", 100),
            f"{field}.max_pct",
            low=0,
            high=100,
            hint="Enter a percentage from 0 to 100.",
            required=False,
            default=100.0,
        )
        if low > high:
            out.add(field, f"minimum {low:g}% is above maximum {high:g}%. Lower the minimum or raise the maximum.")
            continue
        bands.append(HorizonBand(horizon=horizon, min_pct=low, max_pct=high))
    if bands:
        total_min = sum(b.min_pct for b in bands)
        if total_min > 100 + 1e-9:
            out.add(
                "rules.horizon_bands", f"the minimum shares add up to {total_min:g}%, over 100%. Lower some minimums."
            )
        maxima = {b.horizon: b.max_pct for b in bands}
        total_max = sum(maxima.get(h, 100.0) for h in HORIZONS)
        if total_max < 100 - 1e-9:
            out.add(
                "rules.horizon_bands",
                f"the maximum shares add up to {total_max:g}%, under 100%, so no selection can meet them (the three "
                "shares always add up to 100%). Raise some maximums.",
            )
    limits: list[ThemeLimit] = []
    raw_limits = raw.get("theme_limits") or {}
    if not isinstance(raw_limits, Mapping):
        out.add("rules.theme_limits", "must map a theme to {min, max}.")
        raw_limits = {}
    for theme, limit in raw_limits.items():
        field = f"rules.theme_limits.{theme}"
        limit = limit if isinstance(limit, Mapping) else {}
        values: list[int | None] = []
        for key in ("min", "max"):
            value = limit.get(key)
            if is_blank(value):
                values.append(None)
                continue
            number = to_number(value)
            if number is None or number < 0 or number != int(number):
                out.add(f"{field}.{key}", f"'{value}' must be a whole number of at least 0, or blank.")
                values.append(None)
            else:
                values.append(int(number))
        low_count, high_count = values
        if low_count is not None and high_count is not None and low_count > high_count:
            out.add(
                field, f"minimum {low_count} is above maximum {high_count}. Lower the minimum or raise the maximum."
            )
            continue
        if low_count is not None or high_count is not None:
            limits.append(ThemeLimit(theme=str(theme), min_count=low_count, max_count=high_count))
    penalty = _number_field(
        out,
        raw.get("sensitivity_penalty", 1.0),
        "rules.sensitivity_penalty",
        low=0,
        high=1000,
        hint="Enter the value points lost per point of sensitivity when a priority is dropped (0 to 1000).",
        required=False,
        default=1.0,
    )
    balance_dimension = _text(raw.get("balance_dimension")) or None
    return Rules(
        balance_dimension=balance_dimension,
        max_priorities=max_priorities,
        horizon_bands=tuple(sorted(bands, key=lambda b: HORIZONS.index(b.horizon))),
        theme_limits=tuple(limits),
        locked_in=split_ids(raw.get("locked_in")),
        locked_out=split_ids(raw.get("locked_out")),
        sensitivity_penalty=penalty,
    )


# ---------------------------------------------------------------- priorities


def parse_priority_record(
    record: Mapping[str, Any],
    row: int,
    dimensions: tuple[CapacityDimension, ...],
    criteria: tuple[Criterion, ...],
    out: _Collector,
) -> Priority | None:
    """One priority from a flat record: base columns plus 'cost:<dim>' and 'score:<criterion>'.

    Nested 'costs'/'scores' mappings (the JSON form) are accepted as well.
    """
    pid = _text(record.get("id"))
    if not pid:
        out.add("id", "is missing. Give every priority a short unique id such as 'UEC01'.", None, row)
        return None
    if not _ID_PATTERN.match(pid):
        out.add(
            "id",
            f"'{pid}' is not a valid id. Use up to 40 letters, digits, '-', '_' or '.', starting with a letter or digit.",
            pid,
            row,
        )
        return None
    before = len(out.problems)
    name = _text(record.get("name"))
    if not name:
        out.add("name", "is missing. Give the priority a name.", pid, row)
    source = _text(record.get("source")).lower()
    if source not in SOURCES:
        out.add(
            "source",
            f"'{_text(record.get('source'))}' is not a source. Use 'national' or 'local'.",
            pid,
            row,
            record.get("source"),
        )
    horizon = _text(record.get("horizon")).lower()
    if horizon not in HORIZONS:
        out.add(
            "horizon",
            f"'{_text(record.get('horizon'))}' is not a horizon. Use 'short', 'medium' or 'long'.",
            pid,
            row,
            record.get("horizon"),
        )
    must_do = to_bool(record.get("must_do"))
    if must_do is None:
        out.add(
            "must_do",
            f"'{record.get('must_do')}' is not yes or no. Use yes/no, y/n or true/false.",
            pid,
            row,
            record.get("must_do"),
        )
        must_do = False
    sensitivity = _number_field(
        out,
        record.get("sensitivity"),
        "sensitivity",
        low=SENSITIVITY_MIN,
        high=SENSITIVITY_MAX,
        hint="Enter how hard it is to drop, from 0 (easy) to 5 (very hard).",
        priority_id=pid,
        row=row,
        required=False,
    )
    nested_costs = record.get("costs") if isinstance(record.get("costs"), Mapping) else {}
    nested_scores = record.get("scores") if isinstance(record.get("scores"), Mapping) else {}
    costs: list[tuple[str, float]] = []
    for dim in dimensions:
        key = COST_PREFIX + dim.name
        raw_value = record.get(key, nested_costs.get(dim.name))
        costs.append(
            (
                dim.name,
                _number_field(
                    out,
                    raw_value,
                    key,
                    low=0.0,
                    high=None,
                    hint=f"Enter the {dim.unit or 'units'} of {dim.name} capacity it needs, as a number of at least 0.",
                    priority_id=pid,
                    row=row,
                ),
            )
        )
    scores: list[tuple[str, float]] = []
    for crit in criteria:
        key = SCORE_PREFIX + crit.name
        raw_value = record.get(key, nested_scores.get(crit.name))
        scores.append(
            (
                crit.name,
                _number_field(
                    out,
                    raw_value,
                    key,
                    low=SCORE_MIN,
                    high=SCORE_MAX,
                    hint=f"Enter a score from {SCORE_MIN:g} to {SCORE_MAX:g}.",
                    priority_id=pid,
                    row=row,
                ),
            )
        )
    if len(out.problems) > before:
        return None
    return Priority(
        id=pid,
        name=name,
        source=source,
        owner=_text(record.get("owner")),
        theme=_text(record.get("theme")),
        horizon=horizon,
        costs=tuple(costs),
        scores=tuple(scores),
        must_do=must_do,
        sensitivity=sensitivity,
        requires=split_ids(record.get("requires")),
        excludes=split_ids(record.get("excludes")),
    )


def find_prerequisite_cycle(priorities: Iterable[Priority]) -> list[str] | None:
    """A cycle in the 'requires' graph as a list of ids (first id repeated at the end), or None."""
    graph = {p.id: [r for r in p.requires] for p in priorities}
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    for start in graph:
        if state.get(start):
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        path: list[str] = [start]
        state[start] = 1
        while stack:
            node, index = stack[-1]
            children = graph.get(node, [])
            if index < len(children):
                stack[-1] = (node, index + 1)
                child = children[index]
                if child not in graph:
                    continue
                if state.get(child) == 1:
                    return path[path.index(child) :] + [child]
                if not state.get(child):
                    state[child] = 1
                    stack.append((child, 0))
                    path.append(child)
            else:
                state[node] = 2
                stack.pop()
                path.pop()
    return None


def check_links(
    priorities: tuple[Priority, ...], row_numbers: list[int], out: _Collector, other_ids: Iterable[str] = ()
) -> None:
    """Cross-row checks: duplicate ids, unknown or self links, requires-and-excludes, cycles.

    `other_ids` are ids of rows that had problems of their own: links to them are not reported again.
    """
    ids: dict[str, int] = {}
    for p, row in zip(priorities, row_numbers):
        if p.id in ids:
            out.add(
                "id", f"'{p.id}' is already used on row {ids[p.id]}. Ids must be unique: rename one of them.", p.id, row
            )
        else:
            ids[p.id] = row
    known = set(ids) | set(other_ids)
    rows = ids
    clean = not out.problems
    for p, row in zip(priorities, row_numbers):
        for field, links in (("requires", p.requires), ("excludes", p.excludes)):
            for other in links:
                if other == p.id:
                    out.add(field, f"'{p.id}' cannot list itself. Remove '{other}'.", p.id, row, other)
                elif other not in known:
                    out.add(
                        field,
                        f"'{other}' is not the id of any priority. Correct the id or remove it.",
                        p.id,
                        row,
                        other,
                    )
        both = sorted(set(p.requires) & set(p.excludes))
        if both:
            out.add(
                "excludes",
                f"{', '.join(both)} is both required and excluded. A priority cannot need and rule out the same one: remove it from one list.",
                p.id,
                row,
            )
    if clean and not out.problems:
        cycle = find_prerequisite_cycle(priorities)
        if cycle:
            chain = " -> ".join(cycle)
            out.add(
                "requires",
                f"prerequisites form a cycle: {chain}. Remove one of these links.",
                cycle[0],
                rows.get(cycle[0]),
            )


def check_rule_settings(
    rules: Rules, priorities: tuple[Priority, ...], dimensions: tuple[CapacityDimension, ...], out: _Collector
) -> None:
    """Rules checked against the priorities and dimensions they name."""
    known = {p.id for p in priorities}
    for field, ids in (("rules.locked_in", rules.locked_in), ("rules.locked_out", rules.locked_out)):
        for pid in ids:
            if pid not in known:
                out.add(field, f"'{pid}' is not the id of any priority. Remove the lock or correct the id.", pid)
    for pid in sorted(set(rules.locked_in) & set(rules.locked_out)):
        out.add("rules.locked_out", f"'{pid}' is locked both in and out. Remove one of the locks.", pid)
    must = {p.id for p in priorities if p.must_do}
    for pid in rules.locked_out:
        if pid in must:
            out.add(
                "rules.locked_out",
                f"'{pid}' is a national must-do and cannot be locked out. Untick must-do first if it is no longer required.",
                pid,
            )
    names = [d.name for d in dimensions]
    if rules.balance_dimension is not None and rules.balance_dimension not in names:
        out.add(
            "rules.balance_dimension",
            f"'{rules.balance_dimension}' is not a capacity dimension. Use one of: {', '.join(names)}.",
        )
        return
    if rules.horizon_bands and dimensions:
        check_bands_can_be_met(rules, priorities, dimensions, out)


def check_bands_can_be_met(
    rules: Rules, priorities: tuple[Priority, ...], dimensions: tuple[CapacityDimension, ...], out: _Collector
) -> None:
    """Refuse balance bands that no selection using the balance capacity can meet, whatever else the rules say.

    The shares of the three horizons add up to 100% for any selection that uses some of the balance
    capacity; a horizon in which no priority that may be kept uses it always has a share of 0%."""
    balance = next((d for d in dimensions if d.name == rules.balance_dimension), dimensions[0])
    locked_out = set(rules.locked_out)
    present = {p.horizon for p in priorities if p.id not in locked_out and dict(p.costs).get(balance.name, 0.0) > 0}
    label = balance.display.lower()
    if not present:
        out.add(
            "rules.horizon_bands",
            f"no priority that may be kept uses {label} capacity, which measures the balance, so no selection has "
            "a share to check. Remove the balance bands or measure the balance on another capacity.",
        )
        return
    for band in rules.horizon_bands:
        if band.min_pct > 0 and band.horizon not in present:
            out.add(
                f"rules.horizon_bands.{band.horizon}.min_pct",
                f"the {band.horizon}-term minimum is {band.min_pct:g}%, but no {band.horizon}-term priority that may "
                f"be kept uses {label} capacity, so only an empty selection could meet it. Set the minimum to 0.",
            )
    maxima = {b.horizon: b.max_pct for b in rules.horizon_bands}
    reachable = sum(maxima.get(h, 100.0) for h in HORIZONS if h in present)
    if reachable < 100 - 1e-9:
        horizons = ", ".join(f"{h}-term" for h in HORIZONS if h in present)
        out.add(
            "rules.horizon_bands",
            f"only {horizons} priorities use {label} capacity, and their maximum shares add up to {reachable:g}%, "
            "under 100%, so no selection can meet them. Raise those maximums.",
        )


def build_portfolio(
    name: str,
    dimensions: tuple[CapacityDimension, ...],
    criteria: tuple[Criterion, ...],
    records: Iterable[Mapping[str, Any]],
    rules: Rules,
    *,
    first_row: int = 1,
    collector: _Collector | None = None,
) -> Portfolio:
    """Validate priority records against the dimensions and criteria, and check links and rules."""
    out = collector or _Collector()
    priorities: list[Priority] = []
    row_numbers: list[int] = []
    failed_ids: list[str] = []
    for offset, record in enumerate(records):
        row = first_row + offset
        if all(is_blank(v) for v in record.values()):
            continue  # blank trailing or spacer rows are ignored
        priority = parse_priority_record(record, row, dimensions, criteria, out)
        if priority is not None:
            priorities.append(priority)
            row_numbers.append(row)
        else:
            failed_ids.append(_text(record.get("id")))
    if not priorities and not out.problems:
        out.add("priorities", "the portfolio has no priorities. Add at least one row.")
    result = tuple(priorities)
    check_links(result, row_numbers, out, failed_ids)
    if not out.problems:
        check_rule_settings(rules, result, dimensions, out)
    out.raise_if_any()
    return Portfolio(name=name, dimensions=dimensions, criteria=criteria, priorities=result, rules=rules)


def parse_portfolio(raw: Any) -> Portfolio:
    """A portfolio from the JSON object form (see README, 'Portfolio file format')."""
    out = _Collector()
    if not isinstance(raw, Mapping):
        raise PortfolioError(
            "The file must hold a JSON object with capacity_dimensions, criteria, rules and priorities."
        )
    dimensions = parse_dimensions(raw.get("capacity_dimensions"), out)
    criteria = parse_criteria(raw.get("criteria"), out)
    rules = parse_rules(raw.get("rules"), out)
    records = raw.get("priorities")
    if not isinstance(records, list):
        out.add("priorities", "must be a list of priorities.")
        records = []
    for n, record in enumerate(records, start=1):
        if not isinstance(record, Mapping):
            out.add("priorities", "each priority must be an object with id, name, source, ...", row=n)
    records = [r if isinstance(r, Mapping) else {} for r in records]
    return build_portfolio(
        _text(raw.get("name")) or "Untitled portfolio", dimensions, criteria, records, rules, collector=out
    )


def replace_priorities(portfolio: Portfolio, records: Iterable[Mapping[str, Any]], *, first_row: int = 1) -> Portfolio:
    """The same portfolio with a new priorities table (edited in the app or loaded from CSV)."""
    return build_portfolio(
        portfolio.name, portfolio.dimensions, portfolio.criteria, records, portfolio.rules, first_row=first_row
    )


def replace_settings(
    portfolio: Portfolio,
    *,
    dimensions: Any = None,
    criteria: Any = None,
    rules: Any = None,
) -> Portfolio:
    """The same priorities with new dimensions, criteria or rules (raw JSON-shaped values)."""
    from .formats import portfolio_to_dict, priority_to_record

    raw = portfolio_to_dict(portfolio)
    out = _Collector()
    dims = parse_dimensions(dimensions if dimensions is not None else raw["capacity_dimensions"], out)
    crits = parse_criteria(criteria if criteria is not None else raw["criteria"], out)
    new_rules = parse_rules(rules if rules is not None else raw["rules"], out)
    out.raise_if_any()
    # Costs and scores of renamed or new dimensions/criteria default to 0 so no row is lost.
    records = []
    for p in portfolio.priorities:
        record = priority_to_record(p)
        for d in dims:
            record.setdefault(COST_PREFIX + d.name, 0.0)
        for c in crits:
            record.setdefault(SCORE_PREFIX + c.name, 0.0)
        records.append(record)
    return build_portfolio(portfolio.name, dims, crits, records, new_rules, collector=out)
