"""An independent check of every rule on a kept set, written from the rules' definitions (README, "The
model in plain words"), not from the model's rows, so that a mistake in the model builder or a solver
answer that breaks a rule cannot reach a user.

`check_rules` runs after every solve on every back-end and after every what-if; `assert_rules` turns a
violation into an internal error, never a result.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from .domain import HORIZONS, Portfolio

# Costs and capacities are user figures with a few decimals; sums of them may differ from exact arithmetic
# by float round-off only. Shares are compared in percent.
RELATIVE_TOLERANCE = 1e-9
SHARE_TOLERANCE_PCT = 1e-7


@dataclass(frozen=True)
class Violation:
    """One rule a kept set breaks: the rule's kind, what it is about, and by how much."""

    kind: str  # capacity | requires | excludes | must_do | locked_in | locked_out | max_priorities | theme_min | theme_max | horizon_min | horizon_max | unknown_id
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


def check_rules(portfolio: Portfolio, kept: Collection[str]) -> tuple[Violation, ...]:
    """Every rule of the portfolio that the kept set breaks (empty when it meets them all)."""
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
    if rules.max_priorities is not None and len(members) > rules.max_priorities:
        out.append(Violation("max_priorities", "", len(members) - rules.max_priorities, f"{len(members)} kept"))
    for limit in rules.theme_limits:
        count = sum(1 for p in members if p.theme == limit.theme)
        if limit.min_count is not None and count < limit.min_count:
            out.append(Violation("theme_min", limit.theme, limit.min_count - count, f"{count} kept"))
        if limit.max_count is not None and count > limit.max_count:
            out.append(Violation("theme_max", limit.theme, count - limit.max_count, f"{count} kept"))

    # Balance: each horizon's share of the balance capacity used by the kept set lies within its band.
    # A kept set that uses none of the balance capacity has no share and meets every band.
    if rules.horizon_bands:
        balance = portfolio.balance_capacity.name
        use = {h: 0.0 for h in HORIZONS}
        for p in members:
            use[p.horizon] += dict(p.costs).get(balance, 0.0)
        total = sum(use.values())
        if total > 0:
            for band in rules.horizon_bands:
                share = 100.0 * use[band.horizon] / total
                if share < band.min_pct - SHARE_TOLERANCE_PCT:
                    out.append(Violation("horizon_min", band.horizon, band.min_pct - share, f"share {share:.6g}%"))
                if share > band.max_pct + SHARE_TOLERANCE_PCT:
                    out.append(Violation("horizon_max", band.horizon, share - band.max_pct, f"share {share:.6g}%"))
    return tuple(out)


def assert_rules(portfolio: Portfolio, kept: Collection[str], what: str = "a selection") -> None:
    """Raise RuleViolationError when the kept set breaks any rule of the portfolio."""
    violations = check_rules(portfolio, kept)
    if violations:
        raise RuleViolationError(what, violations)
