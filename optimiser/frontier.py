"""Trade-off frontiers: the best value at each level of one capacity, and how far each criterion's
weight can move before the kept set changes. Every point is a re-solve, never a ranking."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from .diagnosis import forced_set
from .domain import Portfolio
from .model import capacity_row
from .whatif import Resolver

DEFAULT_POINTS = 25
WEIGHT_TOLERANCE = 0.05


@dataclass(frozen=True)
class FrontierPoint:
    capacity: float  # usable amount of the dimension (after headroom)
    status: str
    value: float | None  # best objective at this capacity (None when no selection is possible)
    kept: tuple[str, ...]
    entered: tuple[str, ...]  # priorities kept here but not at the previous point
    left: tuple[str, ...]  # priorities kept at the previous point but not here

    @property
    def proven(self) -> bool:
        """The value is proven best at this level (or no selection is proven to exist)."""
        return self.status in ("optimal", "infeasible")


@dataclass(frozen=True)
class Frontier:
    dimension: str
    unit: str
    current: float  # today's usable amount
    points: tuple[FrontierPoint, ...]
    seconds: float


def frontier(portfolio: Portfolio, dimension: str, points: int = DEFAULT_POINTS, time_limit: float = 10.0) -> Frontier:
    """Best value at `points` levels of one capacity, from what the must-dos need to what the whole
    wish-list needs, other capacities and rules unchanged."""
    started = time.perf_counter()
    dim = portfolio.dimension(dimension)
    forced = forced_set(portfolio)
    low = sum(p.cost(dimension) for p in portfolio.priorities if p.id in forced)
    high = sum(p.cost(dimension) for p in portfolio.priorities)
    levels = np.linspace(low, max(high, low), max(points, 2))
    resolver = Resolver(portfolio, time_limit=time_limit)
    row = capacity_row(portfolio, dimension)
    out: list[FrontierPoint] = []
    previous: frozenset[str] = frozenset()
    order = [p.id for p in portfolio.priorities]
    for level in levels:
        what = resolver.solve(row_upper={row: float(level)})
        kept = what.kept
        out.append(
            FrontierPoint(
                capacity=float(level),
                status=what.status,
                value=what.objective,
                kept=tuple(pid for pid in order if pid in kept),
                entered=tuple(pid for pid in order if pid in kept - previous),
                left=tuple(pid for pid in order if pid in previous - kept),
            )
        )
        previous = kept
    return Frontier(dimension, dim.unit, dim.usable, tuple(out), time.perf_counter() - started)


@dataclass(frozen=True)
class WeightRange:
    criterion: str
    weight: float
    low: float  # the kept set is the same for weights in [low, high]
    high: float
    high_is_open: bool  # True when no change was found up to `high`, the end of the search
    steps: tuple[tuple[float, int], ...]  # (weight, number of priorities whose decision changes)
    proven: bool = True  # every re-solve behind the range proved its answer


@dataclass(frozen=True)
class WeightSensitivity:
    """`status` is 'ok', or 'no_selection' when no selection meets the rules (then there are no ranges), or
    'unproven' when today's selection could not be proven optimal within the time limit."""

    status: str
    ranges: tuple[WeightRange, ...]


def weight_sensitivity(
    portfolio: Portfolio, grid: int = 9, time_limit: float = 10.0, workers: int = 2
) -> WeightSensitivity:
    """For each criterion, the range of its weight over which the kept set stays the same, found by
    re-solving on a grid from 0 to 3x the weight (at least 10) and bisecting where the set changes.
    A change and change back between two grid points would not be seen."""
    today = Resolver(portfolio, time_limit=time_limit).solve()
    if today.objective is None:
        return WeightSensitivity("no_selection" if today.impossible else "unproven", ())
    if not today.proven:
        return WeightSensitivity("unproven", ())
    base = today.kept

    def one(c) -> WeightRange:
        resolver = Resolver(portfolio, time_limit=time_limit)  # one HiGHS instance per thread
        scores = {p.id: p.score(c.name) for p in portfolio.priorities}
        proven = [True]

        def kept_at(weight: float) -> frozenset[str]:
            delta = {pid: (weight - c.weight) * s for pid, s in scores.items() if s}
            answer = resolver.solve(value_delta=delta)
            proven[0] &= answer.proven
            return answer.kept

        top = max(3 * c.weight, 10.0)
        weights = sorted(set(np.linspace(0.0, top, grid).round(6).tolist()) | {c.weight})
        changes = {w: len(kept_at(w) ^ base) for w in weights}
        low_bad = max((w for w in weights if w < c.weight and changes[w]), default=None)
        high_bad = min((w for w in weights if w > c.weight and changes[w]), default=None)
        low = 0.0 if low_bad is None else _edge(kept_at, base, low_bad, c.weight)
        high = top if high_bad is None else _edge(kept_at, base, high_bad, c.weight)
        steps = tuple((float(w), changes[w]) for w in weights)
        return WeightRange(c.name, c.weight, low, high, high_bad is None, steps, proven[0])

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return WeightSensitivity("ok", tuple(pool.map(one, portfolio.criteria)))


def _edge(kept_at, base: frozenset[str], bad: float, good: float) -> float:
    """Bisect between a weight where the set changes and one where it does not; return the last good one."""
    while abs(bad - good) > WEIGHT_TOLERANCE:
        mid = (bad + good) / 2
        if kept_at(mid) == base:
            good = mid
        else:
            bad = mid
    return good
