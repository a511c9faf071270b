"""Frontier: the best value at each level of one capacity, and how sensitive the set is to weights."""

import pandas as pd
import streamlit as st

from ui import state
from ui.charts import frontier_chart, weight_chart
from ui.text import plain

state.through_router()

st.title("Frontier")
st.caption(
    "What more (or less) of one capacity buys: the best achievable value at each level, found by re-solving "
    "the model (so it finds combinations that use leftover capacity), with today's capacity marked."
)

portfolio = state.portfolio()
left, right = st.columns(2)
labels = {d.name: d.display for d in portfolio.dimensions}
dimension = left.selectbox("Capacity to vary", list(labels), format_func=labels.__getitem__, key="frontier_dimension")
points = right.slider("Capacity levels", min_value=20, max_value=30, value=25, key="frontier_points")

result = state.cached_frontier(portfolio, dimension, points)
frame = pd.DataFrame(
    [
        {
            "capacity": round(p.capacity, 1),
            "value": None if p.value is None else round(p.value, 1),
            "proven": "yes" if p.proven else "no (time limit)",
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
if st.toggle("Work out weight sensitivity (about 5 s for the sample)", key="weights_on"):
    sensitivity = state.cached_weight_sensitivity(portfolio)
    ranges = sensitivity.ranges
    if sensitivity.status == "no_selection":
        st.error("No selection meets the rules, so there is no kept set to test. See Rationalise for what conflicts.")
        st.stop()
    if sensitivity.status == "unproven":
        st.warning(
            "Today's selection could not be proven optimal within the time limit, so weight ranges are not "
            "worked out. Raise the time limit in the sidebar."
        )
        st.stop()
    if not all(r.proven for r in ranges):
        st.warning("Some re-solves stopped at their time limit: ranges marked 'not proven' may be wrong.")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "criterion": next(c.display for c in portfolio.criteria if c.name == r.criterion),
                    "weight": r.weight,
                    "same set from": round(r.low, 2),
                    "same set up to": f"{r.high:.2f}" + (" or more" if r.high_is_open else ""),
                    "proven": "yes" if r.proven else "not proven",
                }
                for r in ranges
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    steps = pd.DataFrame([{"criterion": r.criterion, "weight": w, "changes": n} for r in ranges for w, n in r.steps])
    st.altair_chart(weight_chart(steps), width="stretch")
