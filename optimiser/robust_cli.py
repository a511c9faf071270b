"""`python -m optimiser robust FILE`: selection frequency under uncertain scores and costs, as text or JSON.

Imported only when the command runs (the command line's start-up stays quick)."""

from __future__ import annotations

import json
import sys

from . import words
from .domain import Portfolio
from .json_out import JSON_SCHEMA_VERSION
from .readiness import readiness_of, value_at_risk
from .robustness import MAX_SAMPLES, Robustness, robustness
from .solve import solve


def robust_document(portfolio: Portfolio, found: Robustness, base_kept: tuple[str, ...] | None) -> dict:
    """The JSON document of `robust --json` (README, "Robustness")."""
    kept = set(base_kept or ())
    risk = value_at_risk(portfolio, kept) if base_kept is not None else None
    return {
        "schema": "priority-rationaliser/robustness",
        "schema_version": JSON_SCHEMA_VERSION,
        "portfolio": portfolio.name,
        "samples": found.samples,
        "seed": found.seed,
        "solved_samples": found.solved,
        "infeasible_samples": found.infeasible,
        "unsolved_samples": found.unsolved,
        "unproven_samples": found.unproven,
        "uncertain_judgements": found.judgements,
        "seconds": round(found.seconds, 3),
        "summary": words.robustness_summary(portfolio, found),
        "value_at_risk": None
        if risk is None
        else {
            "value_at_risk": risk.value_at_risk,
            "kept_value": risk.kept_value,
            "low_readiness": list(risk.low_readiness),
        },
        "priorities": [
            {
                "id": f.priority_id,
                "name": portfolio.priority(f.priority_id).name,
                "frequency": f.frequency,
                "standard_error": f.standard_error,
                "band": f.band,
                "uncertain_judgements": f.uncertain,
                "kept_in_base_solve": f.priority_id in kept if base_kept is not None else None,
                "delivery_confidence_pct": readiness_of(portfolio, f.priority_id).confidence_pct,
                "readiness_assessed": readiness_of(portfolio, f.priority_id).assessed,
            }
            for f in found.priorities
        ],
        "influential": [
            {
                "priority_id": i.judgement.priority_id,
                "column": i.judgement.column,
                "low": i.judgement.low,
                "likely": i.judgement.likely,
                "high": i.judgement.high,
                "influence": i.influence,
                "moves_priority": i.priority_id,
                "frequency_when_low": i.when_low,
                "frequency_when_high": i.when_high,
                "text": words.influence_text(portfolio, i),
            }
            for i in found.influential
        ],
    }


def robust_text(portfolio: Portfolio, found: Robustness, base_kept: tuple[str, ...] | None) -> str:
    lines = [words.robustness_summary(portfolio, found), ""]
    if base_kept is not None:
        lines += [words.value_at_risk_text(portfolio, value_at_risk(portfolio, base_kept)), ""]
    for band, title in (("kept", "Robustly kept"), ("contested", "Contested"), ("dropped", "Robustly dropped")):
        members = sorted((f for f in found.priorities if f.band == band), key=lambda f: -f.frequency)
        lines.append(f"{title} ({len(members)}):")
        for f in members:
            today = None if base_kept is None else f.priority_id in base_kept
            lines.append("  " + words.frequency_line(portfolio, f, today))
        lines.append("")
    if found.influential:
        lines.append("Judgements whose ranges most change what is kept (narrow these first):")
        lines += [f"  {n}. {words.influence_text(portfolio, i)}" for n, i in enumerate(found.influential, start=1)]
    lines.append(f"({found.seconds:.1f} s)")
    return "\n".join(lines)


def robust_command(portfolio: Portfolio, args) -> int:
    if not 1 <= args.samples <= MAX_SAMPLES:
        print(f"error: --samples must be from 1 to {MAX_SAMPLES:,}.", file=sys.stderr)
        return 2
    if not 0 <= args.seed < 2**63:
        print("error: --seed must be a whole number of at least 0.", file=sys.stderr)
        return 2
    base = solve(portfolio, solver="highs", time_limit=args.time_limit)
    base_kept = base.kept if base.has_selection else None
    found = robustness(portfolio, args.samples, args.seed, time_limit=args.time_limit)
    if args.json:
        print(json.dumps(robust_document(portfolio, found, base_kept), indent=2, ensure_ascii=False, allow_nan=False))
    else:
        print(robust_text(portfolio, found, base_kept))
    return 0 if found.solved else 1
