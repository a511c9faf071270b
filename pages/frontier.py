"""Frontier: the best value at each level of one capacity, and how sensitive the set is to weights."""

import pandas as pd
import streamlit as st

from ui import state
from ui.charts import frontier_chart, weight_chart
from ui.text import plain

st.title("Frontier")
st.caption(
    "What more (or less) of one capacity buys: the best achievable value at each level, found by re-solving "
    "the model (so it finds combinations that use leftover capacity), with today's capacity marked."
)

portfolio = state.portfolio()
left, right = st.columns(2)
dimension = left.selectbox("Capacity to vary", [d.name for d in portfolio.dimensions], key="frontier_dimension")
points = right.slider("Capacity levels", min_value=20, max_value=30, value=25, key="frontier_points")

result = state.cached_frontier(portfolio, dimension, points)
frame = pd.DataFrame(
    [
        {
            "capacity": round(p.capacity, 1),
            "value": None if p.value is None else round(p.value, 1),
            "entered": ", ".join(p.entered) or "-",
            "left": ", ".join(p.left) or "-",
            "kept": len(p.kept) if p.value is not None else None,
        }
        for p in result.points
    ]
)
solvable = frame.dropna(subset=["value"])
if solvable.empty:
    st.error(
        "No capacity level between what the must-dos need and what the whole wish-list needs gives a "
        "selection that meets the other rules. See Rationalise for what conflicts."
    )
else:
    st.altair_chart(frontier_chart(solvable, result.current, result.unit), width="stretch")
    if len(solvable) < len(frame):
        st.caption(f"{len(frame) - len(solvable)} of the lowest levels give no selection that meets the other rules.")
st.caption(
    plain(f"{len(result.points)} re-solves in {result.seconds:.1f} s. Today: {result.current:,.1f} {result.unit} ")
    + "usable after headroom."
)
st.dataframe(frame, hide_index=True, width="stretch")

st.subheader("Weight sensitivity")
st.caption(
    "For each criterion, the range of its weight over which the kept set stays exactly the same "
    "(re-solving on a grid and bisecting where the set changes), and how many decisions change outside it."
)
if st.toggle("Work out weight sensitivity (a few seconds)", key="weights_on"):
    ranges = state.cached_weight_sensitivity(portfolio)
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "criterion": r.criterion,
                    "weight": r.weight,
                    "same set from": round(r.low, 2),
                    "same set up to": f"{r.high:.2f}" + (" or more" if r.high_is_open else ""),
                }
                for r in ranges
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    steps = pd.DataFrame([{"criterion": r.criterion, "weight": w, "changes": n} for r in ranges for w, n in r.steps])
    st.altair_chart(weight_chart(steps), width="stretch")
