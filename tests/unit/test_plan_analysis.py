"""Asking why of a plan (optimiser/plan_analysis.py) on tiny plans whose answers are worked out by hand.

Value mode 'per_year' is used where the hand figures need it: a priority of value v finishing in year f of a
T-year plan earns v x (T - f + 1) / T, so earlier is worth more and the optimal plan is unique."""

from __future__ import annotations

from dataclasses import replace

import pytest

from optimiser import words
from optimiser.domain import CapacityDimension, Portfolio
from optimiser.plan import solve_plan
from optimiser.plan_analysis import (
    CapacityWorth,
    Reason,
    ReSolved,
    capacity_worth,
    defer_deadline,
    max_year_use,
    raise_capacity,
    start_earlier,
    why_start,
)
from optimiser.result import PlanResult
from optimiser.rules import check_rules
from tests.builders import plan_item as item
from tests.builders import plan_portfolio


def plan(priorities, years: int = 3, capacity: float = 10.0, value_mode: str = "per_year", **rules) -> Portfolio:
    return plan_portfolio(priorities, years, capacity, value_mode, **rules)


def solved(portfolio: Portfolio) -> PlanResult:
    result = solve_plan(portfolio, solver="highs", time_limit=10)
    assert result.status == "optimal", result.message
    return result


def kinds(reasons) -> list[str]:
    return [r.kind for r in reasons]


# ------------------------------------------------------------------ why it starts when it does


def test_a_priority_held_back_by_a_prerequisite_names_it_with_its_finish_and_lag():
    # B needs A finished and then one year's wait: A in 2026/27, B in 2028/29 (the plan's last year).
    p = plan([item("A", 5, 5), item("B", 5, 5, requires=("A",), lags=(("A", 1),))])
    result = solved(p)
    assert result.schedule.start_of == {"A": 1, "B": 3}
    why = why_start(p, result, "B")
    assert why.before == (Reason("prerequisite", subject="A", year=1, lag=1),)
    assert kinds(why.after) == ["plan_end"]
    text = words.plan_why_text(p, why)
    assert "Priority B (B) starts in 2028/29." in text
    assert "It needs Priority A (A) finished first, which finishes in 2026/27, and then it waits 1 year" in text
    # A is held where it is by B needing it.
    why_a = why_start(p, result, "A")
    assert kinds(why_a.before) == ["first_year"]
    assert why_a.after == (Reason("needed_by", subject="B", year=3),)


def test_a_priority_held_back_by_a_full_capacity_names_the_year_and_the_room():
    # Y (value 9) takes 2026/27; X (cost 6) cannot join it: 4 days free, it needs 6.
    p = plan([item("X", 6, 6), item("Y", 6, 9)], years=2)
    result = solved(p)
    assert result.schedule.start_of == {"Y": 1, "X": 2}
    why = why_start(p, result, "X")
    assert why.before == (Reason("capacity", subject="ops", year=1, need=6.0, free=4.0, over=2.0),)
    text = words.plan_why_text(p, why)
    assert "Ops capacity in 2026/27 has no room for it: it would need 6 days of ops capacity and only 4 is free" in text
    assert "could not start earlier without displacing something" in text


def test_earliest_start_deadline_and_year_lock_are_reasons_from_their_definitions():
    p = plan(
        [item("E", 1, 1, earliest_start=2), item("D", 1, 1, deadline=1), item("L", 1, 1)],
        years=3,
        value_mode="completion",
        year_locks=(("L", 2),),
    )
    result = solved(p)
    assert kinds(why_start(p, result, "E").before) == ["earliest_start"]
    assert kinds(why_start(p, result, "D").after) == ["deadline"]
    lock = why_start(p, result, "L")
    assert kinds(lock.before) == kinds(lock.after) == ["year_lock"]
    assert "it is locked to start in 2027/28" in words.plan_why_text(p, lock).lower()


def test_a_move_that_breaks_no_rule_is_explained_by_its_value():
    # Completion mode: a lone priority is worth the same in any year; per year, a later start loses value.
    same = plan([item("A", 1, 6)], years=2, value_mode="completion", year_locks=())
    result = solved(same)
    u = result.schedule.start_of["A"]
    reasons = why_start(same, result, "A").after if u == 1 else why_start(same, result, "A").before
    assert reasons == (Reason("value", value_change=0.0),)
    per_year = plan([item("A", 1, 6)], years=2)
    why = why_start(per_year, solved(per_year), "A")
    assert why.after == (Reason("value", value_change=-3.0),)
    assert "would lose 3 of net value" in words.plan_why_text(per_year, why)


def test_a_priority_not_started_says_why_in_every_year():
    p = plan(
        [
            item("A", 5, 5),
            item("C", 1, 1, excludes=("A",)),  # its alternative A is delivered
            item("N", 20, 1),  # needs more than any year has
            item("R", 1, 1, requires=("N",)),  # needs N, which is not started
            item("L", 1, 1, duration=3, earliest_start=2),  # runs past the end of a 3-year plan
            item("O", 1, 1),  # locked out
        ],
        locked_out=("O",),
    )
    result = solved(p)
    assert set(result.schedule.start_of) == {"A"}
    assert kinds(why_start(p, result, "C").blocked) == ["alternative"]
    assert why_start(p, result, "C").blocked[0].subject == "A"
    blocked_n = why_start(p, result, "N").blocked
    assert {(r.kind, r.start) for r in blocked_n} == {("capacity", 1), ("capacity", 2), ("capacity", 3)}
    assert Reason("prerequisite_not_started", subject="N") in why_start(p, result, "R").blocked
    blocked_l = why_start(p, result, "L").blocked
    assert [(r.kind, r.start) for r in blocked_l] == [("earliest_start", 1), ("plan_end", 2), ("plan_end", 3)]
    assert kinds(why_start(p, result, "O").blocked) == ["locked_out"]
    text = words.plan_why_text(p, why_start(p, result, "L"))
    assert "Priority L (L) is not started in the plan." in text
    assert "Why not start in 2027/28? It would finish after the plan ends in 2028/29." in text
    assert "alternative to Priority A (A), which is delivered" in words.plan_why_text(p, why_start(p, result, "C"))


def test_an_existing_activity_stopped_for_a_later_priority_says_what_running_longer_would_break():
    # E (existing, 6 a year, value 1) runs in 2026/27; N (6, value 9) may start only in 2027/28, so E stops then.
    p = plan([item("E", 6, 1, existing=True), item("N", 6, 9, earliest_start=2)], years=2)
    result = solved(p)
    assert result.schedule.stop_of == {"E": 2} and result.schedule.start_of == {"N": 2}
    why = why_start(p, result, "E")
    assert why.status == "stopped"
    assert why.before == (Reason("value", value_change=-0.5),)  # stopping from 2026/27 loses half its value
    assert why.after == (Reason("capacity", subject="ops", year=2, need=6.0, free=4.0, over=2.0),)
    text = words.plan_why_text(p, why)
    assert "existing activity stopped from 2027/28, freeing 6 days of ops capacity a year" in text


def test_why_start_on_an_unproven_plan_says_so():
    p = plan([item("A", 1, 1)], years=2)
    result = replace(solved(p), status="feasible", gap=0.02)
    text = words.plan_why_text(p, why_start(p, result, "A"))
    assert "The plan itself is not proven the best: it is within 2% of the best possible" in text


# ------------------------------------------------------------------ start a year earlier


def test_starting_a_year_earlier_costs_the_value_worked_out_by_hand():
    # Today: Y in 2026/27 (9) and X in 2027/28 (6 x 1/2 = 3): 12. X a year earlier pushes Y to 2027/28:
    # 6 + 9 x 1/2 = 10.5, so the plan loses 1.5 and Y moves a year later.
    p = plan([item("X", 6, 6), item("Y", 6, 9)], years=2)
    result = solved(p)
    assert result.objective == pytest.approx(12.0)
    answer = start_earlier(p, result, "X")
    assert answer.case == "solved" and answer.proven and answer.target == 1
    assert answer.net_value_change == pytest.approx(-1.5)
    assert answer.change_low == pytest.approx(-1.5) and answer.change_high == pytest.approx(-1.5)
    assert [(c.priority_id, c.kind) for c in answer.changes] == [("Y", "later")]
    changed = replace(p, rules=replace(p.rules, year_locks=(("X", 1),)))
    assert check_rules(changed, answer.result.schedule) == ()
    text = words.plan_start_earlier_text(p, answer)
    assert text == (
        "If re-solved with Priority X (X) starting in 2026/27, the plan's net value would fall by 1.5 (proven: "
        "both plans are proven the best). In consequence: Priority Y (Y) starts in 2027/28 instead of 2026/27."
    )


def test_starting_earlier_than_the_rules_of_time_allow_is_impossible_with_the_reason():
    p = plan([item("A", 5, 5), item("B", 5, 5, requires=("A",)), item("E", 1, 1, earliest_start=2)])
    result = solved(p)
    assert result.schedule.start_of == {"A": 1, "B": 2, "E": 2}
    first = start_earlier(p, result, "A")
    assert first.case == "impossible" and kinds(first.reasons) == ["first_year"]
    prerequisite = start_earlier(p, result, "B")
    assert prerequisite.case == "impossible"
    assert prerequisite.reasons == (Reason("prerequisite", subject="A", year=1),)
    assert words.plan_start_earlier_text(p, prerequisite) == (
        "Priority B (B) cannot start in 2026/27: it needs Priority A (A) finished first, which finishes in 2026/27."
    )
    assert kinds(start_earlier(p, result, "E").reasons) == ["earliest_start"]


def test_starting_earlier_into_a_year_a_must_do_fills_is_impossible_and_the_diagnosis_says_why():
    p = plan([item("M", 10, 1, must_do=True, deadline=1), item("Z", 10, 9)])
    result = solved(p)
    answer = start_earlier(p, result, "Z")
    assert answer.case == "impossible" and answer.conflicts and answer.net_value_change is None
    assert "no plan would meet every rule" in words.plan_start_earlier_text(p, answer)


def test_start_earlier_does_not_apply_to_existing_or_not_started_priorities():
    p = plan([item("E", 1, 1, existing=True), item("N", 20, 1)])
    result = solved(p)
    assert start_earlier(p, result, "E").case == "not_applicable"
    assert start_earlier(p, result, "N").case == "not_applicable"
    assert "no earlier start to try" in words.plan_start_earlier_text(p, start_earlier(p, result, "N"))


# ------------------------------------------------------------------ defer a deadline


def test_deferring_a_must_dos_deadline_frees_its_year_for_more_valuable_work():
    # M (must-do, deadline 2026/27, value 1) fills 2026/27, so Z (value 9) waits to 2027/28: 1 + 9 x 2/3 = 7.
    # With the deadline in 2027/28, Z takes 2026/27 and M follows: 9 + 1 x 2/3 = 9.667, a gain of 8/3.
    p = plan([item("M", 10, 1, must_do=True, deadline=1), item("Z", 10, 9)])
    result = solved(p)
    assert result.objective == pytest.approx(7.0)
    answer = defer_deadline(p, result, "M")
    assert answer.case == "solved" and answer.proven and answer.target == 2
    assert answer.net_value_change == pytest.approx(8 / 3)
    assert [(c.priority_id, c.kind) for c in answer.freed] == [("Z", "earlier")]
    assert [(c.priority_id, c.kind) for c in answer.displaced] == [("M", "later")]
    text = words.plan_defer_deadline_text(p, answer)
    assert text.startswith(
        "If re-solved with the deadline of Priority M (M) moved from 2026/27 to 2027/28, the plan's net value "
        "would rise by 2.7 (proven"
    )
    assert "It frees: Priority Z (Z) starts in 2026/27 instead of 2027/28." in text


def test_deferring_a_deadline_that_cannot_move_within_the_plan_does_not_apply():
    p = plan([item("M", 1, 1, must_do=True, deadline=3), item("A", 1, 1)])
    result = solved(p)
    assert defer_deadline(p, result, "M").case == "not_applicable"
    assert "changes nothing within the plan" in words.plan_defer_deadline_text(p, defer_deadline(p, result, "M"))
    assert "has no deadline to defer" in words.plan_defer_deadline_text(p, defer_deadline(p, result, "A"))
    with pytest.raises(ValueError):
        defer_deadline(p, result, "M", years=0)


# ------------------------------------------------------------------ what a capacity is worth per year


def test_a_capacity_is_worth_what_a_raise_in_one_year_lets_in():
    # P (6, value 6) in 2026/27 and Q (5, value 4) in 2027/28: 6 + 4 x 1/2 = 8. Ops raised by 10% (1 day) in
    # 2026/27 fits both then: 10, worth +2. Raised in 2027/28 it changes nothing (0, proven by the re-solve).
    # A second capacity, money, that everything fits at once is never binding: 0 without a re-solve.
    base = plan([item("P", 6, 6), item("Q", 5, 4)], years=2)
    money = CapacityDimension("money", "£k", 100.0)
    priorities = tuple(replace(q, costs=q.costs + (("money", 10.0),)) for q in base.priorities)
    p = replace(base, dimensions=base.dimensions + (money,), priorities=priorities)
    result = solved(p)
    assert result.objective == pytest.approx(8.0)
    worth = {(w.dimension, w.year): w for w in capacity_worth(p, result)}
    assert len(worth) == 4
    first = worth[("ops", 1)]
    assert first.case == "re_solved" and first.proven and first.step == pytest.approx(1.0)
    assert first.net_value_change == pytest.approx(2.0)
    assert [(c.priority_id, c.kind) for c in first.answer.changes] == [("Q", "earlier")]
    assert check_rules(raise_capacity(p, "ops", 1, 1.0), first.answer.result.schedule) == ()
    assert worth[("ops", 2)].case == "re_solved" and worth[("ops", 2)].net_value_change == pytest.approx(0.0)
    assert worth[("money", 1)].case == worth[("money", 2)].case == "never_binding"
    assert worth[("money", 1)].net_value_change == 0.0 and worth[("money", 1)].proven
    assert max_year_use(p, "money", 1) == pytest.approx(20.0)
    assert words.plan_worth_figure(first) == "+2"
    assert words.plan_worth_figure(worth[("money", 2)]) == "0 (not binding)"
    assert "rise by 2 (proven" in words.plan_capacity_worth_text(p, first)
    assert "raised by 1 days of ops capacity (10% of that year's available)" in words.plan_capacity_worth_text(p, first)
    assert "not binding, nothing to gain" in words.plan_capacity_worth_text(p, worth[("money", 1)])
    # The same figures one re-solve at a time.
    serial = capacity_worth(p, result, workers=1)
    assert [(w.dimension, w.year, w.net_value_change) for w in serial] == [
        (w.dimension, w.year, w.net_value_change) for w in worth.values()
    ]


def test_a_year_with_no_capacity_has_no_step():
    p = plan([item("A", 0, 1)], years=2)
    p = replace(p, dimensions=(replace(p.dimensions[0], available_by_year=(0.0, 10.0)),))
    worth = capacity_worth(p, solved(p))
    assert [w.case for w in worth] == ["no_capacity", "never_binding"]


# ------------------------------------------------------------------ unproven figures are said to be unproven


def test_an_unproven_re_solve_states_its_gap_and_range_not_a_fact():
    p = plan([item("X", 6, 6), item("Y", 6, 9)], years=2)
    result = solved(p)
    exact = start_earlier(p, result, "X")
    unproven_result = replace(exact.result, status="feasible", gap=0.03, bound=11.0)
    answer = ReSolved(
        "start_earlier",
        "X",
        "solved",
        target=1,
        net_value_change=-1.5,
        change_low=-1.5,
        change_high=-1.0,
        proven=False,
        gap=0.03,
        changes=exact.changes,
        result=unproven_result,
    )
    text = words.plan_start_earlier_text(p, answer)
    assert "would fall" not in text and "(proven" not in text
    assert "the plan found has a net value 1.5 lower than today's" in text
    assert "the re-solve stopped before proving its plan the best (within 3% of the best possible)" in text
    assert "the best possible change lies between -1.5 and -1" in text
    worth = CapacityWorth("ops", 1, 1.0, 1.0, "re_solved", replace(answer, question="capacity"))
    assert words.plan_worth_figure(worth) == "-1.5 to -1 (not proven)"


def test_the_change_range_of_an_unproven_plan_comes_from_both_bounds():
    p = plan([item("X", 6, 6), item("Y", 6, 9)], years=2)
    result = replace(solved(p), status="feasible", gap=0.1, bound=13.0)
    answer = start_earlier(p, result, "X")
    assert not answer.proven and not answer.base_proven
    # new found 10.5 (proven, so bound 10.5); today's found 12, bound 13: the change is in [-2.5, -1.5].
    assert answer.change_low == pytest.approx(-2.5) and answer.change_high == pytest.approx(-1.5)
    assert "today's plan is not proven the best" in words.plan_start_earlier_text(p, answer)


def test_the_better_than_today_re_solve_agrees_with_a_plain_re_solve():
    # Relaxations (more capacity, a later deadline) are re-solved by HiGHS asking only for a plan better than
    # today's; CBC re-solves plainly. Both give the same figures, with or without a gain.
    p = plan([item("M", 10, 1, must_do=True, deadline=1), item("Z", 10, 9), item("P", 6, 6), item("Q", 5, 4)])
    result = solved(p)
    fast = defer_deadline(p, result, "M", solver="highs")
    plain = defer_deadline(p, result, "M", solver="cbc")
    assert fast.proven and plain.proven
    assert fast.net_value_change == pytest.approx(plain.net_value_change)
    assert fast.result.objective == pytest.approx(plain.result.objective)
    for a, b in zip(capacity_worth(p, result, solver="highs"), capacity_worth(p, result, solver="cbc")):
        assert (a.dimension, a.year, a.case, a.proven) == (b.dimension, b.year, b.case, b.proven)
        assert a.net_value_change == pytest.approx(b.net_value_change)
        if a.answer is not None:
            changed = raise_capacity(p, a.dimension, a.year, a.step)
            assert check_rules(changed, a.answer.result.schedule) == ()


def test_a_priority_that_needs_a_stopped_activity_says_so():
    # Z (value 9) is worth more than keeping E (value 1) running in the 10 days there are, so E stops from the
    # start of the plan and R, which needs E running, cannot start.
    p = plan([item("E", 10, 1, existing=True), item("Z", 10, 9), item("R", 0, 1, requires=("E",))], years=1)
    result = solved(p)
    assert result.schedule.stop_of == {"E": 1}
    why = why_start(p, result, "R")
    assert Reason("prerequisite_not_started", subject="E") in why.blocked
    assert "it needs Priority E (E) running, which is stopped from the start of the plan" in words.plan_why_text(p, why)
