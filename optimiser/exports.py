"""Tables of results and explanations for download, safe to open in a spreadsheet."""

from __future__ import annotations

import pandas as pd

from . import words
from .domain import Portfolio
from .explanations import PortfolioExplanation, PriorityExplanation
from .parsing import FORMULA_PREFIXES as FORMULA_PREFIXES  # re-exported: the prefixes that get the guard
from .parsing import guard_formula
from .result import Result


def neutralise(value: object) -> object:
    """Text a spreadsheet would run as a formula gets a leading apostrophe; other values pass. The loaders take
    exactly this apostrophe off again (`parsing.strip_formula_guard`), so export then import is the identity."""
    return guard_formula(value)


def to_safe_csv(frame: pd.DataFrame) -> str:
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise)
    safe.columns = [neutralise(c) for c in safe.columns]
    return safe.to_csv(index=False)


def decisions_frame(portfolio: Portfolio, result: Result) -> pd.DataFrame:
    """Every priority with kept/dropped and the plain-words reason."""
    by_id = {p.id: p for p in portfolio.priorities}
    return pd.DataFrame(
        [
            {
                "id": d.priority_id,
                "name": by_id[d.priority_id].name,
                "decision": "kept" if d.kept else "dropped",
                "source": by_id[d.priority_id].source,
                "theme": by_id[d.priority_id].theme,
                "horizon": by_id[d.priority_id].horizon,
                "weighted value": round(d.value, 1),
                "why": d.reason,
            }
            for d in result.decisions
        ],
        columns=["id", "name", "decision", "source", "theme", "horizon", "weighted value", "why"],
    )


def explanation_row(portfolio: Portfolio, e: PriorityExplanation) -> dict[str, object]:
    return {
        "id": e.priority_id,
        "name": e.name,
        "decision": "kept" if e.kept else "dropped",
        "weighted value": round(e.value, 1),
        "explanation": words.explanation_text(portfolio, e),
        "proven": "yes" if e.proven else "no (time limit)",
        "net value lost if reversed": None if e.value_change is None else round(e.value_change, 1),
        "would displace": "; ".join(words.name_of(portfolio, x) for x in e.displaced),
        "would bring in": "; ".join(words.name_of(portfolio, x) for x in e.brought_in),
        "what stops it": "; ".join(words.obstacle_text(portfolio, o) for o in e.stopped_by),
        "prerequisites to add": "; ".join(words.name_of(portfolio, x) for x in e.prerequisites_to_add),
        "weighted value needed to be kept": None if e.value_needed is None else round(e.value_needed, 1),
        "kept at these costs (% of today)": words.cost_ranges_figure(e.cost_ranges),
    }


def explanations_frame(
    portfolio: Portfolio, explained: PortfolioExplanation | list[PriorityExplanation]
) -> pd.DataFrame:
    rows = explained.priorities if isinstance(explained, PortfolioExplanation) else explained
    return pd.DataFrame([explanation_row(portfolio, e) for e in rows])


def explanation_text(portfolio: Portfolio, e: PriorityExplanation) -> str:
    head = f"{words.name_of(portfolio, e.priority_id)}: {'KEPT' if e.kept else 'DROPPED'} (weighted value {words.fmt(e.value)})"
    return f"{head}\n    {words.explanation_text(portfolio, e)}"
