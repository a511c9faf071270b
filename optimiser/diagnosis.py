"""Why no selection satisfies the rules: which rules conflict, and by how much.

First the exact, structural checks on what is forced in (must-dos, locks and everything they
require); then, if those pass, an elastic version of the model that lets each capacity, count,
theme and balance rule be broken at a price and finds the smallest total breach.
"""

from __future__ import annotations

import math
from dataclasses import replace

from . import words
from .backends import run_solver
from .domain import Portfolio
from .figures import capacity_use, horizon_shares
from .model import SelectionModel, build_model, capacity_row, elastic_model, lock_row, pair_row, theme_row
from .result import Fix, FixOption, Remedy, RuleNote


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
    position = {p.id: i for i, p in enumerate(portfolio.priorities)}
    for pid in rules.locked_out:
        if pid in forced:
            notes.append(
                RuleNote(lock_row(position[pid], pid, "out"), words.forced_locked_out(portfolio, pid, forced[pid]), 1)
            )
    seen: set[tuple[str, str]] = set()
    for p in portfolio.priorities:
        if p.id not in forced:
            continue
        for e in p.excludes:
            a, b = min(p.id, e), max(p.id, e)
            if e in forced and (a, b) not in seen:
                seen.add((a, b))
                text = words.forced_alternatives(portfolio, a, forced[a], b, forced[b])
                notes.append(RuleNote(pair_row("excludes", position[a], position[b], a, b), text, 1))
    for use in capacity_use(portfolio, forced):
        if use.used > use.usable + 1e-9:
            text = words.forced_over_capacity(portfolio, use.dimension, use.used, use.usable, use.headroom_pct)
            notes.append(RuleNote(capacity_row(portfolio, use.dimension), text, use.used - use.usable))
    if rules.max_priorities is not None and len(forced) > rules.max_priorities:
        text = words.forced_over_count(len(forced), rules.max_priorities)
        notes.append(RuleNote("max_priorities", text, len(forced) - rules.max_priorities))
    themes: dict[str, int] = {}
    for p in portfolio.priorities:
        if p.id in forced:
            themes[p.theme] = themes.get(p.theme, 0) + 1
    for limit in rules.theme_limits:
        count = themes.get(limit.theme, 0)
        if limit.max_count is not None and count > limit.max_count:
            text = words.forced_over_theme(limit.theme, count, limit.max_count)
            notes.append(RuleNote(theme_row(portfolio, limit.theme, "max"), text, count - limit.max_count))
        available = sum(1 for p in portfolio.priorities if p.theme == limit.theme and p.id not in rules.locked_out)
        if limit.min_count is not None and available < limit.min_count:
            text = words.theme_min_unreachable(limit.theme, limit.min_count, available)
            notes.append(RuleNote(theme_row(portfolio, limit.theme, "min"), text, limit.min_count - available))
    return notes


def _ceil(value: float, step: float = 0.1) -> float:
    return math.ceil(value / step - 1e-9) * step


def _floor(value: float, step: float = 0.1) -> float:
    return math.floor(value / step + 1e-9) * step


def _elastic_solution(portfolio: Portfolio, time_limit: float):
    """Solve the elastic variant of the model (`model.elastic_model`): soft rules and locks may be broken
    at a price. Returns (kept set, [(row, slack)], [(priority id, 'in' | 'out')]) or None if even that fails."""
    model, where = elastic_model(portfolio)
    outcome = run_solver(model, solver="highs", time_limit=time_limit)
    if outcome.x is None:
        return None
    values = outcome.x
    kept = {pid for pid, v in zip(model.ids, values[: model.size]) if v > 0.5}
    broken_rows = [(r, float(values[col])) for col, r in where.slacks if values[col] > 1e-6]
    broken_locks = [(pid, side) for col, pid, side in where.locks if values[col] > 0.5]
    return kept, broken_rows, broken_locks


def _fix(portfolio: Portfolio, kind: str, target: str, current: float | None, proposed: float | None) -> Fix:
    return Fix(kind, target, current, proposed, words.fix_text(portfolio, kind, target, current, proposed))


def elastic_remedies(portfolio: Portfolio, time_limit: float = 10.0) -> list[Remedy]:
    """The smallest set of changes that restores a solution, one remedy per broken rule."""
    solution = _elastic_solution(portfolio, time_limit)
    if solution is None:
        return []
    kept, broken_rows, broken_locks = solution
    shares = {s.horizon: s.kept_pct for s in horizon_shares(portfolio, kept)}
    uses = {u.dimension: u for u in capacity_use(portfolio, kept)}
    rules = portfolio.rules
    remedies: list[Remedy] = []
    for r, amount in broken_rows:
        if r.kind == "capacity":
            use = uses[r.subject]
            dim = portfolio.dimension(r.subject)
            need = use.usable + amount
            text = words.capacity_short(portfolio, dim.name, amount, need, use.usable, use.headroom_pct)
            options = [
                _fix(portfolio, "capacity", dim.name, dim.available, _ceil(need / (1.0 - dim.headroom_pct / 100.0)))
            ]
            if dim.headroom_pct > 0 and dim.available > 0:
                new_headroom = _floor(100.0 * (1.0 - need / dim.available))
                if new_headroom >= 0:
                    options.append(_fix(portfolio, "headroom", dim.name, dim.headroom_pct, new_headroom))
            remedies.append(Remedy(RuleNote(r.name, text, amount), tuple(options)))
        elif r.kind == "max_priorities":
            proposed = float(rules.max_priorities + math.ceil(amount - 1e-9))
            note = RuleNote(r.name, words.count_short(int(proposed), rules.max_priorities), amount)
            fix = _fix(portfolio, "max_priorities", "", float(rules.max_priorities), proposed)
            remedies.append(Remedy(note, (fix,)))
        elif r.kind in ("theme_min", "theme_max"):
            limit = next(t for t in rules.theme_limits if t.theme == r.subject)
            step = math.ceil(amount - 1e-9)
            if r.kind == "theme_min":
                current, proposed = limit.min_count, max(limit.min_count - step, 0)
            else:
                current, proposed = limit.max_count, limit.max_count + step
            note = RuleNote(r.name, words.theme_limit_unmet(r.subject, r.kind, current), amount)
            remedies.append(Remedy(note, (_fix(portfolio, r.kind, r.subject, float(current), float(proposed)),)))
        else:
            band = next(b for b in rules.horizon_bands if b.horizon == r.subject)
            share = shares.get(band.horizon, 0.0)
            if r.kind == "horizon_min":
                current, proposed = band.min_pct, _floor(share)
            else:
                current, proposed = band.max_pct, min(_ceil(share), 100.0)
            note = RuleNote(r.name, words.band_unmet(portfolio, band.horizon, r.kind, share, current), amount)
            remedies.append(Remedy(note, (_fix(portfolio, r.kind, band.horizon, current, proposed),)))
    position = {p.id: i for i, p in enumerate(portfolio.priorities)}
    for pid, side in broken_locks:
        fix = _fix(portfolio, "unlock" if side == "in" else "unlock_out", pid, None, None)
        note = RuleNote(lock_row(position[pid], pid, side), words.lock_unmet(portfolio, pid, side), 1.0)
        remedies.append(Remedy(note, (fix,)))
    return remedies


def apply_fix(portfolio: Portfolio, fix: Fix) -> Portfolio:
    """The portfolio with one suggested change made."""
    rules = portfolio.rules
    if fix.kind in ("capacity", "headroom"):
        dims = tuple(
            replace(d, available=fix.proposed)
            if fix.kind == "capacity" and d.name == fix.target
            else replace(d, headroom_pct=fix.proposed)
            if d.name == fix.target
            else d
            for d in portfolio.dimensions
        )
        return replace(portfolio, dimensions=dims)
    if fix.kind == "max_priorities":
        return replace(portfolio, rules=replace(rules, max_priorities=int(fix.proposed)))
    if fix.kind in ("theme_min", "theme_max"):
        field = "min_count" if fix.kind == "theme_min" else "max_count"
        limits = tuple(
            replace(t, **{field: int(fix.proposed)}) if t.theme == fix.target else t for t in rules.theme_limits
        )
        return replace(portfolio, rules=replace(rules, theme_limits=limits))
    if fix.kind in ("horizon_min", "horizon_max"):
        field = "min_pct" if fix.kind == "horizon_min" else "max_pct"
        bands = tuple(
            replace(b, **{field: fix.proposed}) if b.horizon == fix.target else b for b in rules.horizon_bands
        )
        return replace(portfolio, rules=replace(rules, horizon_bands=bands))
    if fix.kind == "unlock":
        priorities = tuple(replace(p, must_do=False) if p.id == fix.target else p for p in portfolio.priorities)
        locked_in = tuple(pid for pid in rules.locked_in if pid != fix.target)
        return replace(portfolio, priorities=priorities, rules=replace(rules, locked_in=locked_in))
    if fix.kind == "unlock_out":
        return replace(
            portfolio, rules=replace(rules, locked_out=tuple(pid for pid in rules.locked_out if pid != fix.target))
        )
    raise ValueError(f"unknown fix kind {fix.kind!r}")


def apply_fixes(portfolio: Portfolio, fixes: tuple[Fix, ...] | list[Fix]) -> Portfolio:
    for fix in fixes:
        portfolio = apply_fix(portfolio, fix)
    return portfolio


def _capacity_fixes(portfolio: Portfolio, soft_rows, time_limit: float) -> tuple[Fix, ...] | None:
    """The smallest capacity raises that, with every other rule kept, restore a solution (None: none do)."""
    model, where = elastic_model(portfolio, soft_rows=soft_rows, soften_locks=False)
    outcome = run_solver(model, solver="highs", time_limit=time_limit)
    if outcome.x is None:
        return None
    fixes = []
    for col, row in where.slacks:
        short = float(outcome.x[col])
        if short > 1e-6:
            dim = portfolio.dimension(row.subject)
            proposed = _ceil((dim.usable + short) / (1.0 - dim.headroom_pct / 100.0))
            fixes.append(_fix(portfolio, "capacity", dim.name, dim.available, proposed))
    return tuple(fixes) or None


def fix_options(portfolio: Portfolio, remedies: list[Remedy], time_limit: float = 10.0) -> tuple[FixOption, ...]:
    """Changes that each restore a solution on their own, every one checked by a re-solve of the changed
    portfolio before it is offered: capacity only (one capacity alone where that suffices, else the smallest
    raises of several), the smallest set of changes of any kind (the elastic model's), and each single change of
    that set that suffices alone. Options that weaken a balance band say so."""
    candidates: list[tuple[str, tuple[Fix, ...]]] = []
    for dim in portfolio.dimensions:
        row_name = capacity_row(portfolio, dim.name)
        alone = _capacity_fixes(portfolio, lambda row, name=row_name: row.name == name, time_limit)
        if alone:
            candidates.append(("capacity_only", alone))
    if not any(kind == "capacity_only" for kind, _ in candidates):
        together = _capacity_fixes(portfolio, lambda row: row.kind == "capacity", time_limit)
        if together:
            candidates.append(("capacity_only", together))
    if remedies:
        candidates.append(("smallest", tuple(r.options[0] for r in remedies)))
        for remedy in remedies:
            candidates += [("single", (fix,)) for fix in remedy.options]
    options: list[FixOption] = []
    seen: set[Portfolio] = set()
    for kind, fixes in candidates:
        changed = apply_fixes(portfolio, fixes)
        if changed in seen:
            continue
        seen.add(changed)
        outcome = run_solver(build_model(changed), solver="highs", time_limit=time_limit)
        if outcome.x is None:
            continue  # not offered: it does not restore a solution on its own
        weakens = any(f.kind in ("horizon_min", "horizon_max") for f in fixes)
        options.append(FixOption(kind, fixes, weakens, int(outcome.x[: len(changed.priorities)].sum())))
    return tuple(options)


def apply_remedies(portfolio: Portfolio, remedies: list[Remedy] | tuple[Remedy, ...]) -> Portfolio:
    """The portfolio with the first option of every remedy applied."""
    for remedy in remedies:
        portfolio = apply_fix(portfolio, remedy.options[0])
    return portfolio


def diagnose(portfolio: Portfolio, model: SelectionModel) -> tuple[list[RuleNote], list[Remedy]]:
    """What conflicts (exact checks first, else the elastic model's findings) and how to fix it."""
    remedies = elastic_remedies(portfolio)
    notes = structural_conflicts(portfolio) or [r.conflict for r in remedies]
    if not notes:
        notes = [RuleNote("unknown", words.no_rule_named(), 0)]
    return notes, remedies
