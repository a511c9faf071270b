"""Each explanation is checked against an independent solve of the changed portfolio."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings

from optimiser.diagnosis import apply_remedies
from optimiser.domain import Portfolio
from optimiser.explanations import explain_portfolio, explain_priority, portfolio_figures
from optimiser.ranking import rank_and_cut
from optimiser.solve import solve
from optimiser.whatif import COST_TOLERANCE, Resolver
from tests.builders import portfolio, priority
from tests.unit.test_brute_force import small_portfolios


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
    assert "Bringing C in would lose" in explanation.summary
    assert any("ops capacity" in s for s in explanation.stopped_by)


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
    dearer = with_priority(knapsack, "C", costs=(("ops", 5 * (factor + COST_TOLERANCE) * 1.001),))
    assert "C" in solve(cheaper).kept
    assert "C" not in solve(dearer).kept


def with_costs_at(p: Portfolio, pid: str, share: float) -> Portfolio:
    return with_priority(p, pid, costs=tuple((d, c * share) for d, c in p.priority(pid).costs))


def kept_or_tied(p: Portfolio, pid: str, share: float, base_objective: float) -> tuple[bool, bool]:
    """Whether a fresh solve with pid's costs at `share` keeps pid, and whether its value only ties today's."""
    changed = solve(with_costs_at(p, pid, share))
    return pid in changed.kept, abs(changed.objective - base_objective) <= 1e-6


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(small_portfolios())
def test_every_cost_threshold_keeps_the_priority_when_its_costs_are_entered_at_that_share(p):
    base = solve(p)
    if not base.has_selection:
        return
    resolver = Resolver(p)
    for q in p.priorities:
        if q.id in base.kept or q.id in p.rules.locked_out:
            continue
        share = resolver.cost_threshold(q.id, base.objective)
        if share is not None:
            assert kept_or_tied(p, q.id, share, base.objective)[0], (q.id, share)
        # Above the threshold (or at any share when there is none) it is not kept, unless it only
        # ties today's value (then either answer is optimal). With balance bands the share is
        # searched below the threshold model's answer, so only the claim above is checked there.
        if not p.rules.horizon_bands:
            above = 0.0 if share is None else share + COST_TOLERANCE * 1.01
            if above <= 1.0:
                kept, tied = kept_or_tied(p, q.id, above, base.objective)
                assert not kept or tied, (q.id, share)


def test_a_cost_threshold_moved_by_the_balance_bands_is_confirmed_by_re_solving(sample):
    # Entering NAT-DIG01's costs lower also lowers the wish-list's need that balance shares are
    # measured against, so the threshold model alone (other shares fixed) overstates the share.
    base = solve(sample)
    resolver = Resolver(sample)
    unconfirmed, _ = resolver._share_beating("NAT-DIG01", base.objective)
    share = resolver.cost_threshold("NAT-DIG01", base.objective)
    assert share < unconfirmed - COST_TOLERANCE
    assert "NAT-DIG01" not in solve(with_costs_at(sample, "NAT-DIG01", unconfirmed)).kept
    assert "NAT-DIG01" in solve(with_costs_at(sample, "NAT-DIG01", share)).kept
    assert "NAT-DIG01" not in solve(with_costs_at(sample, "NAT-DIG01", share + 2 * COST_TOLERANCE)).kept


def test_no_change_exists_when_a_locked_alternative_excludes_it(knapsack):
    locked = with_rules(knapsack, locked_in=("A",))
    base = solve(locked)
    explanation = explain_priority(locked, base, "E")
    assert (
        explanation.value_change is None and explanation.value_needed is None and explanation.cost_factor_needed is None
    )
    assert "cannot be kept under the current rules" in explanation.summary
    assert "alternative to A" in explanation.summary


def test_a_score_that_would_need_to_pass_ten_is_reported_as_impossible():
    p = portfolio([priority("A", 10, 10), priority("B", 10, 9)], capacity=10)
    explanation = explain_priority(p, solve(p), "B")
    assert explanation.value_needed is None
    assert "No score change can bring it in" in explanation.summary


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
        assert e.summary and e.kept == (e.priority_id in result.kept)
    assert explained.figures.must_do_cost is not None and explained.figures.must_do_cost.value_gain >= 0
    assert explained.figures.ranking.ranking <= explained.figures.ranking.optimised + 1e-6


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(small_portfolios())
def test_applying_the_suggested_remedies_makes_the_scenario_solvable(p):
    result = solve(p)
    if result.status != "infeasible":
        return
    assert result.remedies, "an infeasible scenario must come with remedies"
    fixed = apply_remedies(p, result.remedies)
    assert solve(fixed).status == "optimal", [r.options[0].text for r in result.remedies]


def test_remedy_for_must_dos_over_capacity_offers_capacity_and_headroom():
    p = portfolio([priority("M1", 6, 1, must_do=True), priority("M2", 6, 1, must_do=True)], capacity=12.5, headroom=10)
    result = solve(p)
    (remedy,) = result.remedies
    texts = [f.text for f in remedy.options]
    assert texts == ["Raise ops capacity from 12.5 to 13.4 days.", "Lower ops headroom from 10% to 4%."]
    for option in remedy.options:
        from optimiser.diagnosis import apply_fix

        assert solve(apply_fix(p, option)).status == "optimal"
