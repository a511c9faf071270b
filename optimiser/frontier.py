"""Trade-off frontiers: the best value at each level of one capacity, and how far each criterion's
weight can move before the kept set changes. Every point is a re-solve, never a ranking."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from .diagnosis import forced_set
from .domain import Portfolio
from .model import capacity_row
from .rules import assert_rules
from .whatif import Resolver, Shared, WhatIf

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


def frontier(
    portfolio: Portfolio,
    dimension: str,
    points: int = DEFAULT_POINTS,
    time_limit: float = 10.0,
    *,
    fast: bool = True,
    workers: int = 2,
) -> Frontier:
    """Best value at `points` levels of one capacity, from what the must-dos need to what the whole
    wish-list needs, other capacities and rules unchanged.

    `fast` (the default) shares the levels between `workers` threads and uses what one level proves for
    the others: a selection found at one level fits every higher level (a start for its re-solve), and the
    best value never falls as the capacity rises, so a selection that fits a level and is worth the proven
    best value of a higher level is proven best at this level too, without a re-solve (it is checked by
    `check_rules` like any answer). `fast=False` re-solves every level in turn (the reference). The
    re-solves keep HiGHS's plain settings: whatif.FAST_OPTIONS changed which of two tied selections the
    sample's second level names (the same value, other priorities listed as added)."""
    started = time.perf_counter()
    dim = portfolio.dimension(dimension)
    forced = forced_set(portfolio)
    low = sum(p.cost(dimension) for p in portfolio.priorities if p.id in forced)
    high = sum(p.cost(dimension) for p in portfolio.priorities)
    levels = np.linspace(low, max(high, low), max(points, 2))
    row = capacity_row(portfolio, dimension)
    order = [p.id for p in portfolio.priorities]
    if fast:
        answers = _fast_levels(portfolio, dimension, row, [float(v) for v in levels], time_limit, workers)
    else:
        resolver = Resolver(portfolio, time_limit=time_limit)
        answers = [resolver.solve(row_upper={row: float(level)}) for level in levels]
    out: list[FrontierPoint] = []
    previous: frozenset[str] = frozenset()
    for level, what in zip(levels, answers):
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


def _fast_levels(
    portfolio: Portfolio, dimension: str, row: str, levels: list[float], time_limit: float, workers: int
) -> list[WhatIf]:
    """The re-solves of the frontier's levels, shared by threads (see `frontier`)."""
    shared = Shared(portfolio, None, time_limit)
    use = np.array([p.cost(dimension) for p in portfolio.priorities])
    lock = threading.Lock()
    found: list[tuple[float, float, frozenset[str]]] = []  # (use, value, kept) of every selection found
    answers: dict[int, WhatIf] = {}
    # The top level first (its value bounds every other), then the rest from the bottom up, so that each
    # re-solve has the selections of lower levels as starts.
    queue = iter([len(levels) - 1, *range(len(levels) - 1)])

    def best_fitting(level: float) -> tuple[float, frozenset[str]] | None:
        fits = [(value, kept) for used, value, kept in found if used <= level * (1 + 1e-12) + 1e-9]
        return max(fits, key=lambda f: f[0]) if fits else None

    def upper_bound(k: int) -> float | None:
        """The lowest proven best value of a level at or above level k (a bound on level k's best)."""
        above = [
            a.objective for j, a in answers.items() if j >= k and a.status == "optimal" and a.objective is not None
        ]
        return min(above) if above else None

    def work() -> None:
        resolver = Resolver(portfolio, time_limit=time_limit, shared=shared)  # plain HiGHS settings: see `frontier`
        while True:
            with lock:
                k = next(queue, None)
                if k is None:
                    return
                candidate = best_fitting(levels[k])
                bound = upper_bound(k)
            level = levels[k]
            if candidate is not None and bound is not None and candidate[0] >= bound:
                # Proven best: it fits this level and is worth the proven best of a higher level.
                changed = resolver.changed_portfolio(row_upper={row: level})
                assert_rules(changed, candidate[1], "a frontier point")
                resolver.skipped += 1
                what = WhatIf("optimal", candidate[0], candidate[1], 0.0)
            else:
                start = candidate[1] if candidate is not None else None
                what = resolver.solve(row_upper={row: level}, start=start)
            with lock:
                answers[k] = what
                if what.objective is not None:
                    found.append((float(use @ resolver.mask(what.kept)), what.objective, what.kept))

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for future in [pool.submit(work) for _ in range(max(1, workers))]:
            future.result()
    return [answers[k] for k in range(len(levels))]


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
    portfolio: Portfolio, grid: int = 9, time_limit: float = 10.0, workers: int = 2, *, fast: bool = True
) -> WeightSensitivity:
    """For each criterion, the range of its weight over which the kept set stays the same, found by
    re-solving on a grid from 0 to 3x the weight (at least 10) and bisecting where the set changes.
    A change and change back between two grid points would not be seen.

    `fast` (the default) builds the model once for all threads and never re-solves a weight twice;
    `fast=False` is the plain re-solve of each weight (the reference). The re-solves keep the plain HiGHS
    settings and get no starting selection: at a weight where two selections tie (a bisection often lands
    on the exact weight where today's set and another are worth the same) either changed which of the two
    the solver returned, and so a stated figure: a start moved an end by one bisection step
    (financial_sustainability on the sample: 1.71875 -> 1.75), whatif.FAST_OPTIONS changed a step's count
    (staff_experience at weight 2.5: 10 -> 6 decisions), where the figures must stay the same."""
    today = Resolver(portfolio, time_limit=time_limit).solve()
    if today.objective is None:
        return WeightSensitivity("no_selection" if today.impossible else "unproven", ())
    if not today.proven:
        return WeightSensitivity("unproven", ())
    base = today.kept
    shared = Shared(portfolio, None, time_limit) if fast else None

    def one(c) -> WeightRange:
        # one HiGHS instance per thread
        resolver = Resolver(portfolio, time_limit=time_limit, shared=shared)
        scores = {p.id: p.score(c.name) for p in portfolio.priorities}
        proven = [True]
        seen: dict[float, frozenset[str]] = {}

        def kept_at(weight: float) -> frozenset[str]:
            if fast and weight in seen:
                return seen[weight]
            delta = {pid: (weight - c.weight) * s for pid, s in scores.items() if s}
            answer = resolver.solve(value_delta=delta)
            proven[0] &= answer.proven
            seen[weight] = answer.kept
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
