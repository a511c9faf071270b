"""Rationalise: the best set of priorities for the capacity and rules, and why."""

import pandas as pd
import streamlit as st

from optimiser import words
from optimiser.diagnosis import apply_fixes
from optimiser.domain import HORIZON_LABELS, HORIZONS
from optimiser.excel import results_workbook
from optimiser.exports import decisions_frame, explanations_frame, to_safe_csv
from optimiser.readiness import readiness_of, value_at_risk
from optimiser.robustness import judgements
from reports.board_pack import board_pack_html, html_to_pdf, owner_brief_html, owner_explanations, owners
from ui import state, workshop_state
from ui.charts import (
    bands_frame,
    capacity_chart,
    capacity_frame,
    horizon_chart,
    horizon_frame,
    source_chart,
    source_frame,
    value_cost_chart,
    value_cost_frame,
)
from ui.text import plain

state.through_router()

st.title("Rationalise")

portfolio = state.portfolio()
if portfolio.is_multi_year:
    st.caption(plain(words.one_year_view_of_plan(portfolio)))
    st.page_link("pages/roadmap.py", label="Open the roadmap", icon=":material/view_timeline:")

result = state.current_result()
unapplied = st.session_state.get(state.UNAPPLIED_EDITS)
if unapplied is not None:
    count = len(unapplied.error.problems)
    st.warning(
        f"Edits on the Priorities page are not applied ({count} problem{'s' if count != 1 else ''} to fix): "
        "this result uses the last valid portfolio. Fix or discard them there."
    )
    st.page_link("pages/priorities.py", label="Go to Priorities to fix or discard the edits", icon=":material/edit:")

last_change = state.last_change_text()
if last_change is not None:
    st.info(plain(last_change))
    undo_col, redo_col, _ = st.columns([1, 1, 4])
    if undo_col.button("Undo", key="undo_last", disabled=not st.session_state.get(state.HISTORY)):
        state.undo()
        st.rerun()
    if redo_col.button("Redo", key="redo_last", disabled=not st.session_state.get(state.FUTURE)):
        state.redo()
        st.rerun()
applied = st.session_state.get(state.APPLIED_FIX)
if applied is not None and applied.after == portfolio:
    st.success(plain(f"Applied: {applied.text} The result below is re-solved with it."))
    if st.button("Undo this change", key="undo_fix"):
        state.undo()
        st.session_state.pop(state.APPLIED_FIX, None)
        st.rerun()

if not result.has_selection:
    if result.status == "infeasible":
        st.error("No selection can satisfy all the rules. What conflicts, and by how much:")
        for conflict in result.conflicts:
            st.markdown("- " + plain(conflict.text))
        if result.options:
            st.subheader("Changes that each restore a solution")
            st.caption(
                "Each option below was checked by re-solving the changed scenario before it is shown; apply one "
                "and the result follows (with undo). Capacity-only options come first; an option that weakens a "
                "balance band says so."
            )
            titles = {"capacity_only": "Capacity only", "smallest": "Smallest change overall", "single": "One change"}
            for i, option in enumerate(result.options):
                label = titles[option.kind] + (" (weakens the balance bands)" if option.weakens_bands else "")
                st.markdown(f"**{label}**: " + plain(option.text) + f" Keeps {option.kept} priorities.")
                if st.button("Apply this option", key=f"apply_option_{i}", type="primary" if i == 0 else "secondary"):
                    changed = apply_fixes(portfolio, option.fixes)
                    st.session_state[state.APPLIED_FIX] = state.AppliedFix(changed, option.text)
                    state.set_portfolio(changed, from_outside=True)
                    st.rerun()
        else:
            st.info(
                "No single change checked here restores a solution. Relax the capacity or headroom named above on "
                "**Capacity and rules**, or remove a lock or must-do."
            )
    else:
        st.error(plain(f"No result to show: {result.message} Try a longer time limit in the sidebar."))
    st.stop()

if result.status == "feasible":
    st.warning(
        plain(result.message)
        + " Trade-off and why figures are worked out only for a proven optimal selection: try a longer time limit."
    )
elif not result.kept:
    st.warning(plain(result.message))

# ------------------------------------------------------------------ the first screen: names, balance, capacity
scenario_line = state.scenario_status()
if scenario_line:
    st.caption(plain(scenario_line))
st.markdown("**" + plain(words.result_summary(portfolio, result)) + "**")
balance_label = f"{portfolio.balance_capacity.display.lower()} capacity"
cap = capacity_frame(result)
names = {p.id: p for p in portfolio.priorities}
charts, lists = st.columns([3, 2])
charts.container(key="balance").altair_chart(
    horizon_chart(horizon_frame(result), balance_label, bands_frame(portfolio)), width="stretch"
)
charts.container(key="capacity").altair_chart(capacity_chart(cap), width="stretch")
for title, ids in ((f"Kept ({len(result.kept)})", result.kept), (f"Dropped ({len(result.dropped)})", result.dropped)):
    with lists.container(height=225, key=f"names_{title.split()[0].lower()}"):
        st.markdown(f"**{title}**")
        for h in HORIZONS:
            in_h = [pid for pid in ids if names[pid].horizon == h]
            if in_h:
                listed = " · ".join(plain(words.name_of(portfolio, pid)) for pid in in_h)
                st.markdown(f"*{HORIZON_LABELS[h]}, {len(in_h)}:* {listed}")


def robustness_strip() -> None:
    """Value at risk from low readiness, and how often each priority is kept when the ranges are sampled."""
    risk_col, run_col, found_col = st.columns([3, 2, 4])
    risk = value_at_risk(portfolio, result.kept)
    if risk.assessed:
        risk_col.caption(plain(words.value_at_risk_text(portfolio, risk)))
    else:
        risk_col.caption("**Readiness**: no kept priority is rated on the success factors yet (Priorities page).")
    uncertain = len(judgements(portfolio))
    if not uncertain:
        found_col.caption(
            "**Robustness**: no score or cost has a range yet. Give ranges on Priorities, or a spread % per "
            "criterion or capacity on Capacity and rules."
        )
        return
    samples = run_col.selectbox(
        "Samples",
        [100, 200, 500, 1000],
        index=1,
        key=state.ROBUST_SAMPLES,
        help=f"Each sample draws every one of the {uncertain:,} uncertain scores and costs from its range and "
        "re-solves (seed 1, reproducible).",
    )
    found = state.robustness_result(portfolio, samples)
    if found is None:
        if run_col.button("Test robustness", key="run_robustness", type="primary"):
            with found_col:
                state.compute_robustness(portfolio, samples)
            st.rerun()  # drawn again with the answer (and without the button)
        else:
            found_col.caption(
                f"**Robustness**: how often each priority is kept when its {uncertain:,} uncertain scores and "
                "costs are drawn from their ranges."
            )
    if found is None:
        return
    bands = words.bands_line(found).split(" ", 1)
    found_col.markdown(f"**Robustness** ({found.samples:,} samples): **{bands[0]}** " + plain(bands[1]))
    contested = words.contested_text(portfolio, found)
    if contested:
        found_col.container(height=110, border=False, key="robust_contested").caption(plain(contested))
    with st.expander("Frequencies and the judgements to narrow first"):
        st.caption(plain(words.robustness_summary(portfolio, found)))
        for n, influence in enumerate(found.influential, start=1):
            st.markdown(f"{n}\\. " + plain(words.influence_text(portfolio, influence)))
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "priority": words.name_of(portfolio, f.priority_id),
                        "kept in % of samples": round(100 * f.frequency, 1),
                        "± %": round(100 * f.standard_error, 1),
                        "band": {"kept": "robustly kept", "dropped": "robustly dropped"}.get(f.band, f.band),
                        "today": "kept" if f.priority_id in result.kept else "dropped",
                    }
                    for f in sorted(found.priorities, key=lambda f: -f.frequency)
                ]
            ),
            hide_index=True,
            width="stretch",
            key="robustness_table",
        )


with st.container(border=True, key="robustness_strip"):
    robustness_strip()
st.caption(
    plain(f"Portfolio: {portfolio.name} · solved by {result.solver} in {result.seconds:.2f} s. ")
    + plain(
        f"Balance is measured as the {words.balance_unit(portfolio)}. "
        f"Net value = weighted value ({words.VALUE_TERMS['weighted value']}) minus drop penalty."
    )
)

# ------------------------------------------------------------------ figures, rules that bind, more charts
total = len(portfolio.priorities)
cols = st.columns(4)
cols[0].metric("Priorities kept", f"{len(result.kept)} of {total}")
cols[1].metric("Weighted value kept", f"{result.value:,.1f}", help=words.VALUE_TERMS["weighted value"])
cols[2].metric("Penalty for sensitive drops", f"{result.drop_penalty:,.1f}", help=words.VALUE_TERMS["drop penalty"])
cols[3].metric("Net value", f"{(result.objective or 0.0):,.1f}", help=words.VALUE_TERMS["net value"])
if portfolio.rules.expected_value:
    st.caption(
        "Expected value is on (Capacity and rules): every value figure here is weighted value × delivery "
        "confidence, and that is what the optimiser maximises."
    )

st.dataframe(
    cap.assign(free=(cap["usable"] - cap["used"]).round(1))[
        ["dimension", "unit", "used", "usable", "free", "headroom_pct", "available"]
    ].rename(
        columns={
            "dimension": "capacity",
            "usable": "usable after headroom",
            "headroom_pct": "headroom %",
        }
    ),
    hide_index=True,
    width="stretch",
    key="capacity_table",
)

if result.binding:
    st.subheader("Rules that bind")
    for note in result.binding:
        st.markdown("- " + plain(note.text))

left, right = st.columns(2)
with left:
    st.altair_chart(source_chart(source_frame(portfolio, result), balance_label), width="stretch")
with right:
    st.altair_chart(value_cost_chart(value_cost_frame(portfolio, result), balance_label), width="stretch")

# ------------------------------------------------------------------ trade-offs
st.subheader("Trade-offs")
if not result.proven:
    st.info(
        "Trade-offs and the why-panel compare re-solves with today's selection, so they are shown only when today's "
        "selection is proven optimal. Raise the time limit in the sidebar to prove it."
    )


def trade_offs_and_why() -> None:
    """Figures that compare re-solves with today's proven selection."""
    figures = state.cached_figures(portfolio, result)
    if not figures.proven:
        st.warning(
            "Some re-solves behind these figures stopped at their time limit before proving their answer; those "
            "figures are not shown."
        )
    must, rank, headroom = st.columns(3)
    if figures.must_do_cost is not None:
        cost = figures.must_do_cost
        must.metric(
            "What the must-dos cost the local agenda",
            "not proven" if cost.value_gain is None else f"{cost.value_gain:,.1f} net value",
            help="Net value the portfolio would gain if the national must-dos were not forced in.",
        )
        if cost.local_gained:
            must.caption(plain("Local priorities it would gain: " + words.names(portfolio, cost.local_gained)))
    comparison = figures.ranking
    if comparison.ranking is None:
        rank.metric("Optimised versus a simple ranking", "ranking fails", help="The must-dos alone do not fit.")
    else:
        rank.metric(
            "Optimised versus a simple ranking (net value)",
            f"{comparison.optimised:,.1f} vs {comparison.ranking:,.1f}",
            delta=f"{comparison.optimised - comparison.ranking:+,.1f} from optimising",
            help="A ranking takes priorities in order of weighted score per unit of their scarcest capacity "
            "while they fit (must-dos first, prerequisites respected).",
        )
        if comparison.only_optimised or comparison.only_ranking:
            rank.caption(
                plain(
                    f"Only in the optimised set: {words.names(portfolio, comparison.only_optimised)}. "
                    f"Only in the ranking: {words.names(portfolio, comparison.only_ranking)}."
                )
            )
        if comparison.ranking_breaks:
            rank.caption(plain("The ranked list breaks the rules: " + "; ".join(comparison.ranking_breaks) + "."))
    if figures.all_headroom_five_pct is not None:
        headroom.metric(
            "What 5% of headroom costs",
            f"{figures.all_headroom_five_pct:,.1f} net value",
            help="Net value gained if every dimension kept 5 percentage points less headroom.",
        )
    capacity_table = pd.DataFrame(
        [
            {
                "capacity": portfolio.dimension(c.dimension).display,
                "unit": c.unit,
                "net value of 1 more unit": None if c.gain_one_unit is None else round(c.gain_one_unit, 1),
                "net value of 10% more": None if c.gain_ten_pct is None else round(c.gain_ten_pct, 1),
                "comes in first": words.names(portfolio, c.first_in) if c.proven else "not proven",
                "headroom %": c.headroom_pct,
                "net value of 5 points less headroom": None
                if c.gain_five_pct_less_headroom is None
                else round(c.gain_five_pct_less_headroom, 1),
            }
            for c in figures.capacity_values
        ]
    )
    st.markdown("**Marginal value of capacity**")
    st.dataframe(capacity_table, hide_index=True, width="stretch")

    # ------------------------------------------------------------------ why panel
    st.subheader("Why?")
    labels = {p.id: f"{p.name} ({p.id}) · {'kept' if p.id in result.kept else 'dropped'}" for p in portfolio.priorities}
    chosen = st.selectbox(
        "Pick a priority to see why it is in or out",
        list(labels),
        format_func=labels.__getitem__,
        index=list(labels).index(result.dropped[0]) if result.dropped else 0,
        key="why_priority",
    )
    why = state.cached_priority_explanation(portfolio, result, chosen)
    with st.container(border=True):
        st.markdown(
            f"**{'Kept' if why.kept else 'Dropped'}: " + plain(words.name_of(portfolio, why.priority_id)) + "**"
        )
        st.markdown(plain(words.explanation_text(portfolio, why)))
        st.markdown(plain(words.readiness_text(portfolio, readiness_of(portfolio, chosen))))
        robust = state.latest_robustness(portfolio)
        if robust is not None:
            st.markdown(plain("Robustness: " + words.frequency_text(portfolio, robust.frequency(chosen))))
        a, b, c = st.columns(3)
        if why.value_change is not None:
            a.metric("Net value lost by reversing this decision", f"{why.value_change:,.1f}")
        if not why.kept and why.proven and why.case in ("forceable", "impossible"):
            b.metric(
                "Weighted value needed to be kept",
                "out of reach" if why.value_needed is None else f"> {why.value_needed:,.1f}",
                help=f"Its weighted value today is {why.value:,.1f}; top scores on every criterion give {why.max_value:,.1f}.",
            )
            c.metric("Kept at these costs (% of today's)", words.cost_ranges_figure(why.cost_ranges))
        st.download_button(
            "Download this explanation (.csv)",
            to_safe_csv(explanations_frame(portfolio, [why])),
            file_name=f"why_{chosen}.csv",
            mime="text/csv",
            key="download_why",
        )


if result.proven:
    trade_offs_and_why()

# ------------------------------------------------------------------ tables
decisions = decisions_frame(portfolio, result)
ready = {p.id: readiness_of(portfolio, p.id) for p in portfolio.priorities}
decisions["why"] = [
    why
    + (f" {clause[:1].upper()}{clause[1:]}." if (clause := words.low_readiness_clause(portfolio, ready[pid])) else "")
    for pid, why in zip(decisions["id"], decisions["why"])
]
decisions["delivery confidence"] = [
    f"{ready[pid].confidence_pct:.0f}%" if ready[pid].assessed else "not assessed" for pid in decisions["id"]
]
kept_tab, dropped_tab = st.tabs([f"Kept ({len(result.kept)})", f"Dropped ({len(result.dropped)})"])
with kept_tab:
    kept_rows = decisions[decisions["decision"] == "kept"].drop(columns="decision")
    st.dataframe(kept_rows, hide_index=True, width="stretch")
    st.download_button(
        "Download kept priorities (.csv)",
        to_safe_csv(kept_rows),
        file_name="kept_priorities.csv",
        mime="text/csv",
        key="download_kept",
    )
with dropped_tab:
    dropped_rows = decisions[decisions["decision"] == "dropped"].drop(columns="decision")
    st.dataframe(dropped_rows, hide_index=True, width="stretch")
    st.download_button(
        "Download dropped priorities with reasons (.csv)",
        to_safe_csv(dropped_rows),
        file_name="dropped_priorities.csv",
        mime="text/csv",
        key="download_dropped",
    )

st.subheader("Explain every decision")
st.caption(
    "Re-solves the model for every priority: what reversing each decision would cost, what it would displace, "
    "and the score or cost change that would flip it. About 5 s for the sample, with a progress bar; longer for large portfolios."
)
explained = state.full_explanation(portfolio, result)
if explained is None and st.button("Explain every decision", key="explain_all"):
    explained = state.compute_full_explanation(portfolio, result)
if explained is not None:
    table = explanations_frame(portfolio, explained)
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(f"{explained.solves} re-solves in {explained.seconds:.1f} s.")
    st.download_button(
        "Download all explanations (.csv)",
        to_safe_csv(table),
        file_name="explanations.csv",
        mime="text/csv",
        key="download_explanations",
    )

# ------------------------------------------------------------------ exports
st.subheader("Export")
excel_col, pack_col = st.columns(2)
with excel_col:
    reasons = (
        {e.priority_id: words.explanation_text(portfolio, e) for e in explained.priorities}
        if explained is not None
        else None
    )
    st.download_button(
        "Download results (.xlsx)",
        results_workbook(portfolio, result, reasons),
        file_name="rationalised_priorities.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="download_results_xlsx",
    )
    st.caption(
        "Kept and dropped priorities with their reasons (and the full explanations once worked out), "
        "capacity use, horizon balance and every assumption."
    )
with pack_col:
    scenario = st.session_state.get(state.CURRENT_SCENARIO)
    title = scenario.name if scenario is not None else portfolio.name
    pack = st.session_state.get(state.BOARD_PACK)
    robust = state.latest_robustness(portfolio)
    if pack is None or pack[0] != (portfolio, result, robust):
        if st.button("Prepare the board pack (HTML and PDF)", key="prepare_pack"):
            with st.spinner("Drawing the charts and laying out the pages…"):
                saved = scenario is not None and st.session_state.get(state.SAVED_PORTFOLIO) == portfolio
                workshop = workshop_state.workshop_record(scenario) if saved else None  # scores from a workshop
                document = board_pack_html(portfolio, result, title, robust=robust, workshop=workshop)
                st.session_state[state.BOARD_PACK] = ((portfolio, result, robust), document, html_to_pdf(document))
            st.rerun()
    else:
        _, document, pdf = pack
        st.download_button(
            "Download board pack (.pdf)",
            pdf,
            file_name="board_pack.pdf",
            mime="application/pdf",
            key="download_pack_pdf",
        )
        st.download_button(
            "Download board pack (.html)",
            document,
            file_name="board_pack.html",
            mime="text/html",
            key="download_pack_html",
        )
    st.caption(
        "A self-contained report for a meeting pack, laid out for A4: a two-page summary (the result, the balance "
        "and capacity charts, what is kept, what is dropped and why) and an appendix (capacity, the other charts, "
        "reasons, assumptions)."
    )
    owner_names = owners(portfolio)
    if owner_names and result.proven:
        owner = st.selectbox("Brief for one owner (the difficult conversation)", owner_names, key="brief_owner")
        brief = st.session_state.get(state.OWNER_BRIEF)
        if brief is None or brief[0] != (portfolio, result, owner):
            if st.button("Prepare this owner's brief (PDF)", key="prepare_brief"):
                with st.spinner("Re-solving to explain this owner's dropped priorities…"):
                    explained = owner_explanations(portfolio, result, owner)
                    document = owner_brief_html(portfolio, result, owner, explained, title)
                    st.session_state[state.OWNER_BRIEF] = ((portfolio, result, owner), html_to_pdf(document))
                st.rerun()
        else:
            st.download_button(
                "Download the brief (.pdf)",
                brief[1],
                file_name="brief.pdf",
                mime="application/pdf",
                key="download_brief",
            )
        st.caption("That owner's dropped priorities, why each is out, and what would bring it back.")
