"""A result as plain text, for the command line."""

from __future__ import annotations

from . import words
from .domain import HORIZON_LABELS, Portfolio
from .frontier import Frontier
from .result import Result
from .words import fmt as _fmt


def result_text(portfolio: Portfolio, result: Result) -> str:
    lines = [
        f"Portfolio: {portfolio.name}",
        f"Status: {result.status} ({result.solver}, {result.seconds:.2f} s). {result.message}",
    ]
    if not result.has_selection:
        if result.conflicts:
            lines += conflicts_text(result)
        return "\n".join(lines)
    total = len(portfolio.priorities)
    lines.append(
        f"Kept {len(result.kept)} of {total} priorities; weighted value {_fmt(result.value)}"
        f" (penalty for sensitive priorities dropped {_fmt(result.drop_penalty)}; net value {_fmt(result.objective or 0.0)})."
    )
    lines.append(
        "Net value = weighted value (weight x score, summed over kept priorities) minus drop penalty; it is what the "
        "optimiser maximises."
    )
    if result.status != "optimal":
        lines.append(f"Not proven optimal: {words.gap_text(result.gap)}.")
    lines.append("")
    lines.append("Kept:")
    names = {p.id: p.name for p in portfolio.priorities}
    for pid in result.kept:
        lines.append(f"  {names[pid]} ({pid})")
    lines.append("")
    lines.append("Capacity used (after headroom):")
    for use in result.capacity:
        label = portfolio.dimension(use.dimension).display
        lines.append(
            f"  {label:<22} {_fmt(use.used):>10} of {_fmt(use.usable):>10} {use.unit}"
            f"  (available {_fmt(use.available)}, headroom {_fmt(use.headroom_pct)}%)"
        )
    lines.append("")
    lines.append(f"Horizon balance ({words.balance_unit(portfolio)}): kept vs whole wish-list")
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
            lines.append(f"  {names[d.priority_id]} ({d.priority_id}): {d.reason.removeprefix('Dropped: ')}")
    return "\n".join(lines)


def conflicts_text(result: Result) -> list[str]:
    lines = ["Rules that conflict:"] + [f"  - {c.text}" for c in result.conflicts]
    if result.options:
        lines.append("Changes that each restore a solution (each checked by re-solving):")
        for option in result.options:
            weakens = " [weakens the balance bands]" if option.weakens_bands else ""
            lines.append(f"  - {option.text}{weakens} (keeps {option.kept})")
    return lines


def explain_text(portfolio: Portfolio, result: Result, explained=None, time_limit: float = 10.0) -> str:
    lines = [
        f"Portfolio: {portfolio.name}",
        f"Status: {result.status} ({result.solver}, {result.seconds:.2f} s). {result.message}",
    ]
    if not result.has_selection:
        return "\n".join(lines + conflicts_text(result))
    from .explanations import explain_portfolio
    from .exports import explanation_text  # pandas: only for this command

    explained = explained or explain_portfolio(portfolio, result, time_limit=time_limit)
    figures = explained.figures
    lines.append(f"Kept {len(result.kept)} of {len(portfolio.priorities)}; net value {_fmt(result.objective or 0.0)}.")
    if figures.must_do_cost is not None:
        lines.append(words.must_do_cost_text(portfolio, figures.must_do_cost))
    lines += words.ranking_text(portfolio, figures.ranking)
    lines += [words.capacity_value_text(portfolio, c) for c in figures.capacity_values]
    lines.append("")
    lines += [explanation_text(portfolio, e) for e in explained.priorities]
    lines.append("")
    lines.append(f"({explained.solves} re-solves in {explained.seconds:.1f} s)")
    return "\n".join(lines)


def frontier_text(f: Frontier) -> str:
    unit = f" {f.unit}" if f.unit else ""
    lines = [
        f"Frontier for {f.dimension} capacity (usable after headroom; today {_fmt(f.current)}{unit})",
        f"{'capacity':>12}  {'value':>10}  priorities added at this point",
    ]
    for point in f.points:
        value = "no selection" if point.value is None else _fmt(point.value)
        if not point.proven:
            value += " (not proven)" if point.value is not None else " (time limit)"
        added = ", ".join(point.entered) or "-"
        if point.left:
            added += f" (out: {', '.join(point.left)})"
        lines.append(f"{_fmt(point.capacity):>12}  {value:>10}  {added}")
    lines.append(f"({len(f.points)} re-solves in {f.seconds:.1f} s)")
    return "\n".join(lines)
