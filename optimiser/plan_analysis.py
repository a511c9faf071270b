"""Ask why of a solved multi-year plan: typed answers, no sentences (they are in `optimiser.words`).

- `why_start`: why a priority starts (or an existing activity stops) when it does, or why it is not started.
  Every reason is the answer of a check from the rules' definitions: the plan's schedule with only that
  priority moved one year (earlier, later; for one not started: started in each year of the plan), everything
  else unchanged, is checked by `rules.check_rules`, and each rule the moved schedule would break is a reason
  (its earliest start, a prerequisite that finishes the year before, with its lag, a year lock, a capacity
  that is full in a year, its deadline, the end of the plan, a priority that needs it...). When the moved
  schedule breaks no rule, the reason is its value (the same, less, or, only in a plan not proven best, more).
- `start_earlier`, `defer_deadline`, `capacity_worth`: the plan re-solved with one change (a year lock one
  year earlier, a deadline later, one capacity raised in one year), each re-solved plan checked by
  `check_rules` (`solve_plan` does that). The change in net value is a fact only when both the plan and the
  re-solve are proven optimal; otherwise the answer carries the gap and the range the solvers' bounds allow.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from .domain import Portfolio, Priority
from .plan import plan_rows, solve_plan
from .plan_diagnosis import earliest_finish
from .plan_model import delivery_cost, start_window
from .result import PlanResult, PlanRow, RuleNote, Schedule
from .rules import Violation, assert_rules, check_rules, plan_delivered, plan_year_use
from .solver_options import DEFAULT_GAP, DEFAULT_TIME_LIMIT

# Capacity worth: each dimension's available capacity in one year is raised by this share of that year's
# available figure (before capacity gained from finished priorities); the headroom share of it stays free.
CAPACITY_STEP_PCT = 10.0
WORKERS = 4  # re-solves run side by side (HiGHS releases the interpreter lock while it solves)
# Two net values closer than this (relative to their size) count as equal.
VALUE_TOLERANCE = 1e-9


# ------------------------------------------------------------------ typed answers


@dataclass(frozen=True)
class Reason:
    """One rule (or the value) that holds a priority where it is in the plan.

    kind: first_year | earliest_start | prerequisite | alongside | prerequisite_not_started |
    prerequisite_cannot_finish | prerequisite_running | needed_by | year_lock | forbidden_start | deadline | plan_end | capacity |
    alternative | max_priorities | theme_min | theme_max | horizon_min | horizon_max | locked_out | must_do |
    locked_in | value | other; a question that does not apply: existing | not_started | no_deadline |
    plan_end."""

    kind: str
    subject: str = ""  # a priority id (prerequisite, dependent, alternative), a dimension, a theme or a horizon
    year: int | None = None  # the plan year the rule is about (a capacity's year, a prerequisite's finish...)
    start: int | None = None  # not started: the start year this reason rules out (None: every year)
    lag: int = 0  # prerequisite: the years to wait after it finishes
    need: float = 0.0  # capacity: what the move would add to that year's use
    free: float = 0.0  # capacity: what is free in that year in the plan
    over: float = 0.0  # capacity: by how much the moved schedule would pass the usable capacity
    value_change: float = 0.0  # value: the moved schedule's net value minus the plan's


@dataclass(frozen=True)
class WhyStart:
    """Why a priority is where it is in the plan (see the module's notes).

    For a new priority started in a year: `before` says why it does not start a year earlier, `after` why
    not a year later. For an existing activity: `before` why it is not stopped a year earlier (continued:
    why not stopped in the plan's last year), `after` why it does not run a year longer (stopped only).
    For a priority not started: `blocked`, with `start` set on the reasons that rule out one start year."""

    priority_id: str
    status: str  # started | continued | stopped | not_started
    start: int | None
    finish: int | None
    stop: int | None
    before: tuple[Reason, ...] = ()
    after: tuple[Reason, ...] = ()
    blocked: tuple[Reason, ...] = ()
    plan_proven: bool = True  # the plan explained is proven optimal
    plan_gap: float | None = 0.0


@dataclass(frozen=True)
class Change:
    """A priority whose place in the plan differs between two plans."""

    priority_id: str
    before: PlanRow
    after: PlanRow

    @property
    def kind(self) -> str:
        """added | dropped | earlier | later | stops_earlier | stops_later (a stopped activity)."""
        was, now = delivered_row(self.before), delivered_row(self.after)
        if was and not now:
            return "dropped"
        if now and not was:
            return "added"
        if self.before.status == "started":
            return "earlier" if (self.after.start or 0) < (self.before.start or 0) else "later"
        big = 10**6
        return "stops_later" if (self.after.stop or big) > (self.before.stop or big) else "stops_earlier"

    @property
    def frees(self) -> bool:
        """True when the change lets more be done (in, earlier, running longer)."""
        return self.kind in ("added", "earlier", "stops_later")


@dataclass(frozen=True)
class ReSolved:
    """The plan re-solved with one change: the change in net value and what moves.

    `net_value_change` is the re-solved plan's net value minus the plan's; it is a fact only when `proven`
    (both plans proven optimal). Otherwise the true change lies in [`change_low`, `change_high`] (from the
    solvers' bounds; None when a bound is not known) and `gap` is the re-solve's gap."""

    question: str  # start_earlier | defer_deadline | capacity
    subject: str  # the priority id, or 'dimension|year'
    case: str  # solved | impossible | no_plan (stopped without a plan) | not_applicable
    target: int | None = None  # the year tried (start earlier), the new deadline, or the year raised
    net_value_change: float | None = None
    change_low: float | None = None
    change_high: float | None = None
    proven: bool = False
    gap: float | None = None
    base_proven: bool = True
    changes: tuple[Change, ...] = ()  # every other priority whose place changes
    reasons: tuple[Reason, ...] = ()  # impossible / not applicable: the rules of time that say so
    conflicts: tuple[RuleNote, ...] = ()  # impossible: the re-solve's diagnosis
    replaces_lock: int | None = None  # start earlier: the year it was locked to before
    result: PlanResult | None = None
    seconds: float = 0.0

    @property
    def freed(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.frees)

    @property
    def displaced(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if not c.frees)

    @property
    def time_limit_hit(self) -> bool:
        return bool(self.result is not None and self.result.time_limit_hit)


@dataclass(frozen=True)
class CapacityWorth:
    """What one capacity dimension is worth in one plan year: the plan re-solved with that year's available
    capacity raised by `step` (CAPACITY_STEP_PCT of it; `usable_step` after headroom), minus today's."""

    dimension: str
    year: int
    step: float
    usable_step: float
    case: str  # re_solved | never_binding (proven: nothing can gain) | no_capacity (none available that year)
    answer: ReSolved | None = None

    @property
    def net_value_change(self) -> float | None:
        if self.case == "never_binding":
            return 0.0
        return self.answer.net_value_change if self.answer is not None else None

    @property
    def proven(self) -> bool:
        if self.case == "never_binding":
            return True
        return self.answer is not None and self.answer.proven


# ------------------------------------------------------------------ helpers


def delivered_row(row: PlanRow) -> bool:
    """Whether a plan row is delivered at all (a stopped activity runs in year 1)."""
    return row.status in ("started", "continued") or (row.status == "stopped" and row.start is not None)


def _need_plan(result: PlanResult) -> Schedule:
    if not result.has_selection or result.schedule is None:
        raise ValueError("The plan has no schedule to explain (no plan was found).")
    return result.schedule


def schedule_value(portfolio: Portfolio, schedule: Schedule) -> float:
    """A schedule's net value from the definitions (value earned minus drop penalty)."""
    _, value, penalty = plan_rows(portfolio, schedule)
    return value - penalty


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= VALUE_TOLERANCE * max(1.0, abs(a), abs(b))


def _moved(schedule: Schedule, pid: str, start: int | None = None, stop: int | None = None) -> Schedule:
    """The schedule with pid started in `start` (None: not started) or, existing, stopped from `stop`
    (None: running to the end); nothing else changes."""
    starts = tuple((q, u) for q, u in schedule.starts if q != pid)
    stops = tuple((q, s) for q, s in schedule.stops if q != pid)
    if start is not None:
        starts += ((pid, start),)
    if stop is not None:
        stops += ((pid, stop),)
    return Schedule(starts, stops)


def _reasons(
    portfolio: Portfolio,
    plan: Schedule,
    moved: Schedule,
    pid: str,
    violations: tuple[Violation, ...],
    start: int | None = None,
) -> list[Reason]:
    """The rules the moved schedule breaks, as reasons about priority pid."""
    p = portfolio.priority(pid)
    years = portfolio.plan.years
    start_of, stop_of = plan.start_of, plan.stop_of
    delivered = plan_delivered(portfolio, plan)
    out: list[Reason] = []
    for v in violations:
        if v.kind == "earliest_start":
            out.append(Reason("earliest_start", year=max(p.earliest_start, 1), start=start))
        elif v.kind == "forbidden_start":
            out.append(Reason("forbidden_start", year=moved.start_of.get(pid), start=start))
        elif v.kind == "year_lock":
            out.append(Reason("year_lock", year=dict(portfolio.rules.year_locks).get(pid), start=start))
        elif v.kind == "plan_end":
            out.append(Reason("plan_end", year=years, start=start))
        elif v.kind == "deadline":
            out.append(Reason("deadline", year=p.deadline, start=start))
        elif v.kind == "starts_after":
            a, b = v.subject.split("|", 1)
            if a == pid:  # its own prerequisite b
                q = portfolio.priority(b)
                if b not in delivered:
                    out.append(Reason("prerequisite_not_started", subject=b))
                elif q.existing:
                    out.append(Reason("prerequisite_running", subject=b, year=stop_of.get(b), start=start))
                elif p.runs_alongside(b, years):
                    out.append(Reason("alongside", subject=b, year=start_of[b], start=start))
                else:
                    finish = start_of[b] + q.duration - 1
                    out.append(Reason("prerequisite", subject=b, year=finish, lag=p.lag(b), start=start))
            else:  # a priority that needs pid
                year = start_of.get(a) if a in start_of else stop_of.get(a)
                out.append(Reason("needed_by", subject=a, year=year, start=start))
        elif v.kind == "capacity":
            dim_name, year_text = v.subject.split("|")
            t = int(year_text)
            dim = portfolio.dimension(dim_name)
            used, gained = plan_year_use(portfolio, plan, dim_name, t)
            used_moved, _ = plan_year_use(portfolio, moved, dim_name, t)
            out.append(
                Reason(
                    "capacity",
                    subject=dim_name,
                    year=t,
                    start=start,
                    need=used_moved - used,
                    free=max(dim.usable_in(t, gained) - used, 0.0),
                    over=v.amount,
                )
            )
        elif v.kind == "excludes":
            a, b = v.subject.split("|", 1)
            out.append(Reason("alternative", subject=b if a == pid else a))
        elif v.kind == "max_priorities":
            out.append(Reason("max_priorities", subject=str(portfolio.rules.max_priorities)))
        elif v.kind in ("theme_min", "theme_max", "horizon_min", "horizon_max", "locked_out", "must_do", "locked_in"):
            out.append(Reason(v.kind, subject=v.subject if v.kind not in ("must_do", "locked_in") else ""))
        else:
            out.append(Reason("other", subject=v.detail, start=start))
    return _unique(out)


def _unique(reasons: list[Reason]) -> list[Reason]:
    seen: set[Reason] = set()
    out = []
    for r in reasons:
        if r not in seen:
            seen.add(r)
            out.append(r)
    return out


def _try(portfolio: Portfolio, plan: Schedule, pid: str, moved: Schedule, base_value: float, start=None):
    """The reasons a move breaks, or the value reason when it breaks nothing."""
    violations = check_rules(portfolio, moved)
    if violations:
        return _reasons(portfolio, plan, moved, pid, violations, start)
    return [Reason("value", start=start, value_change=schedule_value(portfolio, moved) - base_value)]


# ------------------------------------------------------------------ 1. why it starts when it does


def why_start(portfolio: Portfolio, result: PlanResult, pid: str) -> WhyStart:
    """Why priority `pid` starts (stops) when it does in the plan, or why it is not started (module notes)."""
    plan = _need_plan(result)
    p = portfolio.priority(pid)
    row = result.row(pid)
    years = portfolio.plan.years
    base_value = schedule_value(portfolio, plan)
    common = {"plan_proven": result.proven, "plan_gap": result.gap}
    head = {"priority_id": pid, "status": row.status, "start": row.start, "finish": row.finish, "stop": row.stop}
    if p.existing:
        before = _existing_before(portfolio, plan, p, base_value)
        after = _existing_after(portfolio, plan, p, base_value)
        return WhyStart(**head, before=tuple(before), after=tuple(after), **common)
    u = plan.start_of.get(pid)
    if u is not None:
        if u <= 1:
            before = [Reason("first_year", year=1)]
        else:
            before = _try(portfolio, plan, pid, _moved(plan, pid, start=u - 1), base_value)
        after = _try(portfolio, plan, pid, _moved(plan, pid, start=u + 1), base_value)
        return WhyStart(**head, before=tuple(before), after=tuple(after), **common)
    blocked: list[Reason] = []
    if pid in portfolio.rules.locked_out:
        blocked.append(Reason("locked_out"))
    else:
        for t in range(1, years + 1):
            blocked += _try(portfolio, plan, pid, _moved(plan, pid, start=t), base_value, start=t)
    return WhyStart(**head, blocked=tuple(_common_first(blocked, years)), **common)


def _common_first(reasons: list[Reason], years: int) -> list[Reason]:
    """Reasons that rule out every start year once (start None), the rest per year."""
    by_key: dict[tuple, set[int | None]] = {}
    for r in reasons:
        by_key.setdefault((r.kind, r.subject), set()).add(r.start)
    common = {k for k, starts in by_key.items() if None in starts or starts >= set(range(1, years + 1))}
    out: list[Reason] = []
    done: set[tuple] = set()
    for r in reasons:
        key = (r.kind, r.subject)
        if key in common and r.kind not in ("capacity", "prerequisite", "alongside", "value"):
            if key not in done:
                done.add(key)
                out.append(replace(r, start=None, year=r.year if r.kind != "forbidden_start" else None))
            continue
        out.append(r)
    return _unique(out)


def _existing_before(portfolio: Portfolio, plan: Schedule, p: Priority, base_value: float) -> list[Reason]:
    """Why an existing activity is not stopped a year earlier (continued: not stopped in the last year)."""
    years = portfolio.plan.years
    stop = plan.stop_of.get(p.id)
    if stop is not None and stop <= 1:
        return [Reason("first_year", year=1)]
    earlier = years if stop is None else stop - 1
    return _try(portfolio, plan, p.id, _moved(plan, p.id, stop=earlier), base_value)


def _existing_after(portfolio: Portfolio, plan: Schedule, p: Priority, base_value: float) -> list[Reason]:
    """Why a stopped activity does not run a year longer (nothing for one that continues)."""
    years = portfolio.plan.years
    stop = plan.stop_of.get(p.id)
    if stop is None:
        return []
    later = stop + 1 if stop + 1 <= years else None
    return _try(portfolio, plan, p.id, _moved(plan, p.id, stop=later), base_value)


# ------------------------------------------------------------------ re-solves


def _changes(portfolio: Portfolio, before: PlanResult, after: PlanResult, skip: str = "") -> tuple[Change, ...]:
    out = []
    for p in portfolio.priorities:
        if p.id == skip:
            continue
        a, b = before.row(p.id), after.row(p.id)
        if (delivered_row(a), a.start, a.stop) != (delivered_row(b), b.start, b.stop):
            out.append(Change(p.id, a, b))
    return tuple(out)


def _bounds(base: PlanResult, new: PlanResult) -> tuple[float | None, float | None]:
    """The range the true change in net value lies in: [new found - base bound, new bound - base found]."""
    base_bound = base.objective if base.status == "optimal" else base.bound
    new_bound = new.objective if new.status == "optimal" else new.bound
    assert base.objective is not None and new.objective is not None
    low = None if base_bound is None else new.objective - base_bound
    high = None if new_bound is None else new_bound - base.objective
    return low, high


def _resolve(
    question: str,
    subject: str,
    target: int | None,
    base_portfolio: Portfolio,
    base: PlanResult,
    changed: Portfolio,
    solver: str,
    time_limit: float,
    gap: float,
    skip: str = "",
    **extra,
) -> ReSolved:
    started = time.perf_counter()
    new = solve_plan(changed, solver=solver, time_limit=time_limit, gap=gap)  # checked by check_rules
    common = {
        "question": question,
        "subject": subject,
        "target": target,
        "base_proven": base.proven,
        "result": new,
        **extra,
    }
    if not new.has_selection:
        case = "impossible" if new.status == "infeasible" else "no_plan"
        return ReSolved(**common, case=case, conflicts=new.conflicts, seconds=time.perf_counter() - started)
    assert base.objective is not None and new.objective is not None
    low, high = _bounds(base, new)
    proven = base.status == "optimal" and new.status == "optimal"
    return ReSolved(
        **common,
        case="solved",
        net_value_change=new.objective - base.objective,
        change_low=low,
        change_high=high,
        proven=proven,
        gap=new.gap,
        changes=_changes(base_portfolio, base, new, skip),
        seconds=time.perf_counter() - started,
    )


def _relaxed_resolve(
    question: str,
    subject: str,
    target: int | None,
    base_portfolio: Portfolio,
    base: PlanResult,
    changed: Portfolio,
    solver: str,
    time_limit: float,
    gap: float,
) -> ReSolved:
    """A re-solve of a change that only relaxes the rules (a later deadline, more capacity): today's plan
    still meets them (checked), so HiGHS starts from it and only has to find better plans or prove there are
    none; with an optimal start that proof is quick (0.1-0.2 s against 0.6 s for a fresh solve of the
    five-year sample). The answer is proven like any other solve: by HiGHS's bound. Other solvers re-solve
    plainly (`_resolve`)."""
    if solver not in ("auto", "highs"):
        return _resolve(question, subject, target, base_portfolio, base, changed, solver, time_limit, gap)
    started = time.perf_counter()
    plan = _need_plan(base)
    assert base.objective is not None
    assert_rules(changed, plan, "today's plan under a relaxed rule")
    result = solve_plan(changed, solver="highs", time_limit=time_limit, gap=gap, start=plan)  # checked there
    common = {"question": question, "subject": subject, "target": target, "base_proven": base.proven}
    if not result.has_selection or result.objective is None:  # cannot happen with a valid start; said if it does
        return ReSolved(**common, case="no_plan", seconds=time.perf_counter() - started)
    value = result.objective
    low, high = _bounds(base, result)
    same = _same(value, base.objective)  # then today's plan is proven best too: the change only relaxes
    return ReSolved(
        **common,
        case="solved",
        net_value_change=0.0 if same else value - base.objective,
        change_low=None if low is None else max(low, 0.0),  # a relaxation never loses value
        change_high=0.0 if same and result.status == "optimal" else high,
        proven=result.status == "optimal" and (base.status == "optimal" or same),
        gap=result.gap,
        changes=_changes(base_portfolio, base, result),
        result=result,
        seconds=time.perf_counter() - started,
    )


# ------------------------------------------------------------------ 2. start a year earlier


def start_earlier(
    portfolio: Portfolio,
    result: PlanResult,
    pid: str,
    solver: str = "auto",
    time_limit: float = DEFAULT_TIME_LIMIT,
    gap: float = DEFAULT_GAP,
) -> ReSolved:
    """The plan re-solved with `pid` year-locked to start one year earlier than it does (`Rules.year_locks`,
    replacing any lock it has): the change in net value and what moves or drops, or why it is impossible."""
    plan = _need_plan(result)
    p = portfolio.priority(pid)
    u = plan.start_of.get(pid)
    if p.existing or u is None:
        kind = "existing" if p.existing else "not_started"
        return ReSolved("start_earlier", pid, "not_applicable", reasons=(Reason(kind),), base_proven=result.proven)
    target = u - 1
    reasons = _time_reasons(portfolio, p, target)
    if reasons:
        return ReSolved(
            "start_earlier", pid, "impossible", target=target, reasons=tuple(reasons), base_proven=result.proven
        )
    old_lock = dict(portfolio.rules.year_locks).get(pid)
    locks = tuple(lock for lock in portfolio.rules.year_locks if lock[0] != pid) + ((pid, target),)
    changed = replace(portfolio, rules=replace(portfolio.rules, year_locks=locks))
    return _resolve(
        "start_earlier",
        pid,
        target,
        portfolio,
        result,
        changed,
        solver,
        time_limit,
        gap,
        skip=pid,
        replaces_lock=old_lock,
    )


def _time_reasons(portfolio: Portfolio, p: Priority, target: int) -> list[Reason]:
    """The rules of time alone that rule out starting p in `target`: the plan's first year, its earliest
    start, a forbidden year, a prerequisite that cannot have finished (or started, alongside) by then."""
    if target < 1:
        return [Reason("first_year", year=1)]
    out: list[Reason] = []
    if target < p.earliest_start:
        out.append(Reason("earliest_start", year=p.earliest_start))
    if (p.id, target) in set(portfolio.rules.forbidden_starts):
        out.append(Reason("forbidden_start", year=target))
    years = portfolio.plan.years
    finishes = earliest_finish(portfolio)
    for b in p.requires:
        q = portfolio.priority(b)
        if q.existing:
            continue
        f = finishes.get(b)
        if f is None:
            out.append(Reason("prerequisite_cannot_finish", subject=b))
        elif p.runs_alongside(b, years):
            if f - q.duration + 1 > target:
                out.append(Reason("alongside", subject=b, year=f - q.duration + 1))
        elif f + 1 + p.lag(b) > target:
            out.append(Reason("prerequisite", subject=b, year=f, lag=p.lag(b)))
    return out


# ------------------------------------------------------------------ 3. defer a deadline


def defer_deadline(
    portfolio: Portfolio,
    result: PlanResult,
    pid: str,
    years: int = 1,
    solver: str = "auto",
    time_limit: float = DEFAULT_TIME_LIMIT,
    gap: float = DEFAULT_GAP,
) -> ReSolved:
    """The plan re-solved with `pid`'s deadline `years` later: the value gained and what it frees
    (priorities that start earlier, get in, or run longer), or why the question does not apply."""
    if years < 1:
        raise ValueError("A deadline can only be deferred by one year or more.")
    _need_plan(result)
    p = portfolio.priority(pid)
    if p.existing or p.deadline is None:
        return ReSolved(
            "defer_deadline",
            pid,
            "not_applicable",
            reasons=(Reason("existing" if p.existing else "no_deadline"),),
            base_proven=result.proven,
        )
    if p.deadline >= portfolio.plan.years:
        return ReSolved(
            "defer_deadline",
            pid,
            "not_applicable",
            reasons=(Reason("plan_end", year=portfolio.plan.years),),
            base_proven=result.proven,
        )
    new_deadline = p.deadline + years
    priorities = tuple(replace(q, deadline=new_deadline) if q.id == pid else q for q in portfolio.priorities)
    changed = replace(portfolio, priorities=priorities)
    return _relaxed_resolve("defer_deadline", pid, new_deadline, portfolio, result, changed, solver, time_limit, gap)


# ------------------------------------------------------------------ 4. what each capacity is worth per year


def max_year_use(portfolio: Portfolio, dimension: str, year: int) -> float:
    """The most of `dimension` any plan can use in `year`: every activity running and every priority that
    may be started under way at its costliest start (gains, which only add capacity, left out; infinite when
    a gain is negative)."""
    total = 0.0
    if any(p.gain(dimension) < 0 for p in portfolio.priorities):  # a gain that takes capacity away: no bound here
        return math.inf
    for p in portfolio.priorities:
        if p.id in portfolio.rules.locked_out:
            continue
        if p.existing:
            total += max(p.cost(dimension), 0.0)
            continue
        costs = [delivery_cost(p, dimension, u, year) for u in start_window(portfolio, p)]
        total += max([0.0, *costs])
    return total


def capacity_worth(
    portfolio: Portfolio,
    result: PlanResult,
    solver: str = "auto",
    time_limit: float = DEFAULT_TIME_LIMIT,
    gap: float = DEFAULT_GAP,
    step_pct: float = CAPACITY_STEP_PCT,
    workers: int = WORKERS,
) -> tuple[CapacityWorth, ...]:
    """What each capacity dimension is worth in each plan year: the plan re-solved with that year's available
    capacity raised by `step_pct`% of it, minus today's net value (one re-solve per dimension and year, side
    by side). A year in which even everything that could be under way at once fits the usable capacity
    before the raise is `never_binding`: no plan can use more, so nothing can gain (0, proven, no re-solve)."""
    _need_plan(result)
    if not 0 < step_pct <= 1000:
        raise ValueError("The capacity step must be above 0% and at most 1000%.")
    jobs: list[tuple[int, Callable[[], CapacityWorth]]] = []
    fullness: list[float] = []
    out: list[CapacityWorth | None] = []
    for dim in portfolio.dimensions:
        for t in range(1, portfolio.plan.years + 1):
            step = dim.available_in(t) * step_pct / 100.0
            usable_step = step * (1.0 - dim.headroom_in(t) / 100.0)
            if step <= 0:
                out.append(CapacityWorth(dim.name, t, 0.0, 0.0, "no_capacity"))
            elif max_year_use(portfolio, dim.name, t) <= dim.usable_in(t):
                out.append(CapacityWorth(dim.name, t, step, usable_step, "never_binding"))
            else:
                out.append(None)
                job = _capacity_job(portfolio, result, dim.name, t, step, usable_step, solver, time_limit, gap)
                jobs.append((len(out) - 1, job))
                fullness.append(_used_share(result, dim.name, t))
    # The fullest years first: a raise there is likeliest to gain, and those re-solves take longest.
    jobs = [job for _, job in sorted(zip(fullness, jobs), key=lambda pair: -pair[0])]
    workers = max(1, min(workers, os.cpu_count() or 1, len(jobs) or 1))
    if workers == 1:
        answers = [job() for _, job in jobs]
    else:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="capacity-worth") as pool:
            answers = list(pool.map(lambda job: job[1](), jobs))
    for (position, _), answer in zip(jobs, answers):
        out[position] = answer
    return tuple(w for w in out if w is not None)


def _used_share(result: PlanResult, dimension: str, year: int) -> float:
    for use in result.capacity:
        if use.dimension == dimension and use.year == year:
            return use.used / use.usable if use.usable > 0 else 1.0
    return 0.0


def _capacity_job(
    portfolio: Portfolio,
    result: PlanResult,
    dimension: str,
    year: int,
    step: float,
    usable_step: float,
    solver: str,
    time_limit: float,
    gap: float,
) -> Callable[[], CapacityWorth]:
    def run() -> CapacityWorth:
        changed = raise_capacity(portfolio, dimension, year, step)
        answer = _relaxed_resolve(
            "capacity", f"{dimension}|{year}", year, portfolio, result, changed, solver, time_limit, gap
        )
        return CapacityWorth(dimension, year, step, usable_step, "re_solved", answer)

    return run


def raise_capacity(portfolio: Portfolio, dimension: str, year: int, step: float) -> Portfolio:
    """The portfolio with `dimension`'s available capacity in plan `year` raised by `step` (other years as
    they were)."""
    dims = []
    for d in portfolio.dimensions:
        if d.name == dimension:
            figures = [d.available_in(t) for t in range(1, portfolio.plan.years + 1)]
            figures[year - 1] += step
            d = replace(d, available_by_year=tuple(figures))
        dims.append(d)
    return replace(portfolio, dimensions=tuple(dims))
