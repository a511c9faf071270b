"""Compare: two to four scenarios side by side."""

import pandas as pd
import streamlit as st

from optimiser import words
from optimiser.domain import HORIZON_LABELS
from optimiser.figures import horizon_shares
from optimiser.store import StoreError
from ui import state
from ui.charts import capacity_frame, compare_capacity_chart, compare_horizon_chart
from ui.plan_charts import plans_side_by_side
from ui.text import plain

state.through_router()

CURRENT = "__current__"

st.title("Compare scenarios")
st.caption(
    "Pick two to four scenarios: what each keeps, their headline figures, and their balance and capacity "
    "use on the same scales."
)

options = {CURRENT: "Current scenario (as it is now)"}
try:
    for latest in state.store().list():
        for info in state.store().versions(latest.scenario_id):
            options[f"{info.scenario_id}@{info.version}"] = (
                f"{info.name} · version {info.version} ({info.saved_at:%d %b %Y %H:%M}, {info.author})"
            )
except StoreError as err:
    st.warning(plain(f"{err} Only the current scenario can be shown."))

chosen = st.multiselect(
    "Scenarios",
    list(options),
    default=list(options)[:2],
    max_selections=4,
    format_func=options.__getitem__,
    key="compare_pick",
)
if not chosen:
    st.info("Pick at least two scenarios (save some on the Scenarios page).")
    st.stop()
if len(chosen) < 2:
    st.info(
        "Pick at least two scenarios to compare them (save some on the Scenarios page). A multi-year plan is "
        "compared below with its own one-year selection."
    )

solved = []
for key in chosen:
    if key == CURRENT:
        portfolio, label = state.portfolio(), "Current"
    else:
        scenario_id, _, version = key.rpartition("@")
        try:
            portfolio, info = state.store().load(scenario_id, int(version))
        except (StoreError, ValueError) as err:
            st.error(plain(f"{options[key]} could not be opened: {err}"))
            continue
        label = f"{info.name} v{info.version}"
    if label in [s[0] for s in solved]:
        label = f"{label} ({key})"
    solved.append(
        (
            label,
            portfolio,
            state.cached_solve(portfolio, st.session_state[state.SOLVER], float(st.session_state[state.TIME_LIMIT])),
        )
    )

headline = []
for label, portfolio, result in solved:
    row = {
        "scenario": label,
        "status": result.status,
        "kept": f"{len(result.kept)} of {len(portfolio.priorities)}" if result.has_selection else "-",
        "proven optimal": "yes" if result.proven else "no",
        "net value": round(result.objective, 1) if result.has_selection else None,
        "weighted value": round(result.value, 1) if result.has_selection else None,
        "drop penalty": round(result.drop_penalty, 1) if result.has_selection else None,
        "balance measured on": portfolio.balance_capacity.display,
    }
    for use in result.capacity if result.has_selection else ():
        row[f"{use.label or use.dimension} used / usable"] = f"{use.used:,.1f} / {use.usable:,.1f}"
    headline.append(row)
st.subheader("Headline figures")
st.dataframe(pd.DataFrame(headline), hide_index=True, width="stretch")
st.caption(f"Net value = weighted value ({words.VALUE_TERMS['weighted value']}) minus drop penalty.")
for label, _, result in solved:
    if not result.has_selection:
        st.warning(plain(f"{label}: no selection ({result.message})"))

st.subheader("What each keeps")
all_ids: dict[str, str] = {}
for _, portfolio, _ in solved:
    for p in portfolio.priorities:
        all_ids.setdefault(p.id, p.name)
diff_rows = []
for pid, name in all_ids.items():
    row = {"id": pid, "name": name}
    marks = []
    for label, portfolio, result in solved:
        present = any(p.id == pid for p in portfolio.priorities)
        mark = "not in portfolio" if not present else ("kept" if pid in result.kept else "dropped")
        row[label] = mark
        marks.append(mark)
    kept_in = sum(m == "kept" for m in marks)
    row["in the scenarios"] = (
        "kept in all" if kept_in == len(marks) else "dropped in all" if kept_in == 0 else "only in some"
    )
    diff_rows.append(row)
diff = pd.DataFrame(diff_rows)
only_some = st.toggle("Show only priorities kept in some but not all", value=True, key="compare_only_diff")
st.dataframe(diff[diff["in the scenarios"] == "only in some"] if only_some else diff, hide_index=True, width="stretch")
st.caption(
    f"Kept in all: {(diff['in the scenarios'] == 'kept in all').sum()} · only in some: "
    f"{(diff['in the scenarios'] == 'only in some').sum()} · dropped in all: "
    f"{(diff['in the scenarios'] == 'dropped in all').sum()}"
)

horizon_rows, capacity_rows = [], []
for label, portfolio, result in solved:
    if not result.has_selection:
        continue
    for h in horizon_shares(portfolio, set(result.kept)):
        horizon_rows.append({"scenario": label, "horizon": h.horizon, "share_pct": round(h.kept_pct, 1)})
    frame = capacity_frame(result)
    frame["scenario"] = label
    capacity_rows.append(frame)
if horizon_rows:
    horizons = pd.DataFrame(horizon_rows)
    horizons["horizon"] = horizons["horizon"].map(HORIZON_LABELS)
    left, right = st.columns(2)
    left.altair_chart(compare_horizon_chart(horizons), width="stretch")
    right.altair_chart(compare_capacity_chart(pd.concat(capacity_rows, ignore_index=True)), width="stretch")

# ------------------------------------------------------------------ multi-year plans (roadmaps)
planned = [(label, portfolio) for label, portfolio, _ in solved if portfolio.is_multi_year]
st.subheader("Roadmaps: the plan beside the one-year selection")
if not planned:
    st.caption(
        "None of these scenarios is a multi-year plan. Set a plan length on Capacity and rules (or load the "
        "five-year sample on Roadmap) to compare a plan with the one-year selection."
    )
else:
    st.caption(
        "For each multi-year scenario: when each priority starts in its plan, beside the one-year selection of the "
        "same scenario (the same priorities and rules, first year only). One-year scenarios show what they keep."
    )
    entries: list[tuple[str, object, object]] = []
    unsolved: list[str] = []
    solver, time_limit = state.solver_settings()
    for label, portfolio, result in solved:
        if portfolio.is_multi_year:
            with st.spinner(f"Solving the plan of {label}…"):
                plan = state.cached_plan(portfolio, solver, time_limit)
            if not plan.has_selection:
                unsolved.append(f"{label}: no plan ({plan.message})")
                continue
            entries.append((f"{label}: {portfolio.plan.years}-year plan", portfolio, plan))
            one = state.one_year(portfolio)
            entries.append(
                (f"{label}: one year ({one.plan.labels[0]})", one, state.cached_solve(one, solver, time_limit))
            )
        elif result.has_selection:
            entries.append((f"{label}: one year", portfolio, result))
    for text in unsolved:
        st.warning(plain(text))
    if entries:
        side = plans_side_by_side(entries)
        only_diff = st.toggle("Show only priorities on which they differ", value=True, key="compare_plans_only_diff")
        shown = side[side["differs"]] if only_diff else side
        st.dataframe(shown.drop(columns="differs"), hide_index=True, width="stretch", key="compare_plans_table")
        st.caption(
            f"Delivered in all: {(side['in each'] == 'in all').sum()} · only in some: "
            f"{(side['in each'] == 'only in some').sum()} · in none: {(side['in each'] == 'in none').sum()} · "
            f"differ (a start year, a stop, or in one and not another): {int(side['differs'].sum())}"
        )
