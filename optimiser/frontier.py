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

    `fast` (the default) builds the model once for all threads, never re-solves a weight twice, and answers
    from proof what a re-solve would return (`_WeightSearch`): a net value is linear in one weight, so a
    selection proven best at two weights is best at every weight between, and one worth more than today's
    at a weight means the set changes there. `fast=False` re-solves every grid point and every bisection
    step (the reference). The re-solves keep the plain HiGHS settings and get no starting selection: at a
    weight where two selections tie (a bisection often lands on the exact weight where today's set and
    another are worth the same) either changed which of the two the solver returned, and so a stated
    figure: a start moved an end by one bisection step (financial_sustainability on the sample: 1.71875 ->
    1.75), whatif.FAST_OPTIONS changed a step's count (staff_experience at weight 2.5: 10 -> 6 decisions),
    where the figures must stay the same. For the same reason a weight within a hair of a tie is re-solved,
    never answered from proof."""
    today = Resolver(portfolio, time_limit=time_limit).solve()
    if today.objective is None:
        return WeightSensitivity("no_selection" if today.impossible else "unproven", ())
    if not today.proven:
        return WeightSensitivity("unproven", ())
    shared = Shared(portfolio, None, time_limit) if fast else None

    def one(c) -> WeightRange:
        # one HiGHS instance per thread
        resolver = Resolver(portfolio, time_limit=time_limit, shared=shared)
        search = _WeightSearch(resolver, {p.id: p.score(c.name) for p in portfolio.priorities}, c.weight, today, fast)
        top = max(3 * c.weight, 10.0)
        weights = sorted(set(np.linspace(0.0, top, grid).round(6).tolist()) | {c.weight})
        kept = search.grid(weights)
        changes = {w: len(kept[w] ^ today.kept) for w in weights}
        low_bad = max((w for w in weights if w < c.weight and changes[w]), default=None)
        high_bad = min((w for w in weights if w > c.weight and changes[w]), default=None)
        low = 0.0 if low_bad is None else search.edge(low_bad)
        high = top if high_bad is None else search.edge(high_bad)
        steps = tuple((float(w), changes[w]) for w in weights)
        return WeightRange(c.name, c.weight, low, high, high_bad is None, steps, search.proven)

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return WeightSensitivity("ok", tuple(pool.map(one, portfolio.criteria)))


# Two net values closer than this (relative to the value, and at least absolutely) are treated as a possible
# tie, and a weight this close to a known tie (relative) is re-solved: neither is answered from proof.
VALUE_TIE = 1e-7
WEIGHT_TIE = 1e-9
MAX_CROSSINGS = 50


class _WeightSearch:
    """The kept set as one criterion's weight moves, for `weight_sensitivity`.

    With `fast=False` every question is a re-solve. With `fast=True` a question is answered from proof
    when it can be, using that a selection's net value is linear in the weight:
    - a selection proven best at two weights is best at every weight between them, so a fresh solve there
      returns it (unless another selection ties with it at *every* weight between, the one case where the
      solver's pick between two selections of identical value at every weight is arbitrary);
    - a selection found by a proven re-solve and worth more than today's at a weight means a re-solve there
      does not return today's set;
    - before bisecting towards a change, a re-solve at the weight where today's set and the best known
      challenger are worth the same (a parametric step) proves today's set best up to there, or finds a
      better challenger to try next.
    Answers are used only while every re-solve so far was proven; otherwise every question is re-solved."""

    def __init__(self, resolver: Resolver, scores: dict[str, float], weight: float, today: WhatIf, fast: bool):
        self.resolver = resolver
        self.scores = {pid: s for pid, s in scores.items() if s}
        self.weight = weight
        self.base = today.kept
        self.fast = fast
        self.proven = True
        self.seen: dict[float, WhatIf] = {weight: today} if fast else {}
        self.known: set[frozenset[str]] = set()  # sets other than today's returned by proven re-solves
        self.base_best = [weight]  # weights where today's set is proven best

    def _delta(self, w: float) -> dict[str, float]:
        """What each priority's value gains when the criterion's weight moves from today's to w."""
        return {pid: (w - self.weight) * s for pid, s in self.scores.items()}

    def value(self, kept: frozenset[str], w: float) -> float:
        return self.resolver.value_of(kept, self._delta(w))

    def solve(self, w: float) -> WhatIf:
        if self.fast and w in self.seen:
            return self.seen[w]
        answer = self.resolver.solve(value_delta=self._delta(w))
        self.proven &= answer.proven
        self.seen[w] = answer
        if answer.status == "optimal" and answer.objective is not None:
            if answer.kept != self.base:
                self.known.add(answer.kept)
            base = self.value(self.base, w)
            if answer.objective <= base + _tie(base):
                self.base_best.append(w)
        return answer

    def _beaten(self, w: float) -> bool:
        base = self.value(self.base, w)
        return any(self.value(k, w) > base + _tie(base) for k in self.known)

    def _inside(self, w: float) -> bool:
        low, high = min(self.base_best), max(self.base_best)
        return low + _tie_w(low) < w < high - _tie_w(high)

    def is_base(self, w: float) -> bool:
        """Whether a fresh solve at weight w returns today's set."""
        if not self.fast or not self.proven or w in self.seen:
            return self.solve(w).kept == self.base
        if self._beaten(w):
            return False
        if self._inside(w):
            return True
        return self.solve(w).kept == self.base

    def grid(self, weights: list[float]) -> dict[float, frozenset[str]]:
        """The kept set at each grid weight (`weights` sorted, today's weight among them)."""
        if not self.fast:
            return {w: self.solve(w).kept for w in weights}
        sets: dict[float, frozenset[str]] = {}

        def at(i: int) -> frozenset[str]:
            if weights[i] not in sets:
                sets[weights[i]] = self.solve(weights[i]).kept
            return sets[weights[i]]

        def fill(i: int, j: int) -> None:
            if j - i <= 1:
                return
            if self.proven and at(i) == at(j):  # best at both ends, so at every weight between
                for k in range(i + 1, j):
                    sets[weights[k]] = at(i)
                return
            middle = (i + j) // 2
            at(middle)
            fill(i, middle)
            fill(middle, j)

        today = weights.index(self.weight)
        for i in (0, today, len(weights) - 1):
            at(i)
        fill(0, today)
        fill(today, len(weights) - 1)
        return sets

    def edge(self, bad: float) -> float:
        """Bisect between a weight where the set changes and today's weight; return the last weight where
        it does not (as a plain bisection of re-solves would)."""
        if self.fast:
            self._settle(bad)
        good = self.weight
        while abs(bad - good) > WEIGHT_TOLERANCE:
            mid = (bad + good) / 2
            if self.is_base(mid):
                good = mid
            else:
                bad = mid
        return good

    def _settle(self, bad: float) -> None:
        """Parametric steps from today's weight towards `bad`: re-solve where today's set and the nearest
        known challenger are worth the same, until today's set is proven best there."""
        direction = 1.0 if bad > self.weight else -1.0
        for _ in range(MAX_CROSSINGS):
            if not self.proven:
                return
            crossing = self._nearest_crossing(bad, direction)
            if crossing is None or crossing in self.seen:
                return
            self.solve(crossing)

    def _nearest_crossing(self, bad: float, direction: float) -> float | None:
        """The weight nearest today's, towards `bad`, where a known set stops being worth less than today's."""
        here = self.value(self.base, self.weight)
        base_slope = sum(self.scores.get(pid, 0.0) for pid in self.base)
        nearest = None
        for k in self.known:
            slope = sum(self.scores.get(pid, 0.0) for pid in k) - base_slope
            if slope * direction <= 0:
                continue
            crossing = self.weight + (here - self.value(k, self.weight)) / slope
            if (crossing - self.weight) * direction < 0 or (crossing - bad) * direction > 0:
                continue
            if nearest is None or abs(crossing - self.weight) < abs(nearest - self.weight):
                nearest = crossing
        return nearest


def _tie(value: float) -> float:
    return VALUE_TIE * max(1.0, abs(value))


def _tie_w(weight: float) -> float:
    return WEIGHT_TIE * max(1.0, abs(weight))
