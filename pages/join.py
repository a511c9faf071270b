"""Join a workshop: a participant scores each priority on each criterion, on a phone or a laptop."""

import pandas as pd
import streamlit as st

from optimiser import words
from optimiser.store import StoreError
from optimiser.workshop import SCALE_ANCHORS, WorkshopInputError, anchor_text, spreads, swing_weights
from ui import state
from ui import workshop_state as ws
from ui.charts import spread_chart, spread_frame
from ui.text import plain

state.through_router()

st.title("Join a workshop")
st.caption("Score the priorities the facilitator has chosen. Only you see your answers until the results are revealed.")

try:
    store = ws.workshop_store()
except StoreError as err:
    st.error(plain(str(err)))
    st.stop()

if st.query_params.get("join") and not st.query_params.get("participant"):
    st.session_state.pop(ws.PARTICIPANT, None)  # a join link opened in a session that took part before: join anew
token = ws.token_from_link("participant", ws.PARTICIPANT)

# ------------------------------------------------------------------ joining
if not token:
    join_token = st.query_params.get("join", "")
    workshop = None
    if join_token:
        try:
            workshop = store.joining(join_token)
        except StoreError as err:
            st.error(plain(str(err)))
    if workshop is not None:
        st.subheader(f"Workshop: {plain(workshop.title)}")
    with st.form("join_workshop"):
        code = ""
        if workshop is None:
            code = st.text_input("Workshop code", max_chars=20, help="The 8 letters and digits on the screen.")
        anonymous = workshop is not None and workshop.anonymous
        name = ""
        if anonymous:
            st.caption("This workshop is anonymous: nobody sees who gave which answer.")
        else:
            name = st.text_input(
                "Your display name",
                max_chars=60,
                help="Shown to the facilitator with how many answers you have given"
                + ("; leave it empty if the workshop is anonymous." if workshop is None else "."),
            )
        joined = st.form_submit_button("Join", type="primary")
    if joined:
        try:
            new_token, workshop = store.join(join_token or code, name)
        except StoreError as err:
            st.error(plain(str(err)))
        else:
            st.session_state[ws.PARTICIPANT] = new_token
            st.query_params.from_dict({"participant": new_token})
            st.rerun()
    st.stop()

# ------------------------------------------------------------------ scoring
try:
    me, workshop = store.me(token)
    mine = store.my_answers(token)
except StoreError as err:
    st.error(plain(str(err)))
    if st.button("Join with a code instead", key="forget_participant"):
        st.session_state.pop(ws.PARTICIPANT, None)
        st.query_params.clear()
        st.rerun()
    st.stop()

portfolio = workshop.portfolio
if ws.FLASH in st.session_state:
    st.error(plain(st.session_state.pop(ws.FLASH)))
status = "open for answers" if workshop.is_open else "closed"
st.markdown(f"**{plain(me.shown)}** in the workshop **{plain(workshop.title)}** · round {workshop.round} · {status}")
st.caption(
    "Keep this page's address (it is your personal link): it brings you back to your answers on any device. "
    "Do not share it."
)
with st.expander("Your personal link"):
    st.code(ws.participant_link(token), language=None)
if not workshop.is_open:
    st.warning(f"The workshop '{plain(workshop.title)}' is closed: your answers are kept but can no longer be changed.")

scores = mine.score_of
cells = workshop.cells
given = sum(cell in scores for cell in cells)
st.progress(given / max(len(cells), 1), text=f"You have given {given} of {len(cells)} scores in this round.")


def _save(cell: tuple[str, str], key: str) -> None:
    value = st.session_state.get(key)
    if value is None:
        return
    try:
        store.save_scores(token, {cell: float(value)})
    except StoreError as err:
        st.session_state[ws.FLASH] = str(err)


def _save_swings(keys: dict[str, str]) -> None:
    values = {c: float(st.session_state[k]) for c, k in keys.items() if st.session_state.get(k) is not None}
    try:
        total = sum(c.weight for c in portfolio.criteria if c.name in workshop.criteria)
        swing_weights(values, workshop.criteria, total)  # refuse a set without a top criterion at 100
        store.save_swings(token, values)
    except (StoreError, WorkshopInputError) as err:
        st.session_state[ws.FLASH] = str(err)


labels = {c.name: c.display for c in portfolio.criteria}
if workshop.weighting:
    with st.expander("Weight the criteria (swing weighting)", expanded=not mine.swings):
        st.caption(
            "Think of a priority moving from the worst to the best on each criterion. Give 100 to the criterion "
            "where that move matters most, and every other criterion a percentage of it."
        )
        swing_keys = {c: f"swing_{workshop.id}_{c}" for c in workshop.criteria}
        have = mine.swing_of
        with st.form("swings"):
            for criterion, key in swing_keys.items():
                st.number_input(
                    plain(labels.get(criterion, criterion)),
                    min_value=0.0,
                    max_value=100.0,
                    value=float(have.get(criterion, 100.0 if criterion == workshop.criteria[0] else 50.0)),
                    step=5.0,
                    key=key,
                    disabled=not workshop.is_open,
                )
            st.form_submit_button(
                "Save my weights", on_click=_save_swings, args=(swing_keys,), disabled=not workshop.is_open
            )
        if mine.swings:
            st.caption("Saved: " + plain(", ".join(f"{labels.get(c, c)} {v:g}" for c, v in mine.swings)))

st.subheader("Score the priorities")
st.caption("Scale: " + anchor_text() + ".")
order = list(workshop.round_priorities)
pick_key = f"priority_pick_{workshop.id}_{workshop.round}"
st.session_state.setdefault(pick_key, order[0])
if st.session_state[pick_key] not in order:
    st.session_state[pick_key] = order[0]


def _move(step: int) -> None:
    at = order.index(st.session_state[pick_key])
    st.session_state[pick_key] = order[min(max(at + step, 0), len(order) - 1)]


def _label(pid: str) -> str:
    done = sum((pid, c) in scores for c in workshop.criteria)
    mark = "✓ " if done == len(workshop.criteria) else f"{done}/{len(workshop.criteria)} · "
    return mark + words.name_of(portfolio, pid)


pid = st.selectbox("Priority", order, format_func=_label, key=pick_key)
prev_col, count_col, next_col = st.columns([1, 2, 1])
prev_col.button("Previous", key="previous_priority", on_click=_move, args=(-1,), disabled=pid == order[0])
count_col.caption(f"Priority {order.index(pid) + 1} of {len(order)}")
next_col.button("Next", key="next_priority", on_click=_move, args=(1,), disabled=pid == order[-1], type="primary")

priority = portfolio.priority(pid)
st.markdown(f"### {plain(priority.name)} ({plain(pid)})")
st.caption(
    plain(f"{priority.source.capitalize()} · theme {priority.theme} · owner {priority.owner} · {priority.horizon}-term")
)
anchors = dict(SCALE_ANCHORS)
for criterion in workshop.criteria:
    key = f"score_{workshop.id}_{pid}_{criterion}"
    stored = scores.get((pid, criterion))
    st.radio(
        plain(labels.get(criterion, criterion)),
        list(range(11)),
        index=None if stored is None else int(round(stored)),
        format_func=lambda v: f"{v} {anchors[v]}" if v in (0, 10) else str(v),
        horizontal=True,
        key=key,
        on_change=_save,
        args=((pid, criterion), key),
        disabled=not workshop.is_open,
    )

# ------------------------------------------------------------------ revealed results
if workshop.revealed:
    st.subheader("The group's results")
    try:
        everyone = store.revealed_answers(token)
    except StoreError as err:
        st.error(plain(str(err)))
        st.stop()
    position = {p: i for i, p in enumerate(workshop.priorities)}
    criterion_position = {c: i for i, c in enumerate(workshop.criteria)}
    cells_spread = sorted(
        (c for c in spreads(everyone, workshop.aggregation) if c.priority_id in position),
        key=lambda c: (position[c.priority_id], criterion_position.get(c.criterion, 0)),
    )
    if cells_spread:
        st.caption(
            f"Scores from {sum(1 for a in everyone if a.scores)} participants; the group's figure is the "
            f"{workshop.aggregation}. Names are not shown. The chart is for the priority shown above; the table "
            "has every priority."
        )
        shown = [c for c in cells_spread if c.priority_id == pid]
        if shown:
            frame = spread_frame(portfolio, shown, limit=1, with_ids=False)
            st.altair_chart(spread_chart(frame, workshop.aggregation), width="stretch")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "priority": words.name_of(portfolio, c.priority_id),
                        "criterion": labels.get(c.criterion, c.criterion),
                        "your score": scores.get((c.priority_id, c.criterion)),
                        f"group ({workshop.aggregation})": c.group,
                        "lowest": c.low,
                        "highest": c.high,
                    }
                    for c in cells_spread
                ]
            ),
            hide_index=True,
            width="stretch",
        )
else:
    st.caption("The facilitator will reveal the group's results when everyone has answered.")
