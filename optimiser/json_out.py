"""Results, explanations and frontiers as JSON for scripts (`python -m optimiser ... --json`).

The documents are versioned: `schema` names the kind of document and `schema_version` its version (this
is version 1 of each). The README ("Command line: JSON output") lists every field. Sentences are the
same as on screen (from `words`); every figure also comes as a number, with whether it is proven.
"""

from __future__ import annotations

from typing import Any

from . import words
from .domain import Portfolio
from .explanations import PortfolioExplanation, PriorityExplanation
from .frontier import Frontier
from .result import PlanResult, Result

JSON_SCHEMA_VERSION = 1


def _priority_rows(portfolio: Portfolio, result: Result, kept: bool) -> list[dict[str, Any]]:
    return [
        {
            "id": d.priority_id,
            "name": portfolio.priority(d.priority_id).name,
            "weighted_value": d.value,
            "reason": d.reason,
        }
        for d in result.decisions
        if d.kept == kept
    ]


def status_fields(result: Result | PlanResult) -> dict[str, Any]:
    """How a solve ended, as every JSON document of a solve or plan states it."""
    return {
        "status": result.status,
        "proven": result.proven,
        "gap": result.gap,
        "bound": result.bound,
        "time_limit_hit": result.time_limit_hit,
        "solver": result.solver,
        "seconds": round(result.seconds, 4),
        "message": result.message,
    }


def result_document(portfolio: Portfolio, result: Result) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "schema": "priority-rationaliser/result",
        "schema_version": JSON_SCHEMA_VERSION,
        "portfolio": portfolio.name,
        **status_fields(result),
        "figures": None,
        "kept": [],
        "dropped": [],
        "capacity": [],
        "balance": None,
        "binding": [],
        "conflicts": [{"rule": c.rule, "text": c.text, "amount": c.amount} for c in result.conflicts],
        "remedies": [
            {
                "conflict": r.conflict.text,
                "options": [
                    {"kind": f.kind, "target": f.target, "current": f.current, "proposed": f.proposed, "text": f.text}
                    for f in r.options
                ],
            }
            for r in result.remedies
        ],
        "options": [
            {
                "kind": o.kind,
                "text": o.text,
                "weakens_bands": o.weakens_bands,
                "kept": o.kept,
                "changes": [
                    {"kind": f.kind, "target": f.target, "current": f.current, "proposed": f.proposed} for f in o.fixes
                ],
            }
            for o in result.options
        ],
    }
    if not result.has_selection:
        return doc
    doc["figures"] = {
        "net_value": result.objective,
        "weighted_value": result.value,
        "drop_penalty": result.drop_penalty,
        "kept_count": len(result.kept),
        "total": len(portfolio.priorities),
        "definitions": words.VALUE_TERMS,
    }
    doc["kept"] = _priority_rows(portfolio, result, True)
    doc["dropped"] = _priority_rows(portfolio, result, False)
    doc["capacity"] = [
        {
            "dimension": u.dimension,
            "label": u.label,
            "unit": u.unit,
            "available": u.available,
            "headroom_pct": u.headroom_pct,
            "usable": u.usable,
            "used": u.used,
        }
        for u in result.capacity
    ]
    doc["balance"] = {
        "dimension": portfolio.balance_capacity.name,
        "unit": words.balance_unit(portfolio),
        "horizons": [
            {
                "horizon": h.horizon,
                "kept_pct": h.kept_pct,
                "wishlist_pct": h.wishlist_pct,
                "kept_use": h.kept_use,
                "wishlist_use": h.wishlist_use,
                "kept_count": h.kept_count,
                "wishlist_count": h.wishlist_count,
            }
            for h in result.horizons
        ],
    }
    doc["binding"] = [{"rule": b.rule, "text": b.text} for b in result.binding]
    return doc


def explanation_row(portfolio: Portfolio, e: PriorityExplanation) -> dict[str, Any]:
    return {
        "id": e.priority_id,
        "name": e.name,
        "kept": e.kept,
        "case": e.case,
        "proven": e.proven,
        "weighted_value": e.value,
        "net_value_change_if_reversed": e.value_change,
        "displaced": list(e.displaced),
        "brought_in": list(e.brought_in),
        "prerequisites_to_add": list(e.prerequisites_to_add),
        "weighted_value_needed": e.value_needed,
        "kept_at_cost_shares": None if e.cost_ranges is None else [list(r) for r in e.cost_ranges.ranges],
        "text": words.explanation_text(portfolio, e),
    }


def explanation_document(
    portfolio: Portfolio, result: Result, explained: PortfolioExplanation | None
) -> dict[str, Any]:
    doc = result_document(portfolio, result)
    doc["schema"] = "priority-rationaliser/explanation"
    doc["trade_offs"] = None
    doc["priorities"] = []
    if explained is None:
        return doc
    f = explained.figures
    must = f.must_do_cost
    doc["trade_offs"] = {
        "proven": f.proven,
        "must_do_cost": None
        if must is None
        else {
            "net_value_gain": must.value_gain,
            "local_gained": list(must.local_gained),
            "must_dos_dropped": list(must.must_dos_dropped),
            "proven": must.proven,
        },
        "capacity_values": [
            {
                "dimension": c.dimension,
                "one_unit": c.gain_one_unit,
                "ten_pct": c.gain_ten_pct,
                "five_points_less_headroom": c.gain_five_pct_less_headroom,
                "first_in": list(c.first_in),
                "proven": c.proven,
            }
            for c in f.capacity_values
        ],
        "all_headroom_five_points": f.all_headroom_five_pct,
        "ranking": {
            "optimised": f.ranking.optimised,
            "ranking": f.ranking.ranking,
            "only_optimised": list(f.ranking.only_optimised),
            "only_ranking": list(f.ranking.only_ranking),
            "ranking_breaks": list(f.ranking.ranking_breaks),
        },
    }
    doc["priorities"] = [explanation_row(portfolio, e) for e in explained.priorities]
    doc["re_solves"] = explained.solves
    return doc


def frontier_document(portfolio: Portfolio, f: Frontier) -> dict[str, Any]:
    return {
        "schema": "priority-rationaliser/frontier",
        "schema_version": JSON_SCHEMA_VERSION,
        "portfolio": portfolio.name,
        "dimension": f.dimension,
        "unit": f.unit,
        "current_usable": f.current,
        "seconds": round(f.seconds, 4),
        "points": [
            {
                "capacity": p.capacity,
                "status": p.status,
                "proven": p.proven,
                "net_value": p.value,
                "kept": list(p.kept),
                "entered": list(p.entered),
                "left": list(p.left),
            }
            for p in f.points
        ],
    }
