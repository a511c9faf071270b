"""Explain every decision by re-solving: what bringing a priority in (or dropping it) would cost and
displace, what stops it, what change to its score or cost would flip it, what the must-dos cost the
local agenda, what more capacity or less headroom is worth, and what a simple ranking would give.

Every figure comes from a re-solve of the same model with one change (see :mod:`optimiser.whatif`),
never from a guess.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from .domain import Portfolio
from .model import capacity_row, priority_weights
from .ranking import RankingOutcome, rank_and_cut
from .result import Result
from .whatif import CostRanges, Resolver, Shared, WhatIf

VALUE_EPSILON = 1e-6
FIGURES = object()  # the portfolio-figures task in explain_portfolio's queue


@dataclass(frozen=True)
class Obstacle:
    """Something that stops a dropped priority today."""

    kind: str  # locked_out | alternative | capacity | count | theme_max
    subject: str  # the dimension, theme or kept alternative(s), ';'-joined
    need: float = 0.0  # capacity: what it needs (with the prerequisites it would drag in)
    free: float = 0.0  # capacity: what is free
    with_prerequisites: bool = False


@dataclass(frozen=True)
class PriorityExplanation:
    """Why one priority is in or out, as figures from re-solves (words.explanation_text words it).

    `case` says which answer this is:
    - dropped: `forceable` (it can be brought in: value_change is the net value lost), `impossible`
      (no selection keeps it at today's costs), `locked_out`;
    - kept: `free` (dropping it loses value_change), `cannot_drop` (no selection without it),
      `forced_anyway` (a must-do or lock the model would keep anyway), `forced_costly` (forcing it costs
      -value_change).
    `proven` is False when any re-solve behind a figure stopped before proving its answer: such figures
    are None (withheld) and the words say that they could not be proven."""

    priority_id: str
    name: str
    kept: bool
    value: float  # weighted value of the priority
    case: str
    value_change: float | None  # dropped: net value lost if forced in; kept: net value lost if dropped
    displaced: tuple[str, ...]  # kept priorities that would go
    brought_in: tuple[str, ...]  # priorities that would come in
    stopped_by: tuple[Obstacle, ...]  # what stops a dropped priority
    prerequisites_to_add: tuple[str, ...]  # unkept prerequisites a dropped priority would drag in
    value_needed: float | None  # dropped: weighted value above which it would be kept (None: no score can)
    cost_ranges: CostRanges | None  # dropped: shares of today's costs at which it is kept (None: not worked out)
    needed_by: tuple[str, ...] = ()  # kept priorities that require it
    forced_by: str = ""  # must_do | locked_in | locked_out | ""
    max_value: float = 0.0  # the highest weighted value any priority can have (top scores)
    proven: bool = True

    @property
    def cost_factor_needed(self) -> float | None:
        """The highest share of today's costs at which it is kept (None when no share keeps it)."""
        return None if self.cost_ranges is None else self.cost_ranges.highest


@dataclass(frozen=True)
class MustDoCost:
    value_gain: float | None  # net value gained if the must-dos were not forced (None: not proven)
    local_gained: tuple[str, ...]  # local priorities that would come in
    must_dos_dropped: tuple[str, ...]  # must-dos the model would then drop
    proven: bool = True


@dataclass(frozen=True)
class CapacityValue:
    dimension: str
    unit: str
    gain_one_unit: float | None
    gain_ten_pct: float | None
    first_in: tuple[str, ...]  # what comes in first with more of this capacity
    headroom_pct: float
    gain_five_pct_less_headroom: float | None
    proven: bool = True  # False: a re-solve stopped before proving its answer; its figure is None


@dataclass(frozen=True)
class RankingComparison:
    optimised: float
    ranking: float | None
    only_optimised: tuple[str, ...]
    only_ranking: tuple[str, ...]
    ranking_breaks: tuple[str, ...]


@dataclass(frozen=True)
class PortfolioFigures:
    """Portfolio-level trade-offs: must-dos, capacity and headroom, and the ranking comparison."""

    must_do_cost: MustDoCost | None
    capacity_values: tuple[CapacityValue, ...]
    all_headroom_five_pct: float | None  # value gained by 5 points less headroom on every dimension
    ranking: RankingComparison
    solves: int
    seconds: float
    proven: bool = True  # every figure above proven (unproven ones are None)


@dataclass(frozen=True)
class PortfolioExplanation:
    priorities: tuple[PriorityExplanation, ...]
    figures: PortfolioFigures
    solves: int  # MIP re-solves
    seconds: float
    bounds: int = 0  # extra solves run only for a bound (the fast path's proofs)
    skipped: int = 0  # cost-range searches a bound proved empty without a re-solve

    def for_priority(self, priority_id: str) -> PriorityExplanation:
        for e in self.priorities:
            if e.priority_id == priority_id:
                return e
        raise KeyError(priority_id)


def _gain(base: float, what: WhatIf) -> float | None:
    """Objective change of a what-if, with solver round-off (1e-12) removed; None when the what-if found
    nothing or did not prove its answer."""
    if what.objective is None or not what.proven:
        return None
    return round(what.objective - base, 6) + 0.0


def _unkept_prerequisites(portfolio: Portfolio, pid: str, kept: frozenset[str]) -> list[str]:
    return sorted(portfolio.prerequisite_closure(portfolio.priority(pid).requires, stop=kept))


def _stopped_by(
    portfolio: Portfolio, result: Result, pid: str, drag: list[str], alternatives: dict
) -> tuple[Obstacle, ...]:
    p = portfolio.priority(pid)
    kept = set(result.kept)
    rules = portfolio.rules
    out: list[Obstacle] = []
    if pid in rules.locked_out:
        out.append(Obstacle("locked_out", pid))
    kept_alts = sorted(a for a in alternatives.get(pid, ()) if a in kept)
    if kept_alts:
        out.append(Obstacle("alternative", ";".join(kept_alts)))
    group = [p] + [portfolio.priority(d) for d in drag]
    for use in result.capacity:
        need = sum(q.cost(use.dimension) for q in group)
        if need > use.free + 1e-9:
            with_pre = bool(drag) and need > p.cost(use.dimension)
            out.append(Obstacle("capacity", use.dimension, need, max(use.free, 0.0), with_pre))
    if rules.max_priorities is not None and len(kept) + len(group) > rules.max_priorities:
        out.append(Obstacle("count", str(rules.max_priorities)))
    for limit in rules.theme_limits:
        if limit.max_count is not None and limit.theme == p.theme:
            count = sum(1 for q in portfolio.priorities if q.id in kept and q.theme == p.theme)
            if count + 1 > limit.max_count:
                out.append(Obstacle("theme_max", p.theme, float(limit.max_count)))
    return tuple(out)


def explain_dropped(
    portfolio: Portfolio,
    result: Result,
    resolver: Resolver,
    pid: str,
    value: float,
    max_value: float,
    alternatives: dict,
) -> PriorityExplanation:
    base = result.objective or 0.0
    base_kept = frozenset(result.kept)
    p = portfolio.priority(pid)
    drag = tuple(_unkept_prerequisites(portfolio, pid, base_kept))
    stopped = _stopped_by(portfolio, result, pid, list(drag), alternatives)
    common = dict(
        priority_id=pid,
        name=p.name,
        kept=False,
        value=value,
        stopped_by=stopped,
        prerequisites_to_add=drag,
        max_value=max_value,
    )
    if pid in portfolio.rules.locked_out:
        return PriorityExplanation(
            case="locked_out",
            value_change=None,
            displaced=(),
            brought_in=(),
            value_needed=None,
            cost_ranges=None,
            forced_by="locked_out",
            proven=True,
            **common,
        )
    # Every figure below compares with today's net value, so it is proven only if today's is.
    proven = result.proven
    forced = resolver.solve(lock_in=(pid,))
    proven &= forced.proven
    ranges = resolver.cost_ranges(pid, base)
    proven &= ranges.proven
    if forced.objective is None:
        return PriorityExplanation(
            case="impossible" if forced.impossible else "unknown",
            value_change=None,
            displaced=(),
            brought_in=(),
            value_needed=None,
            cost_ranges=ranges if proven else None,
            proven=proven,
            **common,
        )
    if not proven:
        return PriorityExplanation(
            case="forceable",
            value_change=None,
            displaced=(),
            brought_in=(),
            value_needed=None,
            cost_ranges=None,
            proven=False,
            **common,
        )
    loss = max(base - forced.objective, 0.0)
    needed = value + loss
    return PriorityExplanation(
        case="forceable",
        value_change=loss,
        displaced=tuple(sorted(base_kept - forced.kept)),
        brought_in=tuple(sorted(forced.kept - base_kept - {pid})),
        value_needed=needed if needed < max_value - VALUE_EPSILON else None,
        cost_ranges=ranges,
        proven=True,
        **common,
    )


def explain_kept(
    portfolio: Portfolio, result: Result, resolver: Resolver, pid: str, value: float
) -> PriorityExplanation:
    base = result.objective or 0.0
    base_kept = frozenset(result.kept)
    p = portfolio.priority(pid)
    forced_by = "must_do" if p.must_do else "locked_in" if pid in portfolio.rules.locked_in else ""
    needed_by = tuple(sorted(q.id for q in portfolio.priorities if pid in q.requires and q.id in base_kept))
    common = dict(
        priority_id=pid,
        name=p.name,
        kept=True,
        value=value,
        stopped_by=(),
        prerequisites_to_add=(),
        value_needed=None,
        cost_ranges=None,
        needed_by=needed_by,
        forced_by=forced_by,
    )
    if forced_by:
        free = resolver.solve(release=(pid,), start=base_kept)
        proven = result.proven and free.proven
        gain = _gain(base, free)
        if proven and (gain is None or pid in free.kept):
            return PriorityExplanation(
                case="forced_anyway", value_change=0.0, displaced=(), brought_in=(), proven=True, **common
            )
        if not proven or gain is None:
            return PriorityExplanation(
                case="forced_costly", value_change=None, displaced=(), brought_in=(), proven=False, **common
            )
        added = tuple(sorted(free.kept - base_kept))
        return PriorityExplanation(
            case="forced_costly", value_change=-gain, displaced=(), brought_in=added, proven=True, **common
        )
    out = resolver.solve(lock_out=(pid,))
    proven = result.proven and out.proven
    if out.impossible and proven:
        return PriorityExplanation(
            case="cannot_drop", value_change=None, displaced=(), brought_in=(), proven=True, **common
        )
    if out.objective is None or not proven:
        return PriorityExplanation(case="free", value_change=None, displaced=(), brought_in=(), proven=False, **common)
    return PriorityExplanation(
        case="free",
        value_change=max(base - out.objective, 0.0),
        displaced=tuple(sorted(base_kept - out.kept - {pid})),
        brought_in=tuple(sorted(out.kept - base_kept)),
        proven=True,
        **common,
    )


def must_do_cost(portfolio: Portfolio, result: Result, resolver: Resolver) -> MustDoCost | None:
    must = tuple(p.id for p in portfolio.priorities if p.must_do)
    if not must:
        return None
    free = resolver.solve(release=must, start=frozenset(result.kept))
    gain = _gain(result.objective or 0.0, free)
    if gain is None or not result.proven:
        return MustDoCost(None, (), (), proven=False)
    base_kept = set(result.kept)
    local = tuple(
        p.id for p in portfolio.priorities if p.id in free.kept and p.id not in base_kept and p.source == "local"
    )
    dropped = tuple(pid for pid in must if pid not in free.kept)
    return MustDoCost(max(gain, 0.0), local, dropped)


def capacity_values(portfolio: Portfolio, result: Result, resolver: Resolver) -> tuple[CapacityValue, ...]:
    base = result.objective or 0.0
    base_kept = frozenset(result.kept)
    out: list[CapacityValue] = []
    for dim in portfolio.dimensions:
        row = capacity_row(portfolio, dim.name)
        # More capacity never lowers the best value, so when 10% more gains nothing, any smaller
        # rise gains nothing either and needs no re-solve.
        ten = resolver.solve(row_upper={row: dim.usable * 1.10}, start=base_kept)
        nothing_at_ten = ten.proven and ten.objective is not None and ten.objective <= base + VALUE_EPSILON
        if nothing_at_ten and 1.0 <= dim.usable * 0.10:
            one = WhatIf(ten.status, base, base_kept, ten.gap)
        else:
            one = resolver.solve(row_upper={row: dim.usable + 1.0}, start=base_kept)
        first = (one.kept - base_kept) or (ten.kept - base_kept)
        less_headroom = None
        if dim.headroom_pct > 0:
            usable = dim.available * (1.0 - max(dim.headroom_pct - 5.0, 0.0) / 100.0)
            if nothing_at_ten and usable <= dim.usable * 1.10:
                less_headroom = 0.0
            else:
                less_headroom = _gain(base, resolver.solve(row_upper={row: usable}, start=base_kept))
        figures = (_gain(base, one), _gain(base, ten))
        proven = result.proven and None not in figures and (dim.headroom_pct <= 0 or less_headroom is not None)
        out.append(
            CapacityValue(
                dim.name,
                dim.unit,
                figures[0] if proven else None,
                figures[1] if proven else None,
                tuple(p.id for p in portfolio.priorities if p.id in first) if proven else (),
                dim.headroom_pct,
                less_headroom if proven else None,
                proven,
            )
        )
    return tuple(out)


def compare_with_ranking(
    portfolio: Portfolio, result: Result, ranking: RankingOutcome | None = None
) -> RankingComparison:
    ranking = ranking or rank_and_cut(portfolio)
    kept = set(result.kept)
    ranked = set(ranking.kept)
    return RankingComparison(
        optimised=result.objective or 0.0,
        ranking=ranking.objective,
        only_optimised=tuple(p.id for p in portfolio.priorities if p.id in kept - ranked),
        only_ranking=tuple(p.id for p in portfolio.priorities if p.id in ranked - kept),
        ranking_breaks=ranking.breaks,
    )


def _require_selection(result: Result) -> None:
    if not result.has_selection:
        raise ValueError("There is no selection to explain; see the result's conflicts and remedies instead.")


def explain_priority(
    portfolio: Portfolio, result: Result, priority_id: str, resolver: Resolver | None = None
) -> PriorityExplanation:
    """The explanation of one priority (a handful of re-solves)."""
    _require_selection(result)
    resolver = resolver or Resolver(portfolio)
    value, _ = priority_weights(portfolio)
    i = next(n for n, p in enumerate(portfolio.priorities) if p.id == priority_id)
    if priority_id in result.kept:
        return explain_kept(portfolio, result, resolver, priority_id, float(value[i]))
    max_value = sum(c.weight * 10.0 for c in portfolio.criteria)
    return explain_dropped(
        portfolio, result, resolver, priority_id, float(value[i]), max_value, portfolio.alternatives()
    )


def portfolio_figures(portfolio: Portfolio, result: Result, resolver: Resolver | None = None) -> PortfolioFigures:
    """Must-do cost, value of capacity and headroom, and the ranking comparison."""
    _require_selection(result)
    started = time.perf_counter()
    resolver = resolver or Resolver(portfolio)
    before = resolver.solves
    capacity = capacity_values(portfolio, result, resolver)
    all_headroom = None
    if any(d.headroom_pct > 0 for d in portfolio.dimensions):
        uppers = {
            capacity_row(portfolio, d.name): d.available * (1.0 - max(d.headroom_pct - 5.0, 0.0) / 100.0)
            for d in portfolio.dimensions
        }
        all_headroom = _gain(result.objective or 0.0, resolver.solve(row_upper=uppers, start=frozenset(result.kept)))
        all_headroom = all_headroom if result.proven else None
    must = must_do_cost(portfolio, result, resolver)
    headroom_proven = all_headroom is not None or not any(d.headroom_pct > 0 for d in portfolio.dimensions)
    return PortfolioFigures(
        must_do_cost=must,
        capacity_values=capacity,
        all_headroom_five_pct=all_headroom,
        ranking=compare_with_ranking(portfolio, result),
        solves=resolver.solves - before,
        seconds=time.perf_counter() - started,
        proven=result.proven and (must is None or must.proven) and all(c.proven for c in capacity) and headroom_proven,
    )


def explain_portfolio(
    portfolio: Portfolio,
    result: Result,
    time_limit: float = 10.0,
    workers: int = 2,
    progress: Callable[[int, int], None] | None = None,
    fast: bool = True,
) -> PortfolioExplanation:
    """Explanations for every priority and the portfolio-level figures. Needs a solved result.

    `progress(done, total)` is called as priorities are explained (from worker threads).

    The work is shared by `workers` threads, each with its own model (HiGHS releases the GIL while
    it solves, so two threads use both cores). They take the next task from one queue, the
    portfolio figures (about a dozen re-solves) and dropped priorities (two) first, so that both
    threads finish at about the same time.

    `fast` (the default) shares one model, a pool of selections and a bound between the threads: every
    lock-in/lock-out re-solve starts from the best selection known for it, and a dropped priority worth
    less than the last place under a binding count limit gets its (empty) cost range by proof rather
    than a re-solve (`whatif.Resolver`). Every figure is the same as with `fast=False`, the plain
    re-solve of each question (tests/unit/test_explain_same_figures.py).
    """
    _require_selection(result)
    started = time.perf_counter()
    ids = [p.id for p in portfolio.priorities]
    kept = set(result.kept)
    queue: Iterator[object] = iter(
        [FIGURES] + [pid for pid in ids if pid not in kept] + [pid for pid in ids if pid in kept]
    )
    lock = threading.Lock()
    explained: dict[str, PriorityExplanation] = {}
    figures: list[PortfolioFigures] = []
    solves = 0
    skipped = 0
    shared = Shared(portfolio, frozenset(result.kept), time_limit) if fast else None

    def work() -> None:
        nonlocal solves, skipped
        own = Resolver(portfolio, time_limit=time_limit, fast=fast, shared=shared)
        while True:
            with lock:
                task = next(queue, None)
            if task is None:
                break
            if task is FIGURES:
                figures.append(portfolio_figures(portfolio, result, own))
                continue
            assert isinstance(task, str)
            explanation = explain_priority(portfolio, result, task, own)
            with lock:
                explained[task] = explanation
                done = len(explained)
            if progress:
                progress(done, len(ids))
        with lock:
            solves += own.solves
            skipped += own.skipped

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for future in [pool.submit(work) for _ in range(max(1, workers))]:
            future.result()  # re-raises a worker's error
    return PortfolioExplanation(
        priorities=tuple(explained[pid] for pid in ids),
        figures=figures[0],
        solves=solves,
        seconds=time.perf_counter() - started,
        bounds=shared.lp_solves if shared is not None else 0,
        skipped=skipped,
    )
