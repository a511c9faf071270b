"""Domain types: frozen value objects that compare by value and hash (safe for caching).

They are built only through :mod:`optimiser.parsing`, which validates every field and
reports problems by row, priority id and field. Percentages are stored as entered (0-100).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import cached_property

HORIZONS: tuple[str, ...] = ("short", "medium", "long")
HORIZON_LABELS: dict[str, str] = {
    "short": "Short (within 12 months)",
    "medium": "Medium (1-3 years)",
    "long": "Long (3+ years)",
}
SOURCES: tuple[str, ...] = ("national", "local")


def horizon_term(horizon: str) -> str:
    """'short' -> 'short-term', as used in plain-words messages."""
    return f"{horizon}-term"


def default_label(name: str) -> str:
    """A display label from an internal name: 'improvement_support' -> 'Improvement support'."""
    text = " ".join(name.replace("_", " ").split())
    return text[:1].upper() + text[1:]


SCORE_MIN, SCORE_MAX = 0.0, 10.0
SPREAD_MAX_PCT = 100.0  # a global spread of scores or costs, plus or minus this share of each figure

# Readiness: the seven success factors for change, each rated on a four-point scale (unrated: not assessed).
READINESS_FACTORS: tuple[tuple[str, str], ...] = (
    ("leadership", "Committed leadership that engages staff"),
    ("culture", "A culture supportive of change"),
    ("management", "Management practices that ensure execution"),
    ("problem_solving", "Capabilities to identify and solve problems"),
    ("data", "Data and analytics that measure impact"),
    ("resources", "Resources and support"),
    ("environment", "An enabling environment"),
)
READINESS_FACTOR_NAMES: tuple[str, ...] = tuple(name for name, _ in READINESS_FACTORS)
READINESS_LABELS: dict[str, str] = dict(READINESS_FACTORS)
# The scale's anchor words, from 1 (lowest) to 4.
READINESS_SCALE: dict[int, str] = {1: "Not in place", 2: "Emerging", 3: "Established", 4: "Strong"}
READINESS_MIN, READINESS_MAX = 1, 4
SENSITIVITY_MIN, SENSITIVITY_MAX = 0.0, 5.0
HEADROOM_MAX_PCT = 90.0

# A multi-year plan (see `PlanSettings`): its length, and how value is counted.
PLAN_YEARS_MIN, PLAN_YEARS_MAX = 1, 10
VALUE_MODES: dict[str, str] = {
    "completion": "Full value when finished within the plan",
    "per_year": "Value for each year from completion to the end of the plan (earlier is worth more)",
}
_YEAR_LABEL = re.compile(r"^(\d{4})/(\d{2})$")


def year_labels(first: str, years: int) -> tuple[str, ...]:
    """Labels of a plan's years: '2026/27' -> ('2026/27', '2027/28', ...); any other first label gives
    'Year 1', 'Year 2', ... ."""
    match = _YEAR_LABEL.match(first.strip())
    if not match:
        return tuple(f"Year {t}" for t in range(1, years + 1))
    start = int(match.group(1))
    return tuple(f"{start + t}/{(start + t + 1) % 100:02d}" for t in range(years))


@dataclass(frozen=True)
class PlanSettings:
    """A plan of `years` years (1-10); year 1 is labelled `first_year`. One year is today's selection."""

    years: int = 1
    first_year: str = "2026/27"
    value_mode: str = "completion"  # a key of VALUE_MODES

    @property
    def labels(self) -> tuple[str, ...]:
        return year_labels(self.first_year, self.years)

    def label(self, year: int) -> str:
        """The label of year `year` (1-based)."""
        return year_labels(self.first_year, max(year, 1))[year - 1]


@dataclass(frozen=True)
class CapacityDimension:
    """A limited resource, e.g. strategic capacity in executive days."""

    name: str
    unit: str
    available: float
    headroom_pct: float = 0.0
    label: str = ""  # shown to users; the name is the internal key
    spread_pct: float = 0.0  # uncertainty: each cost in this dimension may be this share lower or higher
    # A multi-year plan: what is available, and the headroom kept free, in each year (empty: `available`
    # and `headroom_pct` every year; a year beyond the tuple takes its last figure).
    available_by_year: tuple[float, ...] = ()
    headroom_by_year: tuple[float, ...] = ()

    @property
    def display(self) -> str:
        return self.label or default_label(self.name)

    @property
    def usable(self) -> float:
        """What may be committed once the headroom is kept free."""
        return self.available * (1.0 - self.headroom_pct / 100.0)

    def available_in(self, year: int) -> float:
        """What is available in plan year `year` (1-based), before any capacity gained."""
        figures = self.available_by_year
        return figures[min(year, len(figures)) - 1] if figures else self.available

    def headroom_in(self, year: int) -> float:
        """The headroom (percent) kept free in plan year `year` (1-based)."""
        figures = self.headroom_by_year
        return figures[min(year, len(figures)) - 1] if figures else self.headroom_pct

    def usable_in(self, year: int, gained: float = 0.0) -> float:
        """What may be committed in plan year `year` with `gained` capacity added by finished priorities;
        the headroom share is kept free of the gained capacity too."""
        return (self.available_in(year) + gained) * (1.0 - self.headroom_in(year) / 100.0)


@dataclass(frozen=True)
class Criterion:
    """A benefit scale (scores 0-10) with its weight in the value of a priority."""

    name: str
    weight: float
    label: str = ""  # shown to users; the name is the internal key
    spread_pct: float = 0.0  # uncertainty: each score on this criterion may be this share lower or higher

    @property
    def display(self) -> str:
        return self.label or default_label(self.name)


@dataclass(frozen=True)
class Priority:
    """One improvement initiative that could be pursued."""

    id: str
    name: str
    source: str
    owner: str
    theme: str
    horizon: str
    costs: tuple[tuple[str, float], ...]
    scores: tuple[tuple[str, float], ...]
    must_do: bool = False
    sensitivity: float = 0.0
    requires: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    # Readiness ratings (factor, 1-4) of the factors assessed, in READINESS_FACTORS order; a factor not
    # listed is not assessed (not zero).
    readiness: tuple[tuple[str, int], ...] = ()
    # Ranges of judgements: (column, low, high) with column 'score:<criterion>' or 'cost:<dimension>'; the
    # likely figure is the score or cost itself, so low <= likely <= high.
    ranges: tuple[tuple[str, float, float], ...] = ()
    # A multi-year plan (ignored by the one-year selection):
    duration: int = 1  # years of delivery effort
    # Cost in each delivery year, per dimension: (dimension, (year 1 of delivery, year 2, ...)); a dimension
    # not listed costs `cost(dimension)` in every delivery year.
    cost_profile: tuple[tuple[str, tuple[float, ...]], ...] = ()
    earliest_start: int = 1  # the first plan year it may start in (1-based)
    deadline: int | None = None  # the plan year by which it must be finished, when kept (must-dos: always)
    # Capability building: capacity added to a dimension in each year after it finishes.
    gains: tuple[tuple[str, float], ...] = ()
    # Existing activity, already running: the plan continues it or stops it from a year (no duration,
    # start or deadline); while it runs it costs `cost(dimension)` a year and earns its value.
    existing: bool = False
    # Prerequisites (of `requires`) that only need to have started, not finished ("may run alongside").
    alongside: tuple[str, ...] = ()
    # Extra years to wait after a prerequisite (of `requires`) finishes: (prerequisite id, years).
    lags: tuple[tuple[str, int], ...] = ()

    # The lookups are built once per priority (a cached property is no field: equality, hashing and
    # dataclasses.replace see only the tuples), so cost() and score() take constant time. They are one cached
    # attribute, not three: a second attribute added to a priority outgrows the space Python keeps for the
    # class's shared attribute keys, and then every priority carries a full dictionary of its own (1.5 kB;
    # 26 MB at 20,000 priorities).
    @cached_property
    def _lookups(self) -> tuple[dict[str, float], dict[str, float], dict[str, tuple[float, ...]]]:
        return dict(self.costs), dict(self.scores), dict(self.cost_profile)

    @property
    def _cost_of(self) -> dict[str, float]:
        return self._lookups[0]

    def cost(self, dimension: str) -> float:
        return self._lookups[0].get(dimension, 0.0)

    def score(self, criterion: str) -> float:
        return self._lookups[1].get(criterion, 0.0)

    def cost_in(self, dimension: str, delivery_year: int) -> float:
        """The cost in its `delivery_year`-th year of delivery (1-based): the profile's figure, else
        `cost(dimension)`; a profile shorter than the duration repeats its last figure."""
        profile = self._lookups[2].get(dimension)
        if not profile:
            return self.cost(dimension)
        return profile[min(delivery_year, len(profile)) - 1]

    def gain(self, dimension: str) -> float:
        return dict(self.gains).get(dimension, 0.0)

    def lag(self, prerequisite: str) -> int:
        return dict(self.lags).get(prerequisite, 0)

    def runs_alongside(self, prerequisite: str, years: int) -> bool:
        """Whether a prerequisite needs only to have started: marked so, or in a one-year plan (which is
        today's selection: a kept priority's prerequisites are kept in the same year)."""
        return years == 1 or prerequisite in self.alongside


@dataclass(frozen=True)
class HorizonBand:
    """Wanted share (percent) of the balance capacity used by the kept set that goes to one horizon.

    The balance capacity is one named capacity dimension (`Rules.balance_dimension`). A kept set that
    uses none of it has no share and meets every band."""

    horizon: str
    min_pct: float = 0.0
    max_pct: float = 100.0


@dataclass(frozen=True)
class ThemeLimit:
    """Minimum and/or maximum number of kept priorities in one theme."""

    theme: str
    min_count: int | None = None
    max_count: int | None = None


@dataclass(frozen=True)
class ReadinessRule:
    """How readiness ratings become a delivery confidence (percent); see `optimiser.readiness`.

    Each assessed factor rated r (1-4) counts (r - 1) / 3; the confidence is floor_pct plus
    (100 - floor_pct) x the mean of those, capped at cap_weakest_1_pct when a factor is rated 1 and at
    cap_weakest_2_pct when the weakest is rated 2. A priority below low_pct has low readiness."""

    floor_pct: float = 40.0
    cap_weakest_1_pct: float = 50.0
    cap_weakest_2_pct: float = 80.0
    low_pct: float = 60.0


@dataclass(frozen=True)
class Rules:
    max_priorities: int | None = None
    horizon_bands: tuple[HorizonBand, ...] = ()
    theme_limits: tuple[ThemeLimit, ...] = ()
    locked_in: tuple[str, ...] = ()
    locked_out: tuple[str, ...] = ()
    # Value points lost for each point of sensitivity of a dropped priority.
    sensitivity_penalty: float = 1.0
    # The capacity dimension whose use measures the short/medium/long balance (None: the first one).
    balance_dimension: str | None = None
    # Maximise expected value: each priority's value x its delivery confidence (readiness).
    expected_value: bool = False
    readiness: ReadinessRule = field(default_factory=ReadinessRule)
    # A multi-year plan: a priority locked to start in a year, and years a priority may not start in
    # (priority id, plan year). For an existing activity a year lock is the year it stops from.
    year_locks: tuple[tuple[str, int], ...] = ()
    forbidden_starts: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Portfolio:
    """Everything needed to solve: the scenario of DESIGN.md."""

    name: str
    dimensions: tuple[CapacityDimension, ...]
    criteria: tuple[Criterion, ...]
    priorities: tuple[Priority, ...]
    rules: Rules = field(default_factory=Rules)
    plan: PlanSettings = field(default_factory=PlanSettings)

    @property
    def is_multi_year(self) -> bool:
        """True when the plan has more than one year (the one-year plan is today's selection)."""
        return self.plan.years > 1

    @cached_property
    def _priority_by_id(self) -> dict[str, Priority]:
        return {p.id: p for p in self.priorities}

    @cached_property
    def _dimension_by_name(self) -> dict[str, CapacityDimension]:
        return {d.name: d for d in self.dimensions}

    def priority(self, priority_id: str) -> Priority:
        return self._priority_by_id[priority_id]

    def dimension(self, name: str) -> CapacityDimension:
        return self._dimension_by_name[name]

    @property
    def balance_capacity(self) -> CapacityDimension:
        """The capacity whose use measures the horizon balance (the rules' choice, else the first)."""
        wanted = self.rules.balance_dimension
        if wanted is not None:
            return self.dimension(wanted)
        return self.dimensions[0]

    def prerequisite_closure(self, start: Iterable[str], stop: Collection[str] = ()) -> list[str]:
        """`start` and everything it requires, directly or not, leaving out (and not looking past) `stop`."""
        by_id = self._priority_by_id
        out: list[str] = []
        seen: set[str] = set()
        stack = list(start)
        while stack:
            current = stack.pop()
            if current in stop or current in seen:
                continue
            seen.add(current)
            out.append(current)
            stack.extend(by_id[current].requires)
        return out

    def alternatives(self) -> dict[str, set[str]]:
        """Exclusions in both directions: A excludes B means B excludes A."""
        alts: dict[str, set[str]] = {p.id: set() for p in self.priorities}
        for p in self.priorities:
            for other in p.excludes:
                alts[p.id].add(other)
                alts.setdefault(other, set()).add(p.id)
        return alts
