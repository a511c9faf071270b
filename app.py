"""Router: page config, default session state, navigation. Run with `make run`."""

import streamlit as st

from ui.state import init_state

st.set_page_config(page_title="Priority rationaliser", page_icon=":material/balance:", layout="wide")
init_state()

navigation = st.navigation(
    [
        st.Page("pages/rationalise.py", title="Rationalise", icon=":material/balance:", default=True),
        st.Page("pages/priorities.py", title="Priorities", icon=":material/list:"),
        st.Page("pages/capacity_and_rules.py", title="Capacity and rules", icon=":material/tune:"),
    ]
)
navigation.run()
