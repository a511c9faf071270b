"""Plain-words explanations of a selection: which rules bind, and why each priority is in or out."""

from __future__ import annotations

from collections.abc import Collection

from .domain import Portfolio, Priority, horizon_term
from .model import loads, priority_weights, safe_name
from .result import CapacityUse, Decision, HorizonShare, RuleNote

SHARE_TOLERANCE_PCT = 0.05


def _fmt(number: float) -> str:
    return f"{number:,.1f}".rstrip("0").rstrip(".") if abs(number) < 1e6 else f"{number:,.0f}"


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
            unit = f" {use.unit}" if use.unit else ""
            text = (
                f"{use.dimension} capacity is the limit: {_fmt(use.used)} of {_fmt(use.usable)}{unit} used "
                f"after {_fmt(use.headroom_pct)}% headroom ({_fmt(use.free)} free)"
            )
            if blocked:
                text += f"; {len(blocked)} dropped priorit{'y needs' if len(blocked) == 1 else 'ies need'} more than is free"
            notes.append(RuleNote(f"capacity_{safe_name(use.dimension)}", text + ".", use.free))
    if rules.max_priorities is not None and len(kept) >= rules.max_priorities:
        notes.append(
            RuleNote("max_priorities", f"The limit of {rules.max_priorities} priorities kept is reached.", 0.0)
        )
    theme_counts: dict[str, int] = {}
    for p in portfolio.priorities:
        if p.id in kept:
            theme_counts[p.theme] = theme_counts.get(p.theme, 0) + 1
    for limit in rules.theme_limits:
        count = theme_counts.get(limit.theme, 0)
        if limit.max_count is not None and count >= limit.max_count:
            notes.append(
                RuleNote(
                    f"theme_max_{safe_name(limit.theme)}",
                    f"Theme '{limit.theme}' is at its maximum of {limit.max_count} kept.",
                    0.0,
                )
            )
        if limit.min_count is not None and limit.min_count > 0 and count <= limit.min_count:
            notes.append(
                RuleNote(
                    f"theme_min_{safe_name(limit.theme)}",
                    f"Theme '{limit.theme}' is held at its minimum of {limit.min_count} kept.",
                    0.0,
                )
            )
    shares = {h.horizon: h.kept_pct for h in horizons}
    for band in rules.horizon_bands:
        share = shares.get(band.horizon, 0.0)
        label = horizon_term(band.horizon)
        if band.min_pct > 0 and share <= band.min_pct + SHARE_TOLERANCE_PCT:
            notes.append(
                RuleNote(
                    f"horizon_min_{band.horizon}",
                    f"The {label} share is held at its minimum: {share:.1f}% (band {band.min_pct:g}-{band.max_pct:g}%).",
                    0.0,
                )
            )
        if band.max_pct < 100 and share >= band.max_pct - SHARE_TOLERANCE_PCT:
            notes.append(
                RuleNote(
                    f"horizon_max_{band.horizon}",
                    f"The {label} share is at its maximum: {share:.1f}% (band {band.min_pct:g}-{band.max_pct:g}%).",
                    0.0,
                )
            )
    return tuple(notes)


def decisions(
    portfolio: Portfolio, kept: Collection[str], capacity: tuple[CapacityUse, ...], binding: tuple[RuleNote, ...]
) -> tuple[Decision, ...]:
    """One plain-words reason per priority, kept or dropped."""
    rules = portfolio.rules
    kept = set(kept)
    value, _ = priority_weights(portfolio)
    load = loads(portfolio)
    free = {use.dimension: use.free for use in capacity}
    units = {use.dimension: use.unit for use in capacity}
    bound = {note.rule for note in binding}
    required_by: dict[str, list[str]] = {}
    for p in portfolio.priorities:
        if p.id in kept:
            for r in p.requires:
                required_by.setdefault(r, []).append(p.id)
    alternatives = portfolio.alternatives()
    themes_full = {lim.theme for lim in rules.theme_limits if f"theme_max_{safe_name(lim.theme)}" in bound}
    out: list[Decision] = []
    for i, p in enumerate(portfolio.priorities):
        v = float(value[i])
        if p.id in kept:
            if p.must_do:
                reason = "Kept: national must-do, forced in."
            elif p.id in rules.locked_in:
                reason = "Kept: locked in for this scenario."
            elif p.id in required_by and v <= 0:
                reason = f"Kept: needed by {', '.join(required_by[p.id])}."
            else:
                reason = f"Kept: value {_fmt(v)} for {_fmt(100 * load[i])}% of capacity load"
                if p.id in required_by:
                    reason += f"; also needed by {', '.join(required_by[p.id])}"
                reason += "."
            out.append(Decision(p.id, True, v, reason))
            continue
        if p.id in rules.locked_out:
            reason = "Dropped: locked out for this scenario."
        elif any(e in kept for e in alternatives[p.id]):
            kept_alt = sorted(e for e in alternatives[p.id] if e in kept)
            reason = f"Dropped: it is an alternative to {', '.join(kept_alt)}, which is kept; at most one can be."
        elif any(r not in kept for r in p.requires):
            missing = [r for r in p.requires if r not in kept]
            reason = f"Dropped: it needs {', '.join(missing)}, which {'is' if len(missing) == 1 else 'are'} not kept."
        else:
            short = [
                f"{_fmt(p.cost(d))} {units[d]} of {d} capacity, {_fmt(max(free[d], 0.0))} free".replace("  ", " ")
                for d in free
                if p.cost(d) > free[d] + 1e-6
            ]
            if short:
                reason = "Dropped: does not fit; it needs " + "; ".join(short) + "."
            elif "max_priorities" in bound:
                reason = f"Dropped: the limit of {rules.max_priorities} priorities is reached and the kept ones add more value."
            elif p.theme in themes_full:
                reason = f"Dropped: theme '{p.theme}' is at its maximum."
            else:
                reason = (
                    f"Dropped: value {_fmt(v)}; it fits on its own, but keeping it would break a balance rule "
                    "or displace priorities that add more value."
                )
        out.append(Decision(p.id, False, v, reason))
    return tuple(out)
