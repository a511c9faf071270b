"""Priorities: view and edit the wish-list; load and save portfolio files."""

import pandas as pd
import streamlit as st

from optimiser.domain import (
    HORIZONS,
    READINESS_FACTORS,
    READINESS_MAX,
    READINESS_MIN,
    READINESS_SCALE,
    SCORE_MAX,
    SOURCES,
)
from optimiser.errors import PortfolioError
from optimiser.excel import template_workbook
from optimiser.exports import to_safe_csv
from optimiser.formats import load_upload, portfolio_to_json, priorities_frame
from optimiser.parsing import COST_PREFIX, RANGES_COLUMN, READY_PREFIX, SCORE_PREFIX, replace_priorities
from ui import state
from ui.problems import problems_frame
from ui.text import plain

state.through_router()

BASE = "priorities_table_base"
BASE_SIGNATURE = "priorities_table_signature"
EDITOR_VERSION = "priorities_editor_version"
UPLOAD_ERRORS = "priorities_upload_errors"
FLASH = "priorities_flash"
PENDING = "priorities_pending_upload"

st.title("Priorities")
st.caption(
    "The wish-list the board is choosing from. Edit any cell, add rows at the bottom or delete rows; "
    "the model uses the table as soon as it is valid, and a bad edit never replaces the last valid portfolio."
)

portfolio = state.portfolio()
st.caption(
    f"Portfolio: **{len(portfolio.priorities)} priorities** · loaded from the "
    + plain(st.session_state[state.SOURCE_LABEL])
)
if FLASH in st.session_state:
    st.success(plain(st.session_state.pop(FLASH)))

# The editor starts from a fixed base table; its key changes only when the portfolio is
# replaced from outside or its columns change, so the user's edits are never lost.
signature = (state.revision(), tuple(d.name for d in portfolio.dimensions), tuple(c.name for c in portfolio.criteria))
if st.session_state.get(BASE_SIGNATURE) != signature:
    st.session_state[BASE] = priorities_frame(portfolio)
    st.session_state[BASE_SIGNATURE] = signature
    st.session_state[EDITOR_VERSION] = st.session_state.get(EDITOR_VERSION, -1) + 1
    st.session_state.pop(state.UNAPPLIED_EDITS, None)  # the portfolio was replaced: its old edits no longer apply
unapplied = st.session_state.get(state.UNAPPLIED_EDITS)
if unapplied is not None and f"priorities_editor_{st.session_state[EDITOR_VERSION]}" not in st.session_state:
    # Back on this page after leaving it with edits that could not be applied: show them again, not the
    # last valid portfolio, so that nothing the user typed is lost.
    st.session_state[BASE] = unapplied.table
    st.session_state[EDITOR_VERSION] += 1

column_config: dict[str, object] = {
    "id": st.column_config.TextColumn("id", required=True, help="Short unique id, e.g. UEC01", max_chars=40),
    "name": st.column_config.TextColumn("name", required=True, width="large"),
    "source": st.column_config.SelectboxColumn("source", options=list(SOURCES), required=True),
    "owner": st.column_config.TextColumn("owner"),
    "theme": st.column_config.TextColumn("theme"),
    "horizon": st.column_config.SelectboxColumn(
        "horizon",
        options=list(HORIZONS),
        required=True,
        help="short: within 12 months; medium: 1-3 years; long: 3+ years",
    ),
    "must_do": st.column_config.CheckboxColumn("must_do", default=False, help="National must-do: always kept"),
    "sensitivity": st.column_config.NumberColumn(
        "sensitivity",
        default=0.0,
        help="How hard it is to drop, 0 (easy) to 5 (very hard)",
    ),
    "requires": st.column_config.TextColumn("requires", help="Ids it requires, separated by ; or ,"),
    "excludes": st.column_config.TextColumn("excludes", help="Ids it is an alternative to, separated by ; or ,"),
}
for d in portfolio.dimensions:
    column_config[COST_PREFIX + d.name] = st.column_config.NumberColumn(
        f"{d.display} ({d.unit})" if d.unit else d.display,
        help=plain(f"{d.display} capacity needed, in {d.unit or 'units'}"),  # help renders Markdown
    )
for c in portfolio.criteria:
    column_config[SCORE_PREFIX + c.name] = st.column_config.NumberColumn(
        f"Score: {c.display}", help=plain(f"Score for {c.display}, 0 to {SCORE_MAX:g}")
    )

for factor, label in READINESS_FACTORS:
    column_config[READY_PREFIX + factor] = st.column_config.NumberColumn(
        f"Ready: {label}",
        min_value=READINESS_MIN,
        max_value=READINESS_MAX,
        step=1,
        format="%d",
        help=plain(
            f"Readiness on '{label}': "
            + ", ".join(f"{n} {word.lower()}" for n, word in READINESS_SCALE.items())
            + "; blank: not assessed"
        ),
    )
column_config[RANGES_COLUMN] = st.column_config.TextColumn(
    "ranges (low..high)",
    help=plain(
        "Uncertain scores or costs, e.g. score:outcomes=6..9; cost:operational=2..4. The score or cost in its own "
        "column is the likely figure. Used by the robustness test on Rationalise."
    ),
)

# A multi-year plan's columns (Roadmap page); years are plan years: 1 is the plan's first year.
year_help = ", ".join(f"{t} = {label}" for t, label in enumerate(portfolio.plan.labels[:3], start=1)) + (
    ", ..." if portfolio.plan.years > 3 else ""
)
dimension_names = ", ".join(d.name for d in portfolio.dimensions[:3])
column_config |= {
    "duration": st.column_config.NumberColumn(
        "duration (years)",
        min_value=1,
        step=1,
        help="Years of delivery effort in a multi-year plan; blank: 1.",
    ),
    "earliest_start": st.column_config.NumberColumn(
        "earliest start (year)",
        min_value=1,
        step=1,
        help=plain(f"The first plan year it may start in ({year_help}); blank: the first year."),
    ),
    "deadline": st.column_config.NumberColumn(
        "deadline (year)",
        min_value=1,
        step=1,
        help=plain(
            f"The plan year by which it must be finished when kept ({year_help}); a must-do is always delivered by "
            "it. Blank: no deadline."
        ),
    ),
    "existing": st.column_config.CheckboxColumn(
        "existing",
        default=False,
        help="Already running: the plan continues it or stops it from a year, freeing its cost from then on.",
    ),
    "alongside": st.column_config.TextColumn(
        "may run alongside",
        help="Prerequisites (of requires) that only need to have started, not finished; ids separated by ; or ,",
    ),
    "lags": st.column_config.TextColumn(
        "lags (years)",
        help=plain("Years to wait after a prerequisite finishes, e.g. LOC-NH04: 1; LOC-DIG01: 2"),
    ),
    "gains": st.column_config.TextColumn(
        "capacity gained",
        help=plain(
            "Capability building: capacity added each year after it finishes, e.g. improvement_support: 20 "
            f"(capacity names: {dimension_names})"
        ),
    ),
    "cost_profile": st.column_config.TextColumn(
        "cost per delivery year",
        help=plain(
            "Cost in each year of delivery, per capacity, e.g. operational: 54, 40; revenue: 700, 420. Blank: the "
            "cost column every year."
        ),
    ),
}

edited = st.data_editor(
    st.session_state[BASE],
    key=f"priorities_editor_{st.session_state[EDITOR_VERSION]}",
    num_rows="dynamic",
    hide_index=True,
    column_config=column_config,
    height=520,
)

try:
    updated = replace_priorities(portfolio, edited.to_dict(orient="records"))
except PortfolioError as err:
    st.session_state[state.UNAPPLIED_EDITS] = state.UnappliedEdits(edited.copy(), err)
    st.error(
        "This edit is not used yet: the model keeps the last valid portfolio until these are fixed. "
        "Your edits stay in the table, also when you leave this page and come back."
    )
    st.dataframe(problems_frame(err), hide_index=True, width="stretch", key="priority_edit_problems")
    if st.button("Discard my unapplied edits", key="discard_edits"):
        st.session_state.pop(state.UNAPPLIED_EDITS, None)
        st.session_state[BASE] = priorities_frame(portfolio)
        st.session_state[EDITOR_VERSION] += 1
        st.session_state[FLASH] = "Your unapplied edits were discarded; the table shows the portfolio in use."
        st.rerun()
else:
    st.session_state.pop(state.UNAPPLIED_EDITS, None)
    if updated != portfolio:
        state.set_portfolio(updated)
        portfolio = updated
        st.caption(f"Edit applied: {len(updated.priorities)} priorities.")

st.subheader("Load or save")
left, right = st.columns(2)
with left:
    upload = st.file_uploader(
        "Load an Excel workbook (.xlsx), a portfolio file (.json) or a priorities table (.csv)",
        type=["xlsx", "json", "csv"],
        key=f"portfolio_upload_{state.revision()}",
        help="A workbook or .json file replaces everything (capacities, criteria, rules, priorities). "
        "A .csv table replaces only the priorities and keeps the current capacities, criteria and rules.",
    )
    if upload is not None and st.session_state.get(state.LAST_UPLOAD) != upload.file_id:
        st.session_state[state.LAST_UPLOAD] = upload.file_id
        st.session_state.pop(PENDING, None)
        try:
            loaded = load_upload(upload.name, upload.getvalue(), state.portfolio())
        except PortfolioError as err:
            st.session_state[UPLOAD_ERRORS] = (upload.file_id, err)
        else:
            st.session_state.pop(UPLOAD_ERRORS, None)
            st.session_state[PENDING] = (upload.file_id, upload.name, loaded)
    failed = st.session_state.get(UPLOAD_ERRORS)
    if failed and upload is not None and failed[0] == upload.file_id:
        count = len(failed[1].problems)
        st.error(
            plain(upload.name) + " was not loaded; the current portfolio is unchanged. "
            f"Fix {'this problem' if count == 1 else f'these {count} problems'} and load it again:"
        )
        st.dataframe(problems_frame(failed[1]), hide_index=True, width="stretch")
    pending = st.session_state.get(PENDING)
    if pending and upload is not None and pending[0] == upload.file_id:
        _, file_name, loaded = pending
        st.success(
            plain(file_name) + f" is valid: {len(loaded.priorities)} priorities, {len(loaded.dimensions)} capacity "
            f"dimensions, {len(loaded.criteria)} criteria. Replace the current portfolio "
            f"({len(state.portfolio().priorities)} priorities) with it?"
        )
        if st.button("Replace the current portfolio", key="confirm_replace", type="primary"):
            state.set_portfolio(loaded, source=f"file {file_name}", from_outside=True)
            state.set_current_scenario(None)
            st.session_state.pop(PENDING, None)
            st.session_state[FLASH] = f"Loaded {len(loaded.priorities)} priorities from {file_name}."
            st.rerun()
    if st.button("Reset to the sample portfolio", key="reset_sample"):
        state.set_portfolio(state.load_sample(), source="built-in sample portfolio", from_outside=True)
        st.session_state[FLASH] = "The sample portfolio is loaded again."
        st.rerun()
with right:
    current = state.portfolio()
    st.download_button(
        "Download the Excel template (filled with this portfolio)",
        template_workbook(current),
        file_name="priorities_template.xlsx",
        key="download_template",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    st.download_button(
        "Download portfolio (.json)",
        portfolio_to_json(current),
        file_name="portfolio.json",
        mime="application/json",
        key="download_json",
    )
    st.download_button(
        "Download priorities table (.csv)",
        to_safe_csv(priorities_frame(current)),
        file_name="priorities.csv",
        mime="text/csv",
        key="download_csv",
    )
    st.caption(
        "The template has an instructions sheet and drop-down lists for source, horizon and must-do. "
        "The .json file holds everything needed to solve; the .csv table opens in a spreadsheet."
    )

with st.expander("Summary by theme"):
    frame = pd.DataFrame(
        [{"theme": p.theme, "source": p.source, "must_do": p.must_do} for p in state.portfolio().priorities]
    )
    summary = frame.groupby("theme").agg(priorities=("theme", "size"), must_dos=("must_do", "sum")).reset_index()
    st.dataframe(summary, hide_index=True)
