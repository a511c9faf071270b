"""Tables of results and explanations for download, safe to open in a spreadsheet."""

from __future__ import annotations

import pandas as pd

from . import words
from .domain import VALUE_MODES, Portfolio, Priority
from .explanations import PortfolioExplanation, PriorityExplanation
from .parsing import FORMULA_PREFIXES as FORMULA_PREFIXES  # re-exported: the prefixes that get the guard
from .parsing import guard_formula
from .result import PlanResult, PlanRow, Result


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


# ------------------------------------------------------------------ multi-year plans: the roadmap

PLAN_STATUS_WORDS = {
    "started": "started",
    "continued": "existing: continues",
    "stopped": "existing: stopped",
    "not_started": "not started",
}


def _year_label(labels: tuple[str, ...], year: int | None) -> str:
    if year is None:
        return ""
    return labels[year - 1] if 1 <= year <= len(labels) else f"year {year}"


def year_cost(p: Priority, row: PlanRow, dimension: str, year: int) -> float:
    """What a priority costs of `dimension` in plan year `year` as the plan runs it: a new priority its
    delivery year's cost while delivered, an existing activity its yearly cost while it runs."""
    if row.start is None or row.finish is None or not row.start <= year <= row.finish:
        return 0.0
    if p.existing:
        return p.cost(dimension)
    return p.cost_in(dimension, year - row.start + 1)


def roadmap_frame(portfolio: Portfolio, plan: PlanResult) -> pd.DataFrame:
    """The Roadmap sheet: every priority with its status, start, finish and stop year (labels) and its cost of
    each capacity in each year of the plan."""
    labels = plan.years or portfolio.plan.labels
    columns = ["id", "name", "status", "start", "finish", "stop year", "value in the plan"]
    cost_columns = [(d, t, f"{d.display} {label}") for d in portfolio.dimensions for t, label in enumerate(labels, 1)]
    rows = []
    for r, p in plan.rows_in(portfolio):
        row: dict[str, object] = {
            "id": p.id,
            "name": p.name,
            "status": PLAN_STATUS_WORDS.get(r.status, r.status),
            "start": _year_label(labels, r.start),
            "finish": _year_label(labels, r.finish),
            "stop year": _year_label(labels, r.stop),
            "value in the plan": round(r.value, 2),
        }
        for d, t, title in cost_columns:
            row[title] = round(year_cost(p, r, d.name, t), 2)
        rows.append(row)
    return pd.DataFrame(rows, columns=columns + [title for _, _, title in cost_columns])


def capacity_years_table(portfolio: Portfolio, plan: PlanResult) -> pd.DataFrame:
    labels = plan.years or portfolio.plan.labels
    return pd.DataFrame(
        [
            {
                "capacity": u.label or u.dimension,
                "year": _year_label(labels, u.year),
                "available": round(u.available, 2),
                "gained from finished priorities": round(u.gained, 2),
                "headroom %": u.headroom_pct,
                "usable after headroom": round(u.usable, 2),
                "used": round(u.used, 2),
                "free": round(u.free, 2),
            }
            for u in plan.capacity
        ],
        columns=[
            "capacity",
            "year",
            "available",
            "gained from finished priorities",
            "headroom %",
            "usable after headroom",
            "used",
            "free",
        ],
    )


def _sheet(wb, title: str, frame: pd.DataFrame) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    for c, name in enumerate(frame.columns, start=1):
        cell = ws.cell(row=1, column=c, value=neutralise(str(name)))
        cell.data_type = "s"
        cell.fill = PatternFill("solid", fgColor="005EB8")
        cell.font = Font(bold=True, color="FFFFFF")
        ws.column_dimensions[get_column_letter(c)].width = max(12, min(45, len(str(name)) + 4))
    for r, values in enumerate(frame.itertuples(index=False), start=2):
        for c, value in enumerate(values, start=1):
            if value is None or (isinstance(value, float) and pd.isna(value)):
                continue
            value = neutralise(value.item() if hasattr(value, "item") else value)
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
                cell.alignment = Alignment(wrap_text=len(value) > 60, vertical="top")
    ws.freeze_panes = "A2"


def add_roadmap_sheets(wb, portfolio: Portfolio, plan: PlanResult) -> None:
    """Add the Roadmap sheet (and Capacity by year) of a plan to an openpyxl workbook."""
    _sheet(wb, "Roadmap", roadmap_frame(portfolio, plan))
    _sheet(wb, "Capacity by year", capacity_years_table(portfolio, plan))


def with_roadmap_sheet(workbook: bytes, portfolio: Portfolio, plan: PlanResult) -> bytes:
    """A workbook (e.g. the results workbook) with the plan's Roadmap and Capacity by year sheets added."""
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(workbook))
    add_roadmap_sheets(wb, portfolio, plan)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def roadmap_workbook(portfolio: Portfolio, plan: PlanResult) -> bytes:
    """The roadmap as a workbook: Summary, Roadmap (priority, name, status, start, finish, stop year, cost per
    year), Capacity by year and Assumptions (the plan's settings, year locks and forbidden years)."""
    import io

    from openpyxl import Workbook

    if not plan.has_selection:
        raise ValueError("There is no plan to export.")
    labels = plan.years or portfolio.plan.labels
    wb = Workbook()
    wb.remove(wb.active)
    summary = [
        ("Portfolio", portfolio.name),
        ("Plan", f"{len(labels)} years, {labels[0]} to {labels[-1]}"),
        ("Status", plan.message),
        ("Net value", round(plan.objective or 0.0, 2)),
        ("Value", round(plan.value, 2)),
        ("Drop penalty", round(plan.drop_penalty, 2)),
        ("Solver", plan.solver),
    ] + [("Binding rule", b.text) for b in plan.binding]
    _sheet(wb, "Summary", pd.DataFrame(summary, columns=["item", "value"]).astype({"value": object}))
    add_roadmap_sheets(wb, portfolio, plan)
    settings = [("plan", "value counted as", VALUE_MODES.get(portfolio.plan.value_mode, portfolio.plan.value_mode))]
    settings += [
        (
            "capacity",
            f"{d.display} {label}",
            f"{d.available_in(t):g} {d.unit} available, {d.headroom_in(t):g}% headroom",
        )
        for d in portfolio.dimensions
        for t, label in enumerate(labels, start=1)
    ]
    settings += [
        ("year lock", words.name_of(portfolio, pid), _year_label(labels, year))
        for pid, year in portfolio.rules.year_locks
    ]
    settings += [
        ("may not start in", words.name_of(portfolio, pid), _year_label(labels, year))
        for pid, year in portfolio.rules.forbidden_starts
    ]
    _sheet(wb, "Assumptions", pd.DataFrame(settings, columns=["kind", "name", "value"]))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
