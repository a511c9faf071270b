"""Which rules bind a selection, and why each priority is in or out (typed facts; words.py words them)."""

from __future__ import annotations

from collections.abc import Collection

from . import words
from .domain import Portfolio, Priority
from .model import capacity_row, priority_weights, theme_row
from .result import CapacityUse, Decision, HorizonShare, RuleNote

SHARE_TOLERANCE_PCT = 0.05


def _eligible(
    p: Priority, kept: Collection[str], locked_out: Collection[str], alternatives: dict[str, set[str]]
) -> bool:
    """Could p be added without breaking a prerequisite, an exclusion or a lock?"""
    return (
        p.id not in kept
        and p.id not in locked_out
        and all(r in kept for r in p.requires)
        and not any(e in kept for e in alternatives.get(p.id, ()))
    )


def binding_rules(
    portfolio: Portfolio,
    kept: Collection[str],
    capacity: tuple[CapacityUse, ...],
    horizons: tuple[HorizonShare, ...],
) -> tuple[RuleNote, ...]:
    """Rules the selection is pressed against: relaxing them could let more in."""
    rules = portfolio.rules
    kept = set(kept)
    alternatives = portfolio.alternatives()
    candidates = [p for p in portfolio.priorities if _eligible(p, kept, rules.locked_out, alternatives)]
    notes: list[RuleNote] = []
    tol = 1e-6
    for use in capacity:
        blocked = [p for p in candidates if p.cost(use.dimension) > use.free + tol]
        if blocked or use.free <= tol * max(1.0, use.usable):
            text = words.capacity_binds(portfolio, use.dimension, use.used, use.usable, use.headroom_pct, len(blocked))
            notes.append(RuleNote(capacity_row(portfolio, use.dimension), text, use.free))
    if rules.max_priorities is not None and len(kept) >= rules.max_priorities:
        notes.append(RuleNote("max_priorities", words.count_reached(rules.max_priorities), 0.0))
    theme_counts: dict[str, int] = {}
    for p in portfolio.priorities:
        if p.id in kept:
            theme_counts[p.theme] = theme_counts.get(p.theme, 0) + 1
    for limit in rules.theme_limits:
        count = theme_counts.get(limit.theme, 0)
        if limit.max_count is not None and count >= limit.max_count:
            notes.append(
                RuleNote(
                    theme_row(portfolio, limit.theme, "max"), words.theme_at_max(limit.theme, limit.max_count), 0.0
                )
            )
        if limit.min_count is not None and limit.min_count > 0 and count <= limit.min_count:
            notes.append(
                RuleNote(
                    theme_row(portfolio, limit.theme, "min"), words.theme_at_min(limit.theme, limit.min_count), 0.0
                )
            )
    shares = {h.horizon: h.kept_pct for h in horizons}
    uses_balance = sum(h.kept_use for h in horizons) > 0
    for band in rules.horizon_bands if uses_balance else ():
        share = shares.get(band.horizon, 0.0)
        for edge, at_edge in (
            ("min", band.min_pct > 0 and share <= band.min_pct + SHARE_TOLERANCE_PCT),
            ("max", band.max_pct < 100 and share >= band.max_pct - SHARE_TOLERANCE_PCT),
        ):
            if at_edge:
                notes.append(
                    RuleNote(
                        f"horizon_{edge}_{band.horizon}",
                        words.band_binds(portfolio, band.horizon, edge, share, band.min_pct, band.max_pct),
                        0.0,
                    )
                )
    return tuple(notes)


def decisions(
    portfolio: Portfolio, kept: Collection[str], capacity: tuple[CapacityUse, ...], binding: tuple[RuleNote, ...]
) -> tuple[Decision, ...]:
    """One reason per priority, kept or dropped."""
    rules = portfolio.rules
    kept = set(kept)
    value, _ = priority_weights(portfolio)
    free = {use.dimension: use.free for use in capacity}
    usable = {use.dimension: use.usable for use in capacity}
    bound = {note.rule for note in binding}
    required_by: dict[str, list[str]] = {}
    for p in portfolio.priorities:
        if p.id in kept:
            for r in p.requires:
                required_by.setdefault(r, []).append(p.id)
    alternatives = portfolio.alternatives()
    themes_full = {lim.theme for lim in rules.theme_limits if theme_row(portfolio, lim.theme, "max") in bound}
    out: list[Decision] = []
    for i, p in enumerate(portfolio.priorities):
        v = float(value[i])
        if p.id in kept:
            needed_by = required_by.get(p.id, [])
            shares = [(d, p.cost(d) / usable[d]) for d in usable if usable[d] > 0 and p.cost(d) > 0]
            scarcest = max(shares, key=lambda s: s[1]) if shares else None
            kind = (
                "must_do"
                if p.must_do
                else "locked_in"
                if p.id in rules.locked_in
                else "needed_only"
                if needed_by and v <= 0
                else "value"
            )
            reason = words.kept_reason(portfolio, kind, v, needed_by, scarcest)
            out.append(Decision(p.id, True, v, reason, kind, tuple(needed_by)))
            continue
        others: list[str] = []
        short: list[tuple[str, float, float]] = []
        if p.id in rules.locked_out:
            kind = "locked_out"
        elif any(e in kept for e in alternatives[p.id]):
            kind, others = "alternative", sorted(e for e in alternatives[p.id] if e in kept)
        elif any(r not in kept for r in p.requires):
            kind, others = "prerequisite", [r for r in p.requires if r not in kept]
        else:
            short = [(d, p.cost(d), free[d]) for d in free if p.cost(d) > free[d] + 1e-6]
            if short:
                kind = "does_not_fit"
            elif "max_priorities" in bound:
                kind = "count"
            elif p.theme in themes_full:
                kind, others = "theme_full", [p.theme]
            else:
                kind = "other"
        reason = words.dropped_reason(portfolio, kind, v, others, short)
        out.append(Decision(p.id, False, v, reason, kind, tuple(others) or tuple(d for d, _, _ in short)))
    return tuple(out)
