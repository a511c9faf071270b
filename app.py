"""Router: page config, default session state, navigation. Run with `make run`."""

import streamlit as st

from optimiser.backends import SOLVERS
from ui import state
from ui.text import plain

state.router_not_a_page()  # before any widget: see its docstring
st.set_page_config(page_title="Priority rationaliser", page_icon=":material/balance:", layout="wide")
state.init_state()
state.open_link_once()
if state.LINK_ERROR in st.session_state:
    st.error(plain(st.session_state.pop(state.LINK_ERROR)))

# Widgets in the router are on every page, so their values survive page changes.
with st.sidebar:
    st.session_state[state.SOLVER] = st.selectbox(
        "Solver",
        SOLVERS,
        index=SOLVERS.index(st.session_state[state.SOLVER]),
        key="solver_widget",
        help=(
            "auto picks by portfolio size; highs runs HiGHS in-process; cbc runs CBC on the model file; "
            "race runs both at once and takes the first proven answer; cbc-pulp and highs-pulp go through PuLP."
        ),
    )
    st.session_state[state.TIME_LIMIT] = st.number_input(
        "Time limit (seconds)",
        min_value=1.0,
        max_value=600.0,
        value=float(st.session_state[state.TIME_LIMIT]),
        step=1.0,
        key="time_limit_widget",
    )
    # A session history of portfolio and rule changes, on every page.
    undo_col, redo_col = st.columns(2)
    if undo_col.button("Undo", key="undo_change", disabled=not st.session_state.get(state.HISTORY), width="stretch"):
        state.undo()
        st.rerun()
    if redo_col.button("Redo", key="redo_change", disabled=not st.session_state.get(state.FUTURE), width="stretch"):
        state.redo()
        st.rerun()
    changes = len(st.session_state.get(state.HISTORY) or [])
    st.caption(f"{changes} change{'s' if changes != 1 else ''} this session can be undone.")
    if state.plan_sample_available() and st.button(
        "Open the five-year sample",
        key="open_plan_sample",
        width="stretch",
        help="Replaces the current portfolio with the fictional five-year plan (2026/27 to 2030/31); Undo brings "
        "this one back. The Roadmap page shows its plan.",
    ):
        state.use_plan_sample()
        st.rerun()

navigation = st.navigation(
    [
        st.Page("pages/rationalise.py", title="Rationalise", icon=":material/balance:", default=True),
        st.Page("pages/roadmap.py", title="Roadmap", icon=":material/view_timeline:"),
        st.Page("pages/present.py", title="Present", icon=":material/co_present:"),
        st.Page("pages/priorities.py", title="Priorities", icon=":material/list:"),
        st.Page("pages/capacity_and_rules.py", title="Capacity and rules", icon=":material/tune:"),
        st.Page("pages/scenarios.py", title="Scenarios", icon=":material/save:"),
        st.Page("pages/compare.py", title="Compare", icon=":material/compare:"),
        st.Page("pages/frontier.py", title="Frontier", icon=":material/show_chart:"),
        st.Page("pages/workshop.py", title="Workshop", icon=":material/groups:"),
        st.Page("pages/join.py", title="Join a workshop", icon=":material/how_to_vote:"),
    ]
)
navigation.run()
