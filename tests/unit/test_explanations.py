"""Each explanation is checked against an independent solve of the changed portfolio."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings

from optimiser import words
from optimiser.diagnosis import apply_fixes, apply_remedies
from optimiser.domain import Portfolio
from optimiser.explanations import explain_portfolio, explain_priority, portfolio_figures
from optimiser.ranking import rank_and_cut
from optimiser.solve import solve
from tests.builders import portfolio, priority
from tests.unit.test_brute_force import brute_force, rich_portfolios


def with_priority(p: Portfolio, pid: str, **changes) -> Portfolio:
    return replace(p, priorities=tuple(replace(q, **changes) if q.id == pid else q for q in p.priorities))


def with_rules(p: Portfolio, **changes) -> Portfolio:
    return replace(p, rules=replace(p.rules, **changes))


@pytest.fixture
def knapsack() -> Portfolio:
    # Capacity 10. Best: A+B+D (value 15, cost 10). C (value 6, cost 5) is dropped.
    return portfolio(
        [
            priority("A", 4, 5),
            priority("B", 4, 6),
            priority("C", 5, 6),
            priority("D", 2, 4, theme="other"),
            priority("E", 3, 1, excludes=["A"]),
        ],
        capacity=10,
    )


def test_bringing_a_dropped_priority_in_displaces_what_the_model_really_drops(knapsack):
    base = solve(knapsack)
    assert set(base.kept) == {"A", "B", "D"}
    explanation = explain_priority(knapsack, base, "C")
    forced = solve(with_rules(knapsack, locked_in=("C",)))
    assert explanation.value_change == pytest.approx(base.objective - forced.objective)
    assert set(explanation.displaced) == set(base.kept) - set(forced.kept)
    assert "Bringing Priority C (C) in would lose" in words.explanation_text(knapsack, explanation)
    assert any(o.kind == "capacity" and o.subject == "ops" for o in explanation.stopped_by)


def test_value_threshold_really_flips_the_decision(knapsack):
    base = solve(knapsack)
    explanation = explain_priority(knapsack, base, "C")
    needed = explanation.value_needed
    assert needed is not None and needed > 6
    above = with_priority(knapsack, "C", scores=(("benefit", needed + 0.05),))
    below = with_priority(knapsack, "C", scores=(("benefit", needed - 0.05),))
    assert "C" in solve(above).kept
    assert "C" not in solve(below).kept


def test_cost_threshold_really_flips_the_decision(knapsack):
    base = solve(knapsack)
    factor = explain_priority(knapsack, base, "C").cost_factor_needed
    assert factor is not None and 0 < factor < 1
    cheaper = with_priority(knapsack, "C", costs=(("ops", 5 * factor * 0.999),))
    dearer = with_priority(knapsack, "C", costs=(("ops", 5 * (factor + 0.01)),))
    assert "C" in solve(cheaper).kept
    assert "C" not in solve(dearer).kept


def with_costs_at(p: Portfolio, pid: str, share: float) -> Portfolio:
    return with_priority(p, pid, costs=tuple((d, c * share) for d, c in p.priority(pid).costs))


def best_keeping(p: Portfolio, pid: str) -> float | None:
    """Brute force: the best net value of a selection that keeps pid and meets every rule."""
    return brute_force(p, must_keep=pid)


def shares_to_probe(ranges) -> list[float]:
    """Points just inside and just outside every stated range, and in each gap."""
    points = {0.0, 1.0}
    for low, high in ranges.ranges:
        points |= {low, high, (low + high) / 2, max(low - 0.01, 0.0), min(high + 0.01, 1.0)}
    return sorted(points)


def stated_kept(ranges, share: float) -> bool:
    return any(low - 1e-9 <= share <= high + 1e-9 for low, high in ranges.ranges)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(rich_portfolios(max_n=8))
def test_every_stated_cost_range_and_what_if_is_confirmed_by_fresh_solves(p):
    base = solve(p)
    if base.status != "optimal":
        return
    explained = explain_portfolio(p, base, workers=1)
    for e in explained.priorities:
        assert e.proven
        if e.kept:
            if e.case == "free":
                without = solve(with_rules(p, locked_out=(*p.rules.locked_out, e.priority_id)))
                assert e.value_change == pytest.approx(base.objective - without.objective, abs=1e-6)
            if e.case == "cannot_drop":
                assert solve(with_rules(p, locked_out=(*p.rules.locked_out, e.priority_id))).status == "infeasible"
            continue
        if e.case == "locked_out":
            continue
        forced = brute_force(p, must_keep=e.priority_id)
        if e.case == "impossible":
            assert forced is None
        else:
            assert e.value_change == pytest.approx(base.objective - forced, abs=1e-6)
        # Inside a stated range a fresh solve keeps it; outside, no selection with it beats today's.
        for share in shares_to_probe(e.cost_ranges):
            changed = with_costs_at(p, e.priority_id, share)
            if stated_kept(e.cost_ranges, share):
                assert e.priority_id in solve(changed).kept, (e.priority_id, share, e.cost_ranges)
            else:
                best = best_keeping(changed, e.priority_id)
                assert best is None or best <= base.objective + 1e-5, (e.priority_id, share, e.cost_ranges)


def test_no_change_exists_when_a_locked_alternative_excludes_it(knapsack):
    locked = with_rules(knapsack, locked_in=("A",))
    base = solve(locked)
    explanation = explain_priority(locked, base, "E")
    assert explanation.value_change is None and explanation.value_needed is None
    assert explanation.cost_ranges.ranges == ()
    text = words.explanation_text(locked, explanation)
    assert "Priority E (E) cannot be kept at today's costs under the current rules" in text
    assert "alternative to Priority A (A)" in text
    assert "No cut in its costs alone would bring it in." in text


def test_a_score_that_would_need_to_pass_ten_is_reported_as_impossible():
    p = portfolio([priority("A", 10, 10), priority("B", 10, 9)], capacity=10)
    explanation = explain_priority(p, solve(p), "B")
    assert explanation.value_needed is None
    assert "No score change can bring it in" in words.explanation_text(p, explanation)


def test_dropping_a_kept_priority_loses_what_an_independent_solve_says(knapsack):
    base = solve(knapsack)
    explanation = explain_priority(knapsack, base, "A")
    without = solve(with_rules(knapsack, locked_out=("A",)))
    assert explanation.value_change == pytest.approx(base.objective - without.objective)
    assert set(explanation.brought_in) == set(without.kept) - set(base.kept)


def test_must_do_cost_equals_solving_without_the_must_dos():
    p = portfolio([priority("M", 6, 1, must_do=True, source="national"), priority("L1", 5, 5), priority("L2", 5, 5)])
    base = solve(p)
    figures = portfolio_figures(p, base)
    free = solve(with_priority(p, "M", must_do=False))
    assert figures.must_do_cost.value_gain == pytest.approx(free.objective - base.objective) == 9
    assert figures.must_do_cost.local_gained == ("L1", "L2")
    assert figures.must_do_cost.must_dos_dropped == ("M",)


def test_marginal_value_of_capacity_matches_solves_with_more_capacity(knapsack):
    base = solve(knapsack)
    (value,) = portfolio_figures(knapsack, base).capacity_values
    more = solve(replace(knapsack, dimensions=(replace(knapsack.dimensions[0], available=11),)))
    ten = solve(replace(knapsack, dimensions=(replace(knapsack.dimensions[0], available=11),)))
    assert value.gain_one_unit == pytest.approx(more.objective - base.objective)
    assert value.gain_ten_pct == pytest.approx(ten.objective - base.objective)
    assert set(value.first_in) == set(more.kept) - set(base.kept)


def test_capacity_that_would_gain_nothing_is_reported_as_zero_like_a_solve_says():
    p = portfolio([priority("A", 5, 5), priority("B", 4, 4)], capacity=20, headroom=10)
    base = solve(p)
    (value,) = portfolio_figures(p, base).capacity_values
    more = solve(replace(p, dimensions=(replace(p.dimensions[0], available=21),)))
    less = solve(replace(p, dimensions=(replace(p.dimensions[0], headroom_pct=5),)))
    assert value.gain_ten_pct == value.gain_one_unit == value.gain_five_pct_less_headroom == 0
    assert more.objective == less.objective == base.objective
    assert value.first_in == ()


def test_headroom_cost_matches_a_solve_with_less_headroom():
    p = portfolio([priority("A", 5, 5), priority("B", 4, 4)], capacity=10, headroom=15)
    base = solve(p)
    (value,) = portfolio_figures(p, base).capacity_values
    less = solve(replace(p, dimensions=(replace(p.dimensions[0], headroom_pct=10),)))
    assert value.gain_five_pct_less_headroom == pytest.approx(less.objective - base.objective) == 4


def test_ranking_is_beaten_where_leftover_capacity_matters():
    # Ratio order takes A (8 per 5) then cannot fit B or C; the optimum takes B+C (12 for 10).
    p = portfolio([priority("A", 6, 9), priority("B", 5, 6), priority("C", 5, 6)], capacity=10)
    ranking = rank_and_cut(p)
    assert ranking.kept == ("A",)
    figures = portfolio_figures(p, solve(p))
    assert figures.ranking.optimised == 12 and figures.ranking.ranking == 9
    assert figures.ranking.only_optimised == ("B", "C") and figures.ranking.only_ranking == ("A",)


def test_ranking_reports_broken_balance_bands():
    p = portfolio(
        [priority("S", 5, 9), priority("L", 5, 1, horizon="long")],
        capacity=5,
        rules={"horizon_bands": {"long": {"min_pct": 50}}},
    )
    assert rank_and_cut(p).breaks == ("its long-term share is 0.0%, outside the band 50-100%",)


def test_every_priority_of_the_sample_is_explained(sample):
    result = solve(sample)
    explained = explain_portfolio(sample, result)
    assert [e.priority_id for e in explained.priorities] == [p.id for p in sample.priorities]
    for e in explained.priorities:
        assert words.explanation_text(sample, e) and e.kept == (e.priority_id in result.kept) and e.proven
    assert explained.figures.must_do_cost is not None and explained.figures.must_do_cost.value_gain >= 0
    assert explained.figures.ranking.ranking <= explained.figures.ranking.optimised + 1e-6


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(rich_portfolios())
def test_every_offered_fix_option_restores_a_solution_on_its_own(p):
    result = solve(p)
    if result.status != "infeasible":
        return
    assert result.remedies, "an infeasible scenario must come with remedies"
    fixed = apply_remedies(p, result.remedies)
    assert solve(fixed).status == "optimal", [r.options[0].text for r in result.remedies]
    assert result.options, "the smallest set of changes, at least, restores a solution"
    for option in result.options:
        assert solve(apply_fixes(p, option.fixes)).has_selection, option.text
        assert option.weakens_bands == any(f.kind.startswith("horizon") for f in option.fixes)
        if option.kind == "capacity_only":
            assert {f.kind for f in option.fixes} == {"capacity"}


def test_a_capacity_only_fix_is_offered_whenever_capacity_alone_restores_a_solution(sample):
    # Operational capacity 300: the must-dos alone need 312. Every band is met once operational capacity is 500.
    tight = replace(
        sample,
        dimensions=tuple(replace(d, available=300.0) if d.name == "operational" else d for d in sample.dimensions),
    )
    roomy = replace(
        sample,
        dimensions=tuple(replace(d, available=500.0) if d.name == "operational" else d for d in sample.dimensions),
    )
    assert solve(roomy).has_selection
    result = solve(tight)
    first = result.options[0]
    assert first.kind == "capacity_only" and not first.weakens_bands
    ((fix),) = first.fixes
    assert fix.kind == "capacity" and fix.target == "operational" and fix.proposed <= 500
    assert solve(apply_fixes(tight, first.fixes)).has_selection


def test_remedy_for_must_dos_over_capacity_offers_capacity_and_headroom():
    p = portfolio([priority("M1", 6, 1, must_do=True), priority("M2", 6, 1, must_do=True)], capacity=12.5, headroom=10)
    result = solve(p)
    (remedy,) = result.remedies
    texts = [f.text for f in remedy.options]
    assert texts == ["Raise ops capacity from 12.5 to 13.4 days.", "Lower ops headroom from 10% to 4%."]
    for option in remedy.options:
        from optimiser.diagnosis import apply_fix

        assert solve(apply_fix(p, option)).status == "optimal"


def test_finding_1_a_priority_too_big_to_force_in_today_still_gets_its_cost_threshold():
    # ops 10, headroom 0; BIG costs 12 (value 10), C costs 5 (value 3). BIG cannot be kept at today's costs,
    # but at cost 9 (75%) a fresh solve keeps it: the threshold is worked out all the same.
    p = portfolio([priority("BIG", 12, 10), priority("C", 5, 3)], capacity=10)
    base = solve(p)
    assert base.kept == ("C",)
    e = explain_priority(p, base, "BIG")
    assert e.case == "impossible" and e.proven
    assert e.cost_ranges.one_way and e.cost_factor_needed == pytest.approx(10 / 12, abs=1e-4)
    assert "BIG" in solve(with_costs_at(p, "BIG", 0.75)).kept
    assert "BIG" in solve(with_costs_at(p, "BIG", e.cost_factor_needed)).kept
    assert "BIG" not in solve(with_costs_at(p, "BIG", e.cost_factor_needed + 0.01)).kept
    text = words.explanation_text(p, e)
    assert "No change to its score or cost alone would bring it in" not in text
    assert "It would be kept if its costs fell to 83% of today's" in text


def test_finding_4_a_cost_range_that_is_not_one_way_is_stated_as_a_range():
    # P (short-term) requires B (long-term); the short-term share of ops used must be at least 50%.
    # B costs 4. P is kept when its cost is 4 or more (share >= 50%) and it fits (4 + cost <= 10): costs
    # of 4 to 6, i.e. 40% to 60% of today's 10; at 30% its short-term share is below the band.
    p = portfolio(
        [priority("P", 10, 10, requires=["B"]), priority("B", 4, 1, horizon="long")],
        capacity=10,
        rules={"horizon_bands": {"short": {"min_pct": 50}}},
    )
    base = solve(p)
    assert "P" not in base.kept
    e = explain_priority(p, base, "P")
    assert e.proven and not e.cost_ranges.one_way
    ((low, high),) = e.cost_ranges.ranges
    assert low == pytest.approx(0.4, abs=1e-4) and high == pytest.approx(0.6, abs=1e-4)
    for share in (0.4, 0.5, 0.6):
        assert "P" in solve(with_costs_at(p, "P", share)).kept
    for share in (0.3, 0.2, 0.7):
        assert "P" not in solve(with_costs_at(p, "P", share)).kept
    assert "only if its costs were 40% to 60% of today's" in words.explanation_text(p, e)
