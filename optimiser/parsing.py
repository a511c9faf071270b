"""Turn raw input (JSON objects, table rows) into validated domain objects.

This is the one gate every input goes through: the JSON loader, the CSV loader, the app's
editable tables and the command line. Every problem is collected, then raised together as a
:class:`PortfolioError` whose messages name the row, the priority id and the field.
"""

from __future__ import annotations

import difflib
import math
import numbers
import re
import sys
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any

from .domain import (
    HEADROOM_MAX_PCT,
    HORIZONS,
    PLAN_YEARS_MAX,
    PLAN_YEARS_MIN,
    READINESS_FACTOR_NAMES,
    READINESS_MAX,
    READINESS_MIN,
    READINESS_SCALE,
    SCORE_MAX,
    SCORE_MIN,
    SENSITIVITY_MAX,
    SENSITIVITY_MIN,
    SOURCES,
    SPREAD_MAX_PCT,
    VALUE_MODES,
    CapacityDimension,
    Criterion,
    HorizonBand,
    PlanSettings,
    Portfolio,
    Priority,
    ReadinessRule,
    Rules,
    ThemeLimit,
)
from .errors import UNPRINTABLE, PortfolioError, Problem

COST_PREFIX = "cost:"
SCORE_PREFIX = "score:"
READY_PREFIX = "ready:"  # a readiness rating column: 'ready:<factor>'
RANGES_COLUMN = "ranges"  # judgement ranges in a table: 'score:outcomes=6..9; cost:operational=2..4'
READINESS_COLUMNS: tuple[str, ...] = tuple(READY_PREFIX + f for f in READINESS_FACTOR_NAMES)
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
# A multi-year plan (schema version 2): the priorities table's columns for it (each optional; blank is the
# default: 1 year, from year 1, no deadline, not existing, no alongside, lags, gains or cost profile).
PLAN_COLUMNS: tuple[str, ...] = (
    "duration",
    "earliest_start",
    "deadline",
    "existing",
    "alongside",
    "lags",
    "gains",
    "cost_profile",
)
# The keys of each object of the JSON form; anything else is refused (with the nearest known key suggested).
PORTFOLIO_KEYS = ("schema_version", "name", "plan", "capacity_dimensions", "criteria", "rules", "priorities")
PLAN_KEYS = ("years", "first_year", "value_mode")
BY_YEAR_KEYS = ("available_by_year", "headroom_by_year")
DIMENSION_KEYS = ("name", "label", "unit", "available", "headroom_pct", "spread_pct", *BY_YEAR_KEYS)
CRITERION_KEYS = ("name", "label", "weight", "spread_pct")
# Readiness settings of the rules (flat, as on the workbook's Rules sheet) and the ReadinessRule field of each.
READINESS_RULE_KEYS: dict[str, str] = {
    "readiness_floor_pct": "floor_pct",
    "readiness_cap_weakest_1_pct": "cap_weakest_1_pct",
    "readiness_cap_weakest_2_pct": "cap_weakest_2_pct",
    "readiness_low_pct": "low_pct",
}
RULE_KEYS = (
    "balance_dimension",
    "max_priorities",
    "horizon_bands",
    "theme_limits",
    "locked_in",
    "locked_out",
    "sensitivity_penalty",
    "expected_value",
    *READINESS_RULE_KEYS,
    "year_locks",
    "forbidden_starts",
)
BAND_KEYS = ("min_pct", "max_pct")
THEME_LIMIT_KEYS = ("min", "max")
PRIORITY_KEYS = BASE_COLUMNS + ("costs", "scores", "readiness", RANGES_COLUMN) + PLAN_COLUMNS
RANGE_KEYS = ("low", "high")

# Limits: every loader refuses input beyond them with a message (README, "Limits").
MAX_PRIORITIES = 20_000  # a national view (issue 12 measures up to 20,000)
MAX_DIMENSIONS = 50
MAX_CRITERIA = 50
MAX_THEME_LIMITS = 500
MAX_AMOUNT = 1e9  # capacity available and each cost
MAX_ID_LENGTH = 40
MAX_NAME_LENGTH = 200  # a priority's name and the portfolio's name
MAX_TEXT_LENGTH = 100  # owner, theme, names, labels and units of capacities and criteria
MAX_NUMBER_TEXT = 40  # characters of a number written as text
MAX_PROBLEMS = 500  # problems listed; the rest are counted
MAX_RANGES_TEXT = 20_000  # characters of a priority's ranges written as text
MAX_PAIRS_TEXT = 20_000  # characters of lags, gains, a cost profile, year locks or forbidden starts as text
MAX_FIRST_YEAR_LENGTH = 20  # the plan's first-year label, e.g. '2026/27'

# Text a spreadsheet would run as a formula: exports write it with a leading apostrophe, imports take it off.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

_TRUE = {"yes", "y", "true", "1", "t"}
_FALSE = {"no", "n", "false", "0", "f", ""}
_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}")
_NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


class _Collector:
    """Gathers problems so that the user sees all of them at once (the first MAX_PROBLEMS, and how many more).

    `nan_is_blank`: a float NaN is an empty cell (the app's tables, where pandas writes NaN for one), not a
    number given; everywhere else (JSON, workbooks) a NaN is refused like any other non-number."""

    def __init__(self, *, nan_is_blank: bool = False) -> None:
        self.problems: list[Problem] = []
        self.count = 0
        self.nan_is_blank = nan_is_blank

    def add(
        self, field: str, message: str, priority_id: str | None = None, row: int | None = None, value: Any = None
    ) -> None:
        self.count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(
                Problem(field=field, message=message, priority_id=priority_id, row=row, value=shown(value))
            )

    def blank(self, value: Any) -> bool:
        """Not given: None, empty text, pandas NA, and NaN only where NaN marks an empty cell."""
        if isinstance(value, float) and math.isnan(value):
            return self.nan_is_blank
        return is_blank(value)

    def all_problems(self) -> list[Problem]:
        more = self.count - len(self.problems)
        if more <= 0:
            return list(self.problems)
        note = Problem("file", f"{more:,} more problems are not listed. Fix these first, then load it again.")
        return [*self.problems, note]

    def raise_if_any(self) -> None:
        if self.count:
            raise PortfolioError(self.all_problems())


def is_blank(value: Any) -> bool:
    """None, NaN, pandas NA or NaT, or text of only spaces. Plain values are answered first (a 10,000-row
    file asks this for every cell); pandas is only consulted when it is already loaded, since its NA and NaT
    cannot exist otherwise (the command line reads JSON without importing it)."""
    if value is None:
        return True
    kind = type(value)
    if kind is str:
        return value.strip() == ""
    if kind is float:
        return math.isnan(value)
    if kind is int or kind is bool:
        return False
    if isinstance(value, float) and math.isnan(value):
        return True
    pd = sys.modules.get("pandas")
    if pd is not None and (value is pd.NA or value is pd.NaT):
        return True
    return isinstance(value, str) and value.strip() == ""


def kind_of(value: Any) -> str:
    """What a value is, in words: 'a list', 'an object', 'a yes/no value', 'a number', 'text'."""
    if value is None:
        return "empty"
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "a yes/no value"
    if isinstance(value, numbers.Integral):
        return "a number"
    if isinstance(value, numbers.Real):
        return "a number" if math.isfinite(value) else f"a number that is not finite ({float(value)})"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    return f"a {type(value).__name__}"


def shown(value: Any, limit: int = 200) -> str | None:
    """A value as text for a problem (None when blank), never the text of a whole list or object."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        return value if len(value) <= limit else value[:limit] + "…"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**30:
        return f"a number with {len(str(abs(value))) if abs(value) < 10**4000 else 'thousands of'} digits"
    if isinstance(value, (numbers.Real, bool)):
        return str(value)
    return kind_of(value)


def _quote(value: Any) -> str:
    return f"'{shown(value, 60) or ''}'"


def text_problem(text: str) -> str | None:
    """Why `text` cannot be a one-line text field (it holds a control character, a surrogate or a
    non-character), or None. Everything else (Markdown, HTML, emoji, right-to-left text) is kept as typed."""
    found = UNPRINTABLE.search(text)
    if found is None:
        return None
    char = found.group()
    code = f"U+{ord(char):04X}"
    at = f" at character {found.start() + 1}"
    if char in "\n\r":
        return f"contains a line break ({code}){at}. Text fields hold one line: join the lines."
    if char == "\t":
        return f"contains a tab ({code}){at}. Use a space instead."
    if char == "\x0b":
        return f"contains a control character ({code}){at}; remove it (Word writes line breaks this way)."
    if "\ud800" <= char <= "\udfff":
        return f"contains a lone surrogate ({code}){at}, half of a character that cannot be stored. Retype the text."
    if char in "\ufffe\uffff":
        return f"contains the non-character {code}{at}. Remove it."
    return f"contains a control character ({code}){at}; remove it."


def needs_formula_guard(text: str) -> bool:
    """True when a spreadsheet would run `text` as a formula, or when it already starts with apostrophes
    followed by such text (so that taking one apostrophe off on import gives back exactly what was written)."""
    return text.lstrip("'").startswith(FORMULA_PREFIXES)


def guard_formula(value: object) -> object:
    """Text a spreadsheet would run as a formula gets a leading apostrophe; other values pass unchanged."""
    if isinstance(value, str) and needs_formula_guard(value):
        return "'" + value
    return value


def strip_formula_guard(value: object) -> object:
    """Undo `guard_formula`: exactly the apostrophe it adds, so that export then import is the identity."""
    if isinstance(value, str) and value.startswith("'") and needs_formula_guard(value[1:]):
        return value[1:]
    return value


def parse_number(value: Any) -> float | str:
    """A finite float, or a sentence saying why the value is not one. Text may be written with a leading
    '£', a sign, a decimal point and an exponent; a comma is refused (decimal comma or thousands separator?)."""
    if isinstance(value, str):
        return _number_from_text(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return f"must be a number, not {kind_of(value)}."
    try:
        number = float(value)
    except OverflowError:
        return f"{_quote(value)} is far too large."
    return _finite(number, value)


def _number_from_text(value: str) -> float | str:
    text = value.strip()
    if text.startswith("£"):
        text = text[1:].lstrip()
    if "," in text:
        return (
            f"{_quote(value)} has a comma. Write numbers with a point for decimals and no thousands "
            "separators (2.5, 1200)."
        )
    if len(text) > MAX_NUMBER_TEXT:
        return f"{_quote(value)} is too long to be a number ({len(text):,} characters)."
    if not _NUMBER_TEXT.fullmatch(text):
        return f"{_quote(value)} is not a finite number."
    return _finite(float(text), value)


def _finite(number: float, value: Any) -> float | str:
    if not math.isfinite(number):
        return f"{_quote(value)} is not a finite number."
    return number + 0.0  # -0.0 becomes 0.0


def to_bool(value: Any) -> bool | None:
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return bool(value)
    if is_blank(value):
        return False
    if isinstance(value, numbers.Real) and value in (0, 1):
        return bool(value)
    text = value.strip().lower() if isinstance(value, str) else None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def _text(value: Any) -> str:
    return "" if is_blank(value) else str(value).strip()


def _text_field(
    out: _Collector,
    value: Any,
    field: str,
    *,
    priority_id: str | None = None,
    row: int | None = None,
    limit: int = MAX_TEXT_LENGTH,
) -> str | None:
    """One line of text, stripped: '' when blank, None (and a problem) when it cannot be used."""
    if out.blank(value):
        return ""
    if isinstance(value, str):
        text = value
    elif isinstance(value, numbers.Integral) and not isinstance(value, bool) and abs(value) < 10**30:
        text = str(int(value))  # a number typed where text goes (an id such as 101)
    elif isinstance(value, float) and math.isfinite(value):
        text = str(value)
    else:
        out.add(field, f"must be text, not {kind_of(value)}.", priority_id, row, value)
        return None
    problem = text_problem(text)
    if problem:
        out.add(field, problem, priority_id, row, text)
        return None
    text = text.strip()
    if len(text) > limit:
        out.add(field, f"is {len(text):,} characters long; the limit is {limit}. Shorten it.", priority_id, row, text)
        return None
    return text


def _id_list(
    out: _Collector, value: Any, field: str, *, priority_id: str | None = None, row: int | None = None
) -> tuple[str, ...]:
    """Ids as a list or as text separated by ';' or ','; blanks ignored, order kept, no repeats."""
    if out.blank(value):
        return ()
    parts: Iterable[Any]
    if isinstance(value, str):
        parts = re.split(r"[;,]", value)
    elif isinstance(value, (list, tuple)):
        parts = value
    elif isinstance(value, int) and not isinstance(value, bool):
        parts = [value]
    else:
        out.add(
            field, f"must be a list of priority ids (or ids separated by ';'), not {kind_of(value)}.", priority_id, row
        )
        return ()
    seen: dict[str, None] = {}
    for part in parts:
        text = _text_field(out, part, field, priority_id=priority_id, row=row)
        if text:
            seen[sys.intern(text)] = None  # one copy of each id, shared with the priority's own (memory)
    return tuple(seen)


def _check_keys(
    out: _Collector,
    raw: Mapping[Any, Any],
    known: Collection[str],
    *,
    what: str,
    prefix: str = "",
    priority_id: str | None = None,
    row: int | None = None,
) -> None:
    """Refuse keys that are not `known`, suggesting the nearest known one."""
    for key in raw:
        if key in known:
            continue
        text = str(key)
        out.add(f"{prefix}{text}", f"unknown field {_quote(text)} in {what}. {suggest(text, known)}", priority_id, row)


def suggest(text: str, known: Collection[str]) -> str:
    """'Did you mean 'must_do'?' for the nearest known name, else the list of known names."""
    close = difflib.get_close_matches(text.strip().lower(), list(known), n=1, cutoff=0.6)
    if close:
        return f"Did you mean '{close[0]}'?"
    return f"Use one of: {', '.join(known)}."


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
    if out.blank(value):
        if required:
            out.add(field, f"is missing. {hint}", priority_id, row)
        return default
    number = parse_number(value)
    if isinstance(number, str):
        out.add(field, f"{number} {hint}", priority_id, row, value)
        return default
    if (low is not None and number < low) or (high is not None and number > high):
        out.add(field, f"{number:g} is out of range. {hint}", priority_id, row, value)
        return default
    return number


def _count_field(out: _Collector, value: Any, field: str, *, blank: str) -> int | None:
    """A whole number from 0 to MAX_PRIORITIES, or None when blank."""
    if out.blank(value):
        return None
    number = parse_number(value)
    if isinstance(number, str) or number < 0 or number != int(number) or number > MAX_PRIORITIES:
        out.add(field, f"{_quote(value)} must be a whole number from 0 to {MAX_PRIORITIES:,}, or {blank}.", value=value)
        return None
    return int(number)


def _amount_hint(what: str) -> str:
    return f"Enter {what} as a number of at least 0 and at most {MAX_AMOUNT:,.0f}."


# ---------------------------------------------------------------- dimensions, criteria, rules


def _named_items(
    raw: Any,
    out: _Collector,
    *,
    section: str,
    noun: str,
    plural: str,
    keys: tuple[str, ...],
    limit: int,
    example: str,
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """The items of a list section that are objects with a unique, non-blank name; reports the rest."""
    columns = ", ".join(keys)
    if raw is not None and not isinstance(raw, list):
        out.add(section, f"must be a list of {plural} ({columns}), not {kind_of(raw)}.")
        return
    if not raw:
        out.add(section, f"needs at least one {noun} ({columns}).")
        return
    if len(raw) > limit:
        out.add(section, f"has {len(raw):,} entries; the limit is {limit} {plural}. Remove some.")
        return
    seen: set[str] = set()
    for n, item in enumerate(raw, start=1):
        field = f"{section}[{n}]"
        if not isinstance(item, Mapping):
            out.add(field, f"must be an object with {columns}, not {kind_of(item)}.", value=item)
            continue
        _check_keys(out, item, keys, what=f"a {noun}", prefix=f"{field}.")
        name = _text_field(out, item.get("name"), f"{field}.name")
        if name is None:
            continue
        if not name:
            out.add(f"{field}.name", f"is missing. Give each {noun} a name, e.g. '{example}'.")
            continue
        if name in seen:
            out.add(f"{field}.name", f"'{name}' is used twice. Give each {noun} its own name.")
            continue
        seen.add(name)
        yield name, item


def parse_dimensions(raw: Any, out: _Collector, plan: PlanSettings | None = None) -> tuple[CapacityDimension, ...]:
    """Capacity dimensions; per-year figures are checked against `plan` (None: a plan of up to 10 years)."""
    dims: list[CapacityDimension] = []
    for name, item in _named_items(
        raw,
        out,
        section="capacity_dimensions",
        noun="capacity dimension",
        plural="capacity dimensions",
        keys=DIMENSION_KEYS,
        limit=MAX_DIMENSIONS,
        example="operational",
    ):
        available = _number_field(
            out,
            item.get("available"),
            f"capacity '{name}' available",
            low=0.0,
            high=MAX_AMOUNT,
            hint=_amount_hint("the amount available"),
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
        unit = _text_field(out, item.get("unit"), f"capacity '{name}' unit")
        label = _text_field(out, item.get("label"), f"capacity '{name}' label")
        spread = _spread_field(out, item.get("spread_pct"), f"capacity '{name}' spread_pct", "each cost")
        available_by_year = _by_year(
            out,
            item.get("available_by_year"),
            f"capacity '{name}' available_by_year",
            plan,
            high=MAX_AMOUNT,
            hint=_amount_hint("the amount available in each plan year"),
        )
        headroom_by_year = _by_year(
            out,
            item.get("headroom_by_year"),
            f"capacity '{name}' headroom_by_year",
            plan,
            high=HEADROOM_MAX_PCT,
            hint=f"Enter the share kept free in each plan year as a percentage from 0 to {HEADROOM_MAX_PCT:g}.",
        )
        dims.append(
            CapacityDimension(
                name=name,
                unit=unit or "",
                available=available,
                headroom_pct=headroom,
                label=label or "",
                spread_pct=spread,
                available_by_year=available_by_year,
                headroom_by_year=headroom_by_year,
            )
        )
    return tuple(dims)


def _spread_field(out: _Collector, value: Any, field: str, what: str) -> float:
    """A global spread (percent, blank for none): the share by which {what} may be lower or higher."""
    return _number_field(
        out,
        value,
        field,
        low=0.0,
        high=SPREAD_MAX_PCT,
        hint=f"Enter how far {what} may be lower or higher, as a percentage from 0 to {SPREAD_MAX_PCT:g} "
        "(blank for none).",
        required=False,
    )


def parse_criteria(raw: Any, out: _Collector) -> tuple[Criterion, ...]:
    crits: list[Criterion] = []
    for name, item in _named_items(
        raw,
        out,
        section="criteria",
        noun="criterion",
        plural="criteria",
        keys=CRITERION_KEYS,
        limit=MAX_CRITERIA,
        example="outcomes",
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
        label = _text_field(out, item.get("label"), f"criterion '{name}' label")
        spread = _spread_field(out, item.get("spread_pct"), f"criterion '{name}' spread_pct", "each score")
        crits.append(Criterion(name=name, weight=weight, label=label or "", spread_pct=spread))
    return tuple(crits)


def _mapping_section(raw: Any, out: _Collector, field: str, shape: str) -> Mapping[Any, Any]:
    """A section that maps names to objects: {} when absent, refused when it is anything but an object."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        out.add(field, f"must be an object {shape}, not {kind_of(raw)}.", value=raw)
        return {}
    return raw


def parse_horizon_bands(raw: Any, out: _Collector) -> tuple[HorizonBand, ...]:
    shape = 'mapping a horizon to {min_pct, max_pct}, e.g. {"short": {"min_pct": 20, "max_pct": 60}}'
    bands: list[HorizonBand] = []
    for horizon, band in _mapping_section(raw, out, "rules.horizon_bands", shape).items():
        field = f"rules.horizon_bands.{horizon}"
        if horizon not in HORIZONS:
            out.add(field, f"unknown horizon {_quote(horizon)}. Use one of: {', '.join(HORIZONS)}.")
            continue
        if not isinstance(band, Mapping):
            out.add(field, f'must be an object {{min_pct, max_pct}}, e.g. {{"min_pct": 20}}, not {kind_of(band)}.')
            continue
        _check_keys(out, band, BAND_KEYS, what="a horizon band", prefix=f"{field}.")
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
        check_band_totals(bands, out)
    return tuple(sorted(bands, key=lambda b: HORIZONS.index(b.horizon)))


def check_band_totals(bands: list[HorizonBand], out: _Collector) -> None:
    total_min = sum(b.min_pct for b in bands)
    if total_min > 100 + 1e-9:
        out.add("rules.horizon_bands", f"the minimum shares add up to {total_min:g}%, over 100%. Lower some minimums.")
    maxima = {b.horizon: b.max_pct for b in bands}
    total_max = sum(maxima.get(h, 100.0) for h in HORIZONS)
    if total_max < 100 - 1e-9:
        out.add(
            "rules.horizon_bands",
            f"the maximum shares add up to {total_max:g}%, under 100%, so no selection can meet them (the three "
            "shares always add up to 100%). Raise some maximums.",
        )


def parse_theme_limits(raw: Any, out: _Collector) -> tuple[ThemeLimit, ...]:
    shape = 'mapping a theme to {min, max}, e.g. {"digital": {"max": 3}}'
    section = _mapping_section(raw, out, "rules.theme_limits", shape)
    if len(section) > MAX_THEME_LIMITS:
        out.add("rules.theme_limits", f"has {len(section):,} themes; the limit is {MAX_THEME_LIMITS}.")
        return ()
    limits: list[ThemeLimit] = []
    for key, limit in section.items():
        field = f"rules.theme_limits.{key}"
        theme = _text_field(out, key, field)
        if theme is None:
            continue
        if not theme:
            out.add(field, "a theme limit needs the name of a theme.")
            continue
        if not isinstance(limit, Mapping):
            out.add(field, f'must be an object {{min, max}}, e.g. {{"max": 3}}, not {kind_of(limit)}.', value=limit)
            continue
        _check_keys(out, limit, THEME_LIMIT_KEYS, what="a theme limit", prefix=f"{field}.")
        low_count, high_count = (
            _count_field(out, limit.get(key), f"{field}.{key}", blank="blank for none") for key in THEME_LIMIT_KEYS
        )
        if low_count is not None and high_count is not None and low_count > high_count:
            out.add(
                field, f"minimum {low_count} is above maximum {high_count}. Lower the minimum or raise the maximum."
            )
            continue
        if low_count is not None or high_count is not None:
            limits.append(ThemeLimit(theme=theme, min_count=low_count, max_count=high_count))
    return tuple(limits)


def parse_rules(raw: Any, out: _Collector, plan: PlanSettings | None = None) -> Rules:
    """The rules; year locks and forbidden starts are read against `plan` (None: a plan of up to 10 years)."""
    if raw is None:
        return Rules()
    if not isinstance(raw, Mapping):
        out.add("rules", f"must be an object ({', '.join(RULE_KEYS)}), not {kind_of(raw)}.", value=raw)
        return Rules()
    _check_keys(out, raw, RULE_KEYS, what="the rules", prefix="rules.")
    max_priorities = _count_field(out, raw.get("max_priorities"), "rules.max_priorities", blank="blank for no limit")
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
    balance_dimension = _text_field(out, raw.get("balance_dimension"), "rules.balance_dimension")
    expected_value = _rule_bool(out, raw.get("expected_value"), "rules.expected_value")
    return Rules(
        expected_value=expected_value,
        readiness=parse_readiness_rule(raw, out),
        balance_dimension=balance_dimension or None,
        max_priorities=max_priorities,
        horizon_bands=parse_horizon_bands(raw.get("horizon_bands"), out),
        theme_limits=parse_theme_limits(raw.get("theme_limits"), out),
        locked_in=_id_list(out, raw.get("locked_in"), "rules.locked_in"),
        locked_out=_id_list(out, raw.get("locked_out"), "rules.locked_out"),
        sensitivity_penalty=penalty,
        year_locks=parse_year_locks(raw.get("year_locks"), out, plan),
        forbidden_starts=parse_forbidden_starts(raw.get("forbidden_starts"), out, plan),
    )


def _rule_bool(out: _Collector, value: Any, field: str) -> bool:
    if out.blank(value):
        return False
    answer = to_bool(value)
    if answer is None:
        out.add(field, f"{_quote(value)} is not yes or no. Use yes/no, y/n or true/false.", value=value)
        return False
    return answer


def parse_readiness_rule(raw: Mapping[str, Any], out: _Collector) -> ReadinessRule:
    """The readiness rule from the flat rules settings (README, "Readiness"); blank settings keep the defaults."""
    default = ReadinessRule()
    values: dict[str, float] = {}
    for key, attribute in READINESS_RULE_KEYS.items():
        values[attribute] = _number_field(
            out,
            raw.get(key),
            f"rules.{key}",
            low=0.0,
            high=100.0,
            hint="Enter a delivery confidence as a percentage from 0 to 100 (blank for the default).",
            required=False,
            default=getattr(default, attribute),
        )
    return ReadinessRule(**values)


# ---------------------------------------------------------------- the plan: years, labels, per-year figures

_LABEL_LIKE = re.compile(r"(\d{4})/(\d{2}|\d{4})")
_YEAR_WORD = re.compile(r"year(\d{1,2})")


def _year_key(text: str) -> str:
    """A year as typed, compared loosely: '2027-28', ' 2027/2028 ' and '2027/28' are one; 'Year 3' -> 'year3'."""
    key = re.sub(r"\s+", "", text.strip().lower()).replace("-", "/")
    match = _LABEL_LIKE.fullmatch(key)
    if match:
        key = f"{match.group(1)}/{match.group(2)[-2:]}"
    return key


def _plan_years(plan: PlanSettings | None) -> int:
    return plan.years if plan is not None else PLAN_YEARS_MAX


def year_hint(plan: PlanSettings | None) -> str:
    """How to write a year of the plan, for messages."""
    if plan is None:
        return f"Enter a plan year as a number from 1 to {PLAN_YEARS_MAX}."
    labels = plan.labels
    if plan.years == 1:
        return f"The plan has one year: enter 1 or {labels[0]} (or lengthen the plan on the Capacity page)."
    return f"Enter a year of the plan: a number from 1 to {plan.years} or its label, {labels[0]} to {labels[-1]}."


def parse_year(value: Any, plan: PlanSettings | None) -> int | str:
    """A plan year (1-based) from a whole number or a label of the plan ('2027/28', 'Year 2'), or a sentence
    saying why the value is not one. `plan` None (the plan itself was refused): any year 1-10, numbers only."""
    years = _plan_years(plan)
    if isinstance(value, str):
        key = _year_key(value)
        labels = plan.labels if plan is not None else ()
        for index, label in enumerate(labels, start=1):
            if _year_key(label) == key:
                return index
        if _LABEL_LIKE.fullmatch(key) and labels:
            return f"{_quote(value)} is not a year of the plan, which runs from {labels[0]} to {labels[-1]}."
        word = _YEAR_WORD.fullmatch(key)
        if word:
            value = word.group(1)
    number = parse_number(value)
    if isinstance(number, str):
        return f"{_quote(value)} is not a year."
    if number != int(number):
        return f"{_quote(value)} is not a whole year."
    if not 1 <= number <= years:
        return f"year {number:g} is outside the plan, which has {years} year{'s' if years != 1 else ''}."
    return int(number)


def _year_field(
    out: _Collector,
    value: Any,
    field: str,
    plan: PlanSettings | None,
    *,
    priority_id: str | None = None,
    row: int | None = None,
) -> int | None:
    """A plan year, or None when blank or refused (the problem added). A year label is not read while the plan
    itself is refused (`plan` None): the plan's problems are reported, and the label is read once they are put
    right."""
    if out.blank(value):
        return None
    if plan is None and isinstance(value, str) and _LABEL_LIKE.fullmatch(_year_key(value)):
        return None
    year = parse_year(value, plan)
    if isinstance(year, str):
        out.add(field, f"{year} {year_hint(plan)}", priority_id, row, value)
        return None
    return year


def _whole_field(
    out: _Collector,
    value: Any,
    field: str,
    *,
    low: int,
    high: int,
    hint: str,
    priority_id: str | None = None,
    row: int | None = None,
) -> int | None:
    """A whole number low..high, or None when blank or refused (the problem added)."""
    if out.blank(value):
        return None
    number = parse_number(value)
    if isinstance(number, str):
        out.add(field, f"{number} {hint}", priority_id, row, value)
        return None
    if number != int(number) or not low <= number <= high:
        why = "is not a whole number" if number != int(number) else "is negative" if number < 0 else "is out of range"
        out.add(field, f"{number:g} {why}. {hint}", priority_id, row, value)
        return None
    return int(number)


def parse_plan(raw: Any, out: _Collector) -> PlanSettings | None:
    """The plan settings {years, first_year, value_mode} (absent: a one-year plan). None when its length or
    first year is refused (the problems added), so that years elsewhere are read without the plan's length
    or labels; a refused value mode is reported and the plan's years are still used to read the rest."""
    if raw is None:
        return PlanSettings()
    if not isinstance(raw, Mapping):
        out.add(
            "plan",
            f'must be an object {{years, first_year, value_mode}}, e.g. {{"years": 5, "first_year": "2026/27"}}, '
            f"not {kind_of(raw)}.",
            value=raw,
        )
        return None
    _check_keys(out, raw, PLAN_KEYS, what="the plan", prefix="plan.")
    before = out.count
    years = _whole_field(
        out,
        raw.get("years"),
        "plan.years",
        low=PLAN_YEARS_MIN,
        high=PLAN_YEARS_MAX,
        hint=f"Enter the plan's length as a whole number of years from {PLAN_YEARS_MIN} to {PLAN_YEARS_MAX}.",
    )
    first = _text_field(out, raw.get("first_year"), "plan.first_year", limit=MAX_FIRST_YEAR_LENGTH)
    default = PlanSettings()
    if first:
        match = _LABEL_LIKE.fullmatch(_year_key(first))
        if match:
            start, end = int(match.group(1)), int(match.group(2)[-2:])
            if end != (start + 1) % 100:
                out.add(
                    "plan.first_year",
                    f"{_quote(first)} is not a financial year (one year to the next). Write it as "
                    f"{start}/{(start + 1) % 100:02d}.",
                    value=first,
                )
            first = f"{start}/{end:02d}"
    if out.count > before:
        return None
    mode = _text_field(out, raw.get("value_mode"), "plan.value_mode")
    if mode and mode not in VALUE_MODES:
        options = "; ".join(f"'{key}': {text.lower()}" for key, text in VALUE_MODES.items())
        out.add(
            "plan.value_mode",
            f"{_quote(mode)} is not a value mode. {suggest(mode, list(VALUE_MODES))} The modes are {options}.",
            value=mode,
        )
    return PlanSettings(
        years=years if years is not None else default.years,
        first_year=first or default.first_year,
        value_mode=mode if mode in VALUE_MODES else default.value_mode,
    )


def _figures(value: Any) -> list[Any] | None:
    """The items of a list of figures: a JSON list, one number, or text '657, 680, 700' (separated by ',', ';'
    or spaces); None when the value is none of these."""
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, str):
        return [part for part in re.split(r"[;,\s]+", value.strip()) if part]
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return [value]
    return None


def _by_year(
    out: _Collector,
    value: Any,
    field: str,
    plan: PlanSettings | None,
    *,
    high: float,
    hint: str,
) -> tuple[float, ...]:
    """A dimension's figure for each plan year from year 1 (a year beyond the list takes its last figure);
    () when blank or refused."""
    if out.blank(value):
        return ()
    items = _figures(value)
    if items is None:
        out.add(field, f"must be a list of numbers, one per plan year from year 1, not {kind_of(value)}. {hint}")
        return ()
    if isinstance(value, str) and (problem := text_problem(value)):
        out.add(field, problem, value=value)
        return ()
    years = _plan_years(plan)
    if len(items) > years:
        out.add(
            field,
            f"has {len(items)} figures but the plan has {years} year{'s' if years != 1 else ''}. Remove the "
            f"figures after year {years}, or lengthen the plan.",
            value=value,
        )
        return ()
    before = out.count
    figures = [
        _number_field(out, item, f"{field} year {n}", low=0.0, high=high, hint=hint)
        for n, item in enumerate(items, start=1)
    ]
    return tuple(figures) if out.count == before else ()


def _split_pairs(text: str, separator: str) -> list[tuple[str, str | None, str]] | str:
    """Split 'name: value; name: value' into (name, value text or None, the part as written), or say why it
    cannot be split. Parts are separated by ';'; a name is written as it is, or in double quotes (a quote
    inside doubled) when it holds a ';' or starts with a quote; the value follows the last `separator`."""
    parts: list[tuple[str, str | None, str]] = []
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i] in " ;":
            i += 1
        if i >= n:
            break
        start = i
        if text[i] == '"':
            chars: list[str] = []
            i += 1
            while i < n and not (text[i] == '"' and text[i + 1 : i + 2] != '"'):
                chars.append(text[i])
                i += 2 if text[i] == '"' else 1
            if i >= n:
                return f"{_quote(text[start:])} opens a quote that is not closed."
            name = "".join(chars)
            end = text.find(";", i + 1)
            end = n if end < 0 else end
            rest = text[i + 1 : end].strip()
            value = rest[1:] if rest.startswith(separator) else None
        else:
            end = text.find(";", i)
            end = n if end < 0 else end
            name, found, value_text = text[i:end].rpartition(separator)
            name = name.strip()
            value = value_text if found else None
        parts.append((name, value, text[start:end]))
        i = end + 1
    return parts


def _pairs(
    out: _Collector,
    value: Any,
    field: str,
    *,
    shape: str,
    example: str,
    priority_id: str | None = None,
    row: int | None = None,
) -> list[tuple[str, Any]]:
    """(name, value) pairs from a JSON object or from text 'name: value; name: value' (see `_split_pairs`);
    a name given twice is refused."""
    if out.blank(value):
        return []
    items: list[tuple[str, Any]] = []
    if isinstance(value, Mapping):
        items = [(str(k), v) for k, v in value.items()]
    elif isinstance(value, str):
        problem = text_problem(value)
        if problem:
            out.add(field, problem, priority_id, row, value)
            return []
        if len(value) > MAX_PAIRS_TEXT:
            out.add(field, f"is {len(value):,} characters long; the limit is {MAX_PAIRS_TEXT:,}.", priority_id, row)
            return []
        parts = _split_pairs(value, ":")
        if isinstance(parts, str):
            out.add(field, f"{parts} Write it as {example}.", priority_id, row, value)
            return []
        for name, text, part in parts:
            if not name or text is None or not text.strip():
                out.add(
                    field,
                    f"{_quote(part.strip())} is not in the form name: value. Write it as {example}.",
                    priority_id,
                    row,
                )
                continue
            items.append((name, text.strip()))
    else:
        out.add(field, f"must be {shape} or text such as {example}, not {kind_of(value)}.", priority_id, row, value)
        return []
    seen: set[str] = set()
    unique = []
    for name, item in items:
        if name in seen:
            out.add(field, f"{_quote(name)} is given twice. Keep one.", priority_id, row)
            continue
        seen.add(name)
        unique.append((name, item))
    return unique


def parse_year_locks(raw: Any, out: _Collector, plan: PlanSettings | None) -> tuple[tuple[str, int], ...]:
    """Rules: {priority id: the year it is locked to start in (for an existing activity, the year it stops
    from)}, from an object or text 'LOC-WF03: 2026/27; NAT-DIG01: 2'."""
    locks = []
    for pid, value in _pairs(
        out,
        raw,
        "rules.year_locks",
        shape="an object mapping a priority id to a year",
        example="'LOC-WF03: 2026/27; NAT-DIG01: 2'",
    ):
        year = _year_field(out, value, "rules.year_locks", plan, priority_id=pid)
        if year is not None:
            locks.append((pid, year))
    return tuple(locks)


def parse_forbidden_starts(raw: Any, out: _Collector, plan: PlanSettings | None) -> tuple[tuple[str, int], ...]:
    """Rules: {priority id: [years it may not start in]}, from an object or text 'LOC-WF03: 1, 2; NAT-DIG01:
    2027/28'; each priority's years in order, without repeats."""
    found = []
    for pid, value in _pairs(
        out,
        raw,
        "rules.forbidden_starts",
        shape="an object mapping a priority id to a list of years",
        example="'LOC-WF03: 1, 2; NAT-DIG01: 2027/28'",
    ):
        items = (
            list(value)
            if isinstance(value, (list, tuple))
            else [part for part in re.split(r"[;,]", value) if part.strip()]
            if isinstance(value, str)
            else [value]
        )
        years = {
            year
            for item in items
            if (year := _year_field(out, item, "rules.forbidden_starts", plan, priority_id=pid)) is not None
        }
        found += [(pid, year) for year in sorted(years)]
    return tuple(found)


# ---------------------------------------------------------------- priorities


def parse_rating(value: Any) -> int | None | str:
    """A readiness rating 1-4 (a whole number or its anchor word), None when blank (not assessed), or a
    sentence saying why the value is not one."""
    if is_blank(value):
        return None
    if isinstance(value, str):
        words = {label.lower(): n for n, label in READINESS_SCALE.items()}
        if value.strip().lower() in words:
            return words[value.strip().lower()]
    number = parse_number(value)
    if isinstance(number, str) or number != int(number) or not READINESS_MIN <= number <= READINESS_MAX:
        return f"{_quote(value)} is not a rating."
    return int(number)


RATING_HINT = (
    ", ".join(f"{n} ({label})" for n, label in READINESS_SCALE.items()) + ", or leave it blank for not assessed."
)


def _readiness(record: Mapping[str, Any], out: _Collector, pid: str, row: int) -> tuple[tuple[str, int], ...]:
    """Ratings from 'ready:<factor>' columns or the JSON form's 'readiness' object (factor -> rating)."""
    nested = record.get("readiness")
    if nested is None:
        nested = {}
    elif not isinstance(nested, Mapping):
        out.add(
            "readiness",
            f"must be an object mapping each success factor to a rating from {READINESS_MIN} to {READINESS_MAX}, "
            f"not {kind_of(nested)}.",
            pid,
            row,
        )
        nested = {}
    for name in nested:
        if name not in READINESS_FACTOR_NAMES:
            out.add(
                "readiness",
                f"{_quote(name)} is not a success factor. {suggest(str(name), READINESS_FACTOR_NAMES)}",
                pid,
                row,
            )
    ratings = []
    for factor in READINESS_FACTOR_NAMES:
        key = READY_PREFIX + factor
        value = record[key] if key in record else nested.get(factor)
        if out.blank(value):
            continue
        rating = parse_rating(value)
        if isinstance(rating, str):
            out.add(key, f"{rating} Enter {RATING_HINT}", pid, row, value)
        elif rating is not None:
            ratings.append((factor, rating))
    return tuple(ratings)


_RANGE_TEXT = re.compile(r"\s*(.+?)\s*\.\.\s*(.+?)\s*")
RANGES_HINT = (
    "Write each range as column=low..high, separated by ';', e.g. 'score:outcomes=6..9; cost:operational=2..4'."
)


def _range_parts(text: str) -> list[tuple[str, str | None, str]] | str:
    """Split the table form of ranges into (column, bounds text or None, the part as written), or say why it
    cannot be split (see `_split_pairs`; the bounds follow the last '=')."""
    return _split_pairs(text, "=")


def _range_items(value: Any, out: _Collector, pid: str, row: int) -> list[tuple[str, Any, Any]]:
    """(column, low, high) from the JSON form's object {column: {low, high}} or the table's text."""
    if out.blank(value):
        return []
    items: list[tuple[str, Any, Any]] = []
    if isinstance(value, Mapping):
        for column, bounds in value.items():
            if not isinstance(bounds, Mapping):
                out.add(
                    RANGES_COLUMN,
                    f'the range of {_quote(column)} must be an object {{low, high}}, e.g. {{"low": 6, "high": 9}}, '
                    f"not {kind_of(bounds)}.",
                    pid,
                    row,
                )
                continue
            for key in bounds:
                if key not in RANGE_KEYS:
                    out.add(
                        RANGES_COLUMN,
                        f"unknown field {_quote(key)} in the range of {_quote(column)}. Use low and high.",
                        pid,
                        row,
                    )
            items.append((str(column), bounds.get("low"), bounds.get("high")))
        return items
    if not isinstance(value, str):
        out.add(RANGES_COLUMN, f"must be text, not {kind_of(value)}. {RANGES_HINT}", pid, row, value)
        return []
    problem = text_problem(value)
    if problem:
        out.add(RANGES_COLUMN, problem, pid, row, value)
        return []
    if len(value) > MAX_RANGES_TEXT:
        out.add(RANGES_COLUMN, f"is {len(value):,} characters long; the limit is {MAX_RANGES_TEXT}.", pid, row, value)
        return []
    parts = _range_parts(value)
    if isinstance(parts, str):
        out.add(RANGES_COLUMN, f"{parts} {RANGES_HINT}", pid, row, value)
        return []
    for column, bounds, part in parts:
        match = _RANGE_TEXT.fullmatch(bounds) if bounds is not None else None
        if not column or match is None:
            out.add(RANGES_COLUMN, f"{_quote(part.strip())} is not a range. {RANGES_HINT}", pid, row, value)
            continue
        items.append((column, match.group(1), match.group(2)))
    return items


def _ranges(
    record: Mapping[str, Any],
    costs: tuple[tuple[str, float], ...],
    scores: tuple[tuple[str, float], ...],
    units: Mapping[str, str],
    out: _Collector,
    pid: str,
    row: int,
) -> tuple[tuple[str, float, float], ...]:
    """Checked ranges: a known score or cost column, low <= the likely figure (the score or cost) <= high,
    each within the figure's own limits."""
    likely = {SCORE_PREFIX + n: v for n, v in scores} | {COST_PREFIX + n: v for n, v in costs}
    found: dict[str, tuple[str, float, float]] = {}
    for column, low_raw, high_raw in _range_items(record.get(RANGES_COLUMN), out, pid, row):
        if column not in likely:
            out.add(
                RANGES_COLUMN,
                f"{_quote(column)} is not a score or cost column. {suggest(column, list(likely))}",
                pid,
                row,
            )
            continue
        if column in found:
            out.add(RANGES_COLUMN, f"{_quote(column)} has two ranges. Keep one.", pid, row)
            continue
        is_score = column.startswith(SCORE_PREFIX)
        high_limit = SCORE_MAX if is_score else MAX_AMOUNT
        hint = (
            f"Enter low and high from {SCORE_MIN:g} to {SCORE_MAX:g}."
            if is_score
            else _amount_hint(f"low and high of {units.get(column.removeprefix(COST_PREFIX)) or 'units'}")
        )
        before = out.count
        low = _number_field(
            out, low_raw, f"{RANGES_COLUMN} {column} low", low=0.0, high=high_limit, hint=hint, priority_id=pid, row=row
        )
        high = _number_field(
            out,
            high_raw,
            f"{RANGES_COLUMN} {column} high",
            low=0.0,
            high=high_limit,
            hint=hint,
            priority_id=pid,
            row=row,
        )
        if out.count > before:
            continue
        value = likely[column]
        if not low <= value <= high:
            out.add(
                RANGES_COLUMN,
                f"the range of {column} is {low:g} to {high:g} but the likely figure (the {'score' if is_score else 'cost'} "
                f"itself) is {value:g}. Make low at most {value:g} and high at least {value:g}.",
                pid,
                row,
            )
            continue
        found[column] = (column, low, high)
    order = [SCORE_PREFIX + n for n, _ in scores] + [COST_PREFIX + n for n, _ in costs]
    return tuple(found[c] for c in order if c in found)


def _priority_id(out: _Collector, value: Any, row: int) -> str | None:
    pid = _text_field(out, value, "id", priority_id=value if isinstance(value, str) else None, row=row, limit=10**6)
    if pid is None:
        return None
    if not pid:
        out.add("id", "is missing. Give every priority a short unique id such as 'UEC01'.", None, row)
        return None
    if not _ID_PATTERN.fullmatch(pid):
        out.add(
            "id",
            f"{_quote(pid)} is not a valid id. Use up to {MAX_ID_LENGTH} letters, digits, '-', '_' or '.', starting "
            "with a letter or digit.",
            pid,
            row,
        )
        return None
    return pid


def _choice_field(
    out: _Collector, value: Any, field: str, choices: tuple[str, ...], noun: str, pid: str, row: int
) -> str:
    text = _text_field(out, value, field, priority_id=pid, row=row)
    if text is None:
        return ""
    if text.lower() not in choices:
        quoted = [f"'{c}'" for c in choices]
        options = f"{', '.join(quoted[:-1])} or {quoted[-1]}"
        found = f"{_quote(text)} is not {noun}" if text else "is missing"
        out.add(field, f"{found}. Use {options}.", pid, row, value)
        return ""
    return choices[choices.index(text.lower())]  # the choice itself, not a copy per priority (memory)


def _bool_field(out: _Collector, value: Any, field: str, pid: str, row: int) -> bool:
    if out.blank(value):
        return False
    answer = None if isinstance(value, float) and math.isnan(value) else to_bool(value)
    if answer is None:
        found = f"{_quote(value)} is not" if isinstance(value, (str, numbers.Real)) else f"{kind_of(value)} is not"
        out.add(field, f"{found} yes or no. Use yes/no, y/n or true/false.", pid, row, value)
        return False
    return answer


def _nested(record: Mapping[str, Any], key: str, names: list[str], noun: str, out: _Collector, pid: str, row: int):
    """The JSON form's 'costs' or 'scores' object, its keys checked against the dimension or criterion names."""
    value = record.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        out.add(key, f"must be an object mapping each {noun} to a number, not {kind_of(value)}.", pid, row, value)
        return {}
    for name in value if names else ():  # no names: the section itself was refused, which says enough
        if name not in names:
            out.add(key, f"{_quote(name)} is not a {noun}. {suggest(str(name), names)}", pid, row)
    return value


def _amounts(
    record: Mapping[str, Any],
    names: list[str],
    nested: Mapping[str, Any],
    prefix: str,
    out: _Collector,
    pid: str,
    row: int,
    *,
    high: float,
    hint: Any,
) -> tuple[tuple[str, float], ...]:
    values = []
    for name in names:
        key = prefix + name
        raw_value = record[key] if key in record else nested.get(name)
        number = _number_field(out, raw_value, key, low=0.0, high=high, hint=hint(name), priority_id=pid, row=row)
        values.append((name, number))
    return tuple(values)


def _plan_fields(
    record: Mapping[str, Any],
    pid: str,
    row: int,
    requires: tuple[str, ...],
    dimension_names: list[str],
    plan: PlanSettings | None,
    out: _Collector,
) -> dict[str, Any]:
    """A priority's fields for a multi-year plan (README, "Portfolio file format"), each checked on its own
    and against the others of the same row."""
    years = _plan_years(plan)
    label = (lambda t: f"{plan.label(t)} (year {t})") if plan is not None else (lambda t: f"year {t}")
    existing = _bool_field(out, record.get("existing"), "existing", pid, row)
    duration = _whole_field(
        out,
        record.get("duration"),
        "duration",
        low=1,
        high=PLAN_YEARS_MAX,
        hint=f"Enter the years of delivery effort as a whole number from 1 to {years} (blank for 1).",
        priority_id=pid,
        row=row,
    )
    if duration is not None and duration > years:
        out.add(
            "duration",
            f"{duration} years is longer than the plan ({years} year{'s' if years != 1 else ''}). Shorten the "
            "duration or lengthen the plan.",
            pid,
            row,
            duration,
        )
    earliest = _year_field(out, record.get("earliest_start"), "earliest_start", plan, priority_id=pid, row=row)
    deadline = _year_field(out, record.get("deadline"), "deadline", plan, priority_id=pid, row=row)
    alongside = _id_list(out, record.get("alongside"), "alongside", priority_id=pid, row=row)
    for other in alongside:
        if other not in requires:
            out.add(
                "alongside",
                f"'{other}' is not one of its prerequisites (requires). 'Alongside' lets it run alongside a "
                f"prerequisite that only needs to have started: add '{other}' to requires, or remove it from "
                "alongside.",
                pid,
                row,
                other,
            )
    lags: list[tuple[str, int]] = []
    for other, value in _pairs(
        out,
        record.get("lags"),
        "lags",
        shape="an object mapping a prerequisite's id to years",
        example="'LOC-NH04: 1; LOC-DIG01: 2'",
        priority_id=pid,
        row=row,
    ):
        lag = _whole_field(
            out,
            value,
            "lags",
            low=0,
            high=PLAN_YEARS_MAX,
            hint=f"A lag is the whole number of years to wait after '{other}' finishes: 0 to {PLAN_YEARS_MAX}.",
            priority_id=pid,
            row=row,
        )
        if other not in requires:
            out.add(
                "lags",
                f"has a lag after '{other}', which is not one of its prerequisites (requires). Add '{other}' to "
                "requires, or remove its lag.",
                pid,
                row,
                other,
            )
        elif other in alongside:
            out.add(
                "lags",
                f"has a lag after '{other}' finishes, but may run alongside '{other}' (it only needs to have "
                "started). Remove the lag or remove it from alongside.",
                pid,
                row,
                other,
            )
        elif lag is not None:
            lags.append((other, lag))
    gains: list[tuple[str, float]] = []
    for name, value in _pairs(
        out,
        record.get("gains"),
        "gains",
        shape="an object mapping a capacity dimension to the amount added each year after it finishes",
        example="'improvement_support: 20; operational: 5'",
        priority_id=pid,
        row=row,
    ):
        if name not in dimension_names:
            out.add(
                "gains",
                f"{_quote(name)} is not a capacity dimension. {suggest(name, dimension_names)}",
                pid,
                row,
                name,
            )
            continue
        amount = _number_field(
            out,
            value,
            "gains",
            low=0.0,
            high=MAX_AMOUNT,
            hint=_amount_hint(f"the {name} capacity it adds each year after it finishes"),
            priority_id=pid,
            row=row,
        )
        gains.append((name, amount))
    profile: list[tuple[str, tuple[float, ...]]] = []
    length = duration or 1
    for name, value in _pairs(
        out,
        record.get("cost_profile"),
        "cost_profile",
        shape="an object mapping a capacity dimension to its cost in each delivery year",
        example="'operational: 10, 8, 5; strategic: 4, 2'",
        priority_id=pid,
        row=row,
    ):
        if name not in dimension_names:
            out.add(
                "cost_profile",
                f"{_quote(name)} is not a capacity dimension. {suggest(name, dimension_names)}",
                pid,
                row,
                name,
            )
            continue
        items = _figures(value)
        if not items:
            out.add(
                "cost_profile",
                f"the profile of {name} must be a list of costs, one per delivery year, not {kind_of(value)}.",
                pid,
                row,
            )
            continue
        if len(items) > length:
            out.add(
                "cost_profile",
                f"the profile of {name} has {len(items)} yearly costs but it is delivered over {length} "
                f"year{'s' if length != 1 else ''}. Give at most {length} (a shorter profile repeats its last "
                "cost), or lengthen the duration.",
                pid,
                row,
            )
            continue
        hint = _amount_hint(f"the {name} capacity it needs in each delivery year")
        profile.append(
            (
                name,
                tuple(
                    _number_field(
                        out, item, "cost_profile", low=0.0, high=MAX_AMOUNT, hint=hint, priority_id=pid, row=row
                    )
                    for item in items
                ),
            )
        )
    if existing:
        _check_existing(record, pid, row, requires, out)
    elif earliest is not None or deadline is not None or duration is not None:
        start, length = earliest or 1, duration or 1
        finish = start + length - 1
        taking = f"takes {length} year{'s' if length != 1 else ''}"
        if deadline is not None and finish > deadline:
            out.add(
                "deadline",
                f"{label(deadline)} comes before it can be finished: it starts in {label(start)} at the earliest "
                f"and {taking}, so it finishes in {label(finish)} at the earliest. Move the deadline to "
                f"{label(finish)} or later, or make the earliest start or the duration smaller.",
                pid,
                row,
                record.get("deadline"),
            )
        elif finish > years and length <= years:
            out.add(
                "earliest_start",
                f"it starts in {label(start)} at the earliest and {taking}, so it would not finish within the "
                f"plan, which ends in {label(years)}. Make the earliest start or the duration smaller, or lengthen "
                "the plan.",
                pid,
                row,
                record.get("earliest_start"),
            )
    return {
        "duration": duration or 1,
        "earliest_start": earliest or 1,
        "deadline": deadline,
        "existing": existing,
        "alongside": alongside,
        "lags": tuple(lags),
        "gains": tuple(gains),
        "cost_profile": tuple(profile),
    }


_EXISTING = (
    "An existing activity is already running: the plan only decides whether to continue it or to stop it from a year"
)


def _check_existing(record: Mapping[str, Any], pid: str, row: int, requires: tuple[str, ...], out: _Collector) -> None:
    """An existing activity has no duration, start, deadline, cost profile or gains, and needs no prerequisite."""
    has_none = {
        "duration": "so it has no duration",
        "earliest_start": "so it has no start year",
        "deadline": "so it has no deadline",
        "cost_profile": "so it has no delivery years to profile (it costs its yearly costs while it runs)",
        "gains": "so it adds no capacity on finishing (it never finishes)",
    }
    for field, why in has_none.items():
        if not out.blank(record.get(field)) and record.get(field) not in ({}, [], ()):
            out.add(
                field,
                f"{_EXISTING}, {why}. Clear {field}, or untick existing if this is new work.",
                pid,
                row,
                record.get(field),
            )
    if requires:
        out.add(
            "requires",
            f"{_EXISTING}, so it cannot wait for a prerequisite ({', '.join(requires)}). Remove them from requires, "
            "or untick existing if this is new work.",
            pid,
            row,
        )


def parse_priority_record(
    record: Mapping[str, Any],
    row: int,
    dimensions: tuple[CapacityDimension, ...],
    criteria: tuple[Criterion, ...],
    out: _Collector,
    plan: PlanSettings | None = PlanSettings(),
) -> Priority | None:
    """One priority from a flat record: base columns plus 'cost:<dim>' and 'score:<criterion>'.

    Nested 'costs'/'scores' mappings (the JSON form) are accepted as well.
    """
    before = out.count
    pid = _priority_id(out, record.get("id"), row)
    if pid is None:
        return None
    # Ids and themes are interned: one copy of each, shared by the priorities that name them (memory).
    pid = sys.intern(pid)
    name = _text_field(out, record.get("name"), "name", priority_id=pid, row=row, limit=MAX_NAME_LENGTH)
    if name == "":
        out.add("name", "is missing. Give the priority a name.", pid, row)
    source = _choice_field(out, record.get("source"), "source", SOURCES, "a source", pid, row)
    horizon = _choice_field(out, record.get("horizon"), "horizon", HORIZONS, "a horizon", pid, row)
    owner = _text_field(out, record.get("owner"), "owner", priority_id=pid, row=row)
    theme = _text_field(out, record.get("theme"), "theme", priority_id=pid, row=row)
    theme = sys.intern(theme) if theme else theme
    must_do = _bool_field(out, record.get("must_do"), "must_do", pid, row)
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
    units = {d.name: d.unit for d in dimensions}
    dimension_names = [d.name for d in dimensions]
    criterion_names = [c.name for c in criteria]
    costs = _amounts(
        record,
        dimension_names,
        _nested(record, "costs", dimension_names, "capacity dimension", out, pid, row),
        COST_PREFIX,
        out,
        pid,
        row,
        high=MAX_AMOUNT,
        hint=lambda dim: _amount_hint(f"the {units[dim] or 'units'} of {dim} capacity it needs"),
    )
    scores = _amounts(
        record,
        criterion_names,
        _nested(record, "scores", criterion_names, "criterion", out, pid, row),
        SCORE_PREFIX,
        out,
        pid,
        row,
        high=SCORE_MAX,
        hint=lambda _: f"Enter a score from {SCORE_MIN:g} to {SCORE_MAX:g}.",
    )
    requires = _id_list(out, record.get("requires"), "requires", priority_id=pid, row=row)
    excludes = _id_list(out, record.get("excludes"), "excludes", priority_id=pid, row=row)
    readiness = _readiness(record, out, pid, row)
    timing = _plan_fields(record, pid, row, requires, dimension_names, plan, out)
    ranges = _ranges(record, costs, scores, units, out, pid, row) if out.count == before else ()
    if out.count > before:
        return None
    return Priority(
        id=pid,
        name=name or "",
        source=source,
        owner=owner or "",
        theme=theme or "",
        horizon=horizon,
        costs=costs,
        scores=scores,
        must_do=must_do,
        sensitivity=sensitivity,
        requires=requires,
        excludes=excludes,
        readiness=readiness,
        ranges=ranges,
        **timing,
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
    clean = not out.count
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
    if clean and not out.count:
        cycle = find_prerequisite_cycle(priorities)
        if cycle:
            chain = " -> ".join(cycle)
            out.add(
                "requires",
                f"prerequisites form a cycle: {chain}. Remove one of these links.",
                cycle[0],
                rows.get(cycle[0]),
            )


def _finish_years(priorities: tuple[Priority, ...], years: int) -> dict[str, tuple[int, int, str | None]]:
    """For each priority: the earliest year it can start and finish given its own earliest start, its
    duration and its prerequisites (finish-to-start plus lags, or only started for 'alongside'), and the
    prerequisite that holds it back most (None: its own earliest start). An existing activity is running
    from before year 1 (start 0, finish 0) and holds nothing back (what needs it may start while it runs);
    in a one-year plan every prerequisite runs alongside. The prerequisites must form no cycle."""
    by_id = {p.id: p for p in priorities}
    found: dict[str, tuple[int, int, str | None]] = {}

    def visit(root: str) -> None:
        stack = [root]
        while stack:
            pid = stack[-1]
            if pid in found:
                stack.pop()
                continue
            p = by_id[pid]
            waiting = [r for r in p.requires if r in by_id and r not in found]
            if waiting:
                stack.extend(waiting)
                continue
            stack.pop()
            if p.existing:
                found[pid] = (0, 0, None)
                continue
            start, holder = p.earliest_start, None
            for r in p.requires:
                if r not in by_id or by_id[r].existing:
                    continue
                r_start, r_finish, _ = found[r]
                allowed = r_start if p.runs_alongside(r, years) else r_finish + 1 + p.lag(r)
                if allowed > start:
                    start, holder = allowed, r
            found[pid] = (start, start + p.duration - 1, holder)

    for p in priorities:
        visit(p.id)
    return found


def check_plan(
    priorities: tuple[Priority, ...],
    row_numbers: list[int],
    rules: Rules,
    plan: PlanSettings,
    out: _Collector,
) -> None:
    """Cross-row checks of a plan: every must-do can be finished by its deadline (or within the plan) through
    its chain of prerequisites, and year locks and forbidden starts name priorities and fit their windows."""
    rows = dict(zip((p.id for p in priorities), row_numbers))
    by_id = {p.id: p for p in priorities}

    def label(year: int) -> str:
        return f"{plan.label(year)} (year {year})" if year >= 1 else f"year {year}"

    for p in priorities:
        for other, _ in p.lags:
            if other in by_id and by_id[other].existing:
                out.add(
                    "lags",
                    f"has a lag after '{other}', an existing activity: it is already running and has no finish to "
                    "wait for (what needs it may start while it runs). Remove the lag.",
                    p.id,
                    rows.get(p.id),
                    other,
                )
    finish = _finish_years(priorities, plan.years)
    for p in priorities:
        if not p.must_do or p.existing:
            continue
        limit = p.deadline if p.deadline is not None else plan.years
        start, end, holder = finish[p.id]
        if end <= limit or holder is None:  # without a holder its own fields were checked on its row
            continue
        chain = [p.id]
        while (previous := finish[chain[-1]][2]) is not None:
            chain.append(previous)
        steps = []
        for pid in reversed(chain):
            q = by_id[pid]
            q_start, q_end, q_holder = finish[pid]
            if q.existing:
                steps.append(f"{pid} (already running)")
                continue
            how = ""
            if q_holder is not None:
                how = (
                    " alongside it"
                    if q.runs_alongside(q_holder, plan.years)
                    else (f" after a {q.lag(q_holder)}-year lag" if q.lag(q_holder) else "")
                )
            span = plan.label(q_start) if q_start == q_end else f"{plan.label(q_start)} to {plan.label(q_end)}"
            steps.append(f"{pid}{how} ({q.duration} year{'s' if q.duration != 1 else ''}: {span})")
        by = f"by its deadline, {label(limit)}" if p.deadline is not None else f"within the plan (by {label(limit)})"
        out.add(
            "deadline",
            f"this must-do must be finished {by}, but its chain of prerequisites cannot allow that: "
            f"{' -> '.join(steps)}. The earliest it can finish is {label(end)}. Move the deadline later, shorten a "
            "duration or lag in the chain, let it run alongside a prerequisite, or drop a prerequisite.",
            p.id,
            rows.get(p.id),
        )
    locked_out = set(rules.locked_out)
    forbidden = set(rules.forbidden_starts)
    seen: set[str] = set()
    for pid, year in rules.year_locks:
        field = "rules.year_locks"
        p = by_id.get(pid)
        if p is None:
            out.add(field, f"'{pid}' is not the id of any priority. Remove the year lock or correct the id.", pid)
            continue
        if pid in seen:
            out.add(field, f"'{pid}' is locked to two years. Keep one lock.", pid)
            continue
        seen.add(pid)
        if pid in locked_out:
            out.add(field, f"'{pid}' is locked out and also locked to {label(year)}. Remove one of the locks.", pid)
        if (pid, year) in forbidden:
            out.add(
                field,
                f"'{pid}' is locked to start in {label(year)}, a year it is forbidden to start in. Remove the lock or "
                "the forbidden start.",
                pid,
            )
        if p.existing:
            continue  # an existing activity's lock is the year it stops from: any year of the plan
        end = year + p.duration - 1
        if year < p.earliest_start:
            out.add(
                field,
                f"'{pid}' is locked to start in {label(year)}, before its earliest start, {label(p.earliest_start)}. "
                f"Move the lock to {plan.label(p.earliest_start)} or later, or make the earliest start earlier.",
                pid,
            )
        elif p.deadline is not None and end > p.deadline:
            latest = p.deadline - p.duration + 1
            out.add(
                field,
                f"'{pid}' is locked to start in {label(year)}, so with its {p.duration}-year duration it would finish "
                f"in {label(end)}, after its deadline, {label(p.deadline)}. Move the lock to "
                f"{plan.label(latest) if latest >= 1 else 'an earlier year'} or earlier, or move the deadline.",
                pid,
            )
        elif end > plan.years:
            out.add(
                field,
                f"'{pid}' is locked to start in {label(year)}, so with its {p.duration}-year duration it would not "
                f"finish within the plan (it would finish in {label(end)}). Lock it to an earlier year or lengthen "
                "the plan.",
                pid,
            )
    for pid in dict.fromkeys(pid for pid, _ in rules.forbidden_starts):
        if pid not in by_id:
            out.add(
                "rules.forbidden_starts",
                f"'{pid}' is not the id of any priority. Remove its forbidden starts or correct the id.",
                pid,
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
    present = {p.horizon for p in priorities if p.id not in locked_out and p.cost(balance.name) > 0}
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
    rows: Sequence[int] | None = None,
    collector: _Collector | None = None,
    plan: PlanSettings | None = PlanSettings(),
) -> Portfolio:
    """Validate priority records against the dimensions, criteria and plan, and check links and rules. Records
    are numbered from `first_row`, or by `rows` when given (one number per record). `plan` None: the plan was
    refused (its problems are in `collector`); the records are still checked, against a plan of up to 10 years."""
    out = collector or _Collector()
    priorities: list[Priority] = []
    row_numbers: list[int] = []
    failed_ids: list[str] = []
    for offset, record in enumerate(records):
        row = rows[offset] if rows is not None else first_row + offset
        if all(out.blank(v) for v in record.values()):
            continue  # blank trailing or spacer rows are ignored
        if len(priorities) + len(failed_ids) >= MAX_PRIORITIES:
            out.add(
                "priorities",
                f"there are more than {MAX_PRIORITIES:,} priorities (row {row} is one too many). Split the "
                "portfolio or remove some.",
                row=row,
            )
            break
        priority = parse_priority_record(record, row, dimensions, criteria, out, plan)
        if priority is not None:
            priorities.append(priority)
            row_numbers.append(row)
        else:
            failed_ids.append(_text(record.get("id")) if isinstance(record.get("id"), str) else "")
    if not priorities and not out.count:
        out.add("priorities", "the portfolio has no priorities. Add at least one row.")
    result = tuple(priorities)
    check_links(result, row_numbers, out, failed_ids)
    if not out.count:
        check_rule_settings(rules, result, dimensions, out)
    if not out.count and plan is not None:
        check_plan(result, row_numbers, rules, plan, out)
    out.raise_if_any()
    return Portfolio(
        name=name, dimensions=dimensions, criteria=criteria, priorities=result, rules=rules, plan=plan or PlanSettings()
    )


def parse_portfolio(raw: Any) -> Portfolio:
    """A portfolio from the JSON object form (see README, 'Portfolio file format'). Unknown keys are refused."""
    out = _Collector()
    if not isinstance(raw, Mapping):
        raise PortfolioError(
            "The file must hold a JSON object with capacity_dimensions, criteria, rules and priorities."
        )
    _check_keys(out, raw, PORTFOLIO_KEYS, what="a portfolio file")
    name = _text_field(out, raw.get("name"), "name", limit=MAX_NAME_LENGTH)
    plan = parse_plan(raw.get("plan"), out)
    dimensions = parse_dimensions(raw.get("capacity_dimensions"), out, plan)
    criteria = parse_criteria(raw.get("criteria"), out)
    rules = parse_rules(raw.get("rules"), out, plan)
    records = raw.get("priorities")
    if records is None:
        out.add("priorities", "is missing. Add the list of priorities.")
        records = []
    elif not isinstance(records, list):
        out.add("priorities", f"must be a list of priorities, not {kind_of(records)}.")
        records = []
    known = (
        PRIORITY_KEYS
        + tuple(COST_PREFIX + d.name for d in dimensions)
        + tuple(SCORE_PREFIX + c.name for c in criteria)
        + READINESS_COLUMNS
    )
    for n, record in enumerate(records[: MAX_PRIORITIES + 1], start=1):
        if not isinstance(record, Mapping):
            out.add(
                "priorities",
                f"each priority must be an object with id, name, source, ..., not {kind_of(record)}.",
                row=n,
            )
            continue
        pid = record.get("id") if isinstance(record.get("id"), str) else None
        _check_keys(out, record, known, what="a priority", priority_id=pid, row=n)
    records = [r if isinstance(r, Mapping) else {} for r in records]
    return build_portfolio(name or "Untitled portfolio", dimensions, criteria, records, rules, collector=out, plan=plan)


def replace_priorities(portfolio: Portfolio, records: Iterable[Mapping[str, Any]], *, first_row: int = 1) -> Portfolio:
    """The same portfolio with a new priorities table, as edited in the app (a NaN there is an empty cell)."""
    return build_portfolio(
        portfolio.name,
        portfolio.dimensions,
        portfolio.criteria,
        records,
        portfolio.rules,
        first_row=first_row,
        collector=_Collector(nan_is_blank=True),
        plan=portfolio.plan,
    )


def replace_settings(
    portfolio: Portfolio,
    *,
    dimensions: Any = None,
    criteria: Any = None,
    rules: Any = None,
    plan: Any = None,
) -> Portfolio:
    """The same priorities with new dimensions, criteria, rules or plan settings (raw JSON-shaped values, or
    the app's tables, where a NaN is an empty cell; `plan` may also be a PlanSettings). The priorities' timing
    is checked again against the new plan (a deadline in a year the plan no longer has is refused)."""
    from .formats import portfolio_to_dict, priority_to_record

    raw = portfolio_to_dict(portfolio)
    out = _Collector(nan_is_blank=True)
    if isinstance(plan, PlanSettings):
        plan = {"years": plan.years, "first_year": plan.first_year, "value_mode": plan.value_mode}
    new_plan = parse_plan(plan if plan is not None else raw.get("plan"), out)
    if dimensions is None and new_plan is not None:
        # A shorter plan leaves out the current per-year figures after its last year (they would not be used).
        dimensions = [
            {key: value[: new_plan.years] if key in BY_YEAR_KEYS else value for key, value in d.items()}
            for d in raw["capacity_dimensions"]
        ]
    dims = parse_dimensions(dimensions if dimensions is not None else raw["capacity_dimensions"], out, new_plan)
    crits = parse_criteria(criteria if criteria is not None else raw["criteria"], out)
    new_rules = parse_rules(rules if rules is not None else raw["rules"], out, new_plan)
    out.raise_if_any()
    # Costs and scores of renamed or new dimensions/criteria default to 0 so no row is lost.
    records = []
    for p in portfolio.priorities:
        record = priority_to_record(p)
        columns = {COST_PREFIX + d.name for d in dims} | {SCORE_PREFIX + c.name for c in crits}
        # Ranges of a renamed or removed dimension or criterion go with it.
        record[RANGES_COLUMN] = [r for r in p.ranges if r[0] in columns]
        record[RANGES_COLUMN] = {c: {"low": lo, "high": hi} for c, lo, hi in record[RANGES_COLUMN]}
        # So do gains and cost profiles.
        names = {d.name for d in dims}
        record["gains"] = {name: amount for name, amount in p.gains if name in names}
        record["cost_profile"] = {name: list(costs) for name, costs in p.cost_profile if name in names}
        for d in dims:
            record.setdefault(COST_PREFIX + d.name, 0.0)
        for c in crits:
            record.setdefault(SCORE_PREFIX + c.name, 0.0)
        records.append(record)
    return build_portfolio(portfolio.name, dims, crits, records, new_rules, collector=out, plan=new_plan)
