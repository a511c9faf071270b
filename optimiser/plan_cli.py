"""`python -m optimiser plan FILE`: the multi-year plan as a roadmap in text, or as a versioned JSON document.

Imported only when the command runs (the command line's start-up stays quick)."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from typing import Any

from . import words
from .domain import HORIZON_LABELS, PLAN_YEARS_MAX, PLAN_YEARS_MIN, Portfolio
from .json_out import status_fields
from .plan import solve_plan
from .result import HorizonShare, PlanResult

PLAN_SCHEMA = "priority-rationaliser/plan"
PLAN_SCHEMA_VERSION = 1


def with_years(portfolio: Portfolio, years: int | None) -> Portfolio:
    """The portfolio with a plan of `years` years (None: as in the file). Per-year figures past the end of a
    file's lists take their last figure (`CapacityDimension.available_in`)."""
    if years is None or years == portfolio.plan.years:
        return portfolio
    if not PLAN_YEARS_MIN <= years <= PLAN_YEARS_MAX:
        raise ValueError(f"The plan must have {PLAN_YEARS_MIN} to {PLAN_YEARS_MAX} years, not {years}.")
    return replace(portfolio, plan=replace(portfolio.plan, years=years))


# ------------------------------------------------------------------ text


def plan_text(portfolio: Portfolio, result: PlanResult) -> str:
    """The plan year by year: what starts, what continues, what stops, capacity used and the balance; then
    the stop list, what is not started and the rules that bind; the status line says proven or the gap."""
    lines = [
        f"Plan: {words.plan_heading(portfolio)}",
        f"Status: {result.status} ({result.solver}, {result.seconds:.2f} s). {result.message}",
    ]
    if not result.has_selection:
        lines += [f"  - {c.text}" for c in result.conflicts]
        if result.options:
            lines.append("Changes that would restore a plan (each checked by a re-solve):")
            lines += [f"  - {o.text}" for o in result.options]
        return "\n".join(lines)
    lines.append(words.plan_figures(portfolio, result))  # the status line above gives the gap when unproven
    rows = result.rows
    by_year = dict(result.horizons_by_year)
    for t in range(1, portfolio.plan.years + 1):
        lines += ["", words.year_label(portfolio, t)]
        starts = [words.plan_start_item(portfolio, r) for r in rows if r.status == "started" and r.start == t]
        under_way = [
            words.plan_continue_item(portfolio, r, t)
            for r in rows
            if (r.status == "started" and r.start is not None and r.start < t <= (r.finish or 0))
            or (r.status in ("continued", "stopped") and r.finish is not None and t <= r.finish)
        ]
        stops = [words.plan_stop_item(portfolio, r) for r in rows if r.status == "stopped" and r.stop == t]
        finishes = [  # priorities of more than one year (one-year priorities finish where they start)
            words.name_of(portfolio, r.priority_id)
            for r in rows
            if r.status == "started" and r.finish == t and r.start != r.finish
        ]
        lines += _block("Starts", starts)
        lines += _block("Continues", under_way)
        lines += _block("Stops", stops)
        lines += _block("Finishes", finishes)
        lines += _block(
            "Capacity", [words.plan_capacity_line(portfolio, u) for u in result.capacity if u.year == t], empty=False
        )
        if t in by_year:
            lines.append(f"  {'Balance':<10} {words.plan_balance_line(portfolio, by_year[t])}")
    stopped = [r for r in rows if r.status == "stopped"]
    lines += ["", "What we stop, and what that frees:"]
    lines += [f"  {words.plan_stop_item(portfolio, r)}" for r in stopped] or ["  nothing is stopped"]
    not_started = [r.priority_id for r in rows if r.status == "not_started"]
    lines += ["", f"Not started in the plan ({len(not_started)}):"]
    lines += [f"  {words.name_of(portfolio, pid)}" for pid in not_started] or ["  none"]
    lines += ["", f"Balance over the plan ({words.balance_unit(portfolio)}): kept vs whole wish-list"]
    lines += [_horizon_line(h) for h in result.horizons]
    if result.binding:
        lines += ["", "Rules that bind:"]
        lines += [f"  - {b.text}" for b in result.binding]
    return "\n".join(lines)


def _block(title: str, items: list[str], empty: bool = True) -> list[str]:
    """'  Starts     A (A)' with further items aligned under the first; '-' when there are none."""
    if not items:
        return [f"  {title:<10} -"] if empty else []
    return [f"  {title if n == 0 else '':<10} {item}" for n, item in enumerate(items)]


def _horizon_line(h: HorizonShare) -> str:
    return (
        f"  {HORIZON_LABELS[h.horizon]:<26} {h.kept_pct:5.1f}%  vs {h.wishlist_pct:5.1f}%"
        f"   ({h.kept_count} of {h.wishlist_count} delivered)"
    )


# ------------------------------------------------------------------ JSON


def _horizons(shares: tuple[HorizonShare, ...]) -> list[dict[str, Any]]:
    return [
        {
            "horizon": h.horizon,
            "kept_pct": h.kept_pct,
            "wishlist_pct": h.wishlist_pct,
            "kept_use": h.kept_use,
            "wishlist_use": h.wishlist_use,
            "kept_count": h.kept_count,
            "wishlist_count": h.wishlist_count,
        }
        for h in shares
    ]


def _label(portfolio: Portfolio, year: int | None) -> str | None:
    return None if year is None else words.year_label(portfolio, year)


def plan_document(portfolio: Portfolio, result: PlanResult) -> dict[str, Any]:
    """The JSON document of `plan --json` (README, "The plan command")."""
    doc: dict[str, Any] = {
        "schema": PLAN_SCHEMA,
        "schema_version": PLAN_SCHEMA_VERSION,
        "portfolio": portfolio.name,
        "years": [{"year": t, "label": label} for t, label in enumerate(portfolio.plan.labels, start=1)],
        "value_mode": portfolio.plan.value_mode,
        **status_fields(result),
        "figures": None,
        "schedule": None,
        "priorities": [],
        "capacity": [],
        "balance": None,
        "binding": [],
        "conflicts": [{"rule": c.rule, "text": c.text, "amount": c.amount} for c in result.conflicts],
        "options": [
            {
                "kind": o.kind,
                "text": o.text,
                "changes": [
                    {"kind": f.kind, "target": f.target, "current": f.current, "proposed": f.proposed} for f in o.fixes
                ],
            }
            for o in result.options
        ],
    }
    if not result.has_selection or result.schedule is None:
        return doc
    doc["figures"] = {
        "net_value": result.objective,
        "value": result.value,
        "drop_penalty": result.drop_penalty,
        "started": sum(1 for r in result.rows if r.status == "started"),
        "stopped": sum(1 for r in result.rows if r.status == "stopped"),
        "not_started": sum(1 for r in result.rows if r.status == "not_started"),
        "definitions": words.VALUE_TERMS,
    }
    doc["schedule"] = {
        "starts": [{"id": pid, "year": t, "label": _label(portfolio, t)} for pid, t in result.schedule.starts],
        "stops": [{"id": pid, "year": t, "label": _label(portfolio, t)} for pid, t in result.schedule.stops],
    }
    for r in result.rows:
        p = portfolio.priority(r.priority_id)
        doc["priorities"].append(
            {
                "id": p.id,
                "name": p.name,
                "status": r.status,
                "existing": p.existing,
                "must_do": p.must_do,
                "duration": p.duration,
                "deadline": p.deadline,
                "start": r.start,
                "start_label": _label(portfolio, r.start),
                "finish": r.finish,
                "finish_label": _label(portfolio, r.finish),
                "stop": r.stop,
                "stop_label": _label(portfolio, r.stop),
                "value": r.value,
                "frees": [{"dimension": d, "amount": a} for d, a in r.frees],
            }
        )
    doc["capacity"] = [
        {
            "dimension": u.dimension,
            "label": portfolio.dimension(u.dimension).display,
            "unit": portfolio.dimension(u.dimension).unit,
            "year": u.year,
            "year_label": _label(portfolio, u.year),
            "available": u.available,
            "gained": u.gained,
            "headroom_pct": u.headroom_pct,
            "usable": u.usable,
            "used": u.used,
            "free": u.free,
        }
        for u in result.capacity
    ]
    balance = portfolio.balance_capacity
    doc["balance"] = {
        "dimension": balance.name,
        "unit": balance.unit,
        "plan": _horizons(result.horizons),
        "by_year": [
            {"year": t, "label": _label(portfolio, t), "horizons": _horizons(shares)}
            for t, shares in result.horizons_by_year
        ],
    }
    doc["binding"] = [{"rule": b.rule, "text": b.text, "amount": b.amount} for b in result.binding]
    return doc


# ------------------------------------------------------------------ the command


def plan_command(portfolio: Portfolio, args) -> int:
    """Solve the plan and print it; 0 with a plan, 1 without one (the conflicts are printed), 2 bad input."""
    try:
        portfolio = with_years(portfolio, args.years)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    result = solve_plan(portfolio, solver=args.solver, time_limit=args.time_limit)
    if args.json:
        print(json.dumps(plan_document(portfolio, result), indent=2, ensure_ascii=False, allow_nan=False))
    else:
        print(plan_text(portfolio, result))
    return 0 if result.has_selection else 1
