"""A result as plain text, for the command line."""

from __future__ import annotations

from .domain import HORIZON_LABELS, Portfolio
from .explain import _fmt
from .result import Result


def result_text(portfolio: Portfolio, result: Result) -> str:
    lines = [
        f"Portfolio: {portfolio.name}",
        f"Status: {result.status} ({result.solver}, {result.seconds:.2f} s). {result.message}",
    ]
    if not result.has_selection:
        if result.conflicts:
            lines.append("Rules that conflict:")
            lines += [f"  - {c.text}" for c in result.conflicts]
        return "\n".join(lines)
    total = len(portfolio.priorities)
    lines.append(
        f"Kept {len(result.kept)} of {total} priorities; weighted value {_fmt(result.value)}"
        f" (penalty for sensitive priorities dropped {_fmt(result.drop_penalty)})."
    )
    if result.gap:
        lines.append(f"Gap to proven optimum: {100 * result.gap:.2f}%")
    lines.append("")
    lines.append("Kept:")
    names = {p.id: p.name for p in portfolio.priorities}
    for pid in result.kept:
        lines.append(f"  {pid:<10} {names[pid]}")
    lines.append("")
    lines.append("Capacity used (after headroom):")
    for use in result.capacity:
        lines.append(
            f"  {use.dimension:<22} {_fmt(use.used):>10} of {_fmt(use.usable):>10} {use.unit}"
            f"  (available {_fmt(use.available)}, headroom {_fmt(use.headroom_pct)}%)"
        )
    lines.append("")
    lines.append("Horizon balance (share of capacity load): kept vs whole wish-list")
    for h in result.horizons:
        lines.append(
            f"  {HORIZON_LABELS[h.horizon]:<26} {h.kept_pct:5.1f}%  vs {h.wishlist_pct:5.1f}%"
            f"   ({h.kept_count} of {h.wishlist_count} kept)"
        )
    if result.binding:
        lines.append("")
        lines.append("Rules that bind:")
        lines += [f"  - {b.text}" for b in result.binding]
    lines.append("")
    lines.append("Dropped:")
    for d in result.decisions:
        if not d.kept:
            lines.append(f"  {d.priority_id:<10} {names[d.priority_id]}: {d.reason.removeprefix('Dropped: ')}")
    return "\n".join(lines)
