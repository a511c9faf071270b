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
from .explain import _fmt
from .model import priority_weights, safe_name
from .ranking import RankingOutcome, rank_and_cut
from .result import Result
from .whatif import Resolver, WhatIf

VALUE_EPSILON = 1e-6
FIGURES = object()  # the portfolio-figures task in explain_portfolio's queue


@dataclass(frozen=True)
class PriorityExplanation:
    priority_id: str
    name: str
    kept: bool
    value: float
    summary: str  # plain words for a board member
    value_change: float | None  # dropped: value lost if forced in; kept: value lost if dropped; None if impossible
    displaced: tuple[str, ...]  # kept priorities that would go
    brought_in: tuple[str, ...]  # priorities that would come in
    stopped_by: tuple[str, ...]  # capacities and rules that stop a dropped priority
    prerequisites_to_add: tuple[str, ...]  # unkept prerequisites a dropped priority would drag in
    value_needed: float | None  # dropped: weighted value above which it would be kept (None: no score can)
    cost_factor_needed: float | None  # dropped: its costs must fall to this share of today's (None: no cost fall can)


@dataclass(frozen=True)
class MustDoCost:
    value_gain: float  # objective gained if the must-dos were not forced
    local_gained: tuple[str, ...]  # local priorities that would come in
    must_dos_dropped: tuple[str, ...]  # must-dos the model would then drop


@dataclass(frozen=True)
class CapacityValue:
    dimension: str
    unit: str
    gain_one_unit: float | None
    gain_ten_pct: float | None
    first_in: tuple[str, ...]  # what comes in first with more of this capacity
    headroom_pct: float
    gain_five_pct_less_headroom: float | None


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


@dataclass(frozen=True)
class PortfolioExplanation:
    priorities: tuple[PriorityExplanation, ...]
    figures: PortfolioFigures
    solves: int
    seconds: float

    def for_priority(self, priority_id: str) -> PriorityExplanation:
        for e in self.priorities:
            if e.priority_id == priority_id:
                return e
        raise KeyError(priority_id)


def _names(ids) -> str:
    ids = list(ids)
    return ", ".join(ids) if ids else "none"


def _gain(base: float, what: WhatIf) -> float | None:
    """Objective change of a what-if, with solver round-off (1e-12) removed."""
    return None if what.objective is None else round(what.objective - base, 6) + 0.0


def _unkept_prerequisites(portfolio: Portfolio, pid: str, kept: frozenset[str]) -> list[str]:
    return sorted(portfolio.prerequisite_closure(portfolio.priority(pid).requires, stop=kept))


def _stopped_by(portfolio: Portfolio, result: Result, pid: str, drag: list[str], alternatives: dict) -> list[str]:
    p = portfolio.priority(pid)
    kept = set(result.kept)
    rules = portfolio.rules
    reasons: list[str] = []
    if pid in rules.locked_out:
        reasons.append("it is locked out for this scenario")
    kept_alts = sorted(a for a in alternatives.get(pid, ()) if a in kept)
    if kept_alts:
        reasons.append(f"it is an alternative to {', '.join(kept_alts)}, which is kept")
    group = [p] + [portfolio.priority(d) for d in drag]
    for use in result.capacity:
        need = sum(q.cost(use.dimension) for q in group)
        if need > use.free + 1e-9:
            unit = f" {use.unit}" if use.unit else ""
            with_pre = " with its prerequisites" if drag and need > p.cost(use.dimension) else ""
            reasons.append(
                f"{use.dimension} capacity is {'full' if use.free <= 1e-9 else 'nearly full'}: it needs "
                f"{_fmt(need)}{unit}{with_pre}, {_fmt(max(use.free, 0.0))} free"
            )
    if rules.max_priorities is not None and len(kept) + len(group) > rules.max_priorities:
        reasons.append(f"the limit of {rules.max_priorities} priorities would be passed")
    for limit in rules.theme_limits:
        if limit.max_count is not None and limit.theme == p.theme:
            count = sum(1 for q in portfolio.priorities if q.id in kept and q.theme == p.theme)
            if count + 1 > limit.max_count:
                reasons.append(f"theme '{p.theme}' is at its maximum of {limit.max_count}")
    return reasons


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
    drag = _unkept_prerequisites(portfolio, pid, base_kept)
    stopped = _stopped_by(portfolio, result, pid, drag, alternatives)
    forced = (
        resolver.solve(lock_in=(pid,)) if pid not in portfolio.rules.locked_out else WhatIf("locked", None, frozenset())
    )
    lines: list[str] = []
    if forced.objective is None:
        why = "; ".join(stopped) if stopped else "the other rules leave no room for it"
        summary = f"{pid} cannot be kept under the current rules: {why}. No change to its score or cost alone would bring it in."
        return PriorityExplanation(
            pid, p.name, False, value, summary, None, (), (), tuple(stopped), tuple(drag), None, None
        )
    loss = max(base - forced.objective, 0.0)
    displaced = tuple(sorted(base_kept - forced.kept))
    brought = tuple(sorted(forced.kept - base_kept - {pid}))
    lines.append(
        f"Bringing {pid} in would lose {_fmt(loss)} of value"
        + (f" and displace {_names(displaced)}." if displaced else ".")
    )
    if brought:
        lines.append(f"It would also bring in {_names(brought)}.")
    if stopped:
        lines.append("What stops it: " + "; ".join(stopped) + ".")
    if drag:
        costs = ", ".join(
            f"{_fmt(sum(portfolio.priority(d).cost(dim.name) for d in drag))} {dim.unit}".strip() + f" of {dim.name}"
            for dim in portfolio.dimensions
        )
        lines.append(f"It needs {_names(drag)} first, which would add {costs}.")
    needed = value + loss
    value_needed: float | None = needed if needed < max_value - VALUE_EPSILON else None
    if value_needed is not None:
        lines.append(f"It would be kept if its weighted value rose above {_fmt(needed)} (now {_fmt(value)}).")
    else:
        lines.append(
            f"No score change can bring it in: even top scores give {_fmt(max_value)}, it would need more than {_fmt(needed)}."
        )
    factor = resolver.cost_threshold(pid, base) if pid not in portfolio.rules.locked_out else None
    if factor is None:
        lines.append("No cost reduction alone would bring it in.")
    else:
        lines.append(
            f"It would be kept if its costs fell to {100 * factor:.0f}% of today's (a cut of {100 * (1 - factor):.0f}%)."
        )
    return PriorityExplanation(
        pid,
        p.name,
        False,
        value,
        " ".join(lines),
        loss,
        displaced,
        brought,
        tuple(stopped),
        tuple(drag),
        value_needed,
        factor,
    )


def explain_kept(
    portfolio: Portfolio, result: Result, resolver: Resolver, pid: str, value: float
) -> PriorityExplanation:
    base = result.objective or 0.0
    base_kept = frozenset(result.kept)
    p = portfolio.priority(pid)
    forced_by = "a national must-do" if p.must_do else "locked in" if pid in portfolio.rules.locked_in else ""
    if forced_by:
        free = resolver.solve(release=(pid,), start=base_kept)
        gain = _gain(base, free)
        if gain is None or pid in free.kept:
            summary = f"{pid} is {forced_by}; the model would keep it anyway."
            return PriorityExplanation(pid, p.name, True, value, summary, 0.0, (), (), (), (), None, None)
        added = tuple(sorted(free.kept - base_kept))
        summary = (
            f"{pid} is {forced_by}. Forcing it in costs {_fmt(gain)} of value: without it the model would "
            f"keep {_names(added)} instead."
        )
        return PriorityExplanation(pid, p.name, True, value, summary, -gain, (), added, (), (), None, None)
    out = resolver.solve(lock_out=(pid,))
    if out.objective is None:
        needed_by = sorted(q.id for q in portfolio.priorities if pid in q.requires and q.id in base_kept)
        summary = f"{pid} cannot be dropped under the current rules" + (
            f": {_names(needed_by)} need it." if needed_by else "."
        )
        return PriorityExplanation(pid, p.name, True, value, summary, None, (), (), (), (), None, None)
    loss = max(base - out.objective, 0.0)
    replacement = tuple(sorted(out.kept - base_kept))
    also_lost = tuple(sorted(base_kept - out.kept - {pid}))
    summary = f"Dropping {pid} would lose {_fmt(loss)} of value"
    summary += (
        f"; {_names(replacement)} would take its place" if replacement else "; nothing else would fit in its place"
    )
    if also_lost:
        summary += f", and {_names(also_lost)} would go with it"
    summary += "."
    return PriorityExplanation(pid, p.name, True, value, summary, loss, also_lost, replacement, (), (), None, None)


def must_do_cost(portfolio: Portfolio, result: Result, resolver: Resolver) -> MustDoCost | None:
    must = tuple(p.id for p in portfolio.priorities if p.must_do)
    if not must:
        return None
    free = resolver.solve(release=must, start=frozenset(result.kept))
    gain = _gain(result.objective or 0.0, free)
    if gain is None:
        return None
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
        row = f"capacity_{safe_name(dim.name)}"
        # More capacity never lowers the best value, so when 10% more gains nothing, any smaller
        # rise gains nothing either and needs no re-solve.
        ten = resolver.solve(row_upper={row: dim.usable * 1.10}, start=base_kept)
        nothing_at_ten = ten.objective is not None and ten.objective <= base + VALUE_EPSILON
        if nothing_at_ten and 1.0 <= dim.usable * 0.10:
            one = WhatIf(ten.status, base, base_kept)
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
        out.append(
            CapacityValue(
                dim.name,
                dim.unit,
                _gain(base, one),
                _gain(base, ten),
                tuple(p.id for p in portfolio.priorities if p.id in first),
                dim.headroom_pct,
                less_headroom,
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
            f"capacity_{safe_name(d.name)}": d.available * (1.0 - max(d.headroom_pct - 5.0, 0.0) / 100.0)
            for d in portfolio.dimensions
        }
        all_headroom = _gain(result.objective or 0.0, resolver.solve(row_upper=uppers, start=frozenset(result.kept)))
    must = must_do_cost(portfolio, result, resolver)
    return PortfolioFigures(
        must_do_cost=must,
        capacity_values=capacity,
        all_headroom_five_pct=all_headroom,
        ranking=compare_with_ranking(portfolio, result),
        solves=resolver.solves - before,
        seconds=time.perf_counter() - started,
    )


def explain_portfolio(
    portfolio: Portfolio,
    result: Result,
    time_limit: float = 10.0,
    workers: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> PortfolioExplanation:
    """Explanations for every priority and the portfolio-level figures. Needs a solved result.

    `progress(done, total)` is called as priorities are explained (from worker threads).

    The work is shared by `workers` threads, each with its own model (HiGHS releases the GIL while
    it solves, so two threads use both cores). They take the next task from one queue, the
    portfolio figures (about a dozen re-solves) and dropped priorities (two) first, so that both
    threads finish at about the same time.
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

    def work() -> None:
        nonlocal solves
        own = Resolver(portfolio, time_limit=time_limit)
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

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for future in [pool.submit(work) for _ in range(max(1, workers))]:
            future.result()  # re-raises a worker's error
    return PortfolioExplanation(
        priorities=tuple(explained[pid] for pid in ids),
        figures=figures[0],
        solves=solves,
        seconds=time.perf_counter() - started,
    )
