"""Compare: two to four scenarios side by side."""

import pandas as pd
import streamlit as st

from optimiser import words
from optimiser.domain import HORIZON_LABELS
from optimiser.figures import horizon_shares
from optimiser.store import StoreError
from ui import state
from ui.charts import capacity_frame, compare_capacity_chart, compare_horizon_chart
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
if len(chosen) < 2:
    st.info("Pick at least two scenarios (save some on the Scenarios page).")
    st.stop()

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
