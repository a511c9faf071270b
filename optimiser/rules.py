"""An independent check of every rule on a kept set, written from the rules' definitions (README, "The
model in plain words"), not from the model's rows, so that a mistake in the model builder or a solver
answer that breaks a rule cannot reach a user.

`check_rules` runs after every solve on every back-end and after every what-if; `assert_rules` turns a
violation into an internal error, never a result.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace

from .domain import HORIZONS, Portfolio
from .result import Schedule

# Costs and capacities are user figures with a few decimals; sums of them may differ from exact arithmetic
# by float round-off only. Shares are compared in percent.
RELATIVE_TOLERANCE = 1e-9
SHARE_TOLERANCE_PCT = 1e-7


@dataclass(frozen=True)
class Violation:
    """One rule a kept set breaks: the rule's kind, what it is about, and by how much."""

    kind: str  # capacity | requires | starts_after | deadline | earliest_start | plan_end | year_lock | forbidden_start | start | stop | schedule | excludes | must_do | locked_in | locked_out | max_priorities | theme_min | theme_max | horizon_min | horizon_max | unknown_id
    subject: str
    amount: float
    detail: str

    def __str__(self) -> str:
        return f"{self.kind} ({self.subject}): {self.detail}"


class RuleViolationError(RuntimeError):
    """A selection that breaks a rule reached the point of being shown: an internal error, never a result."""

    def __init__(self, what: str, violations: tuple[Violation, ...]):
        self.violations = violations
        super().__init__(
            f"Internal error: {what} breaks {len(violations)} rule(s): " + "; ".join(str(v) for v in violations[:5])
        )


def _over(amount: float, limit: float) -> bool:
    return amount > limit + RELATIVE_TOLERANCE * max(1.0, abs(limit))


def check_rules(portfolio: Portfolio, kept: Collection[str] | Schedule) -> tuple[Violation, ...]:
    """Every rule of the portfolio that the kept set (or, for a multi-year plan, the schedule) breaks
    (empty when it meets them all)."""
    if isinstance(kept, Schedule):
        return check_schedule(portfolio, kept)
    kept = set(kept)
    rules = portfolio.rules
    by_id = {p.id: p for p in portfolio.priorities}
    out: list[Violation] = []
    for pid in sorted(kept - set(by_id)):
        out.append(Violation("unknown_id", pid, 1.0, "is not a priority of the portfolio"))
    members = [by_id[pid] for pid in kept if pid in by_id]

    # Capacity: what is kept fits what is available once the headroom is set aside.
    for dim in portfolio.dimensions:
        used = sum(dict(p.costs).get(dim.name, 0.0) for p in members)
        usable = dim.available * (100.0 - dim.headroom_pct) / 100.0
        if _over(used, usable):
            out.append(Violation("capacity", dim.name, used - usable, f"uses {used:g} of {usable:g}"))

    # Prerequisites and alternatives (an exclusion stated on either side rules out the pair).
    both_kept: set[tuple[str, str]] = set()
    for p in members:
        for needed in p.requires:
            if needed not in kept:
                out.append(Violation("requires", f"{p.id}|{needed}", 1.0, f"{p.id} is kept without {needed}"))
        for other in p.excludes:
            if other in kept:
                both_kept.add((min(p.id, other), max(p.id, other)))
    for a, b in sorted(both_kept):
        out.append(Violation("excludes", f"{a}|{b}", 1.0, "both alternatives are kept"))

    # Must-dos and locks.
    for p in portfolio.priorities:
        if p.must_do and p.id not in kept:
            out.append(Violation("must_do", p.id, 1.0, "a must-do is dropped"))
    for pid in rules.locked_in:
        if pid not in kept:
            out.append(Violation("locked_in", pid, 1.0, "locked in but dropped"))
    for pid in rules.locked_out:
        if pid in kept:
            out.append(Violation("locked_out", pid, 1.0, "locked out but kept"))

    # How many are kept, in all and per theme.
    out.extend(count_violations(portfolio, members, "kept"))

    # Balance: each horizon's share of the balance capacity used by the kept set lies within its band.
    # A kept set that uses none of the balance capacity has no share and meets every band.
    if rules.horizon_bands:
        balance = portfolio.balance_capacity.name
        use = {h: 0.0 for h in HORIZONS}
        for p in members:
            use[p.horizon] += dict(p.costs).get(balance, 0.0)
        out.extend(band_violations(portfolio, use))
    return tuple(out)


def count_violations(portfolio: Portfolio, members: list, word: str) -> list[Violation]:
    """The count limit and theme limits broken by the priorities counted (`word`: 'kept' or 'delivered')."""
    rules = portfolio.rules
    out: list[Violation] = []
    if rules.max_priorities is not None and len(members) > rules.max_priorities:
        out.append(Violation("max_priorities", "", len(members) - rules.max_priorities, f"{len(members)} {word}"))
    for limit in rules.theme_limits:
        count = sum(1 for p in members if p.theme == limit.theme)
        if limit.min_count is not None and count < limit.min_count:
            out.append(Violation("theme_min", limit.theme, limit.min_count - count, f"{count} {word}"))
        if limit.max_count is not None and count > limit.max_count:
            out.append(Violation("theme_max", limit.theme, count - limit.max_count, f"{count} {word}"))
    return out


def band_violations(portfolio: Portfolio, use: dict[str, float]) -> list[Violation]:
    """The balance bands broken by a use of the balance capacity per horizon (none when nothing is used)."""
    out: list[Violation] = []
    total = sum(use.values())
    if total <= 0:
        return out
    for band in portfolio.rules.horizon_bands:
        share = 100.0 * use[band.horizon] / total
        if share < band.min_pct - SHARE_TOLERANCE_PCT:
            out.append(Violation("horizon_min", band.horizon, band.min_pct - share, f"share {share:.6g}%"))
        if share > band.max_pct + SHARE_TOLERANCE_PCT:
            out.append(Violation("horizon_max", band.horizon, share - band.max_pct, f"share {share:.6g}%"))
    return out


def assert_rules(portfolio: Portfolio, kept: Collection[str] | Schedule, what: str = "a selection") -> None:
    """Raise RuleViolationError when the kept set breaks any rule of the portfolio."""
    violations = check_rules(portfolio, kept)
    if violations:
        raise RuleViolationError(what, violations)


# ------------------------------------------------------------------ multi-year plans


def plan_delivered(portfolio: Portfolio, schedule: Schedule) -> set[str]:
    """The priorities a plan delivers: new ones it starts, existing ones still running in year 1."""
    stop_of = schedule.stop_of
    out = set(schedule.start_of)
    out |= {p.id for p in portfolio.priorities if p.existing and stop_of.get(p.id, 2) > 1}
    return out


def plan_year_use(portfolio: Portfolio, schedule: Schedule, dimension: str, year: int) -> tuple[float, float]:
    """(used, gained) of one dimension in one plan year, from the definitions: a priority started in year u
    costs its (year-u+1)-th delivery year's cost while year < u + duration; an existing activity costs its
    cost while it runs; a finished capability-building priority adds its gain in each year after it
    finishes."""
    start_of, stop_of = schedule.start_of, schedule.stop_of
    used = gained = 0.0
    for p in portfolio.priorities:
        if p.existing:
            if year < stop_of.get(p.id, portfolio.plan.years + 1):
                used += p.cost(dimension)
            continue
        u = start_of.get(p.id)
        if u is None:
            continue
        if u <= year < u + p.duration:
            used += p.cost_in(dimension, year - u + 1)
        if u + p.duration - 1 < year:
            gained += p.gain(dimension)
    return used, gained


def check_schedule(portfolio: Portfolio, schedule: Schedule) -> tuple[Violation, ...]:
    """Every rule of a multi-year plan that the schedule breaks, written from the rules' definitions."""
    rules = portfolio.rules
    years = portfolio.plan.years
    by_id = {p.id: p for p in portfolio.priorities}
    start_of, stop_of = schedule.start_of, schedule.stop_of
    out: list[Violation] = []
    for pid in sorted((set(start_of) | set(stop_of)) - set(by_id)):
        out.append(Violation("unknown_id", pid, 1.0, "is not a priority of the portfolio"))
    if len(start_of) != len(schedule.starts) or len(stop_of) != len(schedule.stops):
        out.append(Violation("schedule", "", 1.0, "a priority is started or stopped twice"))
    delivered = plan_delivered(portfolio, schedule) & set(by_id)

    # When each priority may start or stop.
    for pid, u in sorted(start_of.items()):
        p = by_id.get(pid)
        if p is None:
            continue
        finish = u + p.duration - 1
        if p.existing:
            out.append(Violation("start", pid, 1.0, "an existing activity is already running; it cannot start"))
        if u < max(p.earliest_start, 1):
            out.append(Violation("earliest_start", pid, p.earliest_start - u, f"starts in year {u}"))
        if finish > years:
            out.append(Violation("plan_end", pid, finish - years, f"finishes in year {finish}, after the plan"))
        if p.deadline is not None and finish > p.deadline:
            out.append(Violation("deadline", pid, finish - p.deadline, f"finishes in year {finish}"))
        if (pid, u) in set(rules.forbidden_starts):
            out.append(Violation("forbidden_start", pid, 1.0, f"starts in forbidden year {u}"))
    for pid, t in sorted(stop_of.items()):
        p = by_id.get(pid)
        if p is not None and not p.existing:
            out.append(Violation("stop", pid, 1.0, "only an existing activity can be stopped"))
        if not 1 <= t <= years:
            out.append(Violation("stop", pid, 1.0, f"stops from year {t}, outside the plan"))
    for pid, t in rules.year_locks:
        p = by_id.get(pid)
        if p is None:
            continue
        actual = stop_of.get(pid) if p.existing else start_of.get(pid)
        if actual != t:
            out.append(Violation("year_lock", pid, 1.0, f"locked to year {t}, planned {actual}"))

    # Must-dos and locks: a must-do is delivered (an existing one runs to the end of the plan).
    for p in portfolio.priorities:
        if p.must_do or p.id in rules.locked_in:
            kind = "must_do" if p.must_do else "locked_in"
            if p.existing and p.id in stop_of:
                out.append(Violation(kind, p.id, 1.0, f"stopped from year {stop_of[p.id]}"))
            elif not p.existing and p.id not in start_of:
                out.append(Violation(kind, p.id, 1.0, "not started in the plan"))
    for pid in rules.locked_out:
        if pid in delivered:
            out.append(Violation("locked_out", pid, 1.0, "locked out but delivered"))

    # Prerequisites in time: in every year A is under way (started, or running), B has finished before it
    # (plus any lag), has started ("alongside"), or, an existing activity, still runs.
    def a_years(p) -> range:
        if p.existing:
            return range(1, stop_of.get(p.id, years + 1))
        u = start_of.get(p.id)
        return range(u, years + 1) if u is not None else range(0)

    for p in portfolio.priorities:
        for needed in p.requires:
            q = by_id.get(needed)
            if q is None:
                continue
            for t in a_years(p):
                if q.existing:
                    ok = t < stop_of.get(q.id, years + 1)
                elif q.id not in start_of:
                    ok = False
                elif p.runs_alongside(needed, years):
                    ok = start_of[q.id] <= t
                else:
                    ok = start_of[q.id] + q.duration - 1 + p.lag(needed) < t
                if not ok:
                    out.append(Violation("starts_after", f"{p.id}|{needed}", 1.0, f"{p.id} under way in year {t}"))
                    break

    # Alternatives: at most one ever delivered.
    pairs = {(min(p.id, o), max(p.id, o)) for p in portfolio.priorities for o in p.excludes}
    for a, b in sorted(pairs):
        if a in delivered and b in delivered:
            out.append(Violation("excludes", f"{a}|{b}", 1.0, "both alternatives are delivered"))

    # Capacity in every year, with the gains of finished priorities.
    for dim in portfolio.dimensions:
        for t in range(1, years + 1):
            used, gained = plan_year_use(portfolio, schedule, dim.name, t)
            usable = (dim.available_in(t) + gained) * (100.0 - dim.headroom_in(t)) / 100.0
            if _over(used, usable):
                out.append(
                    Violation("capacity", f"{dim.name}|{t}", used - usable, f"year {t} uses {used:g} of {usable:g}")
                )

    # Counts over the plan.
    members = [by_id[pid] for pid in delivered]
    out.extend(count_violations(portfolio, members, "delivered"))

    # Balance over the plan: each horizon's share of the balance capacity used in all years.
    if rules.horizon_bands:
        balance = portfolio.balance_capacity.name
        use = {}
        for h in HORIZONS:
            of_h = replace(portfolio, priorities=tuple(p for p in members if p.horizon == h))
            use[h] = sum(plan_year_use(of_h, schedule, balance, t)[0] for t in range(1, years + 1))
        out.extend(band_violations(portfolio, use))
    return tuple(out)
