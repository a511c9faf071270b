"""Workshop: the facilitator starts a group scoring session, watches it live, reveals, and adopts the result."""

import pandas as pd
import streamlit as st

from optimiser import words
from optimiser.store import StoreError
from optimiser.workshop import AGGREGATIONS
from ui import state
from ui import workshop_state as ws
from ui.charts import spread_chart, spread_frame
from ui.text import plain

state.through_router()

CLOSE_CALLS = "Close calls"

st.title("Workshop")
st.caption(
    "Let the board score together: each person scores on their own phone or laptop, you see where they disagree, "
    "and the group's scores become a new version of the scenario."
)

try:
    store = ws.workshop_store()
except StoreError as err:
    st.error(plain(str(err)))
    st.stop()

token = ws.token_from_link("facilitate", ws.FACILITATOR)
if ws.FACILITATOR_FLASH in st.session_state:
    kind, text = st.session_state.pop(ws.FACILITATOR_FLASH)
    (st.success if kind == "ok" else st.error)(plain(text))

# ------------------------------------------------------------------ start a workshop
if not token:
    portfolio = state.portfolio()
    current = st.session_state.get(state.CURRENT_SCENARIO)
    source = f"scenario '{current.name}' version {current.version}" if current else "the current portfolio"
    st.subheader("Start a workshop")
    st.caption(
        "From "
        + plain(source)
        + ". Participants score each chosen priority on each chosen criterion from 0 (no benefit) to 10 "
        "(transformational)."
    )
    criteria = {c.name: c.display for c in portfolio.criteria}
    priorities = {p.id: words.name_of(portfolio, p.id) for p in portfolio.priorities}
    with st.form("start_workshop"):
        title = st.text_input("Workshop title", value=portfolio.name[:200], max_chars=200)
        chosen_criteria = st.multiselect(
            "Criteria to score", list(criteria), default=list(criteria), format_func=criteria.__getitem__
        )
        which = st.radio(
            "Priorities to score",
            ["All priorities", CLOSE_CALLS, "Only these priorities"],
            horizontal=True,
            help="Scoring fewer priorities keeps the session short. Close calls: the priorities whose decision "
            "flips when their own scores on the chosen criteria move by 2 points (found by re-solving, a few "
            "seconds).",
        )
        chosen_priorities = st.multiselect(
            "Priorities (when 'Only these priorities')", list(priorities), format_func=priorities.__getitem__
        )
        anonymous = st.radio(
            "Participants are",
            ["Named", "Anonymous"],
            horizontal=True,
            help="Named: you see each person's progress by name. Anonymous: people join without a name.",
        )
        weighting = st.checkbox(
            "Participants also weight the criteria (swing weighting)",
            help="Each person gives 100 to the criterion whose move from worst to best matters most, and the "
            "others a percentage of it.",
        )
        started = st.form_submit_button("Start the workshop", type="primary")
    if started:
        scored = list(priorities) if which == "All priorities" else chosen_priorities
        if which == CLOSE_CALLS and chosen_criteria:
            found = ws.cached_close_calls(portfolio, tuple(chosen_criteria), *state.solver_settings())
            if found is None:
                st.error("The scenario has no proven selection to find close calls from: fix its rules first.")
                st.stop()
            if not found:
                st.error("No decision flips when a priority's scores move by 2 points: choose priorities instead.")
                st.stop()
            scored = list(found)
        try:
            keys = store.create(
                portfolio,
                title=title,
                criteria=chosen_criteria,
                priorities=scored,
                anonymous=anonymous == "Anonymous",
                weighting=weighting,
                scenario=current if st.session_state.get(state.SAVED_PORTFOLIO) == portfolio else None,
            )
        except StoreError as err:
            st.error(plain(str(err)))
        else:
            st.session_state[ws.FACILITATOR] = keys.facilitator_token
            st.query_params.from_dict({"facilitate": keys.facilitator_token})
            st.rerun()
    st.stop()

# ------------------------------------------------------------------ the workshop
try:
    workshop = store.facilitated(token)
except StoreError as err:
    st.error(plain(str(err)))
    if st.button("Start a new workshop instead", key="forget_workshop"):
        st.session_state.pop(ws.FACILITATOR, None)
        st.query_params.clear()
        st.rerun()
    st.stop()

portfolio = workshop.portfolio
labels = {c.name: c.display for c in portfolio.criteria}
status = "open for answers" if workshop.is_open else "closed"
revealed = "results revealed to participants" if workshop.revealed else "results hidden from participants"
st.subheader(plain(workshop.title))
st.caption(f"Round {workshop.round} · {status} · {revealed} · {len(workshop.cells)} scores to give per person")

link = ws.join_link(workshop.join_token)
if ws.local_only(link):
    st.warning(
        "This join link points to this computer only (127.0.0.1 or localhost): participants' phones and laptops "
        "cannot open it. Open the app by the address others use to reach it (see Deploying for a team in the "
        "README), then come back by your facilitator link."
    )
join_col, qr_col = st.columns([3, 2])
with join_col:
    st.markdown(f"#### Join at the link or with the code **{workshop.code[:4]}-{workshop.code[4:]}**")
    st.code(link, language=None, wrap_lines=True)
    st.caption("Or open the Join a workshop page and type the code. Anyone with the code or link can join.")
    with st.expander("Your facilitator link (keep it private)"):
        st.caption("It is the only way back to this view: bookmark it. Only a fingerprint of it is stored.")
        st.code(ws.facilitator_link(token), language=None)
with qr_col:
    st.image(ws.qr_png(link), caption="Scan to join", width=260)

controls = st.columns(4)
rule = controls[0].radio(
    "Group score",
    AGGREGATIONS,
    index=AGGREGATIONS.index(workshop.aggregation),
    horizontal=True,
    key=f"rule_{workshop.id}",
    help="Median: the middle answer, not moved by one extreme score. Mean: the average.",
)
if rule != workshop.aggregation:
    workshop = store.set_status(token, aggregation=rule)
if controls[1].button("Hide results" if workshop.revealed else "Reveal results", key="reveal", width="stretch"):
    store.set_status(token, revealed=not workshop.revealed)
    st.rerun()
if controls[2].button("Re-open scoring" if not workshop.is_open else "Close scoring", key="close", width="stretch"):
    store.set_status(token, status="open" if not workshop.is_open else "closed")
    st.rerun()
if controls[3].button("Leave this workshop", key="leave_workshop", width="stretch", help="Start another one."):
    st.session_state.pop(ws.FACILITATOR, None)
    st.query_params.clear()
    st.rerun()

solver, time_limit = state.solver_settings()


def current_outcome():
    answers = tuple(store.all_answers(token))
    weighed = workshop.criteria if workshop.weighting else ()
    return answers, ws.cached_outcome(portfolio, answers, tuple(weighed), workshop.aggregation, solver, time_limit)


@st.fragment(run_every=3)
def live_view() -> None:
    """Everything that changes as answers come in: redrawn every 3 seconds."""
    try:
        progress = store.progress(token)
        answers, result = current_outcome()
    except StoreError as err:
        st.error(plain(str(err)))
        return
    cells = len(workshop.cells)
    answered = sum(1 for p in progress if p.answered)
    st.markdown("#### Who has answered")
    st.caption(words.participation_text(answered, len(progress), cells))
    if progress:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "participant": p.participant.shown,
                        "scores given this round": f"{p.answered_now} of {cells}",
                        "done": p.answered_now / cells if cells else 0.0,
                        **({"weights given": "yes" if p.swings else "no"} if workshop.weighting else {}),
                    }
                    for p in progress
                ]
            ),
            column_config={"done": st.column_config.ProgressColumn("done", min_value=0.0, max_value=1.0)},
            hide_index=True,
            width="stretch",
            height=min(38 + 35 * len(progress), 300),
        )
    if not result.participants:
        st.info("No scores yet. The spread and the group's result appear here as soon as someone answers.")
        return

    st.markdown("#### Where the board disagrees")
    st.caption("The four most contested priorities; hover over a dot for its priority and count.")
    order = [c.priority_id for c in result.contests]
    frame = spread_frame(portfolio, result.cells, order=order, limit=4)
    st.altair_chart(spread_chart(frame, result.rule), width="stretch")
    st.caption("The most contested priorities first (widest spread of scores, weighted by the criteria's weights):")
    for contest in result.contests[:5]:
        if contest.spread > 0:
            st.markdown("- " + plain(words.contest_text(portfolio, contest, result.cells)))

    st.markdown(f"#### The group's result ({result.rule} of the scores)")
    group = result.group_result
    if group.has_selection:
        st.markdown(plain(words.result_summary(result.group_portfolio, group)))
        scenario_result = state.cached_solve(portfolio, solver, time_limit)
        if scenario_result.has_selection:
            st.caption(plain(words.group_result_text(portfolio, scenario_result.kept, group.kept)))
    else:
        st.warning(plain(group.message))
    with st.expander(f"The group's scores ({result.rule}), with the lowest and highest answers"):
        scenario_scores = {(p.id, c.name): p.score(c.name) for p in portfolio.priorities for c in portfolio.criteria}
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "priority": words.name_of(portfolio, c.priority_id),
                        "criterion": labels.get(c.criterion, c.criterion),
                        f"group ({result.rule})": c.group,
                        "scenario's score": scenario_scores.get((c.priority_id, c.criterion)),
                        "lowest": c.low,
                        "highest": c.high,
                        "answers": c.count,
                    }
                    for c in result.cells
                ]
            ),
            hide_index=True,
            width="stretch",
        )
        if result.group_weights:
            st.caption(
                "The group's weights: " + plain(", ".join(f"{labels.get(c, c)} {w:g}" for c, w in result.group_weights))
            )

    views = len([v for v in result.views if v.selection.has_selection])
    st.markdown(f"#### What each person's own scores keep ({views} views)")
    unproven = [v for v in result.views if v.selection.has_selection and not v.selection.proven]
    if unproven:
        st.caption(f"{len(unproven)} of these selections were not proven optimal within the time limit.")
    flipping = result.flipping
    if flipping:
        st.caption("Decisions that flip between participants: the agenda for the discussion.")
        for count in flipping[:10]:
            st.markdown("- " + plain(words.kept_under_views(portfolio, count)))
    else:
        st.caption("Every participant's scores keep the same priorities.")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "priority": words.name_of(portfolio, k.priority_id),
                    "kept under views": f"{k.kept_by} of {k.views}",
                    "group's scores": "kept" if k.group_kept else "dropped",
                }
                for k in sorted(result.keep_counts, key=lambda k: (-k.kept_by, k.priority_id))
                if k.priority_id in workshop.priorities or k.kept_by or k.group_kept
            ]
        ),
        hide_index=True,
        width="stretch",
        height=300,
    )


live_view()

# ------------------------------------------------------------------ second round and adoption
st.markdown("#### Score the contested priorities again")
try:
    _answers, result = current_outcome()
except StoreError as err:
    st.error(plain(str(err)))
    st.stop()
contested_ids = [c.priority_id for c in result.contests if c.spread > 0][:3]
names = {pid: words.name_of(portfolio, pid) for pid in workshop.priorities}
again = st.multiselect(
    "Priorities for the next round",
    list(names),
    default=[pid for pid in contested_ids if pid in names],
    format_func=names.__getitem__,
    key=f"next_round_{workshop.id}_{workshop.round}",
    help="Participants see their earlier answers and can change them; the results are hidden again.",
)
if st.button(f"Open round {workshop.round + 1} for these", key="next_round", disabled=not again):
    try:
        store.next_round(token, again)
    except StoreError as err:
        st.error(plain(str(err)))
    else:
        count = "1 priority" if len(again) == 1 else f"{len(again)} priorities"
        st.session_state[ws.FACILITATOR_FLASH] = ("ok", f"Round {workshop.round + 1} is open for {count}.")
        st.rerun()

st.markdown("#### Adopt the group's scores")
if workshop.adopted_version is not None:
    st.caption(
        f"Adopted earlier as version {workshop.adopted_version} of scenario {workshop.adopted_scenario_id}; "
        "adopting again saves a newer version."
    )
st.caption(
    f"Saves the {workshop.aggregation} scores of {result.participants} participants as a new version of the "
    + ("scenario the workshop started from" if workshop.scenario_id else "scenario (a new one: it was not saved)")
    + ", with the workshop recorded in its note."
)
author = st.text_input("Your name", value=st.session_state.get(state.AUTHOR, ""), max_chars=200, key="adopt_author")
if st.button("Adopt the group's scores", key="adopt", type="primary", disabled=not result.participants):
    st.session_state[state.AUTHOR] = author
    try:
        _answers, result = current_outcome()
        info = store.adopt(
            token, state.store(), result.group_portfolio, author=author, participants_count=result.participants
        )
        state.open_scenario(info.scenario_id, info.version)
        st.query_params.from_dict({"facilitate": token})
    except StoreError as err:
        st.error(plain(str(err)))
    else:
        st.session_state[ws.FACILITATOR_FLASH] = (
            "ok",
            f"Adopted: saved as '{info.name}' version {info.version}, now open in this session.",
        )
        st.rerun()
