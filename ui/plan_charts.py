"""Pure chart builders for a multi-year plan: PlanResult and Portfolio in, tidy frames and Altair charts out.

No Streamlit here: the same builders feed the Roadmap page and the board pack, and are tested through
`to_dict()`. Charts take the width of their container, wrap long priority names and label years by their
plan labels ('2026/27'), so they fit a 1280-wide projector without cutting anything off.
"""

from __future__ import annotations

import json
import textwrap

import altair as alt
import pandas as pd

from optimiser import words
from optimiser.domain import HORIZON_LABELS, HORIZONS, Portfolio, Priority
from optimiser.result import PlanResult, PlanRow

from .charts import FONT_SIZE, HEADROOM_COLOUR, KEPT_COLOUR, _style

GROUP_BY = {"theme": "Theme", "horizon": "Horizon"}
NAME_WIDTH = 38  # characters per line of a priority's name on the Gantt's axis (longer names wrap)
ROW_STEP = 36  # pixels per Gantt row (room for two lines of a wrapped name)
GAINED_COLOUR = "#009639"  # NHS green: capacity added by finished capability-building priorities
AVAILABLE_COLOUR = "#E8EDEE"  # NHS pale grey: capacity entered for the year
HORIZON_COLOURS = {"short": "#41B6E6", "medium": "#005EB8", "long": "#003087"}

# What a row of the plan is, in words (the Gantt's legend and the tables).
KIND_NEW = "New: starts in the first year"
KIND_DEFERRED = "New: starts later (deferred)"
KIND_CONTINUED = "Existing: continues"
KIND_STOPPED = "Existing: stopped"
KIND_NOT_STARTED = "Not started in the plan"
KINDS = (KIND_NEW, KIND_DEFERRED, KIND_CONTINUED, KIND_STOPPED, KIND_NOT_STARTED)

GANTT_COLUMNS = [
    "id",
    "name",
    "priority",
    "axis_label",
    "group",
    "kind",
    "status",
    "must_do",
    "existing",
    "start",
    "finish",
    "stop",
    "x_start",
    "x_end",
    "x_stop",
    "start_label",
    "finish_label",
    "stop_label",
    "when",
    "note",
    "order",
]


def priority_label(p: Priority) -> str:
    """'Name (ID)': the name first, for reading aloud."""
    return f"{p.name} ({p.id})"


def wrap_label(text: str, width: int = NAME_WIDTH) -> str:
    """A long label broken into lines of at most `width` characters ('\\n' between them; at most three lines)."""
    lines = textwrap.wrap(text, width=width, break_long_words=True, break_on_hyphens=False) or [text]
    if len(lines) > 3:
        lines = lines[:2] + [textwrap.shorten(" ".join(lines[2:]), width=width, placeholder="…")]
    return "\n".join(lines)


def row_kind(row: PlanRow) -> str:
    if row.status == "continued":
        return KIND_CONTINUED
    if row.status == "stopped":
        return KIND_STOPPED
    if row.status == "started":
        return KIND_NEW if (row.start or 1) <= 1 else KIND_DEFERRED
    return KIND_NOT_STARTED


def _group_value(p: Priority, group_by: str) -> str:
    if group_by == "horizon":
        return HORIZON_LABELS.get(p.horizon, p.horizon)
    return p.theme or "(no theme)"


def gantt_frame(
    portfolio: Portfolio,
    plan: PlanResult,
    group_by: str = "theme",
    include_not_started: bool = False,
    name_width: int = NAME_WIDTH,
) -> pd.DataFrame:
    """One row per priority of the plan: its bar from the start of its first year (x_start, 0-based) to the end
    of its last (x_end), where an existing activity stops (x_stop), its group (theme or horizon), what kind of row
    it is (KINDS) and a note for the tooltip. Rows are ordered by group, then start, then name."""
    labels = plan.years or portfolio.plan.labels
    rows = []
    for r, p in plan.rows_in(portfolio):
        kind = row_kind(r)
        if kind == KIND_NOT_STARTED and not include_not_started:
            continue
        runs = r.finish is not None and r.start is not None
        notes = []
        if p.must_do:
            notes.append("national must-do")
        if kind == KIND_STOPPED:
            notes.append(f"stopped from {words.plan_year_text(labels, r.stop)}")
        if kind == KIND_DEFERRED:
            notes.append("deferred")
        rows.append(
            {
                "id": p.id,
                "name": p.name,
                "priority": priority_label(p),
                "axis_label": wrap_label(priority_label(p), name_width),
                "group": _group_value(p, group_by),
                "kind": kind,
                "status": r.status,
                "must_do": bool(p.must_do),
                "existing": bool(p.existing),
                "start": r.start,
                "finish": r.finish,
                "stop": r.stop,
                "x_start": float(r.start - 1) if runs else None,
                "x_end": float(r.finish) if runs else None,
                "x_stop": float(r.stop - 1) if r.stop is not None else None,
                "start_label": words.plan_year_text(labels, r.start) if runs else "",
                "finish_label": words.plan_year_text(labels, r.finish) if runs else "",
                "stop_label": words.plan_year_text(labels, r.stop),
                "when": words.plan_when_text(r, labels),
                "note": ", ".join(notes),
                "order": 0,
            }
        )
    frame = pd.DataFrame(rows, columns=GANTT_COLUMNS)
    if frame.empty:
        return frame
    frame["_sort_start"] = frame["x_start"].fillna(len(labels) + 1)
    frame = frame.sort_values(["group", "_sort_start", "name"], kind="stable").drop(columns="_sort_start")
    frame["order"] = range(len(frame))
    return frame.reset_index(drop=True)


def _labels_expr(labels: tuple[str, ...] | list[str]) -> str:
    """A Vega expression that turns an axis value (a 0-based year index, at a year's middle) into its label."""
    return f"{json.dumps(list(labels))}[floor(datum.value)] || ''"


def gantt_description(frame: pd.DataFrame) -> str:
    """The chart's accessible description: each priority and when it runs, in the chart's order."""
    if frame.empty:
        return "Roadmap: nothing is delivered in the plan."
    return "Roadmap. " + "; ".join(f"{row.priority}: {row.when}" for row in frame.itertuples()) + "."


def gantt_chart(
    frame: pd.DataFrame,
    years: tuple[str, ...] | list[str],
    group_by: str = "theme",
    font_size: int = FONT_SIZE,
    row_step: int = ROW_STEP,
    groups: list[str] | None = None,
) -> alt.Chart:
    """The roadmap as a Gantt by year: one row per priority (name first, id in brackets, long names wrapped),
    a bar from its first to its last year of delivery coloured by theme or horizon; existing activities drawn
    with a dashed outline and faded, a red rule where an existing activity is stopped, a star on must-dos, and
    deferred priorities (starting after the first year) visible by where their bars begin. Year labels are on
    the axis at the top; the width follows the container. `groups` fixes the colours' order (a chart drawn in
    parts keeps one colour per group)."""
    years = list(years)
    count = max(len(years), 1)
    order = list(frame["axis_label"]) if not frame.empty else []
    lines = max((label.count("\n") + 1 for label in order), default=1)
    step = max(row_step * font_size // FONT_SIZE, lines * font_size + 6)  # room for the longest wrapped name
    x_scale = alt.Scale(domain=[0, count], nice=False, zero=True)
    axis = alt.Axis(
        values=[i + 0.5 for i in range(count)],
        labelExpr=_labels_expr(years),
        title=None,
        grid=False,
        orient="top",
        labelFontWeight="bold",
    )
    y = alt.Y(
        "axis_label:N",
        sort=order,
        title=None,
        axis=alt.Axis(
            labelExpr="split(datum.value, '\\n')",
            labelLimit=0,
            labelOverlap=False,  # every row keeps its name (the row height below leaves room for it)
            labelFontSize=font_size - 2,
            labelLineHeight=font_size,
        ),
    )
    tooltip = [
        alt.Tooltip("priority:N", title="priority"),
        alt.Tooltip("group:N", title=GROUP_BY.get(group_by, "group").lower()),
        alt.Tooltip("kind:N", title="in the plan"),
        alt.Tooltip("when:N", title="when"),
        alt.Tooltip("note:N", title="note"),
    ]
    base = alt.Chart(frame)
    groups = groups or (sorted(frame["group"].unique()) if not frame.empty else [])
    colour_scale = (
        alt.Scale(domain=[HORIZON_LABELS[h] for h in HORIZONS], range=[HORIZON_COLOURS[h] for h in HORIZONS])
        if group_by == "horizon"
        else alt.Scale(domain=groups, scheme="tableau20")
    )
    colour = alt.Color(
        "group:N",
        title=GROUP_BY.get(group_by, "Group"),
        scale=colour_scale,
        legend=alt.Legend(orient="bottom", columns=3, labelLimit=360, symbolType="square"),
    )
    # Year boundaries behind the bars, so a reader can see where each year begins.
    grid = (
        alt.Chart(pd.DataFrame({"x": [float(i) for i in range(1, count)]}))
        .mark_rule(color="#D8DDE0", strokeWidth=1)
        .encode(x=alt.X("x:Q", scale=x_scale, axis=axis))
    )
    runs = base.transform_filter("isValid(datum.x_start)")
    bars = runs.mark_bar(height=alt.RelativeBandSize(0.62), cornerRadius=3).encode(
        x=alt.X("x_start:Q", scale=x_scale, axis=axis),
        x2="x_end:Q",
        y=y,
        color=colour,
        opacity=alt.condition("datum.existing", alt.value(0.5), alt.value(0.95)),
        stroke=alt.condition("datum.existing", alt.value("#231F20"), alt.value(None)),
        strokeDash=alt.condition("datum.existing", alt.value([5, 3]), alt.value([1, 0])),
        strokeWidth=alt.value(1.5),
        tooltip=tooltip,
    )
    stops = (
        base.transform_filter("isValid(datum.x_stop)")
        .mark_tick(color=HEADROOM_COLOUR, thickness=4, size=step * 0.8, orient="vertical")
        .encode(x=alt.X("x_stop:Q", scale=x_scale), y=y, tooltip=tooltip)
    )
    stop_text = (
        base.transform_filter("isValid(datum.x_stop)")
        .mark_text(align="left", dx=6, color=HEADROOM_COLOUR, fontSize=font_size - 3, fontWeight="bold")
        .encode(x=alt.X("x_stop:Q", scale=x_scale), y=y, text=alt.value("stop"), tooltip=tooltip)
    )
    must = (
        runs.transform_filter("datum.must_do")
        .mark_text(align="left", dx=4, fontSize=font_size, color="#FFFFFF", fontWeight="bold")
        .encode(x=alt.X("x_start:Q", scale=x_scale), y=y, text=alt.value("★"), tooltip=tooltip)
    )
    waiting = (
        base.transform_filter("!isValid(datum.x_start) && !isValid(datum.x_stop)")
        .mark_text(align="left", dx=4, color="#425563", fontSize=font_size - 3, fontStyle="italic")
        .encode(x=alt.datum(0.0, scale=x_scale), y=y, text=alt.value("not started"), tooltip=tooltip)
    )
    chart = alt.layer(grid, bars, stops, stop_text, must, waiting).properties(
        title=alt.Title(
            "Roadmap: what starts when",
            subtitle="★ national must-do · dashed and faded: existing activity · red: where it stops",
        ),
        width="container",
        height=alt.Step(step),
        description=gantt_description(frame),
    )
    return _style(chart, font_size)


# ------------------------------------------------------------------ capacity per year

CAPACITY_COLUMNS = [
    "dimension",
    "name",
    "unit",
    "year",
    "year_label",
    "available",
    "gained",
    "total",
    "headroom_pct",
    "usable",
    "used",
    "free",
]


def capacity_years_frame(portfolio: Portfolio, plan: PlanResult) -> pd.DataFrame:
    """Every capacity dimension in every plan year: entered, gained from finished priorities, usable after
    headroom, used."""
    labels = plan.years or portfolio.plan.labels
    rows = []
    for use in plan.capacity:
        try:
            dim = portfolio.dimension(use.dimension)
            display, unit = dim.display, dim.unit
        except KeyError:
            display, unit = use.label or use.dimension, ""
        rows.append(
            {
                "dimension": use.label or display,
                "name": use.dimension,
                "unit": unit,
                "year": use.year,
                "year_label": words.plan_year_text(labels, use.year),
                "available": round(use.available, 2),
                "gained": round(use.gained, 2),
                "total": round(use.available + use.gained, 2),
                "headroom_pct": use.headroom_pct,
                "usable": round(use.usable, 2),
                "used": round(use.used, 2),
                "free": round(use.free, 2),
            }
        )
    return pd.DataFrame(rows, columns=CAPACITY_COLUMNS)


def capacity_years_chart(frame: pd.DataFrame, dimension: str, font_size: int = FONT_SIZE) -> alt.Chart:
    """One capacity dimension per year: what is entered (pale) and gained from capability building (green)
    stacked behind, what the plan uses (blue), and the limit once headroom is kept free (red line)."""
    part = frame[frame["dimension"] == dimension]
    unit = str(part["unit"].iloc[0]) if not part.empty else ""
    order = list(dict.fromkeys(part["year_label"]))
    x = alt.X("year_label:N", title=None, sort=order, axis=alt.Axis(labelAngle=0, labelFontWeight="bold"))
    y_title = unit or dimension
    tooltip = [
        alt.Tooltip("year_label:N", title="year"),
        alt.Tooltip("available:Q", title="entered for the year"),
        alt.Tooltip("gained:Q", title="gained from finished priorities"),
        alt.Tooltip("headroom_pct:Q", title="headroom %"),
        alt.Tooltip("usable:Q", title="usable after headroom"),
        alt.Tooltip("used:Q", title="used by the plan"),
        alt.Tooltip("free:Q", title="free"),
    ]
    stacked = pd.concat(
        [part.assign(part="Entered", amount=part["available"]), part.assign(part="Gained", amount=part["gained"])],
        ignore_index=True,
    )
    behind = (
        alt.Chart(stacked)
        .mark_bar(width=alt.RelativeBandSize(0.8))
        .encode(
            x=x,
            y=alt.Y("amount:Q", title=y_title, stack="zero"),
            color=alt.Color(
                "part:N",
                title=None,
                scale=alt.Scale(
                    domain=["Entered", "Gained", "Used"], range=[AVAILABLE_COLOUR, GAINED_COLOUR, KEPT_COLOUR]
                ),
                legend=alt.Legend(orient="bottom"),
            ),
            order=alt.Order("part:N", sort="ascending"),
            tooltip=tooltip,
        )
    )
    used = (
        alt.Chart(part.assign(part="Used"))
        .mark_bar(width=alt.RelativeBandSize(0.45))
        .encode(x=x, y=alt.Y("used:Q"), color=alt.Color("part:N"), tooltip=tooltip)
    )
    limit = (
        alt.Chart(part)
        .mark_tick(color=HEADROOM_COLOUR, thickness=4, width=alt.RelativeBandSize(0.9))
        .encode(x=x, y=alt.Y("usable:Q"), tooltip=tooltip)
    )
    chart = alt.layer(behind, used, limit).properties(
        title=alt.Title(
            f"{dimension} capacity in each year",
            subtitle=[
                "Blue: used by the plan · red: the limit once headroom is kept free",
                "Pale: entered for the year · green: gained from finished capability-building priorities",
            ],
        ),
        width="container",
        height=440,
    )
    return _style(chart, font_size)


# ------------------------------------------------------------------ short/medium/long balance

BALANCE_COLUMNS = ["period", "horizon", "horizon_label", "share_pct", "order"]
WHOLE_PLAN = "Whole plan"


def balance_years_frame(portfolio: Portfolio, plan: PlanResult) -> pd.DataFrame:
    """The share of the balance capacity used by each horizon in each year and over the whole plan."""
    labels = plan.years or portfolio.plan.labels
    rows = []
    periods = [(words.plan_year_text(labels, year), shares) for year, shares in plan.horizons_by_year] + [
        (WHOLE_PLAN, plan.horizons)
    ]
    for index, (period, shares) in enumerate(periods):
        for h in shares:
            rows.append(
                {
                    "period": period,
                    "horizon": h.horizon,
                    "horizon_label": HORIZON_LABELS.get(h.horizon, h.horizon),
                    "share_pct": round(h.kept_pct, 1),
                    "order": index,
                }
            )
    return pd.DataFrame(rows, columns=BALANCE_COLUMNS)


def balance_years_chart(
    frame: pd.DataFrame, capacity_label: str = "capacity", bands: str = "", font_size: int = FONT_SIZE
) -> alt.Chart:
    """Short, medium and long shares stacked to 100% for each year and for the whole plan (last, set apart by
    its label), each share written on its part."""
    order = list(dict.fromkeys(frame.sort_values("order")["period"])) if not frame.empty else []
    horizon_order = [HORIZON_LABELS[h] for h in HORIZONS]
    y = alt.Y("period:N", title=None, sort=order, axis=alt.Axis(labelFontWeight="bold"))
    x = alt.X(
        "share_pct:Q",
        title=None,
        stack="zero",
        scale=alt.Scale(domain=[0, 100], nice=False),
        axis=alt.Axis(format=".0f", labelExpr="datum.label + '%'"),
    )
    tooltip = [
        alt.Tooltip("period:N", title="year"),
        alt.Tooltip("horizon_label:N", title="horizon"),
        alt.Tooltip("share_pct:Q", title="share %"),
    ]
    stack_order = alt.Order("horizon_rank:Q")
    base = alt.Chart(frame).transform_calculate(
        horizon_rank=f"indexof({json.dumps(horizon_order)}, datum.horizon_label)"
    )
    bars = base.mark_bar(height=alt.RelativeBandSize(0.7)).encode(
        x=x,
        y=y,
        color=alt.Color(
            "horizon_label:N",
            title=None,
            sort=horizon_order,
            scale=alt.Scale(domain=horizon_order, range=[HORIZON_COLOURS[h] for h in HORIZONS]),
            legend=alt.Legend(orient="bottom", labelLimit=300),
        ),
        order=stack_order,
        tooltip=tooltip,
    )
    text = (
        base.transform_filter("datum.share_pct >= 8")
        .transform_calculate(label="format(datum.share_pct, '.0f') + '%'")
        .mark_text(color="#FFFFFF", fontWeight="bold", fontSize=font_size - 2, dx=-4, align="right")
        .encode(
            x=alt.X("share_pct:Q", stack="zero"),
            y=y,
            detail="horizon_label:N",
            order=stack_order,
            text="label:N",
        )
    )
    subtitle = [f"Share of {capacity_label} used by short-, medium- and long-term priorities"] + (
        [bands] if bands else []
    )
    chart = alt.layer(bars, text).properties(
        title=alt.Title("Short, medium and long term, year by year", subtitle=subtitle),
        width="container",
        height=alt.Step(34),
    )
    return _style(chart, font_size)


# ------------------------------------------------------------------ tables of the plan


def roadmap_frame(portfolio: Portfolio, plan: PlanResult) -> pd.DataFrame:
    """Every priority of the plan with when it runs, in words, in the portfolio's order."""
    labels = plan.years or portfolio.plan.labels
    rows = []
    for r, p in plan.rows_in(portfolio):
        rows.append(
            {
                "priority": priority_label(p),
                "in the plan": row_kind(r),
                "when": words.plan_when_text(r, labels),
                "starts": words.plan_year_text(labels, r.start) if r.status == "started" else "",
                "finishes": words.plan_year_text(labels, r.finish) if r.status == "started" else "",
                "stops from": words.plan_year_text(labels, r.stop),
                "must-do": "yes" if p.must_do else "",
                "theme": p.theme,
                "horizon": HORIZON_LABELS.get(p.horizon, p.horizon).split(" (")[0],
                "value in the plan": round(r.value, 1),
            }
        )
    columns = [
        "priority",
        "in the plan",
        "when",
        "starts",
        "finishes",
        "stops from",
        "must-do",
        "theme",
        "horizon",
        "value in the plan",
    ]
    return pd.DataFrame(rows, columns=columns)


def stop_frame(portfolio: Portfolio, plan: PlanResult) -> pd.DataFrame:
    """What we stop, and what that frees: each existing activity stopped, from when, for how many years of the
    plan, and the capacity it frees in each year it is stopped (one column per capacity, in its unit)."""
    labels = plan.years or portfolio.plan.labels
    freed = {d.name: f"frees {d.display.lower()}" + (f" ({d.unit})" if d.unit else "") for d in portfolio.dimensions}
    rows = []
    for r in plan.rows:
        if r.status != "stopped":
            continue
        p = portfolio.priority(r.priority_id)
        frees = dict(r.frees)
        rows.append(
            {
                "activity": priority_label(p),
                "stops from": words.plan_year_text(labels, r.stop),
                "years stopped": len(labels) - (r.stop or 1) + 1,
                **{column: round(frees.get(name, 0.0), 2) for name, column in freed.items()},
                "value while it runs": round(r.value, 1),
            }
        )
    return pd.DataFrame(
        rows, columns=["activity", "stops from", "years stopped", *freed.values(), "value while it runs"]
    )


def deferred_frame(portfolio: Portfolio, plan: PlanResult) -> pd.DataFrame:
    """Priorities the plan delivers but does not start in the first year."""
    labels = plan.years or portfolio.plan.labels
    rows = []
    for r in plan.rows:
        if r.status != "started" or (r.start or 1) <= 1:
            continue
        p = portfolio.priority(r.priority_id)
        rows.append(
            {
                "priority": priority_label(p),
                "starts": words.plan_year_text(labels, r.start),
                "finishes": words.plan_year_text(labels, r.finish),
                "must-do": "yes" if p.must_do else "",
                "deadline": words.plan_year_text(labels, p.deadline),
                "earliest start": words.plan_year_text(labels, p.earliest_start) if p.earliest_start > 1 else "",
            }
        )
    frame = pd.DataFrame(rows, columns=["priority", "starts", "finishes", "must-do", "deadline", "earliest start"])
    return frame.sort_values("starts", kind="stable").reset_index(drop=True) if not frame.empty else frame


def not_started_frame(portfolio: Portfolio, plan: PlanResult) -> pd.DataFrame:
    """Priorities the plan does not start at all."""
    rows = []
    for r in plan.rows:
        if r.status != "not_started":
            continue
        p = portfolio.priority(r.priority_id)
        rows.append(
            {
                "priority": priority_label(p),
                "theme": p.theme,
                "horizon": HORIZON_LABELS.get(p.horizon, p.horizon).split(" (")[0],
                "source": p.source,
                "owner": p.owner,
            }
        )
    return pd.DataFrame(rows, columns=["priority", "theme", "horizon", "source", "owner"])


def plan_summary(portfolio: Portfolio, plan: PlanResult) -> str:
    """One line a board member can read aloud: what the plan starts, when, and what it stops."""
    labels = plan.years or portfolio.plan.labels
    started = [r for r in plan.rows if r.status == "started"]
    first = sum(1 for r in started if (r.start or 1) <= 1)
    existing = [r for r in plan.rows if r.status in ("continued", "stopped")]
    stopped = [r for r in plan.rows if r.status == "stopped"]
    new_total = sum(1 for r in plan.rows if r.status in ("started", "not_started"))
    musts = [p.id for p in portfolio.priorities if p.must_do]
    musts_in = sum(1 for r in started if r.priority_id in musts)
    span = f"{labels[0]} to {labels[-1]}" if labels else "the plan"
    text = (
        f"Over {len(labels)} years ({span}) the plan starts {len(started)} of {new_total} new priorities "
        f"({first} in {labels[0] if labels else 'the first year'}, {len(started) - first} later)"
    )
    if musts:
        text += f", including {musts_in} of {len(musts)} must-dos"
    if existing:
        text += f"; of {len(existing)} existing activities it continues {len(existing) - len(stopped)} and stops {len(stopped)}"
    if plan.objective is not None:
        text += f" · net value {plan.objective:,.1f}"
    return text + "."


def year_rules_frame(portfolio: Portfolio) -> pd.DataFrame:
    """The year locks and forbidden starts of the scenario, in words."""
    labels = portfolio.plan.labels
    rows = []
    for pid, year in portfolio.rules.year_locks:
        try:
            p = portfolio.priority(pid)
        except KeyError:
            continue
        what = "stops from" if p.existing else "starts in"
        rows.append(
            {
                "kind": "lock",
                "id": pid,
                "year": year,
                "rule": f"{priority_label(p)} {what} {words.plan_year_text(labels, year)}",
            }
        )
    for pid, year in portfolio.rules.forbidden_starts:
        try:
            p = portfolio.priority(pid)
        except KeyError:
            continue
        rows.append(
            {
                "kind": "forbid",
                "id": pid,
                "year": year,
                "rule": f"{priority_label(p)} may not start in {words.plan_year_text(labels, year)}",
            }
        )
    return pd.DataFrame(rows, columns=["kind", "id", "year", "rule"])


def plan_cell(portfolio: Portfolio, plan: PlanResult, priority_id: str) -> str:
    """One priority in one plan, for a side-by-side table: its start year (or when it runs), else why not."""
    try:
        row = plan.row(priority_id)
    except KeyError:
        return "not in portfolio"
    return words.plan_when(row, plan.years or portfolio.plan.labels)


def plans_side_by_side(entries: list[tuple[str, Portfolio, object]]) -> pd.DataFrame:
    """Which priorities are in each plan or selection, with start years side by side. `entries` are (column
    label, portfolio, PlanResult or one-year Result); a one-year Result shows 'kept' or 'dropped'. The last
    columns say whether the priority is delivered (started, running or kept) in all, some or none of them, and
    whether the entries differ on it (a one-year 'kept' counts as a start in the first year)."""
    names: dict[str, str] = {}
    for _, portfolio, _ in entries:
        for p in portfolio.priorities:
            names.setdefault(p.id, priority_label(p))
    rows = []
    for pid, label in names.items():
        row: dict[str, object] = {"priority": label}
        marks: list[bool] = []
        places: list[object] = []  # where each entry has it: a one-year 'kept' is a start in year 1
        for column, portfolio, answer in entries:
            present = any(p.id == pid for p in portfolio.priorities)
            if not present:
                row[column] = "not in portfolio"
                marks.append(False)
                places.append(None)
            elif isinstance(answer, PlanResult):
                row[column] = plan_cell(portfolio, answer, pid)
                r = answer.row(pid)
                marks.append(r.status in ("started", "continued") or (r.status == "stopped" and r.finish is not None))
                if r.status in ("started", "continued"):
                    places.append(("started", r.start, None))  # an activity that continues runs from year 1
                else:
                    places.append(("stopped", None, r.stop) if r.status == "stopped" else None)
            else:
                kept = pid in getattr(answer, "kept", ())
                row[column] = "kept" if kept else "dropped"
                marks.append(kept)
                places.append(("started", 1, None) if kept else None)
        row["in each"] = "in all" if all(marks) else "in none" if not any(marks) else "only in some"
        row["differs"] = len(set(places)) > 1
        rows.append(row)
    return pd.DataFrame(rows, columns=["priority", *[e[0] for e in entries], "in each", "differs"])


def capacity_worth_frame(portfolio: Portfolio, plan: PlanResult, worths) -> pd.DataFrame:
    """What each capacity is worth in each plan year (plan_analysis.CapacityWorth answers): one row per
    capacity, one column per year, each cell the change in net value from a 10% raise (words.plan_worth_figure)."""
    from optimiser import words

    labels = plan.years or portfolio.plan.labels
    rows: dict[str, dict[str, str]] = {}
    for worth in worths:
        try:
            name = portfolio.dimension(worth.dimension).display
        except KeyError:
            name = worth.dimension
        rows.setdefault(name, {"capacity": name})[words.plan_year_text(labels, worth.year)] = words.plan_worth_figure(
            worth
        )
    return pd.DataFrame(list(rows.values()), columns=["capacity", *labels])
