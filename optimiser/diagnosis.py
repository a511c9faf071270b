"""Why no selection satisfies the rules: which rules conflict, and by how much.

First the exact, structural checks on what is forced in (must-dos, locks and everything they
require); then, if those pass, an elastic version of the model that lets each capacity, count,
theme and balance rule be broken at a price and finds the smallest total breach.
"""

from __future__ import annotations

import numpy as np

from .domain import HORIZON_LABELS, Portfolio
from .explain import _fmt
from .figures import capacity_use, horizon_shares
from .model import SelectionModel, safe_name
from .result import RuleNote

ELASTIC_KINDS = ("capacity", "max_priorities", "theme_min", "theme_max", "horizon_min", "horizon_max")


def forced_set(portfolio: Portfolio) -> dict[str, str]:
    """Every priority that must be kept, mapped to why (must-do, lock, or needed by a forced one)."""
    forced: dict[str, str] = {}
    for p in portfolio.priorities:
        if p.must_do:
            forced[p.id] = "national must-do"
    for pid in portfolio.rules.locked_in:
        forced.setdefault(pid, "locked in")
    by_id = {p.id: p for p in portfolio.priorities}
    stack = list(forced)
    while stack:
        pid = stack.pop()
        for r in by_id[pid].requires:
            if r not in forced:
                forced[r] = f"needed by {pid}"
                stack.append(r)
    return forced


def structural_conflicts(portfolio: Portfolio) -> list[RuleNote]:
    """Conflicts among what is forced in; each is exact, not an estimate."""
    forced = forced_set(portfolio)
    rules = portfolio.rules
    notes: list[RuleNote] = []
    for pid in rules.locked_out:
        if pid in forced:
            notes.append(
                RuleNote(
                    f"lock_out_{safe_name(pid)}",
                    f"{pid} is locked out but must be kept ({forced[pid]}). Remove the lock-out or the lock that forces it.",
                    1,
                )
            )
    seen: set[tuple[str, str]] = set()
    for p in portfolio.priorities:
        if p.id not in forced:
            continue
        for e in p.excludes:
            pair = (min(p.id, e), max(p.id, e))
            if e in forced and pair not in seen:
                seen.add(pair)
                notes.append(
                    RuleNote(
                        f"excludes_{safe_name(pair[0])}_{safe_name(pair[1])}",
                        f"{pair[0]} ({forced[pair[0]]}) and {pair[1]} ({forced[pair[1]]}) are alternatives, "
                        "so at most one can be kept, but both are forced in.",
                        1,
                    )
                )
    for use in capacity_use(portfolio, forced):
        if use.used > use.usable + 1e-9:
            unit = f" {use.unit}" if use.unit else ""
            notes.append(
                RuleNote(
                    f"capacity_{safe_name(use.dimension)}",
                    f"The must-dos and locked-in priorities (with their prerequisites) alone need {_fmt(use.used)}{unit} of "
                    f"{use.dimension} capacity; {_fmt(use.usable)} is available after {_fmt(use.headroom_pct)}% headroom "
                    f"(over by {_fmt(use.used - use.usable)}).",
                    use.used - use.usable,
                )
            )
    if rules.max_priorities is not None and len(forced) > rules.max_priorities:
        notes.append(
            RuleNote(
                "max_priorities",
                f"{len(forced)} priorities are forced in (must-dos, locks and their prerequisites) "
                f"but at most {rules.max_priorities} may be kept (over by {len(forced) - rules.max_priorities}).",
                len(forced) - rules.max_priorities,
            )
        )
    themes: dict[str, int] = {}
    for p in portfolio.priorities:
        if p.id in forced:
            themes[p.theme] = themes.get(p.theme, 0) + 1
    for limit in rules.theme_limits:
        count = themes.get(limit.theme, 0)
        if limit.max_count is not None and count > limit.max_count:
            notes.append(
                RuleNote(
                    f"theme_max_{safe_name(limit.theme)}",
                    f"{count} priorities in theme '{limit.theme}' are forced in, above its maximum of {limit.max_count}.",
                    count - limit.max_count,
                )
            )
        available = sum(1 for p in portfolio.priorities if p.theme == limit.theme and p.id not in rules.locked_out)
        if limit.min_count is not None and available < limit.min_count:
            notes.append(
                RuleNote(
                    f"theme_min_{safe_name(limit.theme)}",
                    f"Theme '{limit.theme}' needs at least {limit.min_count} kept but only {available} "
                    "priorities in it can be kept.",
                    limit.min_count - available,
                )
            )
    return notes


def elastic_conflicts(portfolio: Portfolio, model: SelectionModel, time_limit: float = 10.0) -> list[RuleNote]:
    """Smallest breach of the soft rules that makes a selection possible, reported per rule."""
    import highspy

    soft = [r for r in model.rows if r.kind in ELASTIC_KINDS]
    hard = [r for r in model.rows if r.kind not in ELASTIC_KINDS]
    n = model.size
    load_total = max(
        float(np.sum(np.abs(np.concatenate([r.coefs for r in soft if r.kind.startswith("horizon")] or [np.zeros(1)])))),
        1e-9,
    )
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("threads", 1)
    h.setOptionValue("time_limit", float(time_limit))
    inf = highspy.kHighsInf
    # Priority columns: binary, objective 0 (a tiny preference for value breaks ties).
    scale = max(float(np.abs(model.objective).sum()), 1.0)
    h.addVars(n, model.col_lower.astype(float), model.col_upper.astype(float))
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * n))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), -1e-6 * model.objective / scale)
    for r in hard:
        h.addRow(max(r.lower, -inf), min(r.upper, inf), len(r.cols), r.cols.astype(np.int32), r.coefs.astype(float))
    slack_of: list[tuple[int, object]] = []
    for r in soft:
        if r.kind == "capacity":
            weight = 1.0 / max(r.upper, 1e-9)
        elif r.kind.startswith("horizon"):
            weight = 1.0 / load_total
        else:
            weight = 1.0
        col = h.getNumCol()
        h.addVar(0.0, inf)
        h.changeColCost(col, weight)
        sign = -1.0 if r.upper < inf else 1.0  # upper rows: a.x - s <= u; lower rows: a.x + s >= l
        cols = np.append(r.cols, col).astype(np.int32)
        coefs = np.append(r.coefs, sign).astype(float)
        h.addRow(max(r.lower, -inf), min(r.upper, inf), len(cols), cols, coefs)
        slack_of.append((col, r))
    h.run()
    info = h.getInfo()
    if info.primal_solution_status != 2:
        return [
            RuleNote(
                "hard_rules",
                "The prerequisites, alternatives and locks cannot all be met together. "
                "Check the locks on priorities that require or exclude each other.",
                1,
            )
        ]
    values = np.array(h.getSolution().col_value)
    x = np.round(values[:n])
    kept = {pid for pid, v in zip(model.ids, x) if v > 0.5}
    shares = {s.horizon: s.kept_pct for s in horizon_shares(portfolio, kept)}
    uses = {u.dimension: u for u in capacity_use(portfolio, kept)}
    notes: list[RuleNote] = []
    for col, r in slack_of:
        amount = float(values[col])
        if amount <= 1e-6:
            continue
        if r.kind == "capacity":
            use = uses[r.subject]
            unit = f" {use.unit}" if use.unit else ""
            notes.append(
                RuleNote(
                    r.name,
                    (
                        f"{r.subject} capacity is exceeded by {_fmt(amount)}{unit}: the other rules need at least "
                        f"{_fmt(use.usable + amount)}, and {_fmt(use.usable)} is available after {_fmt(use.headroom_pct)}% headroom."
                    ),
                    amount,
                )
            )
        elif r.kind == "max_priorities":
            notes.append(
                RuleNote(
                    r.name,
                    f"The other rules need at least {len(kept)} priorities kept, "
                    f"over the limit of {portfolio.rules.max_priorities} by {round(amount)}.",
                    amount,
                )
            )
        elif r.kind in ("theme_min", "theme_max"):
            word = "minimum" if r.kind == "theme_min" else "maximum"
            notes.append(
                RuleNote(
                    r.name, f"Theme '{r.subject}' {word} is missed by {round(amount)} given the other rules.", amount
                )
            )
        else:
            band = next(b for b in portfolio.rules.horizon_bands if b.horizon == r.subject)
            label = HORIZON_LABELS[band.horizon].split(" (")[0].lower() + "-term"
            side = f"minimum of {band.min_pct:g}%" if r.kind == "horizon_min" else f"maximum of {band.max_pct:g}%"
            verb = "can only reach" if r.kind == "horizon_min" else "cannot come below"
            notes.append(
                RuleNote(
                    r.name,
                    f"The {label} share of capacity {verb} {shares.get(band.horizon, 0.0):.1f}% "
                    f"with the other rules, against a {side}.",
                    amount,
                )
            )
    return notes


def diagnose(portfolio: Portfolio, model: SelectionModel) -> list[RuleNote]:
    notes = structural_conflicts(portfolio)
    if notes:
        return notes
    notes = elastic_conflicts(portfolio, model)
    if notes:
        return notes
    return [
        RuleNote(
            "unknown",
            "The solver found no selection, but no single rule could be named. "
            "Try relaxing capacity, headroom or balance bands.",
            0,
        )
    ]
