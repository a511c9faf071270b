"""Workshop engine on hand-checkable cases: the group's scores, swing weights, spreads, the most contested
priorities, and the set each participant's own scores keep."""

from __future__ import annotations

import pytest

from optimiser import words
from optimiser.workshop import (
    ParticipantAnswers,
    WorkshopInputError,
    aggregate,
    check_score,
    contested,
    group_scores,
    group_weights,
    outcome,
    spreads,
    swing_rank,
    swing_weights,
    with_answers,
)
from tests.builders import portfolio, priority


def person(pid: str, scores: dict, swings: dict | None = None) -> ParticipantAnswers:
    return ParticipantAnswers(pid, pid, tuple(sorted(scores.items())), tuple(sorted((swings or {}).items())))


def test_the_median_of_an_odd_count_is_the_middle_answer_and_of_an_even_count_half_way():
    assert aggregate([2, 9, 4]) == 4
    assert aggregate([2, 9, 4, 6]) == 5
    assert aggregate([2, 9, 4], "mean") == 5
    assert aggregate([1, 2, 2], "mean") == 1.67


def test_an_unknown_rule_or_no_answers_is_refused():
    with pytest.raises(WorkshopInputError, match="median or mean"):
        aggregate([1], "mode")
    with pytest.raises(WorkshopInputError):
        aggregate([])


@pytest.mark.parametrize("bad", [-1, 10.5, float("nan"), "7", True])
def test_a_score_off_the_scale_is_refused_naming_the_scale(bad):
    with pytest.raises(WorkshopInputError, match="0"):
        check_score(bad)


def test_group_scores_take_each_cell_on_its_own():
    answers = [
        person("a", {("A", "benefit"): 2, ("B", "benefit"): 8}),
        person("b", {("A", "benefit"): 4}),
        person("c", {("A", "benefit"): 9, ("B", "benefit"): 6}),
    ]
    assert group_scores(answers) == {("A", "benefit"): 4, ("B", "benefit"): 7}
    assert group_scores(answers, "mean") == {("A", "benefit"): 5, ("B", "benefit"): 7}


def test_swing_weights_share_the_scenarios_total_in_proportion_to_the_swings():
    assert swing_weights({"x": 100, "y": 50, "z": 50}, ["x", "y", "z"], total=4) == {"x": 2, "y": 1, "z": 1}
    assert swing_rank({"x": 50, "y": 100, "z": 50}) == ["y", "x", "z"]


def test_swing_weights_need_a_top_criterion_at_100():
    with pytest.raises(WorkshopInputError, match="100"):
        swing_weights({"x": 80, "y": 50}, ["x", "y"], total=2)
    with pytest.raises(WorkshopInputError, match="percentage"):
        swing_weights({"x": 100, "y": 150}, ["x", "y"], total=2)


def test_group_weights_are_the_median_of_each_participants_weights_rescaled():
    two = portfolio([priority("A")])
    two = with_answers(two, {}, {})
    answers = [
        person("a", {("A", "benefit"): 1}, {"benefit": 100}),
        person("b", {("A", "benefit"): 1}),  # gave no weights: not counted
    ]
    assert group_weights(two, answers, ["benefit"]) == {"benefit": 1}


def test_with_answers_replaces_only_the_answered_cells_and_the_weights():
    base = portfolio([priority("A", value=3), priority("B", value=5)])
    changed = with_answers(base, {("A", "benefit"): 7}, {"benefit": 2.5})
    assert changed.priority("A").score("benefit") == 7
    assert changed.priority("B").score("benefit") == 5
    assert changed.criteria[0].weight == 2.5
    assert base.priority("A").score("benefit") == 3  # the scenario itself is untouched


def test_spreads_and_the_most_contested_priority_first():
    answers = [
        person("a", {("A", "benefit"): 5, ("B", "benefit"): 0}),
        person("b", {("A", "benefit"): 5, ("B", "benefit"): 10}),
        person("c", {("A", "benefit"): 6, ("B", "benefit"): 5}),
    ]
    cells = spreads(answers)
    assert [(c.priority_id, c.low, c.high, c.group, c.spread) for c in cells] == [
        ("A", 5, 6, 5, 1),
        ("B", 0, 10, 5, 10),
    ]
    ranked = contested(portfolio([priority("A"), priority("B")]), cells)
    assert [c.priority_id for c in ranked] == ["B", "A"]
    assert ranked[0].spread == 10 and ranked[0].widest_criterion == "benefit"


def test_each_participants_view_keeps_what_their_own_scores_make_best():
    # Capacity 1 and three priorities of cost 1: each view keeps the one its scores rate highest.
    base = portfolio([priority("A"), priority("B"), priority("C")], capacity=1)
    answers = [
        person("ann", {("A", "benefit"): 9, ("B", "benefit"): 1, ("C", "benefit"): 0}),
        person("bob", {("A", "benefit"): 8, ("B", "benefit"): 2, ("C", "benefit"): 0}),
        person("cat", {("A", "benefit"): 1, ("B", "benefit"): 9, ("C", "benefit"): 0}),
    ]
    result = outcome(base, answers)
    assert dict(result.group_scores) == {("A", "benefit"): 8, ("B", "benefit"): 2, ("C", "benefit"): 0}
    assert result.group_result.kept == ("A",) and result.group_result.status == "optimal"
    assert [(v.name, v.selection.kept, v.selection.proven) for v in result.views] == [
        ("ann", ("A",), True),
        ("bob", ("A",), True),
        ("cat", ("B",), True),
    ]
    counts = {k.priority_id: (k.kept_by, k.views, k.group_kept) for k in result.keep_counts}
    assert counts == {"A": (2, 3, True), "B": (1, 3, False), "C": (0, 3, False)}
    assert [k.priority_id for k in result.flipping] == ["A", "B"]
    assert words.kept_under_views(base, result.keep_counts[0]) == (
        "Priority A (A) is kept under 2 of 3 participants' views; the group's scores keep it."
    )


def test_a_participant_without_answers_is_no_view_and_blank_cells_take_the_groups_score():
    base = portfolio([priority("A"), priority("B")], capacity=1)
    answers = [
        person("ann", {("A", "benefit"): 9, ("B", "benefit"): 1}),
        person("bob", {("A", "benefit"): 7, ("B", "benefit"): 3}),
        person("dan", {("B", "benefit"): 6}),  # left A blank: it takes the group's 7
        person("eve", {}),
    ]
    result = outcome(base, answers)
    assert result.participants == 3
    assert [v.selection.kept for v in result.views] == [("A",), ("A",), ("A",)]


def test_swing_weights_change_what_a_participant_keeps():
    raw_two = portfolio([priority("A"), priority("B")], capacity=1)
    # Two criteria: A is good on benefit, B on reach. Equal scenario weights.
    from dataclasses import replace

    from optimiser.domain import Criterion

    base = replace(raw_two, criteria=(Criterion("benefit", 1.0), Criterion("reach", 1.0)))
    scores = {("A", "benefit"): 8, ("A", "reach"): 2, ("B", "benefit"): 2, ("B", "reach"): 7}
    answers = [
        person("ann", scores, {"benefit": 100, "reach": 10}),
        person("bob", scores, {"benefit": 10, "reach": 100}),
    ]
    result = outcome(base, answers, weighed=["benefit", "reach"])
    assert [v.selection.kept for v in result.views] == [("A",), ("B",)]
    assert dict(result.group_weights) == {"benefit": 1.0, "reach": 1.0}


def test_the_provenance_note_names_the_date_count_rounds_and_rule():
    text = words.workshop_provenance("Board away day", "2026-11-25", 12, 2, "median", False)
    assert text == (
        "Adopted from workshop 'Board away day' on 2026-11-25: 12 participants, 2 rounds, group scores are the "
        "median of the participants' scores."
    )


def test_a_tie_between_criteria_names_the_weightier_one():
    from dataclasses import replace

    from optimiser.domain import Criterion

    base = replace(portfolio([priority("A")]), criteria=(Criterion("benefit", 1.0), Criterion("reach", 3.0)))
    answers = [
        person("a", {("A", "benefit"): 0, ("A", "reach"): 2}),
        person("b", {("A", "benefit"): 5, ("A", "reach"): 7}),
    ]
    (contest,) = contested(base, spreads(answers))
    assert (contest.widest, contest.widest_criterion) == (5, "reach")


def test_the_board_pack_gains_a_workshop_section(sample):
    import html

    from optimiser.solve import solve
    from optimiser.workshop import WorkshopRecord
    from reports.board_pack import board_pack_html

    cells = [("LOC-WF03", "outcomes"), ("LOC-DIG01", "outcomes")]
    answers = [
        person("1", {cells[0]: 0, cells[1]: 10}),
        person("2", {cells[0]: 10, cells[1]: 0}),
        person("3", {cells[0]: 5, cells[1]: 5}),
    ]
    result = outcome(sample, answers)
    record = WorkshopRecord("Board <away> day", "2026-11-25", 4, 2, sample, result, solve(sample).kept)
    group = solve(result.group_portfolio)
    document = board_pack_html(result.group_portfolio, group, "After the workshop", workshop=record)
    assert "Workshop: Board &lt;away&gt; day" in document
    assert html.escape(words.workshop_participation("2026-11-25", 4, 3, 2, "median")) in document
    assert "Where the board disagreed" in document
    assert document.index("Workshop: Board") < document.index("Appendix")


def test_close_calls_are_the_priorities_a_two_point_move_flips():
    # Capacity 2, costs 1: A (9) and B (6) kept, C (5) dropped, D (1) dropped. +2 on C beats B; -2 on B loses to
    # C; A and D stay as they are.
    from optimiser.workshop import close_calls

    base = portfolio(
        [priority("A", value=9), priority("B", value=6), priority("C", value=5), priority("D", value=1)], capacity=2
    )
    assert close_calls(base, ["benefit"]) == ("B", "C")


def test_the_spread_chart_puts_the_most_contested_first_on_the_0_to_10_scale():
    from ui.charts import spread_chart, spread_frame

    base = portfolio([priority("A"), priority("B")])
    answers = [
        person("a", {("A", "benefit"): 5, ("B", "benefit"): 0}),
        person("b", {("A", "benefit"): 5, ("B", "benefit"): 10}),
    ]
    cells = spreads(answers)
    order = [c.priority_id for c in contested(base, cells)]
    frame = spread_frame(base, cells, order=order)
    assert list(dict.fromkeys(frame["row"])) == ["B · Benefit", "A · Benefit"]
    assert frame[frame["row"] == "A · Benefit"]["answers"].tolist() == [2]  # two people gave 5: one dot of size 2
    spec = spread_chart(frame).to_dict()
    dots, group = spec["layer"]
    assert dots["encoding"]["x"]["scale"]["domain"] == [0, 10]
    assert dots["encoding"]["y"]["sort"] == ["B · Benefit", "A · Benefit"]
    assert spec["width"] == "container"
