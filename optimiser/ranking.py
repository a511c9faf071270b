"""The way lists are usually cut: a ranking, for comparison with the optimised set.

Must-dos and locked-in priorities (with what they require) go first; then priorities are taken in
order of weighted score per unit of their scarcest capacity while they fit, each with any
prerequisites it still needs, skipping alternatives of what is already in and respecting the count
and theme maximums. Balance bands and theme minimums are not part of a ranking: the comparison
says whether the ranked list breaks them.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import words
from .diagnosis import forced_set
from .domain import Portfolio
from .figures import horizon_shares
from .model import priority_weights


@dataclass(frozen=True)
class RankingOutcome:
    kept: tuple[str, ...]
    objective: float | None  # same objective as the model (value minus drop penalty); None if must-dos do not fit
    breaks: tuple[str, ...]  # rules of the scenario the ranked list breaks, in plain words


def scarcest_share(portfolio: Portfolio, priority_id: str) -> float:
    """The largest share of any dimension's usable capacity the priority needs."""
    p = portfolio.priority(priority_id)
    shares = [
        p.cost(d.name) / d.usable if d.usable > 0 else (float("inf") if p.cost(d.name) > 0 else 0.0)
        for d in portfolio.dimensions
    ]
    return max(shares, default=0.0)


def rank_and_cut(portfolio: Portfolio) -> RankingOutcome:
    rules = portfolio.rules
    by_id = {p.id: p for p in portfolio.priorities}
    alternatives = portfolio.alternatives()
    value, penalty = priority_weights(portfolio)
    value_of = {p.id: float(v) for p, v in zip(portfolio.priorities, value)}
    penalty_of = {p.id: float(v) for p, v in zip(portfolio.priorities, penalty)}
    used = {d.name: 0.0 for d in portfolio.dimensions}
    usable = {d.name: d.usable for d in portfolio.dimensions}
    theme_count: dict[str, int] = {}
    theme_max = {t.theme: t.max_count for t in rules.theme_limits if t.max_count is not None}
    kept: list[str] = []

    def closure(pid: str) -> list[str]:
        return portfolio.prerequisite_closure([pid], stop=kept)

    def fits(group: list[str]) -> bool:
        if any(g in rules.locked_out for g in group):
            return False
        members = set(kept) | set(group)
        if any(alt in members for g in group for alt in alternatives.get(g, ())):
            return False
        if rules.max_priorities is not None and len(kept) + len(group) > rules.max_priorities:
            return False
        for name in used:
            if used[name] + sum(by_id[g].cost(name) for g in group) > usable[name] + 1e-9:
                return False
        counts = dict(theme_count)
        for g in group:
            counts[by_id[g].theme] = counts.get(by_id[g].theme, 0) + 1
        return all(counts.get(t, 0) <= m for t, m in theme_max.items())

    def take(group: list[str]) -> None:
        for g in group:
            kept.append(g)
            theme_count[by_id[g].theme] = theme_count.get(by_id[g].theme, 0) + 1
            for name in used:
                used[name] += by_id[g].cost(name)

    forced = [p.id for p in portfolio.priorities if p.id in forced_set(portfolio)]
    if not fits(forced):
        return RankingOutcome((), None, (words.RANKING_FORCED_DO_NOT_FIT,))
    take(forced)
    order = sorted(
        (p.id for p in portfolio.priorities if p.id not in kept),
        key=lambda pid: (-(value_of[pid] + penalty_of[pid]) / max(scarcest_share(portfolio, pid), 1e-9), pid),
    )
    for pid in order:
        if pid in kept:
            continue
        group = closure(pid)
        if fits(group):
            take(group)
    kept_set = set(kept)
    objective = sum(value_of[i] for i in kept_set) - sum(penalty_of[i] for i in by_id if i not in kept_set)
    breaks: list[str] = []
    shares = {h.horizon: h.kept_pct for h in horizon_shares(portfolio, kept_set)}
    for band in rules.horizon_bands:
        share = shares.get(band.horizon, 0.0)
        if share < band.min_pct - 1e-6 or share > band.max_pct + 1e-6:
            breaks.append(words.ranking_breaks_band(band.horizon, share, band.min_pct, band.max_pct))
    for limit in rules.theme_limits:
        if limit.min_count is not None and theme_count.get(limit.theme, 0) < limit.min_count:
            breaks.append(words.ranking_breaks_theme(limit.theme, theme_count.get(limit.theme, 0), limit.min_count))
    ordered = tuple(p.id for p in portfolio.priorities if p.id in kept_set)
    return RankingOutcome(ordered, objective, tuple(breaks))
