"""Roadmap: the multi-year plan: what starts when, what is deferred, what is stopped and what that frees."""

import streamlit as st

from optimiser import words
from optimiser.exports import roadmap_workbook
from optimiser.plan_diagnosis import apply_plan_fixes
from reports.board_pack import board_pack_html, html_to_pdf
from ui import state
from ui.plan_charts import (
    GROUP_BY,
    balance_years_chart,
    balance_years_frame,
    capacity_worth_frame,
    capacity_years_chart,
    capacity_years_frame,
    deferred_frame,
    gantt_chart,
    gantt_frame,
    not_started_frame,
    plan_summary,
    priority_label,
    roadmap_frame,
    stop_frame,
    year_rules_frame,
)
from ui.text import plain

state.through_router()

MAX_GANTT_ROWS = 200  # rows drawn on the Gantt (a large portfolio's plan is in the tables in full)

st.title("Roadmap")
st.caption(
    "The plan over several years: which priorities start in which year, which existing activities to stop to "
    "make room, and how each year's capacity and balance look."
)

portfolio = state.portfolio()
labels = portfolio.plan.labels

if not portfolio.is_multi_year:
    st.info(
        f"This scenario is a one-year selection ({labels[0]}): the Rationalise page shows it. Set a plan length of "
        "two or more years on Capacity and rules to see a roadmap."
        + (" Or open the five-year sample." if state.plan_sample_available() else "")
    )
    link_col, sample_col, _ = st.columns([1, 1, 2])
    link_col.page_link("pages/capacity_and_rules.py", label="Set a plan length", icon=":material/tune:")
    if state.plan_sample_available() and sample_col.button("Load the five-year sample", key="roadmap_load_sample"):
        state.use_plan_sample()
        st.rerun()
    st.stop()

plan = state.current_plan()
scenario_line = state.scenario_status()
if scenario_line:
    st.caption(plain(scenario_line))

if not plan.has_selection:
    if plan.status == "infeasible":
        st.error("No plan meets every rule. What conflicts, and in which years:")
        for conflict in plan.conflicts:
            st.markdown("- " + plain(conflict.text))
        if plan.options:
            st.subheader("Changes that each make a plan possible")
            st.caption(
                "Each option was checked by re-solving the changed plan. Apply one and the roadmap follows (undo in the sidebar)."
            )
            for i, option in enumerate(plan.options):
                st.markdown(f"**Option {i + 1}**: " + plain(option.text))
                if st.button(
                    "Apply this option", key=f"roadmap_apply_option_{i}", type="primary" if i == 0 else "secondary"
                ):
                    state.set_portfolio(apply_plan_fixes(portfolio, option.fixes), from_outside=True)
                    st.rerun()
        else:
            st.info(
                "No single change checked here makes a plan possible: relax a deadline, a year lock or a year's capacity."
            )
    else:
        st.error(plain(f"No plan to show: {plan.message} Try a longer time limit in the sidebar."))
    rules = year_rules_frame(portfolio)
    if not rules.empty:
        st.markdown("**Year locks and forbidden years in this scenario** (one may be the cause)")
        for row in rules.itertuples():
            text_col, button_col = st.columns([5, 1])
            text_col.markdown(plain(row.rule))
            if button_col.button("Remove", key=f"infeasible_remove_{row.kind}_{row.id}_{row.year}"):
                state.set_portfolio(state.without_year_rule(portfolio, row.kind, row.id, int(row.year)))
                st.rerun()
    st.stop()

status = plan.message
if plan.status == "feasible":
    st.warning(plain(status) + " Try a longer time limit in the sidebar to prove it.")
st.markdown("**" + plain(plan_summary(portfolio, plan)) + "**")
last = state.last_plan_change_text()
if last is not None:
    change_col, undo_col = st.columns([6, 1])
    change_col.info(plain(last))
    if undo_col.button("Undo", key="roadmap_undo", width="stretch", disabled=not st.session_state.get(state.HISTORY)):
        state.undo()
        st.rerun()

# ------------------------------------------------------------------ the Gantt
group_col, show_col, status_col = st.columns([2, 2, 3], vertical_alignment="center")
group_by = group_col.radio(
    "Group and colour by",
    list(GROUP_BY),
    format_func=lambda g: f"By {GROUP_BY[g].lower()}",
    horizontal=True,
    label_visibility="collapsed",
    key="roadmap_group_by",
)
show_waiting = show_col.toggle("Show priorities not started", value=False, key="roadmap_show_not_started")
if plan.status == "optimal":
    status_col.caption(plain(status))
gantt = gantt_frame(portfolio, plan, group_by, include_not_started=show_waiting)
if len(gantt) > MAX_GANTT_ROWS:
    st.caption(
        f"The chart shows the first {MAX_GANTT_ROWS} of {len(gantt):,} rows (by group, then start); every priority "
        "is in the tables below."
    )
    gantt = gantt.head(MAX_GANTT_ROWS)
st.container(key="roadmap_gantt").altair_chart(gantt_chart(gantt, plan.years, group_by), width="stretch")

# ------------------------------------------------------------------ locks to a year and forbidden years
with st.container(border=True, key="roadmap_year_rules"):
    st.markdown("**Lock a priority to a year, or forbid a year** (for this scenario; undo in the sidebar)")
    ids = [p.id for p in portfolio.priorities]
    names = {p.id: priority_label(p) for p in portfolio.priorities}
    pick_col, year_col = st.columns([3, 1])
    chosen = pick_col.selectbox("Priority", ids, format_func=names.__getitem__, key="roadmap_lock_priority")
    year = year_col.selectbox(
        "Year", list(range(1, len(labels) + 1)), format_func=lambda t: labels[t - 1], key="roadmap_lock_year"
    )
    existing = portfolio.priority(chosen).existing
    lock_col, forbid_col, _ = st.columns([1, 1, 1])
    if lock_col.button(
        "Stop it from this year" if existing else "Lock it to start in this year",
        key="roadmap_lock",
        help="A new priority is locked to start in this year (any earlier lock of it is replaced); an existing "
        "activity is stopped from this year.",
        width="stretch",
    ):
        state.set_portfolio(state.with_year_lock(portfolio, chosen, int(year)))
        st.rerun()
    if forbid_col.button(
        "Forbid starting in this year",
        key="roadmap_forbid",
        help="The priority may not start in this year.",
        width="stretch",
    ):
        state.set_portfolio(state.with_forbidden_start(portfolio, chosen, int(year)))
        st.rerun()
    rules = year_rules_frame(portfolio)
    if rules.empty:
        st.caption("No priority is locked to a year and no year is forbidden.")
    for row in rules.itertuples():
        text_col, button_col = st.columns([6, 1])
        text_col.markdown(("🔒 " if row.kind == "lock" else "⛔ ") + plain(row.rule))
        if button_col.button("Remove", key=f"roadmap_remove_{row.kind}_{row.id}_{row.year}", width="stretch"):
            state.set_portfolio(state.without_year_rule(portfolio, row.kind, row.id, int(row.year)))
            st.rerun()

# ------------------------------------------------------------------ capacity and balance per year
capacity = capacity_years_frame(portfolio, plan)
dims = list(dict.fromkeys(capacity["dimension"]))
st.subheader("Capacity and balance, year by year")
dimension = st.radio("Capacity", dims, horizontal=True, key="roadmap_capacity_dimension") if len(dims) > 1 else dims[0]
st.container(key="roadmap_capacity").altair_chart(capacity_years_chart(capacity, dimension), width="stretch")
bands = "; ".join(f"{b.horizon}-term {b.min_pct:g}-{b.max_pct:g}%" for b in portfolio.rules.horizon_bands)
st.container(key="roadmap_balance").altair_chart(
    balance_years_chart(
        balance_years_frame(portfolio, plan),
        f"{portfolio.balance_capacity.display.lower()} capacity",
        f"Bands over the plan: {bands}" if bands else "",
    ),
    width="stretch",
)
for note in plan.binding:
    st.caption(plain(note.text))

# ------------------------------------------------------------------ stop list, deferred, not started
st.subheader("What we stop, and what that frees")
stops = stop_frame(portfolio, plan)
if stops.empty:
    existing_count = sum(p.existing for p in portfolio.priorities)
    st.caption(
        "The plan continues every existing activity."
        if existing_count
        else "No priority is marked as an existing activity (the Priorities table's 'existing' column)."
    )
else:
    st.dataframe(stops, hide_index=True, width="stretch", key="roadmap_stops")
st.subheader("Deferred: delivered, but not started in the first year")
deferred = deferred_frame(portfolio, plan)
if deferred.empty:
    st.caption(f"Everything the plan delivers starts in {labels[0]}.")
else:
    st.dataframe(deferred, hide_index=True, width="stretch", key="roadmap_deferred")
st.subheader("Not started in the plan")
waiting = not_started_frame(portfolio, plan)
if waiting.empty:
    st.caption("The plan starts every priority.")
else:
    st.dataframe(waiting, hide_index=True, width="stretch", key="roadmap_not_started")

with st.expander("Every priority in the plan"):
    st.dataframe(roadmap_frame(portfolio, plan), hide_index=True, width="stretch", key="roadmap_all")

# ------------------------------------------------------------------ why?
st.subheader("Why?")
st.caption(
    "Pick a priority: why it starts (or stops) when it does, what starting it a year earlier would do and, for one "
    "with a deadline, what deferring the deadline a year would free. The last two re-solve the whole plan."
)
why_ids = [p.id for p in portfolio.priorities]
asked = st.selectbox(
    "Pick a priority to see why it is where it is in the plan",
    why_ids,
    index=None,
    format_func=names.__getitem__,
    placeholder="Choose a priority",
    key="roadmap_why_priority",
)
solver, time_limit = state.solver_settings()
if asked is not None:
    picked = portfolio.priority(asked)
    with st.container(border=True, key="roadmap_why"):
        st.markdown(plain(words.plan_why_text(portfolio, state.cached_why_start(portfolio, plan, asked))))
        row = plan.row(asked)
        if row.status == "started" and (row.start or 1) > 1:
            earlier = state.cached_start_earlier(portfolio, plan, asked, solver, time_limit)
            st.markdown("**A year earlier:** " + plain(words.plan_start_earlier_text(portfolio, earlier)))
        if picked.deadline is not None and not picked.existing:
            deferred_answer = state.cached_defer_deadline(portfolio, plan, asked, solver, time_limit)
            st.markdown(
                "**Its deadline a year later:** " + plain(words.plan_defer_deadline_text(portfolio, deferred_answer))
            )

st.markdown("**What each capacity is worth, year by year**")
worth_key = (portfolio, plan)
if st.session_state.get(state.CAPACITY_WORTH_ASKED) != worth_key:
    st.caption(
        "The change in the plan's net value if a capacity had 10% more available in one year (each re-solved; a "
        "year in which everything that could be under way fits is not binding and needs no re-solve)."
    )
    if st.button("Work out what each capacity is worth", key="roadmap_capacity_worth"):
        st.session_state[state.CAPACITY_WORTH_ASKED] = worth_key
        st.rerun()
else:
    worths = state.cached_capacity_worth(portfolio, plan, solver, time_limit)
    st.dataframe(
        capacity_worth_frame(portfolio, plan, worths), hide_index=True, width="stretch", key="roadmap_worth_table"
    )
    with st.expander("Each figure in words"):
        for worth in worths:
            st.markdown("- " + plain(words.plan_capacity_worth_text(portfolio, worth)))

# ------------------------------------------------------------------ exports
st.subheader("Export")
excel_col, pack_col = st.columns(2)
excel_col.download_button(
    "Download the roadmap (.xlsx)",
    roadmap_workbook(portfolio, plan),
    file_name="roadmap.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="roadmap_download_xlsx",
)
excel_col.caption(
    "Roadmap (each priority's status, start, finish, stop year and cost in each year), capacity by year and the "
    "plan's assumptions."
)
with pack_col:
    scenario = st.session_state.get(state.CURRENT_SCENARIO)
    title = scenario.name if scenario is not None else portfolio.name
    pack = st.session_state.get(state.ROADMAP_PACK)
    if pack is None or pack[0] != (portfolio, plan):
        if st.button("Prepare the board pack with this roadmap (PDF)", key="roadmap_prepare_pack"):
            result = state.current_result()
            if not result.has_selection:
                st.error(plain(f"The board pack needs the one-year selection, and there is none: {result.message}"))
            else:
                with st.spinner("Drawing the charts and laying out the pages…"):
                    document = board_pack_html(portfolio, result, title, plan=plan)
                    st.session_state[state.ROADMAP_PACK] = ((portfolio, plan), html_to_pdf(document))
                st.rerun()
    else:
        st.download_button(
            "Download the board pack (.pdf)",
            pack[1],
            file_name="board_pack_roadmap.pdf",
            mime="application/pdf",
            key="roadmap_download_pack",
        )
    st.caption(
        "The board pack of the Rationalise page with this roadmap after its summary: the Gantt, the stop list and what is deferred."
    )
st.caption(plain(f"Portfolio: {portfolio.name} · plan solved by {plan.solver} in {plan.seconds:.2f} s."))
