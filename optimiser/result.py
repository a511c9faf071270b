"""The plain result of a solve: no solver objects leak out of the engine."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .domain import Portfolio, Priority


@dataclass(frozen=True)
class CapacityUse:
    dimension: str
    unit: str
    available: float
    headroom_pct: float
    usable: float  # available after headroom
    used: float  # by the kept set
    wishlist: float  # need of the whole wish-list
    label: str = ""  # display label of the dimension

    @property
    def free(self) -> float:
        return self.usable - self.used


@dataclass(frozen=True)
class HorizonShare:
    """One horizon's part of the balance capacity (one named dimension): its use and its share."""

    horizon: str
    kept_pct: float  # share of the balance capacity used by the kept set (0 when the set uses none)
    wishlist_pct: float  # share of the balance capacity the whole wish-list would use
    kept_count: int
    wishlist_count: int
    dimension: str = ""  # the balance capacity
    kept_use: float = 0.0  # balance capacity used by kept priorities of this horizon
    wishlist_use: float = 0.0  # ... by all priorities of this horizon


@dataclass(frozen=True)
class RuleNote:
    """A rule that binds the result, or that cannot be met (with by how much)."""

    rule: str  # the constraint name, e.g. capacity_operational
    text: str  # plain words
    amount: float = 0.0


@dataclass(frozen=True)
class Fix:
    """One change to the scenario that a user can apply (see diagnosis.apply_fix)."""

    kind: str  # capacity | headroom | max_priorities | theme_min | theme_max | horizon_min | horizon_max | unlock | unlock_out
    target: str  # dimension, theme, horizon or priority id
    current: float | None
    proposed: float | None
    text: str


@dataclass(frozen=True)
class FixOption:
    """Changes that together, on their own, restore a solution: checked by a re-solve before it is offered."""

    kind: str  # capacity_only | smallest | single
    fixes: tuple[Fix, ...]
    weakens_bands: bool  # True when it lowers a band minimum or raises a band maximum
    kept: int  # how many priorities the re-solve keeps with it applied

    @property
    def text(self) -> str:
        return " ".join(f.text for f in self.fixes)


@dataclass(frozen=True)
class Remedy:
    """A rule that cannot be met, with the changes (alternatives, first preferred) that would fix it."""

    conflict: RuleNote
    options: tuple[Fix, ...]


@dataclass(frozen=True)
class Decision:
    priority_id: str
    kept: bool
    value: float
    reason: str  # the full reason in words
    kind: str = ""  # kept: must_do | locked_in | needed_only | value; dropped: locked_out | alternative |
    # prerequisite | does_not_fit | count | theme_full | other
    detail: tuple[str, ...] = ()  # the priorities, dimensions or theme the reason names


@dataclass(frozen=True)
class Result:
    status: str  # optimal | feasible | infeasible | no_solution | error
    message: str
    solver: str
    seconds: float
    kept: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    objective: float | None = None
    value: float = 0.0  # weighted value of the kept set
    drop_penalty: float = 0.0
    value_by_criterion: tuple[tuple[str, float], ...] = ()
    gap: float | None = None  # relative gap between the net value and the solver's bound (0 when proven)
    bound: float | None = None  # the solver's bound: no selection has a higher net value
    capacity: tuple[CapacityUse, ...] = ()
    horizons: tuple[HorizonShare, ...] = ()
    binding: tuple[RuleNote, ...] = ()
    conflicts: tuple[RuleNote, ...] = ()
    remedies: tuple[Remedy, ...] = ()
    options: tuple[FixOption, ...] = ()  # when no selection exists: changes that each restore one, checked
    decisions: tuple[Decision, ...] = ()
    time_limit_hit: bool = False

    @property
    def has_selection(self) -> bool:
        """A selection is shown only when proven optimal or feasible (with its gap)."""
        return self.status in ("optimal", "feasible")

    @property
    def proven(self) -> bool:
        """True when the selection is proven optimal (or no selection is proven to exist)."""
        return self.status in ("optimal", "infeasible")

    def decision(self, priority_id: str) -> Decision:
        for d in self.decisions:
            if d.priority_id == priority_id:
                return d
        raise KeyError(priority_id)


# ------------------------------------------------------------------ multi-year plans


@dataclass(frozen=True)
class Schedule:
    """A plan's decisions: when each new priority starts, and from when each existing activity stops.

    A new priority not in `starts` is not started in the plan; an existing activity not in `stops`
    continues to the end of the plan. Years are 1-based plan years."""

    starts: tuple[tuple[str, int], ...] = ()  # (priority id, start year)
    stops: tuple[tuple[str, int], ...] = ()  # (existing activity id, the first year without it)

    @property
    def start_of(self) -> dict[str, int]:
        return dict(self.starts)

    @property
    def stop_of(self) -> dict[str, int]:
        return dict(self.stops)


@dataclass(frozen=True)
class YearUse:
    """One capacity dimension in one plan year."""

    dimension: str
    year: int  # 1-based
    available: float  # entered for the year
    gained: float  # added by finished capability-building priorities
    headroom_pct: float
    usable: float  # (available + gained) after headroom
    used: float
    label: str = ""

    @property
    def free(self) -> float:
        return self.usable - self.used


@dataclass(frozen=True)
class PlanRow:
    """One priority in a plan: when it is delivered, or why not."""

    priority_id: str
    status: str  # started | continued | stopped | not_started
    start: int | None = None  # first year delivered (existing: 1)
    finish: int | None = None  # last year of delivery (stopped: the last year it runs; None: never runs)
    stop: int | None = None  # existing activity stopped: the first year without it
    value: float = 0.0  # the value it adds to the plan's objective
    frees: tuple[tuple[str, float], ...] = ()  # a stopped activity: capacity freed per year it is stopped


@dataclass(frozen=True)
class PlanResult:
    """The answer to a multi-year plan (one year: today's selection as a plan)."""

    status: str  # optimal | feasible | infeasible | no_solution | error
    message: str
    solver: str
    seconds: float
    years: tuple[str, ...] = ()  # the plan's year labels
    schedule: Schedule | None = None
    rows: tuple[PlanRow, ...] = ()  # one per priority, in the portfolio's order
    objective: float | None = None
    value: float = 0.0
    drop_penalty: float = 0.0
    gap: float | None = None
    bound: float | None = None
    capacity: tuple[YearUse, ...] = ()  # every dimension x year
    horizons: tuple[HorizonShare, ...] = ()  # over the whole plan
    horizons_by_year: tuple[tuple[int, tuple[HorizonShare, ...]], ...] = ()
    binding: tuple[RuleNote, ...] = ()
    conflicts: tuple[RuleNote, ...] = ()
    options: tuple[FixOption, ...] = ()
    time_limit_hit: bool = False
    formulation: str = "strong"

    @property
    def has_selection(self) -> bool:
        return self.status in ("optimal", "feasible") and self.schedule is not None

    @property
    def proven(self) -> bool:
        return self.status in ("optimal", "infeasible")

    def row(self, priority_id: str) -> PlanRow:
        for r in self.rows:
            if r.priority_id == priority_id:
                return r
        raise KeyError(priority_id)

    def rows_in(self, portfolio: Portfolio) -> Iterator[tuple[PlanRow, Priority]]:
        """Each row with its priority, skipping rows whose priority is no longer in `portfolio`."""
        for r in self.rows:
            try:
                yield r, portfolio.priority(r.priority_id)
            except KeyError:
                continue
