"""The one place where figures become sentences, for the app, the command line and the board pack.

Sentences are meant to be read aloud to a board: priority names first with the id in brackets, capacity
and criterion display labels (never internal names), and one labelled kind of value each time a value is
stated (see VALUE_TERMS). Analysis modules return typed answers; this module only words them.
"""

from __future__ import annotations

from collections.abc import Iterable

from .domain import VALUE_MODES, Portfolio, horizon_term

# The three value figures, with the one definition each is shown with.
VALUE_TERMS: dict[str, str] = {
    "weighted value": "the sum over kept priorities of weight x score on each criterion",
    "drop penalty": "points lost for each sensitive priority dropped (its sensitivity x the sensitivity penalty)",
    "net value": "weighted value minus drop penalty: what the optimiser maximises",
}
BALANCE_UNIT = "share of {label} capacity used by the kept priorities"


def fmt(number: float) -> str:
    """1234.5 -> '1,234.5'; 12.0 -> '12'."""
    return f"{number:,.1f}".rstrip("0").rstrip(".") if abs(number) < 1e6 else f"{number:,.0f}"


def pct(share: float) -> str:
    """A share 0-1 as a whole percentage, '42%'."""
    return f"{100 * share:.0f}%"


def name_of(portfolio: Portfolio, pid: str) -> str:
    """'Name (ID)': the name first, for reading aloud."""
    try:
        return f"{portfolio.priority(pid).name} ({pid})"
    except KeyError:
        return pid


def names(portfolio: Portfolio, ids: Iterable[str], limit: int = 6) -> str:
    """'A (X), B (Y) and C (Z)', with 'and N more' past `limit`."""
    ids = list(ids)
    if not ids:
        return "none"
    shown = [name_of(portfolio, pid) for pid in ids[:limit]]
    if len(ids) > limit:
        return ", ".join(shown) + f" and {len(ids) - limit} more"
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def dim_label(portfolio: Portfolio, dimension: str) -> str:
    """The display label of a capacity dimension, lower case for use inside a sentence."""
    try:
        return portfolio.dimension(dimension).display.lower()
    except KeyError:
        return dimension


def amount(portfolio: Portfolio, dimension: str, value: float) -> str:
    """'34 WTE-months of operational capacity'."""
    try:
        unit = portfolio.dimension(dimension).unit
    except KeyError:
        unit = ""
    unit = f" {unit}" if unit else ""
    return f"{fmt(value)}{unit} of {dim_label(portfolio, dimension)} capacity"


def balance_unit(portfolio: Portfolio) -> str:
    """What the balance shares are shares of, e.g. 'share of operational capacity used by the kept priorities'."""
    return BALANCE_UNIT.format(label=portfolio.balance_capacity.display.lower())


def band_text(min_pct: float, max_pct: float) -> str:
    return f"band {min_pct:g}-{max_pct:g}%"


def gap_text(gap: float | None) -> str:
    if gap is None:
        return "how close it is to the best possible is not known"
    return f"within {100 * gap:.4g}% of the best possible"


def status_message(status: str, gap: float | None, time_limit_hit: bool = False) -> str:
    """The headline of a result: optimal only when proven."""
    if status == "optimal":
        return "Optimal selection (proven: no selection meeting every rule has a higher net value)."
    if status == "feasible":
        why = "The solver stopped at its time limit" if time_limit_hit else "The solver stopped"
        return f"{why} before proving this the best: the selection is {gap_text(gap)} (net value)."
    return ""


def unconfirmed_infeasible(solver: str) -> str:
    return (
        f"{solver} stopped without a selection and without proving that none exists. Try a longer time limit or "
        "another solver."
    )


def sentences(parts: Iterable[str]) -> str:
    return " ".join(p for p in parts if p)


# ------------------------------------------------------------------ rules that bind (explain.binding_rules)


def capacity_binds(
    portfolio: Portfolio, dimension: str, used: float, usable: float, headroom: float, blocked: int
) -> str:
    free = usable - used
    text = (
        f"{portfolio.dimension(dimension).display} capacity is the limit: {amount(portfolio, dimension, used)} used of "
        f"{fmt(usable)} usable after {fmt(headroom)}% headroom ({fmt(free)} free)"
    )
    if blocked:
        text += f"; {blocked} dropped priorit{'y needs' if blocked == 1 else 'ies need'} more than is free"
    return text + "."


def count_reached(limit: int) -> str:
    return f"The limit of {limit} priorities kept is reached."


def theme_at_max(theme: str, limit: int) -> str:
    return f"The theme '{theme}' is at its maximum of {limit} kept."


def theme_at_min(theme: str, limit: int) -> str:
    return f"The theme '{theme}' is held at its minimum of {limit} kept."


def band_binds(portfolio: Portfolio, horizon: str, edge: str, share: float, min_pct: float, max_pct: float) -> str:
    word = "held at its minimum" if edge == "min" else "at its maximum"
    return (
        f"The {horizon_term(horizon)} share is {word}: {share:.1f}% of {portfolio.balance_capacity.display.lower()} "
        f"capacity used by the kept priorities ({band_text(min_pct, max_pct)})."
    )


def empty_selection(portfolio: Portfolio, reason: str) -> str:
    """Why nothing is kept: the rule that forces an empty selection."""
    label = portfolio.balance_capacity.display.lower()
    if reason == "bands":
        bands = "; ".join(
            f"{horizon_term(b.horizon)} {band_text(b.min_pct, b.max_pct)}" for b in portfolio.rules.horizon_bands
        )
        return (
            f"Nothing is kept: no selection that uses {label} capacity meets the balance bands ({bands}) together "
            "with the other rules, and a selection that uses none of it has no share to check. Widen the bands, "
            "or measure the balance on another capacity."
        )
    if reason == "max_priorities":
        return "Nothing is kept: the limit on priorities kept is 0."
    if reason == "capacity":
        return (
            "Nothing is kept: no priority fits the usable capacity together with what it requires. Raise a "
            "capacity or lower its headroom."
        )
    return "Nothing is kept: no priority can be kept under the locks, alternatives and limits."


# ------------------------------------------------------------------ one reason per priority (explain.decisions)


def kept_reason(
    portfolio: Portfolio, kind: str, value: float, needed_by: list[str], scarcest: tuple[str, float] | None
) -> str:
    if kind == "must_do":
        return "Kept: national must-do, forced in."
    if kind == "locked_in":
        return "Kept: locked in for this scenario."
    if kind == "needed_only":
        return f"Kept: needed by {names(portfolio, needed_by)}."
    text = f"Kept: weighted value {fmt(value)}"
    if scarcest is not None:
        text += f", using {pct(scarcest[1])} of the usable {dim_label(portfolio, scarcest[0])} capacity"
    if needed_by:
        text += f"; also needed by {names(portfolio, needed_by)}"
    return text + "."


def dropped_reason(
    portfolio: Portfolio, kind: str, value: float, others: list[str], short: list[tuple[str, float, float]]
) -> str:
    if kind == "locked_out":
        return "Dropped: locked out for this scenario."
    if kind == "alternative":
        return f"Dropped: it is an alternative to {names(portfolio, others)}, which is kept; at most one can be."
    if kind == "prerequisite":
        verb = "is" if len(others) == 1 else "are"
        return f"Dropped: it needs {names(portfolio, others)}, which {verb} not kept."
    if kind == "does_not_fit":
        parts = [f"{amount(portfolio, d, need)}, {fmt(max(free, 0.0))} free" for d, need, free in short]
        return "Dropped: does not fit; it needs " + "; ".join(parts) + "."
    if kind == "count":
        return (
            f"Dropped: the limit of {portfolio.rules.max_priorities} priorities is reached and the kept ones add "
            "more net value."
        )
    if kind == "theme_full":
        return f"Dropped: its theme '{others[0]}' is at its maximum."
    return (
        f"Dropped: weighted value {fmt(value)}; it fits on its own, but keeping it would break a balance band "
        "or displace priorities that add more net value."
    )


# ------------------------------------------------------------------ explanations (explanations.py)

UNPROVEN = (
    "The re-solves behind this answer stopped at their time limit before proving it, so no figure is stated; "
    "try a longer time limit."
)


def cost_ranges_text(portfolio: Portfolio, ranges) -> str:
    """'It would be kept if its costs fell to 42% of today's (a cut of 58%)', or the ranges when not one-way."""
    if ranges is None:
        return ""
    if not ranges.ranges:
        return "No cut in its costs alone would bring it in."
    if ranges.one_way:
        high = ranges.highest
        return f"It would be kept if its costs fell to {pct(high)} of today's (a cut of {pct(1 - high)}) or less."
    spans = " or ".join(
        f"{pct(low)} to {pct(high)}" if low < high else f"exactly {100 * low:.2f}%" for low, high in ranges.ranges
    )
    return (
        f"It would be kept only if its costs were {spans} of today's; at lower costs than that its share of the "
        "balance would break a band."
    )


def obstacle_text(portfolio: Portfolio, o) -> str:
    if o.kind == "locked_out":
        return "it is locked out for this scenario"
    if o.kind == "alternative":
        return f"it is an alternative to {names(portfolio, o.subject.split(';'))}, which is kept"
    if o.kind == "capacity":
        full = "full" if o.free <= 1e-9 else "nearly full"
        with_pre = " with its prerequisites" if o.with_prerequisites else ""
        return (
            f"{dim_label(portfolio, o.subject)} capacity is {full}: it needs {amount(portfolio, o.subject, o.need)}"
            f"{with_pre}, {fmt(o.free)} free"
        )
    if o.kind == "count":
        return f"the limit of {o.subject} priorities would be passed"
    if o.kind == "theme_max":
        return f"its theme '{o.subject}' is at its maximum of {fmt(o.need)}"
    return o.kind


def explanation_text(portfolio: Portfolio, e) -> str:
    """The why-panel in sentences, names first."""
    who = name_of(portfolio, e.priority_id)
    if e.kept:
        forced = {"must_do": "a national must-do", "locked_in": "locked in"}.get(e.forced_by, "")
        if e.case == "forced_anyway":
            return f"{who} is {forced}; the optimiser would keep it anyway."
        if not e.proven:
            return f"{who} is kept. {UNPROVEN}"
        if e.case == "forced_costly":
            return sentences(
                [
                    f"{who} is {forced}. Forcing it in costs {fmt(-e.value_change)} of net value:",
                    f"without it the optimiser would keep {names(portfolio, e.brought_in)} instead.",
                ]
            )
        if e.case == "cannot_drop":
            need = f": {names(portfolio, e.needed_by)} need it." if e.needed_by else "."
            return f"{who} cannot be dropped under the current rules{need}"
        text = f"Dropping {who} would lose {fmt(e.value_change)} of net value"
        text += (
            f"; {names(portfolio, e.brought_in)} would take its place"
            if e.brought_in
            else "; nothing else would fit in its place"
        )
        if e.displaced:
            text += f", and {names(portfolio, e.displaced)} would go with it"
        return text + "."
    stops = "; ".join(obstacle_text(portfolio, o) for o in e.stopped_by)
    if e.case == "locked_out":
        return f"{who} is locked out for this scenario."
    if e.case == "impossible":
        why = stops or "the other rules leave no room for it"
        parts = [f"{who} cannot be kept at today's costs under the current rules: {why}."]
        parts.append("No change to its score alone would bring it in.")
        parts.append(cost_ranges_text(portfolio, e.cost_ranges) if e.proven else UNPROVEN)
        return sentences(parts)
    if not e.proven:
        return sentences([f"{who} is dropped.", f"What stops it: {stops}." if stops else "", UNPROVEN])
    parts = [
        f"Bringing {who} in would lose {fmt(e.value_change)} of net value"
        + (f" and displace {names(portfolio, e.displaced)}." if e.displaced else ".")
    ]
    if e.brought_in:
        parts.append(f"It would also bring in {names(portfolio, e.brought_in)}.")
    if stops:
        parts.append(f"What stops it: {stops}.")
    if e.prerequisites_to_add:
        costs = ", ".join(
            amount(portfolio, d.name, sum(portfolio.priority(q).cost(d.name) for q in e.prerequisites_to_add))
            for d in portfolio.dimensions
        )
        parts.append(f"It needs {names(portfolio, e.prerequisites_to_add)} first, which would add {costs}.")
    needed = e.value + (e.value_change or 0.0)
    if e.value_needed is not None:
        parts.append(f"It would be kept if its weighted value rose above {fmt(e.value_needed)} (now {fmt(e.value)}).")
    else:
        parts.append(
            f"No score change can bring it in: even top scores give a weighted value of {fmt(e.max_value)}, and it "
            f"would need more than {fmt(needed)}."
        )
    parts.append(cost_ranges_text(portfolio, e.cost_ranges))
    return sentences(parts)


def cost_ranges_figure(ranges) -> str:
    """The cost ranges for a table cell: '42%', '40-80%', 'none'."""
    if ranges is None:
        return ""
    if not ranges.ranges:
        return "no cut is enough"
    return " or ".join(
        f"{pct(high)} or less" if low <= 0 else f"{pct(low)}-{pct(high)}" if low < high else f"{100 * low:.2f}%"
        for low, high in ranges.ranges
    )


def must_do_cost_text(portfolio: Portfolio, cost) -> str:
    if cost is None:
        return ""
    if not cost.proven or cost.value_gain is None:
        return "What the national must-dos cost the local agenda could not be proven within the time limit."
    text = f"The national must-dos cost the local agenda {fmt(cost.value_gain)} of net value"
    if cost.local_gained:
        return text + f" (without them, {names(portfolio, cost.local_gained)} would come in)."
    return text + "."


def capacity_value_text(portfolio: Portfolio, c) -> str:
    label = portfolio.dimension(c.dimension).display
    if not c.proven:
        return f"{label} capacity: the value of more could not be proven within the time limit."
    parts = [
        f"1 more unit ({portfolio.dimension(c.dimension).unit or 'unit'}) +{fmt(c.gain_one_unit)}",
        f"10% more +{fmt(c.gain_ten_pct)}",
    ]
    if c.gain_five_pct_less_headroom is not None:
        parts.append(f"5 points less headroom +{fmt(c.gain_five_pct_less_headroom)}")
    first = f"; first in: {names(portfolio, c.first_in)}" if c.first_in else ""
    return f"{label} capacity (net value gained): " + ", ".join(parts) + first


def ranking_text(portfolio: Portfolio, r) -> list[str]:
    if r.ranking is None:
        return ["A simple ranking fails: the must-dos alone do not fit."]
    lines = [
        f"A simple ranking would reach a net value of {fmt(r.ranking)} against {fmt(r.optimised)} optimised"
        f" (only optimised: {names(portfolio, r.only_optimised)}; only ranked: {names(portfolio, r.only_ranking)})."
    ]
    if r.ranking_breaks:
        lines.append("The ranked list breaks the rules: " + "; ".join(r.ranking_breaks) + ".")
    return lines


# ------------------------------------------------------------------ conflicts and fixes (diagnosis.py)


def fix_text(portfolio: Portfolio, kind: str, target: str, current: float | None, proposed: float | None) -> str:
    """One change a user can apply, in words."""
    if kind == "capacity":
        unit = portfolio.dimension(target).unit
        return f"Raise {dim_label(portfolio, target)} capacity from {fmt(current)} to {fmt(proposed)}{' ' + unit if unit else ''}."
    if kind == "headroom":
        return f"Lower {dim_label(portfolio, target)} headroom from {fmt(current)}% to {fmt(proposed)}%."
    if kind == "max_priorities":
        return f"Raise the limit on priorities kept from {current:g} to {proposed:g}."
    if kind in ("theme_min", "theme_max"):
        word = "minimum" if kind == "theme_min" else "maximum"
        return f"Change the {word} for theme '{target}' from {current:g} to {proposed:g}."
    if kind == "horizon_min":
        return (
            f"Lower the {horizon_term(target)} minimum from {current:g}% to {fmt(proposed)}% (a weaker balance rule)."
        )
    if kind == "horizon_max":
        return (
            f"Raise the {horizon_term(target)} maximum from {current:g}% to {fmt(proposed)}% (a weaker balance rule)."
        )
    if kind == "unlock":
        if portfolio.priority(target).must_do:
            return f"Lift the must-do on {name_of(portfolio, target)} for this scenario."
        return f"Remove the lock-in on {name_of(portfolio, target)}."
    if kind == "unlock_out":
        return f"Remove the lock-out on {name_of(portfolio, target)}."
    return kind


def forced_locked_out(portfolio: Portfolio, pid: str, why: str) -> str:
    return (
        f"{name_of(portfolio, pid)} is locked out but must be kept ({why}). Remove the lock-out or the lock that "
        "forces it."
    )


def forced_alternatives(portfolio: Portfolio, a: str, why_a: str, b: str, why_b: str) -> str:
    return (
        f"{name_of(portfolio, a)}, {why_a}, and {name_of(portfolio, b)}, {why_b}, are alternatives, so at most one "
        "can be kept, but both are forced in."
    )


def forced_over_capacity(portfolio: Portfolio, dimension: str, used: float, usable: float, headroom: float) -> str:
    return (
        f"The must-dos and locked-in priorities (with their prerequisites) alone need {amount(portfolio, dimension, used)}; "
        f"{fmt(usable)} is available after {fmt(headroom)}% headroom (over by {fmt(used - usable)})."
    )


def forced_over_count(count: int, limit: int) -> str:
    return (
        f"{count} priorities are forced in (must-dos, locks and their prerequisites) but at most {limit} may be kept "
        f"(over by {count - limit})."
    )


def forced_over_theme(theme: str, count: int, limit: int) -> str:
    return f"{count} priorities in theme '{theme}' are forced in, above its maximum of {limit}."


def theme_min_unreachable(theme: str, minimum: int, available: int) -> str:
    return f"Theme '{theme}' needs at least {minimum} kept but only {available} priorities in it can be kept."


def capacity_short(
    portfolio: Portfolio, dimension: str, short: float, need: float, usable: float, headroom: float
) -> str:
    d = portfolio.dimension(dimension)
    unit = f" {d.unit}" if d.unit else ""
    return (
        f"{d.display} capacity is short by {fmt(short)}{unit}: the other rules need at least {fmt(need)}, and "
        f"{fmt(usable)} is available after {fmt(headroom)}% headroom."
    )


def count_short(needed: int, limit: int) -> str:
    return f"The other rules need at least {needed} priorities kept, over the limit of {limit}."


def theme_limit_unmet(theme: str, kind: str, current: int) -> str:
    word = "minimum" if kind == "theme_min" else "maximum"
    return f"Theme '{theme}' {word} of {current} cannot be met with the other rules."


def band_unmet(portfolio: Portfolio, horizon: str, kind: str, share: float, limit: float) -> str:
    label = portfolio.balance_capacity.display.lower()
    if kind == "horizon_min":
        return (
            f"The {horizon_term(horizon)} share of {label} capacity used can only reach {share:.1f}% with the other "
            f"rules, against a minimum of {limit:g}%."
        )
    return (
        f"The {horizon_term(horizon)} share of {label} capacity used cannot come below {share:.1f}% with the other "
        f"rules, against a maximum of {limit:g}%."
    )


def lock_unmet(portfolio: Portfolio, pid: str, side: str) -> str:
    who = name_of(portfolio, pid)
    if side == "in" and portfolio.priority(pid).must_do:
        return f"{who} is a must-do, but it cannot be kept with the other rules."
    if side == "in":
        return f"{who} is locked in, but it cannot be kept with the other rules."
    return f"{who} is locked out, but the other rules need it."


def no_rule_named() -> str:
    return (
        "The solver found no selection, but no single rule could be named. Try relaxing capacity, headroom or "
        "balance bands."
    )


RANKING_FORCED_DO_NOT_FIT = "The must-dos and locked-in priorities do not fit on their own."


def ranking_breaks_band(horizon: str, share: float, min_pct: float, max_pct: float) -> str:
    return f"its {horizon_term(horizon)} share is {share:.1f}%, outside the band {min_pct:g}-{max_pct:g}%"


def ranking_breaks_theme(theme: str, count: int, minimum: int) -> str:
    return f"it keeps {count} in theme '{theme}', below the minimum of {minimum}"


# ------------------------------------------------------------------ the one-line summary of a result


def result_summary(portfolio: Portfolio, result) -> str:
    """One plain line a board can read from across the room: what is kept, the balance, what is full."""
    total = len(portfolio.priorities)
    must = sum(p.must_do for p in portfolio.priorities)
    proven = "proven optimal" if result.status == "optimal" else gap_text(result.gap)
    parts = [
        f"Keeps {len(result.kept)} of {total}" + (f" (all {must} must-dos)" if must else ""),
        f"net value {fmt(result.objective or 0.0)}, {proven}",
    ]
    shares = {h.horizon: h.kept_pct for h in result.horizons}
    if sum(h.kept_use for h in result.horizons) > 0:
        split = "/".join(f"{shares.get(h, 0.0):.0f}" for h in ("short", "medium", "long"))
        within = ", within the bands" if portfolio.rules.horizon_bands else ""
        label = portfolio.balance_capacity.display.lower()
        parts.append(f"short/medium/long {split}% of {label} capacity used{within}")
    full = [(u.label or u.dimension).lower() for u in result.capacity if u.free <= 0.02 * max(u.usable, 1e-9)]
    if full:
        parts.append("full: " + ", ".join(full))
    return " · ".join(parts) + "."


# ------------------------------------------------------------------ what a change did (session history)


def portfolio_change(before: Portfolio, after: Portfolio) -> str:
    """What changed between two portfolios, e.g. 'operational capacity 657 → 700; limit 18 → 12'."""
    parts: list[str] = []
    old_dims = {d.name: d for d in before.dimensions}
    for d in after.dimensions:
        o = old_dims.get(d.name)
        if o is None:
            parts.append(f"new capacity {d.display.lower()}")
            continue
        if o.available != d.available:
            parts.append(f"{d.display.lower()} capacity {fmt(o.available)} → {fmt(d.available)}")
        if o.headroom_pct != d.headroom_pct:
            parts.append(f"{d.display.lower()} headroom {fmt(o.headroom_pct)}% → {fmt(d.headroom_pct)}%")
        if o.spread_pct != d.spread_pct:
            parts.append(f"{d.display.lower()} cost spread ± {fmt(o.spread_pct)}% → ± {fmt(d.spread_pct)}%")
    removed = [d.display.lower() for d in before.dimensions if d.name not in {x.name for x in after.dimensions}]
    if removed:
        parts.append("capacity removed: " + ", ".join(removed))
    old_weights = {c.name: c.weight for c in before.criteria}
    for c in after.criteria:
        if c.name in old_weights and old_weights[c.name] != c.weight:
            parts.append(f"weight of {c.display.lower()} {fmt(old_weights[c.name])} → {fmt(c.weight)}")
    old_spreads = {c.name: c.spread_pct for c in before.criteria}
    for c in after.criteria:
        if c.name in old_spreads and old_spreads[c.name] != c.spread_pct:
            parts.append(f"{c.display.lower()} score spread ± {fmt(old_spreads[c.name])}% → ± {fmt(c.spread_pct)}%")
    if {c.name for c in before.criteria} != {c.name for c in after.criteria}:
        parts.append("criteria changed")
    r0, r1 = before.rules, after.rules
    if r0.max_priorities != r1.max_priorities:
        show = lambda n: "no limit" if n is None else str(n)  # noqa: E731
        parts.append(f"limit on priorities kept {show(r0.max_priorities)} → {show(r1.max_priorities)}")
    if r0.horizon_bands != r1.horizon_bands:
        bands = "; ".join(f"{horizon_term(b.horizon)} {b.min_pct:g}-{b.max_pct:g}%" for b in r1.horizon_bands)
        parts.append(f"balance bands now {bands or 'none'}")
    if r0.balance_dimension != r1.balance_dimension:
        parts.append(f"balance measured on {after.balance_capacity.display.lower()} capacity")
    if r0.theme_limits != r1.theme_limits:
        parts.append("theme limits changed")
    for word, old, new in (("locked in", r0.locked_in, r1.locked_in), ("locked out", r0.locked_out, r1.locked_out)):
        added = [pid for pid in new if pid not in old]
        lifted = [pid for pid in old if pid not in new]
        if added:
            parts.append(f"{names(after, added)} {word}")
        if lifted:
            parts.append(f"{word} lifted on {names(before, lifted)}")
    if r0.sensitivity_penalty != r1.sensitivity_penalty:
        parts.append(f"sensitivity penalty {fmt(r0.sensitivity_penalty)} → {fmt(r1.sensitivity_penalty)}")
    if r0.expected_value != r1.expected_value:
        parts.append("expected value (value x delivery confidence) " + ("on" if r1.expected_value else "off"))
    if r0.readiness != r1.readiness:
        parts.append("readiness rule changed")
    old_p = {p.id: p for p in before.priorities}
    new_p = {p.id: p for p in after.priorities}
    added_p = [pid for pid in new_p if pid not in old_p]
    removed_p = [pid for pid in old_p if pid not in new_p]
    edited = [pid for pid in new_p if pid in old_p and new_p[pid] != old_p[pid]]
    if added_p:
        parts.append(f"added {names(after, added_p, limit=3)}")
    if removed_p:
        parts.append(f"removed {names(before, removed_p, limit=3)}")
    if edited:
        parts.append(f"edited {names(after, edited, limit=3)}")
    if not parts and before.name != after.name:
        parts.append("renamed")
    return "; ".join(parts) or "no change to the rules or priorities"


def change_effect(portfolio: Portfolio, kept_before: tuple[str, ...], kept_after: tuple[str, ...]) -> str:
    """'brought in A (X) and B (Y); dropped C (Z)', or that the kept set did not change."""
    brought = [pid for pid in kept_after if pid not in kept_before]
    dropped = [pid for pid in kept_before if pid not in kept_after]
    parts = []
    if brought:
        parts.append(f"brought in {names(portfolio, brought)}")
    if dropped:
        parts.append(f"dropped {names(portfolio, dropped)}")
    return "; ".join(parts) if parts else "the same priorities are kept"


def short_reason(portfolio: Portfolio, decision) -> str:
    """A dropped priority's reason in one short line, for a printed list."""
    kind, detail = decision.kind, list(decision.detail)
    if kind == "locked_out":
        return "locked out for this scenario"
    if kind == "alternative":
        return f"alternative to {names(portfolio, detail)}, which is kept"
    if kind == "prerequisite":
        return f"needs {names(portfolio, detail)}, not kept"
    if kind == "does_not_fit":
        return "does not fit (" + ", ".join(dim_label(portfolio, d) for d in detail) + ")"
    if kind == "count":
        return f"the limit of {portfolio.rules.max_priorities} priorities is reached"
    if kind == "theme_full":
        return f"its theme '{detail[0]}' is at its maximum" if detail else "its theme is at its maximum"
    return "fits, but others add more net value within the balance bands"


# ------------------------------------------------------------------ readiness and robustness (readiness.py, robustness.py)

READINESS_TERMS: dict[str, str] = {
    "delivery confidence": "how likely the priority is to deliver its value, from its readiness ratings "
    "(the readiness rule on Capacity and rules)",
    "expected value": "weighted value x delivery confidence: what the optimiser maximises when expected value is on",
    "value at risk from low readiness": "the weighted value of the kept priorities that their delivery confidence "
    "says will not be delivered: the sum of value x (1 - confidence)",
}


def factor_label(factor: str) -> str:
    from .domain import READINESS_LABELS

    return READINESS_LABELS.get(factor, factor).lower()


def readiness_text(portfolio: Portfolio, r) -> str:
    """One priority's readiness in a sentence, e.g. 'Delivery confidence 50%, low readiness: weakest data and
    analytics that measure impact (not in place).'"""
    from .domain import READINESS_SCALE

    if not r.assessed:
        return "Readiness not assessed (no discount)."
    low = ", low readiness" if r.low else ""
    weakest = " and ".join(factor_label(f) for f in r.weakest)
    return (
        f"Delivery confidence {r.confidence_pct:.0f}%{low} ({r.assessed} of 7 success factors rated): weakest "
        f"{weakest} ({READINESS_SCALE[r.weakest_rating].lower()})."
    )


def low_readiness_clause(portfolio: Portfolio, r) -> str:
    """'low readiness (confidence 40%): data and analytics that measure impact not in place', or '' when the
    priority's readiness is not low."""
    from .domain import READINESS_SCALE

    if not r.low:
        return ""
    weakest = " and ".join(factor_label(f) for f in r.weakest)
    return f"low readiness (confidence {r.confidence_pct:.0f}%): {weakest} {READINESS_SCALE[r.weakest_rating].lower()}"


def value_at_risk_text(portfolio: Portfolio, v) -> str:
    if not v.assessed:
        return "Value at risk from low readiness: none stated, no kept priority has readiness ratings."
    share = v.value_at_risk / v.kept_value if v.kept_value > 0 else 0.0
    text = (
        f"Value at risk from low readiness: {fmt(v.value_at_risk)} of {fmt(v.kept_value)} weighted value kept "
        f"({pct(share)}), from {v.assessed} of {v.kept} kept priorities with readiness ratings."
    )
    if v.low_readiness:
        text += f" Kept with low readiness: {names(portfolio, v.low_readiness)}."
    return text


BAND_WORDS = {
    "kept": "robustly kept (in 90% of samples or more)",
    "contested": "contested",
    "dropped": "robustly dropped (in 10% of samples or fewer)",
}


def judgement_text(portfolio: Portfolio, j) -> str:
    """'the cost in operational capacity of Frailty (LOC03), 2-4 WTE-months (likely 3)'."""
    if j.kind == "score":
        try:
            label = next(c.display for c in portfolio.criteria if c.name == j.name).lower()
        except StopIteration:
            label = j.name
        what, unit = f"the {label} score of {name_of(portfolio, j.priority_id)}", ""
    else:
        what = f"the {dim_label(portfolio, j.name)} cost of {name_of(portfolio, j.priority_id)}"
        try:
            unit = portfolio.dimension(j.name).unit
        except KeyError:
            unit = ""
        unit = f" {unit}" if unit else ""
    return f"{what}, {fmt(j.low)} to {fmt(j.high)}{unit} (likely {fmt(j.likely)})"


def frequency_text(portfolio: Portfolio, f) -> str:
    """'Kept in 72% of samples (± 2%): contested.'"""
    return f"Kept in {pct(f.frequency)} of samples (± {100 * f.standard_error:.0f}%): {BAND_WORDS[f.band]}."


def influence_text(portfolio: Portfolio, i) -> str:
    return (
        f"{judgement_text(portfolio, i.judgement)[:1].upper()}{judgement_text(portfolio, i.judgement)[1:]}: "
        f"in the samples where it is high, {name_of(portfolio, i.priority_id)} is kept in {pct(i.when_high)}, "
        f"where it is low in {pct(i.when_low)}."
    )


def robustness_summary(portfolio: Portfolio, r) -> str:
    if not r.judgements:
        return (
            "No score or cost has a range or spread, so every sample is the same portfolio: give ranges on the "
            "Priorities page or a spread per criterion or capacity on Capacity and rules."
        )
    counts = {band: len(r.band_ids(band)) for band in BAND_WORDS}
    text = (
        f"{r.samples:,} samples (seed {r.seed}) of {r.judgements:,} uncertain scores and costs: "
        f"{counts['kept']} priorities robustly kept (90% of samples or more), {counts['contested']} contested, "
        f"{counts['dropped']} robustly dropped (10% or fewer)."
    )
    if r.infeasible:
        text += f" In {r.infeasible:,} samples no selection meets the rules; frequencies are of the other {r.solved:,}."
    if r.unsolved:
        text += f" {r.unsolved:,} samples stopped at their time limit without a selection and are left out."
    if r.unproven:
        text += f" {r.unproven:,} selections were not proven best within the time limit."
    if r.solved and not r.influential:
        text += (
            " No single judgement's range moves what is kept by more than the sampling noise; more samples "
            "would show smaller effects."
        )
    return text


def contested_text(portfolio: Portfolio, r) -> str:
    """'Contested (kept in this share of samples): A (X) 64%; B (Y) 55%.', most often kept first; '' if none."""
    contested = sorted((f for f in r.priorities if f.band == "contested"), key=lambda f: -f.frequency)
    if not contested:
        return ""
    listed = "; ".join(f"{name_of(portfolio, f.priority_id)} {pct(f.frequency)}" for f in contested)
    return f"Contested (kept in this share of samples): {listed}."


def bands_line(r) -> str:
    """'13 robustly kept · 9 contested · 26 robustly dropped'."""
    kept, contested, dropped = (len(r.band_ids(b)) for b in ("kept", "contested", "dropped"))
    return f"{kept} robustly kept · {contested} contested · {dropped} robustly dropped"


def frequency_line(portfolio: Portfolio, f, kept_today: bool | None = None) -> str:
    """'Name (ID): 64% (± 2%) [kept today]' for a printed list."""
    today = "" if kept_today is None else (" [kept today]" if kept_today else " [dropped today]")
    return f"{name_of(portfolio, f.priority_id)}: {pct(f.frequency)} (± {100 * f.standard_error:.0f}%){today}"


# ------------------------------------------------------------------ workshops


def criterion_label(portfolio: Portfolio, criterion: str) -> str:
    """The display label of a criterion (its name when the portfolio has no such criterion)."""
    for c in portfolio.criteria:
        if c.name == criterion:
            return c.display
    return criterion


def kept_under_views(portfolio: Portfolio, count) -> str:
    """'Name (ID) is kept under 9 of 12 participants' views; the group's scores keep it.' from a KeepCount."""
    views = f"{count.views} participant's view" if count.views == 1 else f"{count.views} participants' views"
    group = "the group's scores keep it" if count.group_kept else "the group's scores drop it"
    return f"{name_of(portfolio, count.priority_id)} is kept under {count.kept_by} of {views}; {group}."


def contest_text(portfolio: Portfolio, contest, cells) -> str:
    """'Name (ID): answers on health outcomes run from 2 to 9 (median 6).' for the widest cell of a Contest."""
    cell = next(c for c in cells if c.priority_id == contest.priority_id and c.criterion == contest.widest_criterion)
    label = criterion_label(portfolio, cell.criterion).lower()
    if cell.spread == 0:
        return f"{name_of(portfolio, contest.priority_id)}: everyone who answered gave the same scores."
    return (
        f"{name_of(portfolio, contest.priority_id)}: answers on {label} run from {fmt(cell.low)} to "
        f"{fmt(cell.high)} (group figure {fmt(cell.group)}, from {cell.count} answers)."
    )


def participation_text(answered: int, joined: int, cells: int) -> str:
    """'7 of 9 participants have answered; 12 scores each to give.'"""
    people = "participant has" if joined == 1 else "participants have"
    return f"{answered} of {joined} {people} answered at least one score; {cells} scores each to give."


def group_result_text(portfolio: Portfolio, scenario_kept: tuple[str, ...], group_kept: tuple[str, ...]) -> str:
    """What the group's scores change against the scenario's own scores."""
    effect = change_effect(portfolio, scenario_kept, group_kept)
    if effect == "the same priorities are kept":
        return "The group's scores keep the same priorities as the scenario's own scores."
    return f"Against the scenario's own scores, the group's scores {effect}."


def workshop_provenance(title: str, day: str, participants: int, rounds: int, rule: str, weighed: bool) -> str:
    """The note of a scenario version adopted from a workshop."""
    people = "1 participant" if participants == 1 else f"{participants} participants"
    round_text = "1 round" if rounds == 1 else f"{rounds} rounds"
    weights = "; weights from the group's swing weights" if weighed else ""
    return (
        f"Adopted from workshop '{title}' on {day}: {people}, {round_text}, group scores are the {rule} of the "
        f"participants' scores{weights}."
    )


def workshop_participation(day: str, joined: int, answered: int, rounds: int, rule: str) -> str:
    """'Held on 2026-11-25: 12 people joined and 11 gave scores, over 2 rounds; the group's scores are the median.'"""
    people = "1 person joined" if joined == 1 else f"{joined} people joined"
    round_text = "1 round" if rounds == 1 else f"{rounds} rounds"
    return (
        f"Held on {day}: {people} and {answered} gave scores, over {round_text}; the group's score of each "
        f"priority on each criterion is the {rule} of the scores given."
    )


# ------------------------------------------------------------------ multi-year plans


def year_label(portfolio: Portfolio, year: int) -> str:
    """The label of plan year `year` (1-based), e.g. '2027/28'."""
    return portfolio.plan.label(year)


def plan_capacity_full(portfolio: Portfolio, use) -> str:
    """A capacity that is full in one year of the plan (a YearUse)."""
    gained = f", including {fmt(use.gained)} gained from finished priorities" if use.gained else ""
    return (
        f"{portfolio.dimension(use.dimension).display} capacity is full in {year_label(portfolio, use.year)}: "
        f"{amount(portfolio, use.dimension, use.used)} used of {fmt(use.usable)} usable after "
        f"{fmt(use.headroom_pct)}% headroom{gained}."
    )


def portfolio_opened(portfolio: Portfolio) -> str:
    """The change when another portfolio was opened (a file, the sample or a scenario)."""
    return f"opened {portfolio.name}"


def one_year_view_of_plan(portfolio: Portfolio) -> str:
    """What the one-year pages show when the scenario has a multi-year plan."""
    labels = portfolio.plan.labels
    return (
        f"This scenario has a {portfolio.plan.years}-year plan ({labels[0]} to {labels[-1]}). This page answers the "
        f"one-year question: what to keep in {labels[0]}, every priority in or out, with the available capacity and "
        "headroom of the capacity table (per-year figures, durations, deadlines, capacity gained and stopping are "
        "not used). The Roadmap page shows the plan."
    )


def plan_infeasible(conflicts) -> str:
    return "No plan meets every rule: " + " ".join(c.text for c in conflicts)


def plan_deadline_unmet(portfolio: Portfolio, pid: str, finish: int | None, limit: int) -> str:
    who = name_of(portfolio, pid)
    p = portfolio.priority(pid)
    what = "a must-do" if p.must_do else "locked in"
    by = f"by {year_label(portfolio, limit)}"
    if finish is None:
        return (
            f"{who} is {what} but cannot be finished within the plan: with its prerequisites, durations and "
            f"earliest start it needs more than {portfolio.plan.years} year{'s' if portfolio.plan.years != 1 else ''}."
        )
    return (
        f"{who} is {what} to be finished {by}, but with its prerequisites, durations and earliest start the "
        f"earliest it can finish is {year_label(portfolio, finish)}."
    )


def plan_capacity_short(portfolio: Portfolio, dimension: str, year: int, short: float) -> str:
    d = portfolio.dimension(dimension)
    unit = f" {d.unit}" if d.unit else ""
    return (
        f"{d.display} capacity in {year_label(portfolio, year)} is short by {fmt(short)}{unit} of usable capacity "
        "for the must-dos, deadlines and other rules."
    )


def plan_rule_short(portfolio: Portfolio, kind: str, subject: str, short: float) -> str:
    if kind == "max_priorities":
        return f"The limit on how many priorities the plan delivers is short by {fmt(short)}."
    if kind in ("theme_min", "theme_max"):
        word = "minimum" if kind == "theme_min" else "maximum"
        return f"Theme '{subject}' {word} cannot be met over the plan (by {fmt(short)})."
    label = portfolio.balance_capacity.display.lower()
    word = "minimum" if kind == "horizon_min" else "maximum"
    return f"The {horizon_term(subject)} {word} share of {label} capacity over the plan cannot be met."


def plan_fix_text(portfolio: Portfolio, kind: str, target: str, current: float | None, proposed: float | None) -> str:
    if kind == "deadline":
        return (
            f"Move the deadline of {name_of(portfolio, target)} from {year_label(portfolio, int(current or 1))} to "
            f"{year_label(portfolio, int(proposed or 1))}."
        )
    if kind == "capacity_year":
        dimension, year = target.split("|")
        return (
            f"Raise {dim_label(portfolio, dimension)} capacity in {year_label(portfolio, int(year))} from "
            f"{fmt(current or 0)} to {fmt(proposed or 0)}."
        )
    return fix_text(portfolio, kind, target, current, proposed)


def plan_status_message(status: str, gap: float | None, time_limit_hit: bool = False) -> str:
    """The headline of a plan: optimal only when proven."""
    if status == "optimal":
        return "Optimal plan (proven: no plan meeting every rule has a higher net value)."
    if status == "feasible":
        why = "The solver stopped at its time limit" if time_limit_hit else "The solver stopped"
        return f"{why} before proving this plan the best: it is {gap_text(gap)} (net value)."
    return ""


# ------------------------------------------------------------------ asking why of a plan (plan_analysis.py)


def _years_word(n: int) -> str:
    return f"{n} year{'s' if n != 1 else ''}"


def _signed(change: float) -> str:
    """+2.5, -1.5, 0."""
    if abs(change) < 1e-9:
        return "0"
    return f"+{fmt(change)}" if change > 0 else f"-{fmt(-change)}"


def plan_reason_text(portfolio: Portfolio, pid: str, reason) -> str:
    """One reason (plan_analysis.Reason) as a clause about priority `pid`, e.g. 'its earliest start is 2027/28'."""
    p = portfolio.priority(pid)
    kind = reason.kind
    year = year_label(portfolio, reason.year) if reason.year is not None and reason.year >= 1 else ""
    other = name_of(portfolio, reason.subject) if reason.subject else ""
    if kind == "first_year":
        return f"{'it stops from' if p.existing else 'it starts in'} the plan's first year, {year_label(portfolio, 1)}"
    if kind == "earliest_start":
        return f"its earliest start is {year}"
    if kind == "prerequisite":
        wait = f", and then it waits {_years_word(reason.lag)}" if reason.lag else ""
        return f"it needs {other} finished first, which finishes in {year}{wait}"
    if kind == "alongside":
        return f"it runs alongside {other}, which starts in {year}"
    if kind == "prerequisite_not_started":
        if reason.subject and portfolio.priority(reason.subject).existing:
            return f"it needs {other} running, which is stopped from the start of the plan"
        return f"it needs {other}, which is not started in the plan"
    if kind == "prerequisite_cannot_finish":
        return f"it needs {other}, which cannot be finished within the plan"
    if kind == "prerequisite_running":
        return f"it needs {other} running, which stops from {year}" if year else f"it needs {other} running"
    if kind == "needed_by":
        if portfolio.priority(reason.subject).existing:
            return f"{other} needs it"
        when = f" and starts in {year}" if year else ""
        needs = (
            "needs it started"
            if portfolio.priority(reason.subject).runs_alongside(pid, portfolio.plan.years)
            else ("needs it finished first")
        )
        return f"{other} {needs}{when}"
    if kind == "year_lock":
        return f"it is locked to {'stop from' if p.existing else 'start in'} {year}"
    if kind == "forbidden_start":
        return f"starting in {year} is not allowed" if year else "starting is not allowed in any year it could start"
    if kind == "deadline":
        return f"it must be finished by {year} (its deadline)"
    if kind == "plan_end":
        return f"it would finish after the plan ends in {year}"
    if kind == "capacity":
        label = dim_label(portfolio, reason.subject)
        if reason.need > 0:
            free = f"only {fmt(reason.free)} is free" if reason.free > 1e-9 else "none is free"
            return (
                f"{label} capacity in {year} has no room for it: it would need "
                f"{amount(portfolio, reason.subject, reason.need)} and {free}"
            )
        return f"{label} capacity in {year} would be over by {fmt(reason.over)} (capacity gained later)"
    if kind == "alternative":
        return f"it is an alternative to {other}, which is delivered"
    if kind == "max_priorities":
        return f"the plan already delivers its limit of {reason.subject} priorities"
    if kind == "theme_max":
        return f"theme '{reason.subject}' is at its maximum"
    if kind == "theme_min":
        return f"theme '{reason.subject}' would fall below its minimum"
    if kind in ("horizon_min", "horizon_max"):
        return (
            f"the {horizon_term(reason.subject)} share of {portfolio.balance_capacity.display.lower()} capacity "
            "over the plan would leave its band"
        )
    if kind == "locked_out":
        return "it is locked out for this scenario"
    if kind == "must_do":
        return "it is a national must-do"
    if kind == "locked_in":
        return "it is locked in"
    if kind == "value":
        if reason.value_change < -1e-9:
            return f"that would lose {fmt(-reason.value_change)} of net value"
        if reason.value_change > 1e-9:
            return f"that would add {fmt(reason.value_change)} of net value (the plan is not proven the best)"
        return "no rule stops it, and the plan would be worth the same"
    return reason.subject or kind


def _clauses(portfolio: Portfolio, pid: str, reasons, capital: bool = False) -> str:
    text = "; ".join(plan_reason_text(portfolio, pid, r) for r in reasons)
    return text[:1].upper() + text[1:] if capital else text


def plan_why_text(portfolio: Portfolio, why) -> str:
    """Why a priority is where it is in the plan (plan_analysis.WhyStart), in sentences, name first."""
    who = name_of(portfolio, why.priority_id)
    parts: list[str] = []
    displaces = any(r.kind == "capacity" for r in why.before)
    if why.status == "started":
        finish = f" and finishes in {year_label(portfolio, why.finish)}" if why.finish != why.start else ""
        parts.append(f"{who} starts in {year_label(portfolio, why.start)}{finish}.")
        if why.before and why.before[0].kind == "first_year":
            parts.append("It starts in the plan's first year.")
        elif why.before:
            tail = ", so it could not start earlier without displacing something" if displaces else ""
            parts.append(f"Why not a year earlier? {_clauses(portfolio, why.priority_id, why.before, True)}{tail}.")
        if why.after:
            parts.append(f"Why not a year later? {_clauses(portfolio, why.priority_id, why.after, True)}.")
    elif why.status in ("continued", "stopped"):
        if why.status == "continued":
            parts.append(f"{who} is existing activity and continues to the end of the plan.")
            if why.before:
                parts.append(
                    f"Why not stop it in the last year? {_clauses(portfolio, why.priority_id, why.before, True)}."
                )
        else:
            frees = ", ".join(
                amount(portfolio, name, cost) for name, cost in _row_frees(portfolio, why.priority_id) if cost
            )
            freed = f", freeing {frees} a year" if frees else ""
            parts.append(f"{who} is existing activity stopped from {year_label(portfolio, why.stop)}{freed}.")
            if why.before and why.before[0].kind != "first_year":
                parts.append(f"Why not stop a year earlier? {_clauses(portfolio, why.priority_id, why.before, True)}.")
            if why.after:
                parts.append(f"Why not run a year longer? {_clauses(portfolio, why.priority_id, why.after, True)}.")
    else:
        common = [r for r in why.blocked if r.start is None]
        parts.append(
            f"{who} is not started in the plan"
            + (f": {_clauses(portfolio, why.priority_id, common)}." if common else ".")
        )
        starts = sorted({r.start for r in why.blocked if r.start is not None})
        for t in starts:
            in_year = [r for r in why.blocked if r.start == t]
            parts.append(
                f"Why not start in {year_label(portfolio, t)}? {_clauses(portfolio, why.priority_id, in_year, True)}."
            )
    if not why.plan_proven:
        parts.append(f"The plan itself is not proven the best: it is {gap_text(why.plan_gap)} (net value).")
    return sentences(parts)


def _row_frees(portfolio: Portfolio, pid: str) -> list[tuple[str, float]]:
    p = portfolio.priority(pid)
    return [(d.name, p.cost(d.name)) for d in portfolio.dimensions]


def plan_change_text(portfolio: Portfolio, change) -> str:
    """One priority that moves between two plans (plan_analysis.Change), e.g. 'B (B) starts in 2028/29
    instead of 2027/28'."""
    who = name_of(portfolio, change.priority_id)
    before, after = change.before, change.after
    kind = change.kind

    def stop_words(row) -> str:
        return f"stopping from {year_label(portfolio, row.stop)}" if row.stop else "running to the end of the plan"

    if portfolio.priority(change.priority_id).existing:
        if kind == "dropped":
            return f"{who} is stopped from the start of the plan"
        if kind == "added":
            return f"{who} is kept running, {stop_words(after)}"
        return f"{who} is {stop_words(after)} instead of {stop_words(before)}"
    if kind == "added":
        return f"{who} comes in, starting in {year_label(portfolio, after.start)}"
    if kind == "dropped":
        return f"{who} is no longer started (it started in {year_label(portfolio, before.start)})"
    return f"{who} starts in {year_label(portfolio, after.start)} instead of {year_label(portfolio, before.start)}"


def _change_amount(change: float) -> str:
    if change > 1e-9:
        return f"rise by {fmt(change)}"
    if change < -1e-9:
        return f"fall by {fmt(-change)}"
    return "not change"


def plan_resolve_text(portfolio: Portfolio, answer, condition: str, frees_first: bool = False) -> str:
    """A plan re-solved with one change (plan_analysis.ReSolved): 'If re-solved with <condition>, the plan's
    net value would fall by 1.5 (proven). In consequence: ...'; an unproven figure is said to be unproven."""
    if answer.case == "impossible" and answer.reasons:
        who = name_of(portfolio, answer.subject)
        year = year_label(portfolio, answer.target) if answer.target and answer.target >= 1 else "an earlier year"
        return f"{who} cannot start in {year}: {_clauses(portfolio, answer.subject, answer.reasons)}."
    if answer.case == "impossible":
        conflicts = " ".join(c.text for c in answer.conflicts)
        return f"If re-solved {condition}, no plan would meet every rule. {conflicts}".strip()
    if answer.case == "no_plan":
        return (
            f"The re-solve {condition} stopped at its time limit without finding a plan, so nothing can be said; "
            "try a longer time limit."
        )
    changes = [plan_change_text(portfolio, c) for c in answer.changes]
    consequence = f"In consequence: {'; '.join(changes)}." if changes else "Nothing else in the plan would move."
    if frees_first:
        freed = [plan_change_text(portfolio, c) for c in answer.freed]
        moved = [plan_change_text(portfolio, c) for c in answer.displaced]
        consequence = sentences(
            [
                f"It frees: {'; '.join(freed)}."
                if freed
                else "It frees nothing: no other priority starts earlier or gets in.",
                f"It also moves: {'; '.join(moved)}." if moved else "",
            ]
        )
    if answer.proven:
        return sentences(
            [
                f"If re-solved {condition}, the plan's net value would {_change_amount(answer.net_value_change)} "
                "(proven: both plans are proven the best).",
                consequence,
            ]
        )
    why = []
    if not answer.base_proven:
        why.append("today's plan is not proven the best")
    if answer.result is not None and answer.result.status != "optimal":
        why.append(f"the re-solve stopped before proving its plan the best ({gap_text(answer.gap)})")
    if answer.change_low is not None and answer.change_high is not None:
        span = f"the best possible change lies between {_signed(answer.change_low)} and {_signed(answer.change_high)}"
    else:
        span = "how large the best possible change is, is not known"
    found = answer.net_value_change
    return sentences(
        [
            f"If re-solved {condition}, the plan found has a net value {_found_words(found)} today's, but "
            f"{' and '.join(why)}, so the change is not proven: {span}.",
            consequence.replace("In consequence:", "In the plan found:").replace(
                "It frees", "In the plan found, it frees"
            ),
        ]
    )


def _found_words(change: float) -> str:
    if change > 1e-9:
        return f"{fmt(change)} higher than"
    if change < -1e-9:
        return f"{fmt(-change)} lower than"
    return "the same as"


def plan_start_earlier_text(portfolio: Portfolio, answer) -> str:
    """What starting a priority a year earlier would do (plan_analysis.start_earlier)."""
    who = name_of(portfolio, answer.subject)
    if answer.case == "not_applicable":
        if answer.reasons and answer.reasons[0].kind == "existing":
            return f"{who} is existing activity: it is already running and has no start to move."
        return f"{who} is not started in the plan, so there is no earlier start to try."
    year = year_label(portfolio, answer.target) if answer.target and answer.target >= 1 else ""
    lock = (
        f" (instead of its lock to {year_label(portfolio, answer.replaces_lock)})"
        if answer.replaces_lock is not None
        else ""
    )
    return plan_resolve_text(portfolio, answer, f"with {who} starting in {year}{lock}")


def plan_defer_deadline_text(portfolio: Portfolio, answer) -> str:
    """What deferring a deadline would gain and free (plan_analysis.defer_deadline)."""
    who = name_of(portfolio, answer.subject)
    p = portfolio.priority(answer.subject)
    if answer.case == "not_applicable":
        kind = answer.reasons[0].kind if answer.reasons else ""
        if kind == "plan_end":
            return (
                f"The deadline of {who} is the plan's last year or later: deferring it changes nothing within the plan."
            )
        if kind == "existing":
            return f"{who} is existing activity: it has no deadline to defer."
        return f"{who} has no deadline to defer."
    old = year_label(portfolio, p.deadline) if p.deadline is not None else "none"
    condition = f"with the deadline of {who} moved from {old} to {year_label(portfolio, answer.target)}"
    return plan_resolve_text(portfolio, answer, condition, frees_first=True)


def plan_capacity_worth_text(portfolio: Portfolio, worth) -> str:
    """What one capacity is worth in one plan year (plan_analysis.CapacityWorth)."""
    label = portfolio.dimension(worth.dimension).display
    year = year_label(portfolio, worth.year)
    if worth.case == "never_binding":
        return (
            f"{label} capacity in {year}: not binding, nothing to gain (everything that could be under way that "
            "year fits)."
        )
    if worth.case == "no_capacity":
        return f"{label} capacity in {year}: none is available that year, so there is no step to raise it by."
    headroom = portfolio.dimension(worth.dimension).headroom_in(worth.year)
    available = portfolio.dimension(worth.dimension).available_in(worth.year)
    share = 100.0 * worth.step / available if available else 0.0
    usable = f", {fmt(worth.usable_step)} of it usable after {fmt(headroom)}% headroom" if headroom else ""
    condition = (
        f"with {dim_label(portfolio, worth.dimension)} capacity in {year} raised by "
        f"{amount(portfolio, worth.dimension, worth.step)} ({fmt(share)}% of that year's available{usable})"
    )
    return plan_resolve_text(portfolio, worth.answer, condition)


def plan_worth_figure(worth) -> str:
    """The worth of a capacity in a year for a table cell: '+2', '0 (not binding)', '+2 to +3 (not proven)'."""
    if worth.case == "never_binding":
        return "0 (not binding)"
    if worth.case == "no_capacity":
        return "none available"
    answer = worth.answer
    if answer is None or answer.case != "solved":
        return "no plan found"
    if answer.proven:
        return _signed(answer.net_value_change)
    if answer.change_low is not None and answer.change_high is not None:
        return f"{_signed(answer.change_low)} to {_signed(answer.change_high)} (not proven)"
    return "not proven"


# ------------------------------------------------------------------ the plan as a roadmap (plan_cli.py)


def plan_heading(portfolio: Portfolio) -> str:
    """'Northvale ICB: a 5-year plan, 2026/27 to 2030/31. Value counted: full value when finished within the
    plan.'"""
    from .domain import VALUE_MODES

    labels = portfolio.plan.labels
    span = labels[0] if len(labels) == 1 else f"{labels[0]} to {labels[-1]}"
    mode = VALUE_MODES.get(portfolio.plan.value_mode, portfolio.plan.value_mode)
    return (
        f"{portfolio.name}: a {portfolio.plan.years}-year plan, {span}. Value counted: {mode[:1].lower() + mode[1:]}."
    )


def plan_figures(portfolio: Portfolio, result) -> str:
    """'Net value 2,726.7: value earned 2,750 minus drop penalty 23.3. 30 of 48 new priorities started; 2 of 5
    existing activities stopped.'"""
    new = [p for p in portfolio.priorities if not p.existing]
    existing = [p for p in portfolio.priorities if p.existing]
    started = sum(1 for r in result.rows if r.status == "started")
    stopped = sum(1 for r in result.rows if r.status == "stopped")
    parts = [
        f"Net value {fmt(result.objective or 0.0)}: value earned {fmt(result.value)} minus drop penalty "
        f"{fmt(result.drop_penalty)}.",
        f"{started} of {len(new)} new priorities started"
        + (f"; {stopped} of {len(existing)} existing activities stopped." if existing else "."),
    ]
    return " ".join(parts)


def plan_start_item(portfolio: Portfolio, row) -> str:
    """A priority starting in a year: 'Name (ID), 2 years to 2027/28, must-do by 2027/28'."""
    p = portfolio.priority(row.priority_id)
    parts = [name_of(portfolio, p.id)]
    if p.duration > 1:
        parts.append(f"{_years_word(p.duration)} to {year_label(portfolio, row.finish)}")
    if p.must_do:
        parts.append("must-do" + (f" by {year_label(portfolio, p.deadline)}" if p.deadline is not None else ""))
    elif p.deadline is not None:
        parts.append(f"deadline {year_label(portfolio, p.deadline)}")
    if p.gains:
        parts.append("then adds " + ", ".join(amount(portfolio, d, g) for d, g in p.gains) + " a year")
    return ", ".join(parts)


def plan_continue_item(portfolio: Portfolio, row, year: int) -> str:
    """A priority still under way in a year: 'Name (ID), year 2 of 3', or 'Name (ID) (existing)'."""
    p = portfolio.priority(row.priority_id)
    if p.existing:
        return f"{name_of(portfolio, p.id)} (existing)"
    return f"{name_of(portfolio, p.id)}, year {year - row.start + 1} of {p.duration}"


def plan_stop_item(portfolio: Portfolio, row) -> str:
    """An existing activity stopped: 'Name (ID) from 2027/28: frees 6 days of ops capacity a year'."""
    frees = ", ".join(amount(portfolio, d, c) for d, c in row.frees if c)
    when = "from the start of the plan" if row.stop == 1 else f"from {year_label(portfolio, row.stop)}"
    return f"{name_of(portfolio, row.priority_id)} {when}" + (f": frees {frees} a year" if frees else "")


def plan_capacity_line(portfolio: Portfolio, use) -> str:
    """'Operational: 421 of 591.3 WTE-months usable (71%), 170.3 free'; capacity gained is named."""
    d = portfolio.dimension(use.dimension)
    unit = f" {d.unit}" if d.unit else ""
    share = f" ({pct(use.used / use.usable)})" if use.usable > 0 else ""
    gained = f", {fmt(use.gained)} of it gained from finished priorities" if use.gained else ""
    return (
        f"{d.display}: {fmt(use.used)} of {fmt(use.usable)}{unit} usable{share}, {fmt(max(use.free, 0.0))} free{gained}"
    )


def plan_balance_line(portfolio: Portfolio, shares) -> str:
    """'short-term 40%, medium-term 35%, long-term 25% of operational capacity used'."""
    if not any(h.kept_use for h in shares):
        return f"no {portfolio.balance_capacity.display.lower()} capacity used"
    return (
        ", ".join(f"{horizon_term(h.horizon)} {h.kept_pct:.0f}%" for h in shares)
        + f" of {portfolio.balance_capacity.display.lower()} capacity used"
    )


# ------------------------------------------------------------------ a plan's rows and changes in words


def plan_year_text(labels: tuple[str, ...], year: int | None) -> str:
    """The label of a plan year (1-based), "year 7" past the labels, "" for None."""
    if year is None:
        return ""
    return labels[year - 1] if 1 <= year <= len(labels) else f"year {year}"


def plan_when_text(row, labels: tuple[str, ...]) -> str:
    """When a row of the plan runs, in words: '2026/27 to 2027/28', 'runs to 2027/28, stopped from 2028/29'."""
    if row.status == "stopped":
        stop = plan_year_text(labels, row.stop)
        if row.finish is None:
            return f"stopped from {stop}"
        return f"runs to {plan_year_text(labels, row.finish)}, stopped from {stop}"
    if row.status == "continued":
        return f"continues to {labels[-1]}" if labels else "continues"
    if row.status == "started":
        start, finish = plan_year_text(labels, row.start), plan_year_text(labels, row.finish)
        return start if start == finish else f"{start} to {finish}"
    return "not started"


def plan_settings_change(before: Portfolio, after: Portfolio) -> list[str]:
    """What changed in the year locks, forbidden years and plan settings, in words (names first)."""
    labels = after.plan.labels

    def when(year: int) -> str:
        return plan_year_text(labels, year)

    parts = []
    old_locks, new_locks = set(before.rules.year_locks), set(after.rules.year_locks)
    for pid, year in after.rules.year_locks:
        if (pid, year) not in old_locks:
            parts.append(f"{name_of(after, pid)} locked to {when(year)}")
    for pid, year in before.rules.year_locks:
        if (pid, year) not in new_locks and pid not in dict(after.rules.year_locks):
            parts.append(f"year lock lifted on {name_of(before, pid)}")
    old_forbid, new_forbid = set(before.rules.forbidden_starts), set(after.rules.forbidden_starts)
    for pid, year in after.rules.forbidden_starts:
        if (pid, year) not in old_forbid:
            parts.append(f"{name_of(after, pid)} may not start in {when(year)}")
    for pid, year in before.rules.forbidden_starts:
        if (pid, year) not in new_forbid:
            parts.append(f"{name_of(before, pid)} may start in {when(year)} again")
    old, new = before.plan, after.plan
    if old.years != new.years:
        parts.append(f"plan length {old.years} → {new.years} years")
    if old.first_year != new.first_year:
        parts.append(f"first year {old.first_year} → {new.first_year}")
    if old.value_mode != new.value_mode:
        parts.append(f"value counted as: {VALUE_MODES.get(new.value_mode, new.value_mode).lower()}")
    return parts


def plan_change_effect(portfolio: Portfolio, before, after) -> str:
    """'A (X) starts 2026/27 (was: starts 2027/28); B (Y) not started (was: starts 2028/29)', at most six, or
    that the plan did not change."""
    if not (before.has_selection and after.has_selection):
        return "no plan before" if after.has_selection else "no plan now"
    labels = after.years or portfolio.plan.labels
    parts = []
    for row in after.rows:
        try:
            old = before.row(row.priority_id)
        except KeyError:
            continue
        who = name_of(portfolio, row.priority_id)
        now = plan_when(row, labels)
        was = plan_when(old, before.years or labels)
        if now != was:
            parts.append(f"{who} {now} (was: {was})")
    if not parts:
        return "the plan did not change"
    shown = parts[:6]
    return "; ".join(shown) + (f"; and {len(parts) - 6} more" if len(parts) > 6 else "")


def plan_when(row, labels: tuple[str, ...]) -> str:
    """Where a plan row is, for a before/after sentence: 'starts 2027/28', 'not started', 'continues to ...'."""
    if row.status == "started" and row.start is not None:
        return f"starts {plan_year_text(labels, row.start)}"
    return plan_when_text(row, labels)
