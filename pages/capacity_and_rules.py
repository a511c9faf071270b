"""Capacity and rules: capacity dimensions with headroom, criteria weights, limits, balance bands, locks."""

import pandas as pd
import streamlit as st

from optimiser.domain import (
    HEADROOM_MAX_PCT,
    HORIZON_LABELS,
    HORIZONS,
    PLAN_YEARS_MAX,
    PLAN_YEARS_MIN,
    SPREAD_MAX_PCT,
    VALUE_MODES,
)
from optimiser.errors import PortfolioError
from optimiser.formats import portfolio_to_dict
from optimiser.parsing import is_blank, replace_settings
from ui import state
from ui.problems import problems_frame
from ui.text import plain

state.through_router()

st.title("Capacity and rules")
st.caption(
    "How much capacity there really is, how much to keep free for the unexpected, what counts as value, "
    "and the rules the kept set must follow. Changes apply as soon as they are valid."
)

portfolio = state.portfolio()
raw = portfolio_to_dict(portfolio)
rev = state.revision()


def _key(name: str) -> str:
    """Widget keys restart when the portfolio is replaced from outside this page."""
    return f"rules_{name}_{rev}"


def _records(frame: pd.DataFrame) -> list[dict]:
    return [r for r in frame.to_dict(orient="records") if not all(is_blank(v) for v in r.values())]


st.subheader("Capacity dimensions")
st.caption("Any number of named resources. Headroom is the share of each kept free for unexpected challenges.")
dimensions = st.data_editor(
    pd.DataFrame(
        raw["capacity_dimensions"], columns=["name", "label", "unit", "available", "headroom_pct", "spread_pct"]
    ),
    key=_key("dimensions"),
    num_rows="dynamic",
    hide_index=True,
    column_config={
        "name": st.column_config.TextColumn("name (key in files)", required=True),
        "label": st.column_config.TextColumn("label shown to users"),
        "unit": st.column_config.TextColumn("unit"),
        "available": st.column_config.NumberColumn("available", required=True),
        "headroom_pct": st.column_config.NumberColumn(
            "headroom %", default=10.0, help=f"0 to {HEADROOM_MAX_PCT:g}% of the capacity kept free"
        ),
        "spread_pct": st.column_config.NumberColumn(
            "cost spread ± %",
            min_value=0.0,
            max_value=SPREAD_MAX_PCT,
            help="Uncertainty: each cost in this dimension may be this share lower or higher (robustness test). "
            "A priority's own range on Priorities takes precedence. Blank: none.",
        ),
    },
)

st.subheader("Plan length and capacity per year")
st.caption(
    "One year is today's selection. Two or more years make a roadmap: what to start in which year, and what to "
    "stop (see the Roadmap page)."
)
plan = portfolio.plan
plan_left, plan_mid, plan_right = st.columns([1, 1, 2])
plan_years = int(
    plan_left.number_input(
        "Plan length (years)",
        min_value=PLAN_YEARS_MIN,
        max_value=PLAN_YEARS_MAX,
        value=int(plan.years),
        step=1,
        key=_key("plan_years"),
        help=f"{PLAN_YEARS_MIN} to {PLAN_YEARS_MAX} years. One year: the selection on Rationalise.",
    )
)
first_year = plan_mid.text_input(
    "First year",
    value=plan.first_year,
    max_chars=20,
    key=_key("plan_first_year"),
    help="A label such as 2026/27 (later years follow: 2027/28, ...); any other label gives Year 1, Year 2, ...",
)
modes = list(VALUE_MODES)
value_mode = plan_right.radio(
    "How a priority's value counts in a plan",
    modes,
    index=modes.index(plan.value_mode) if plan.value_mode in modes else 0,
    format_func=VALUE_MODES.__getitem__,
    key=_key("plan_value_mode"),
    help="Full value: a priority finished within the plan earns its whole value, whenever it finishes. Value for "
    "each year: it earns its value once for every year from the year it is finished to the end of the plan, so "
    "finishing earlier is worth more. The horizon (short, medium, long) still drives the balance.",
)
plan_table = None
if plan_years > 1:
    st.markdown(
        "**Capacity and headroom in each year** (filled with today's figures; a capability-building priority adds "
        "to these once it is finished)"
    )
    st.caption(
        "The plan uses these figures. 'available' and 'headroom %' in the table above are the one-year "
        "selection's, and every year's until a year is given its own figure here."
    )
    base_table = state.plan_capacity_rows(portfolio, plan_years, first_year.strip() or plan.first_year)
    year_columns = [c for c in base_table.columns if c not in ("capacity", "figure")]
    plan_table = st.data_editor(
        base_table,
        key=_key(f"plan_capacity_{plan_years}_{first_year.strip()}"),
        num_rows="fixed",
        hide_index=True,
        width="stretch",
        disabled=["capacity", "figure"],
        column_config={
            "capacity": st.column_config.TextColumn("capacity", pinned=True),
            "figure": st.column_config.TextColumn("figure", pinned=True),
            **{
                c: st.column_config.NumberColumn(c, format="%g", help=f"Available and headroom % in {c}")
                for c in year_columns
            },
        },
    )
    grow_col, apply_col, _ = st.columns([1, 1, 2], vertical_alignment="bottom")
    growth = grow_col.number_input(
        "Grow each capacity by % a year",
        min_value=-50.0,
        max_value=100.0,
        value=0.0,
        step=1.0,
        key=_key("plan_growth"),
        help="From the first year's figure: 5 gives 100, 105, 110.25, ...; a cut is below 0: -5 gives 100, 95, 90.25, ...",
    )
    if apply_col.button("Apply to every capacity", key=_key("plan_apply_growth")):
        try:
            grown = state.with_plan(
                portfolio,
                years=plan_years,
                first_year=first_year,
                value_mode=value_mode,
                table=state.grow_rows(plan_table, growth),
            )
        except PortfolioError as err:
            st.error(plain(str(err)))
        else:
            state.set_portfolio(grown, from_outside=True)
            st.rerun()

st.subheader("Criteria and weights")
st.caption("Each priority scores 0-10 on each criterion; its value is the sum of weight × score.")
criteria = st.data_editor(
    pd.DataFrame(raw["criteria"], columns=["name", "label", "weight", "spread_pct"]),
    key=_key("criteria"),
    num_rows="dynamic",
    hide_index=True,
    column_config={
        "name": st.column_config.TextColumn("name (key in files)", required=True),
        "label": st.column_config.TextColumn("label shown to users"),
        "weight": st.column_config.NumberColumn("weight", default=1.0, help="0 to 100"),
        "spread_pct": st.column_config.NumberColumn(
            "score spread ± %",
            min_value=0.0,
            max_value=SPREAD_MAX_PCT,
            help="Uncertainty: each score on this criterion may be this share lower or higher (kept within 0-10). "
            "A priority's own range on Priorities takes precedence. Blank: none.",
        ),
    },
)

st.subheader("Rules")
rules = portfolio.rules
left, right = st.columns(2)
with left:
    limit_count = st.toggle(
        "Limit the number of priorities kept", value=rules.max_priorities is not None, key=_key("limit_count")
    )
    # A limit above the number of priorities is valid (it has no effect), e.g. after loading a shorter list.
    count = len(portfolio.priorities)
    max_priorities = st.number_input(
        "Keep at most",
        min_value=0,
        max_value=max(count, rules.max_priorities or 0, 1),
        value=rules.max_priorities if rules.max_priorities is not None else min(count, 20),
        step=1,
        key=_key("max_priorities"),
        disabled=not limit_count,
    )
    if limit_count and max_priorities >= count:
        st.caption(f"There are {count} priorities, so this limit has no effect.")
    penalty = st.number_input(
        "Value lost per point of sensitivity when a priority is dropped",
        min_value=0.0,
        max_value=1000.0,
        value=float(rules.sensitivity_penalty),
        step=0.5,
        key=_key("penalty"),
        help="Sensitivity (0-5) says how hard a priority is to drop; dropping it costs this many value points per point.",
    )
with right:
    balance_options = [d.name for d in portfolio.dimensions]
    balance_labels = {d.name: d.display for d in portfolio.dimensions}
    balance_dimension = st.selectbox(
        "Measure the horizon balance on",
        balance_options,
        index=balance_options.index(portfolio.balance_capacity.name),
        format_func=balance_labels.__getitem__,
        key=_key("balance_dimension"),
        help="Each horizon's share is its part of this capacity used by the kept priorities: a figure you can "
        "check by hand. A selection that uses none of it has no share and meets every band.",
    )
    st.markdown(f"**Horizon balance** (share of {plain(balance_labels[balance_dimension].lower())} capacity used)")
    bands = {b.horizon: b for b in rules.horizon_bands}
    band_values: dict[str, tuple[float, float]] = {}
    for h in HORIZONS:
        band = bands.get(h)
        low, high = (band.min_pct, band.max_pct) if band else (0.0, 100.0)
        band_values[h] = st.slider(
            HORIZON_LABELS[h], 0.0, 100.0, (float(low), float(high)), step=1.0, format="%d%%", key=_key(f"band_{h}")
        )

st.markdown("**Theme limits** (number of kept priorities per theme; leave blank for no limit)")
themes = sorted({p.theme for p in portfolio.priorities if p.theme})
theme_rows = [{"theme": t, "min": lim["min"], "max": lim["max"]} for t, lim in raw["rules"]["theme_limits"].items()]
theme_limits = st.data_editor(
    pd.DataFrame(theme_rows, columns=["theme", "min", "max"]).astype({"min": "Float64", "max": "Float64"}),
    key=_key("themes"),
    num_rows="dynamic",
    hide_index=True,
    column_config={
        "theme": st.column_config.SelectboxColumn("theme", options=themes, required=True),
        "min": st.column_config.NumberColumn("min", min_value=0, step=1),
        "max": st.column_config.NumberColumn("max", min_value=0, step=1),
    },
)

st.markdown("**Locks** for this scenario (must-dos are always kept)")
labels = {p.id: f"{p.id} · {p.name}" for p in portfolio.priorities}
lock_left, lock_right = st.columns(2)
locked_in = lock_left.multiselect(
    "Lock in",
    options=list(labels),
    default=list(rules.locked_in),
    format_func=lambda pid: labels[pid],
    key=_key("locked_in"),
)
locked_out = lock_right.multiselect(
    "Lock out",
    options=[pid for pid in labels if not portfolio.priority(pid).must_do],
    default=[pid for pid in rules.locked_out if pid in labels],
    format_func=lambda pid: labels[pid],
    key=_key("locked_out"),
)

st.subheader("Readiness")
st.caption(
    "Priorities rated on the seven success factors (1 not in place, 2 emerging, 3 established, 4 strong; blank: "
    "not assessed) get a delivery confidence: the floor plus the rest in proportion to the mean rating, capped when "
    "the weakest factor is rated 1 or 2. Priorities not assessed keep 100%."
)
readiness = rules.readiness
expected_value = st.toggle(
    "Maximise expected value (value × delivery confidence)",
    value=rules.expected_value,
    key=_key("expected_value"),
    help="Off: the model maximises weighted value as scored. On: each priority's value counts times its delivery "
    "confidence, so a well-scored priority that is not ready to deliver counts for less.",
)
rule_cols = st.columns(4)
readiness_settings = {}
for col, (setting, attribute, label, help_text) in zip(
    rule_cols,
    (
        (
            "readiness_floor_pct",
            "floor_pct",
            "Floor: all rated 1 (%)",
            "Delivery confidence when every assessed factor is rated 1.",
        ),
        ("readiness_cap_weakest_1_pct", "cap_weakest_1_pct", "Cap if any factor is 1 (%)", "Weakest-factor cap."),
        ("readiness_cap_weakest_2_pct", "cap_weakest_2_pct", "Cap if weakest is 2 (%)", "Weakest-factor cap."),
        ("readiness_low_pct", "low_pct", "Low readiness below (%)", "Flagged as low readiness in reasons."),
    ),
):
    readiness_settings[setting] = col.number_input(
        label,
        min_value=0.0,
        max_value=100.0,
        value=float(getattr(readiness, attribute)),
        step=5.0,
        key=_key(setting),
        help=help_text,
    )

new_rules = {
    "balance_dimension": balance_dimension,
    "max_priorities": int(max_priorities) if limit_count else None,
    "horizon_bands": {h: {"min_pct": lo, "max_pct": hi} for h, (lo, hi) in band_values.items() if lo > 0 or hi < 100},
    "theme_limits": {
        str(r["theme"]): {
            "min": None if is_blank(r["min"]) else r["min"],
            "max": None if is_blank(r["max"]) else r["max"],
        }
        for r in _records(theme_limits)
        if not is_blank(r.get("theme"))
    },
    "locked_in": locked_in,
    "locked_out": locked_out,
    "sensitivity_penalty": penalty,
    "expected_value": expected_value,
    **readiness_settings,
}

try:
    updated = replace_settings(portfolio, dimensions=_records(dimensions), criteria=_records(criteria), rules=new_rules)
    # The tables above do not show the plan's own fields: keep them, then apply the plan settings.
    updated = state.carry_plan(portfolio, updated)
    updated = state.with_plan(updated, years=plan_years, first_year=first_year, value_mode=value_mode, table=plan_table)
except PortfolioError as err:
    st.error("These settings are not used yet: the model keeps the last valid ones until these are fixed.")
    st.dataframe(problems_frame(err), hide_index=True, width="stretch", key="settings_problems")
else:
    if updated != portfolio:
        state.set_portfolio(updated)
        st.toast("Settings applied.")

with st.expander("What the model does with these"):
    st.markdown(
        "- **Capacity**: what the kept priorities need must fit in each dimension once headroom is set aside.\n"
        "- **Keep at most**: an upper limit on the number of priorities kept.\n"
        "- **Horizon balance**: each horizon's share of the chosen capacity used by the kept priorities must stay "
        "within its band (a selection that uses none of it meets every band).\n"
        "- **Theme limits**: the number kept in a theme must be within its minimum and maximum.\n"
        "- **Locks**: a locked-in priority is kept, a locked-out one is dropped, for this scenario only.\n"
        "- **Expected value**: when on, each priority's weighted value is multiplied by its delivery confidence.\n"
        "- **Spreads**: used only by the robustness test on Rationalise, never by the selection itself.\n"
        "- **Plan length**: with two or more years, the Roadmap page plans which priorities start in which year "
        "within each year's capacity (after its headroom), and which existing activities to stop."
    )
    st.caption(plain(f"Current portfolio: {portfolio.name}"))
