"""Scenarios: save, version, open, share and delete scenarios in the store."""

import pandas as pd
import streamlit as st

from optimiser.errors import PortfolioError
from optimiser.formats import portfolio_to_json
from optimiser.store import ConflictError, StoreError
from ui import state
from ui.text import plain

state.through_router()

st.title("Scenarios")
st.caption(
    "Save the current scenario (portfolio, capacities, headroom, weights, rules and locks) under a name, "
    "open any saved version, share it as a link or a file, or delete it."
)

SAVED_FLASH = "scenario_saved_flash"

portfolio = state.portfolio()
current = st.session_state.get(state.CURRENT_SCENARIO)
if SAVED_FLASH in st.session_state:
    st.success(plain(st.session_state.pop(SAVED_FLASH)))
st.download_button(
    "Download the current scenario (.json)",
    portfolio_to_json(portfolio),
    file_name="scenario.json",
    mime="application/json",
    key="download_scenario",
)
st.caption("A downloaded file opens again on the **Priorities** page (Load a portfolio file).")

try:
    store = state.store()
except StoreError as err:
    st.error(plain(str(err)))
    st.stop()

if current is not None:
    st.info(
        "Working on "
        + plain(f"'{current.name}' version {current.version}")
        + " (saved by "
        + plain(current.author)
        + f" on {current.saved_at:%d %b %Y %H:%M} UTC)."
        + (" You have unsaved changes since." if "unsaved" in (state.scenario_status() or "") else "")
    )
    st.markdown("**Share this version**: anyone using this deployment can open it with this link.")
    st.code(state.share_link(current), language=None)

st.subheader("Save")
with st.form("save_scenario"):
    name = st.text_input("Scenario name", value=current.name if current else portfolio.name, max_chars=200)
    author = st.text_input("Your name", value=st.session_state.get(state.AUTHOR, ""), max_chars=200)
    note = st.text_area("Note (what changed and why)", max_chars=2000)
    as_new = st.checkbox(
        "Save as a new scenario",
        value=current is None,
        disabled=current is None,
        help="Unticked: save a new version of the scenario you opened, keeping the earlier ones.",
    )
    submitted = st.form_submit_button("Save", type="primary")
if submitted:
    st.session_state[state.AUTHOR] = author
    try:
        new = as_new or current is None
        info = store.save(
            portfolio,
            name=name,
            author=author,
            note=note,
            scenario_id=None if new else current.scenario_id,
            based_on=None if new else current.version,
        )
    except ConflictError as err:
        st.error(plain(str(err)))
    except StoreError as err:
        st.error(plain(str(err)))
    else:
        state.set_current_scenario(info, portfolio)
        st.query_params.from_dict({"scenario": info.scenario_id, "version": str(info.version)})
        st.session_state[SAVED_FLASH] = f"Saved '{info.name}' as version {info.version}."
        st.rerun()  # show the share link of the version just saved

st.subheader("Saved scenarios")
try:
    saved = store.list()
except StoreError as err:
    st.error(plain(str(err)))
    st.stop()
if not saved:
    st.caption("No scenarios saved yet.")
    st.stop()
st.dataframe(
    pd.DataFrame(
        [
            {
                "name": s.name,
                "latest version": s.version,
                "saved by": s.author,
                "saved (UTC)": s.saved_at.strftime("%Y-%m-%d %H:%M"),
                "note": s.note,
                "id": s.scenario_id,
            }
            for s in saved
        ]
    ),
    hide_index=True,
    width="stretch",
)
names = {s.scenario_id: f"{s.name} ({s.scenario_id})" for s in saved}
chosen = st.selectbox("Scenario", list(names), format_func=names.__getitem__, key="scenario_pick")
try:
    history = store.versions(chosen)
except StoreError as err:
    st.error(plain(str(err)))
    st.stop()
labels = {
    v.version: f"version {v.version} · {v.author} · {v.saved_at:%Y-%m-%d %H:%M}" + (f" · {v.note}" if v.note else "")
    for v in history
}
version = st.selectbox("Version", list(labels), format_func=labels.__getitem__, key="version_pick")
open_col, delete_col = st.columns(2)
with open_col:
    if st.button("Open this version", key="open_scenario", type="primary"):
        try:
            info = state.open_scenario(chosen, version)
        except (StoreError, PortfolioError) as err:
            st.error(plain(f"Could not open it: {err}"))
        else:
            st.session_state["scenario_flash"] = f"Opened '{info.name}' version {info.version}."
            st.rerun()
    if "scenario_flash" in st.session_state:
        st.success(plain(st.session_state.pop("scenario_flash")))
with delete_col:
    sure = st.checkbox("Yes, delete this scenario and all its versions", key="confirm_delete")
    if st.button("Delete scenario", key="delete_scenario", disabled=not sure):
        try:
            store.delete(chosen)
        except StoreError as err:
            st.error(plain(str(err)))
        else:
            if current is not None and current.scenario_id == chosen:
                state.set_current_scenario(None)
                st.query_params.clear()
            st.session_state.pop("confirm_delete", None)
            st.rerun()
