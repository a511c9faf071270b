"""Pure chart builders: tidy data frames in, Altair charts out (no Streamlit here).

The same builders feed the app and any exported report, and are tested through `to_dict()`.
Fonts are large so that a board can read them on a projector.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from optimiser.domain import HORIZON_LABELS, HORIZONS, Portfolio
from optimiser.model import balance_costs, priority_weights
from optimiser.readiness import readiness_of
from optimiser.result import Result

KEPT_COLOUR = "#005EB8"  # NHS blue
DROPPED_COLOUR = "#AEB7BD"
WISHLIST_COLOUR = "#768692"
HEADROOM_COLOUR = "#DA291C"
BAND_COLOUR = "#78BE20"  # NHS light green: the wanted band of a balance share
FONT_SIZE = 16


def _style(chart: alt.Chart, font_size: int = FONT_SIZE) -> alt.Chart:
    return (
        chart.configure_axis(labelFontSize=font_size, titleFontSize=font_size)
        .configure_legend(labelFontSize=font_size, titleFontSize=font_size)
        .configure_title(fontSize=font_size + 2, subtitleFontSize=font_size - 2, anchor="start")
    )


# ------------------------------------------------------------------ tidy frames


def horizon_frame(result: Result) -> pd.DataFrame:
    rows = []
    for h in result.horizons:
        label = HORIZON_LABELS[h.horizon]
        rows.append(
            {
                "horizon": label,
                "set": "Whole wish-list",
                "share_pct": round(h.wishlist_pct, 1),
                "count": h.wishlist_count,
            }
        )
        rows.append({"horizon": label, "set": "Kept", "share_pct": round(h.kept_pct, 1), "count": h.kept_count})
    return pd.DataFrame(rows, columns=["horizon", "set", "share_pct", "count"])


def capacity_frame(result: Result) -> pd.DataFrame:
    rows = []
    for use in result.capacity:
        available = use.available if use.available > 0 else 1.0
        rows.append(
            {
                "dimension": use.label or use.dimension,
                "unit": use.unit,
                "used": round(use.used, 2),
                "usable": round(use.usable, 2),
                "available": round(use.available, 2),
                "headroom_pct": use.headroom_pct,
                "used_pct": round(100 * use.used / available, 1),
                "limit_pct": round(100 - use.headroom_pct, 1),
            }
        )
    return pd.DataFrame(
        rows, columns=["dimension", "unit", "used", "usable", "available", "headroom_pct", "used_pct", "limit_pct"]
    )


def source_frame(portfolio: Portfolio, result: Result) -> pd.DataFrame:
    """Share of the balance capacity by source (national/local), whole wish-list versus kept."""
    load = balance_costs(portfolio)
    kept = set(result.kept)
    rows = []
    for label, members in (
        ("Whole wish-list", [True] * len(load)),
        ("Kept", [p.id in kept for p in portfolio.priorities]),
    ):
        total = sum(w for w, m in zip(load, members) if m)
        for source in ("national", "local"):
            part = sum(w for w, m, p in zip(load, members, portfolio.priorities) if m and p.source == source)
            rows.append({"set": label, "source": source, "share_pct": round(100 * part / total, 1) if total else 0.0})
    return pd.DataFrame(rows, columns=["set", "source", "share_pct"])


def value_cost_frame(portfolio: Portfolio, result: Result) -> pd.DataFrame:
    value, _ = priority_weights(portfolio)
    dim = portfolio.balance_capacity
    load = balance_costs(portfolio) / (dim.usable if dim.usable > 0 else 1.0)
    kept = set(result.kept)
    return pd.DataFrame(
        {
            "id": [p.id for p in portfolio.priorities],
            "name": [p.name for p in portfolio.priorities],
            "source": [p.source for p in portfolio.priorities],
            "value": [round(float(v), 1) for v in value],
            "load_pct": [round(100 * float(w), 2) for w in load],
            "decision": ["Kept" if p.id in kept else "Dropped" for p in portfolio.priorities],
            "confidence_pct": [round(readiness_of(portfolio, p.id).confidence_pct) for p in portfolio.priorities],
            "readiness": [_readiness_label(readiness_of(portfolio, p.id)) for p in portfolio.priorities],
        }
    )


def _readiness_label(r) -> str:
    if not r.assessed:
        return "not assessed"
    return f"{r.confidence_pct:.0f}% confidence" + (" (low readiness)" if r.low else "")


# ------------------------------------------------------------------ charts


def bands_frame(portfolio: Portfolio) -> pd.DataFrame:
    """The balance bands as a tidy frame: horizon label, min_pct, max_pct (horizons without a band left out)."""
    return pd.DataFrame(
        [
            {"horizon": HORIZON_LABELS[b.horizon], "min_pct": b.min_pct, "max_pct": b.max_pct}
            for b in portfolio.rules.horizon_bands
        ],
        columns=["horizon", "min_pct", "max_pct"],
    )


def horizon_chart(
    frame: pd.DataFrame,
    capacity_label: str = "capacity",
    bands: pd.DataFrame | None = None,
    font_size: int = FONT_SIZE,
) -> alt.Chart:
    """Share of the balance capacity in each horizon: the kept set as a bar, the whole wish-list as a tick, and
    each horizon's band (its wanted minimum to maximum) in green behind. The axis always runs from 0 to 100% and
    the chart takes the width of its container, so no share is cut off."""
    order = [HORIZON_LABELS[h] for h in HORIZONS]
    y = alt.Y("horizon:N", title=None, sort=order, axis=alt.Axis(labelLimit=15 * font_size))
    x_scale = alt.Scale(domain=[0, 100], nice=False)
    colour = alt.Color(
        "set:N",
        title=None,
        scale=alt.Scale(domain=["Kept", "Whole wish-list"], range=[KEPT_COLOUR, WISHLIST_COLOUR]),
        legend=None,
    )
    tooltip = [
        alt.Tooltip("horizon:N"),
        alt.Tooltip("set:N"),
        alt.Tooltip("share_pct:Q", title="share %"),
        alt.Tooltip("count:Q", title="priorities"),
    ]
    kept = alt.Chart(frame).transform_filter(alt.datum.set == "Kept")
    bars = kept.mark_bar(height=alt.RelativeBandSize(0.45)).encode(
        x=alt.X("share_pct:Q", title=None, scale=x_scale, axis=alt.Axis(format=".0f", labelExpr="datum.label + '%'")),
        y=y,
        color=colour,
        tooltip=tooltip,
    )
    labels = (
        kept.transform_calculate(label="format(datum.share_pct, '.0f') + '%'")
        .mark_text(align="left", dx=6, fontSize=font_size, fontWeight="bold")
        .encode(x=alt.X("share_pct:Q", scale=x_scale), y=y, text="label:N")
    )
    wishlist = (
        alt.Chart(frame)
        .transform_filter(alt.datum.set == "Whole wish-list")
        .mark_tick(thickness=4, size=30 * font_size // FONT_SIZE)
        .encode(x=alt.X("share_pct:Q", scale=x_scale), y=y, color=colour, tooltip=tooltip)
    )
    layers = []
    if bands is not None and not bands.empty:
        layers.append(
            alt.Chart(bands)
            .mark_rect(color=BAND_COLOUR, opacity=0.35, height=alt.RelativeBandSize(0.9))
            .encode(
                x=alt.X("min_pct:Q", scale=x_scale),
                x2="max_pct:Q",
                y=y,
                tooltip=[
                    alt.Tooltip("horizon:N"),
                    alt.Tooltip("min_pct:Q", title="band minimum %"),
                    alt.Tooltip("max_pct:Q", title="band maximum %"),
                ],
            )
        )
    chart = alt.layer(*layers, bars, labels, wishlist).properties(
        title=alt.Title(
            "Horizon balance: share of " + capacity_label + " used",
            subtitle="Blue: kept · grey tick: whole wish-list · green: the wanted band",
        ),
        width="container",
        height=alt.Step(44 * font_size // FONT_SIZE),
    )
    return _style(chart, font_size)


def capacity_chart(frame: pd.DataFrame) -> alt.Chart:
    """Capacity used per dimension (% of available) with the headroom line."""
    base = alt.Chart(
        frame,
        title=alt.Title("Capacity used", subtitle="% of what is available; red: the limit once headroom is kept free"),
    )
    bars = base.mark_bar(color=KEPT_COLOUR).encode(
        x=alt.X(
            "used_pct:Q",
            title=None,
            scale=alt.Scale(domain=[0, 100]),
            axis=alt.Axis(format=".0f", labelExpr="datum.label + '%'"),
        ),
        y=alt.Y("dimension:N", title=None, axis=alt.Axis(labelLimit=220)),
        tooltip=[
            alt.Tooltip("dimension:N"),
            alt.Tooltip("used:Q", title="used"),
            alt.Tooltip("usable:Q", title="usable after headroom"),
            alt.Tooltip("available:Q", title="available"),
            alt.Tooltip("unit:N"),
            alt.Tooltip("headroom_pct:Q", title="headroom %"),
        ],
    )
    limit = base.mark_tick(color=HEADROOM_COLOUR, thickness=4, size=22).encode(
        x="limit_pct:Q",
        y="dimension:N",
        tooltip=[alt.Tooltip("dimension:N"), alt.Tooltip("limit_pct:Q", title="limit after headroom %")],
    )
    return _style(alt.layer(bars, limit).properties(height=alt.Step(26), width="container"))


def source_chart(frame: pd.DataFrame, capacity_label: str = "capacity") -> alt.Chart:
    """National versus local share of the balance capacity, wish-list and kept."""
    chart = (
        alt.Chart(frame, title=alt.Title("National versus local", subtitle=f"Share of {capacity_label} used"))
        .mark_bar()
        .encode(
            x=alt.X(
                "share_pct:Q", title=f"Share of {capacity_label} (%)", stack="zero", scale=alt.Scale(domain=[0, 100])
            ),
            y=alt.Y("set:N", title=None, sort=["Whole wish-list", "Kept"], axis=alt.Axis(labelLimit=200)),
            color=alt.Color(
                "source:N",
                title="Source",
                scale=alt.Scale(domain=["national", "local"], range=["#003087", "#41B6E6"]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[alt.Tooltip("set:N"), alt.Tooltip("source:N"), alt.Tooltip("share_pct:Q", title="share %")],
        )
        .properties(height=alt.Step(50), width="container")
    )
    return _style(chart)


def value_cost_chart(frame: pd.DataFrame, capacity_label: str = "capacity") -> alt.Chart:
    """Weighted value against the use of the balance capacity, kept and dropped marked; when any priority has
    readiness ratings, the size of each point is its delivery confidence (priorities not assessed drawn faded)."""
    rated = "readiness" in frame and bool((frame["readiness"] != "not assessed").any())
    extra = {}
    if rated:
        extra = {
            "size": alt.Size(
                "confidence_pct:Q",
                title="Delivery confidence %",
                scale=alt.Scale(domain=[0, 100], range=[30, 300]),
                legend=None,  # said in the subtitle: three legends side by side do not fit a half-width chart
            ),
            "opacity": alt.condition(alt.datum.readiness == "not assessed", alt.value(0.3), alt.value(0.9)),
        }
    title = (
        alt.TitleParams("Value against cost", subtitle="Larger: higher delivery confidence · faded: not assessed")
        if rated
        else "Value against cost"
    )
    tooltip = [
        alt.Tooltip("id:N"),
        alt.Tooltip("name:N"),
        alt.Tooltip("decision:N"),
        alt.Tooltip("value:Q"),
        alt.Tooltip("load_pct:Q", title="% of usable capacity"),
    ]
    if "readiness" in frame:
        tooltip.append(alt.Tooltip("readiness:N", title="readiness"))
    chart = (
        alt.Chart(frame, title=title)
        .mark_point(size=160, filled=True, opacity=0.85)
        .encode(
            x=alt.X("load_pct:Q", title=f"Cost (% of usable {capacity_label})"),
            y=alt.Y("value:Q", title="Weighted value"),
            color=alt.Color(
                "decision:N",
                title=None,
                scale=alt.Scale(domain=["Kept", "Dropped"], range=[KEPT_COLOUR, DROPPED_COLOUR]),
                legend=alt.Legend(orient="bottom"),
            ),
            shape=alt.Shape("source:N", title="Source", legend=alt.Legend(orient="bottom")),
            tooltip=tooltip,
            **extra,
        )
        .properties(height=380, width="container")
    )
    return _style(chart)


# ------------------------------------------------------------------ comparing scenarios and frontiers


def compare_horizon_chart(frame: pd.DataFrame) -> alt.Chart:
    """Kept share of the balance capacity per horizon for several scenarios (frame: scenario, horizon, share_pct),
    bars grouped by horizon, on a 0-100% axis that fills its container."""
    order = [HORIZON_LABELS[h] for h in HORIZONS]
    chart = (
        alt.Chart(frame, title="Horizon balance of the kept set")
        .mark_bar()
        .encode(
            x=alt.X("share_pct:Q", title="Share of balance capacity (%)", scale=alt.Scale(domain=[0, 100])),
            y=alt.Y("horizon:N", title=None, sort=order, axis=alt.Axis(labelLimit=220)),
            yOffset=alt.YOffset("scenario:N"),
            color=alt.Color("scenario:N", title="Scenario", legend=alt.Legend(orient="bottom", labelLimit=300)),
            tooltip=[alt.Tooltip("scenario:N"), alt.Tooltip("horizon:N"), alt.Tooltip("share_pct:Q", title="share %")],
        )
        .properties(width="container", height=alt.Step(22))
    )
    return _style(chart)


def compare_capacity_chart(frame: pd.DataFrame) -> alt.Chart:
    """Capacity used (% of available) per dimension for several scenarios, on one 0-100% scale that fills its
    container."""
    chart = (
        alt.Chart(frame, title="Capacity used (% of available)")
        .mark_bar()
        .encode(
            x=alt.X("used_pct:Q", title="% of available capacity", scale=alt.Scale(domain=[0, 100])),
            y=alt.Y("dimension:N", title=None, axis=alt.Axis(labelLimit=220)),
            yOffset=alt.YOffset("scenario:N"),
            color=alt.Color("scenario:N", title="Scenario", legend=alt.Legend(orient="bottom", labelLimit=300)),
            tooltip=[
                alt.Tooltip("scenario:N"),
                alt.Tooltip("dimension:N"),
                alt.Tooltip("used:Q"),
                alt.Tooltip("usable:Q", title="usable after headroom"),
                alt.Tooltip("used_pct:Q", title="used %"),
            ],
        )
        .properties(width="container", height=alt.Step(22))
    )
    return _style(chart)


def frontier_chart(frame: pd.DataFrame, current: float, unit: str) -> alt.Chart:
    """Best value at each capacity level (frame: capacity, value, entered), today's capacity marked."""
    title = f"Capacity ({unit}, usable after headroom)" if unit else "Capacity (usable after headroom)"
    base = alt.Chart(frame, title="Best achievable net value at each capacity level")
    line = base.mark_line(interpolate="step-after", color=KEPT_COLOUR, strokeWidth=3).encode(
        x=alt.X("capacity:Q", title=title), y=alt.Y("value:Q", title="Best net value")
    )
    points = base.mark_point(size=120, filled=True, color=KEPT_COLOUR).encode(
        x="capacity:Q",
        y="value:Q",
        tooltip=[
            alt.Tooltip("capacity:Q"),
            alt.Tooltip("value:Q", title="best net value"),
            alt.Tooltip("entered:N", title="comes in here"),
            alt.Tooltip("left:N", title="goes out here"),
        ],
    )
    today = (
        alt.Chart(pd.DataFrame({"capacity": [current], "label": ["today"]}))
        .mark_rule(color=HEADROOM_COLOUR, strokeWidth=3, strokeDash=[6, 4])
        .encode(x="capacity:Q", tooltip=[alt.Tooltip("label:N"), alt.Tooltip("capacity:Q")])
    )
    return _style(alt.layer(line, points, today).properties(height=380))


def weight_chart(frame: pd.DataFrame) -> alt.Chart:
    """How many decisions change as each criterion's weight moves (frame: criterion, weight, changes, current)."""
    base = alt.Chart(frame, title="Decisions that change as a weight moves")
    lines = base.mark_line(point=True).encode(
        x=alt.X("weight:Q", title="Weight"),
        y=alt.Y("changes:Q", title="Priorities whose decision changes"),
        color=alt.Color("criterion:N", title="Criterion"),
        tooltip=[alt.Tooltip("criterion:N"), alt.Tooltip("weight:Q"), alt.Tooltip("changes:Q")],
    )
    return _style(lines.properties(height=320))


# ------------------------------------------------------------------ workshops

GROUP_COLOUR = "#DA291C"  # the group's figure (median or mean) on the spread chart


def spread_frame(
    portfolio: Portfolio, cells, order: list[str] | None = None, limit: int = 8, with_ids: bool = True
) -> pd.DataFrame:
    """One row per (priority, criterion, score given) with how many gave it, for the `limit` priorities first in
    `order` (the most contested first; default: the order of the cells). `cells` are workshop CellSpreads.
    `with_ids=False` labels the rows by criterion alone (a chart of one priority, named above it)."""
    by_priority: dict[str, list] = {}
    for cell in cells:
        by_priority.setdefault(cell.priority_id, []).append(cell)
    chosen = [pid for pid in (order or list(by_priority)) if pid in by_priority][:limit]
    labels = {c.name: c.display for c in portfolio.criteria}
    rows = []
    for rank, pid in enumerate(chosen):
        try:
            name = portfolio.priority(pid).name
        except KeyError:
            name = pid
        for cell in by_priority[pid]:
            counts: dict[float, int] = {}
            for value in cell.values:
                counts[value] = counts.get(value, 0) + 1
            criterion = labels.get(cell.criterion, cell.criterion)
            row_label = f"{pid} · {criterion}" if with_ids else criterion
            for value, count in sorted(counts.items()):
                rows.append(
                    {
                        "row": row_label,
                        "rank": rank,
                        "priority": f"{name} ({pid})",
                        "criterion": labels.get(cell.criterion, cell.criterion),
                        "score": value,
                        "answers": count,
                        "group": cell.group,
                        "spread": cell.spread,
                    }
                )
    columns = ["row", "rank", "priority", "criterion", "score", "answers", "group", "spread"]
    return pd.DataFrame(rows, columns=columns)


def spread_chart(frame: pd.DataFrame, rule: str = "median") -> alt.Chart:
    """The scores given on each (priority, criterion), a dot per score sized by how many gave it, and the group's
    figure as a red tick, on the 0-10 scale; rows in the frame's order (the most contested first)."""
    order = list(dict.fromkeys(frame["row"]))
    base = alt.Chart(frame)
    y = alt.Y("row:N", title=None, sort=order, axis=alt.Axis(labelLimit=320))
    dots = base.mark_circle(color=KEPT_COLOUR, opacity=0.8).encode(
        x=alt.X(
            "score:Q",
            title="Score (0-10)",
            scale=alt.Scale(domain=[0, 10]),
            axis=alt.Axis(tickMinStep=1, orient="top"),  # read at the top of a long chart
        ),
        y=y,
        size=alt.Size(
            "answers:Q",
            title="Answers",
            scale=alt.Scale(range=[80, 600], zero=False),
            legend=alt.Legend(orient="bottom", format="d", tickMinStep=1),
        ),
        tooltip=[
            alt.Tooltip("priority:N"),
            alt.Tooltip("criterion:N"),
            alt.Tooltip("score:Q"),
            alt.Tooltip("answers:Q", title="answers with this score"),
            alt.Tooltip("group:Q", title=f"group ({rule})"),
        ],
    )
    group = base.mark_tick(color=GROUP_COLOUR, thickness=3, size=26).encode(
        x="group:Q",
        y=y,
        tooltip=[alt.Tooltip("priority:N"), alt.Tooltip("criterion:N"), alt.Tooltip("group:Q", title=rule)],
    )
    chart = alt.layer(dots, group).properties(
        title=alt.Title("Scores given", subtitle=f"Blue: scores given (bigger: more people) · red: {rule}"),
        width="container",
        height=alt.Step(30),
    )
    return _style(chart)
