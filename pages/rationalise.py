"""Rationalise: the best set of priorities for the capacity and rules, and why."""

import pandas as pd
import streamlit as st

from ui import state
from ui.charts import (
    capacity_chart,
    capacity_frame,
    horizon_chart,
    horizon_frame,
    source_chart,
    source_frame,
    value_cost_chart,
    value_cost_frame,
)
from ui.text import plain

st.title("Rationalise")
st.caption(
    "The smallest well-aligned set that fits real capacity, keeps headroom free and follows the rules. "
    "Change capacity or rules on the other pages and come back: the result follows."
)

portfolio = state.portfolio()

result = state.current_result()
st.caption(plain(f"Portfolio: {portfolio.name}") + f" · solved by {result.solver} in {result.seconds:.2f} s")

if not result.has_selection:
    if result.status == "infeasible":
        st.error("No selection can satisfy all the rules. What conflicts, and by how much:")
        for conflict in result.conflicts:
            st.markdown("- " + plain(conflict.text))
        st.info("Relax the capacity or headroom named above on **Capacity and rules**, or remove a lock or must-do.")
    else:
        st.error(f"No result to show: {result.message} Try a longer time limit in the sidebar.")
    st.stop()

if result.status == "feasible":
    st.warning(result.message)

total = len(portfolio.priorities)
cols = st.columns(4)
cols[0].metric("Priorities kept", f"{len(result.kept)} of {total}")
cols[1].metric("Weighted value kept", f"{result.value:,.1f}")
cols[2].metric("Penalty for sensitive drops", f"{result.drop_penalty:,.1f}")
cols[3].metric("Must-dos", f"{sum(p.must_do for p in portfolio.priorities)} kept")

cap = capacity_frame(result)
cap_cols = st.columns(max(len(cap), 1))
for col, row in zip(cap_cols, cap.itertuples()):
    col.metric(
        f"{row.dimension} ({row.unit})" if row.unit else row.dimension,
        f"{row.used:,.1f} / {row.usable:,.1f}",
        help=f"Used by the kept set / available after {row.headroom_pct:g}% headroom (available {row.available:,.1f}).",
    )

if result.binding:
    st.subheader("Rules that bind")
    for note in result.binding:
        st.markdown("- " + plain(note.text))

left, right = st.columns(2)
with left:
    st.altair_chart(horizon_chart(horizon_frame(result)), width="stretch")
    st.altair_chart(source_chart(source_frame(portfolio, result)), width="stretch")
with right:
    st.altair_chart(capacity_chart(cap), width="stretch")
    st.altair_chart(value_cost_chart(value_cost_frame(portfolio, result)), width="stretch")

names = {p.id: p for p in portfolio.priorities}
decisions = pd.DataFrame(
    [
        {
            "id": d.priority_id,
            "name": names[d.priority_id].name,
            "source": names[d.priority_id].source,
            "theme": names[d.priority_id].theme,
            "horizon": names[d.priority_id].horizon,
            "value": round(d.value, 1),
            "why": d.reason,
        }
        for d in result.decisions
    ]
)
kept_tab, dropped_tab = st.tabs([f"Kept ({len(result.kept)})", f"Dropped ({len(result.dropped)})"])
kept_ids = set(result.kept)
with kept_tab:
    st.dataframe(decisions[decisions["id"].isin(kept_ids)], hide_index=True, width="stretch", key="kept_table")
with dropped_tab:
    st.dataframe(decisions[~decisions["id"].isin(kept_ids)], hide_index=True, width="stretch", key="dropped_table")
