"""Present: the result for a projector in a board session: large type, the balance, what is kept and dropped, and
what the last change did."""

import streamlit as st

from optimiser import words
from optimiser.domain import HORIZON_LABELS, HORIZONS
from ui import state
from ui.charts import bands_frame, horizon_chart, horizon_frame
from ui.text import plain

state.through_router()

PRESENT_FONT = 24

portfolio = state.portfolio()
result = state.current_result()
st.title("Present")
if not result.has_selection:
    st.header(plain(result.message))
    st.stop()
scenario_line = state.scenario_status()
if scenario_line:
    st.caption(plain(scenario_line))
st.header(plain(words.result_summary(portfolio, result)))
last_change = state.last_change_text()
if last_change is not None:
    st.subheader(plain(last_change))
balance = f"{portfolio.balance_capacity.display.lower()} capacity"
st.container(key="present_balance").altair_chart(
    horizon_chart(horizon_frame(result), balance, bands_frame(portfolio), font_size=PRESENT_FONT), width="stretch"
)
names = {p.id: p for p in portfolio.priorities}
for column, (title, ids) in zip(
    st.columns(2), ((f"Kept ({len(result.kept)})", result.kept), (f"Dropped ({len(result.dropped)})", result.dropped))
):
    with column.container(key=f"present_{title.split()[0].lower()}"):
        st.header(title)
        for h in HORIZONS:
            in_h = [pid for pid in ids if names[pid].horizon == h]
            if in_h:
                st.subheader(f"{HORIZON_LABELS[h]} · {len(in_h)}")
                st.markdown("\n".join(f"#### {plain(words.name_of(portfolio, pid))}" for pid in in_h))
