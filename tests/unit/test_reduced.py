"""LP reduced-cost fixing (`optimiser.reduced`) proves the same optimum as a plain solve: against brute force on
small portfolios with every kind of rule (oracle `check_rules`), against plain HiGHS on generated portfolios,
and with the optimistic targets forced to miss so that every step of the ladder is used."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import optimiser.reduced as reduced
from bench.gen_portfolio import CANDIDATES, gen_portfolio
from optimiser.backends import run_solver
from optimiser.domain import ThemeLimit
from optimiser.model import build_model
from optimiser.rules import check_rules
from optimiser.synthetic import generate_portfolio
from tests.unit.test_brute_force import brute_force, net_value, rich_portfolios


def kept_of(model, x) -> set[str]:
    return {pid for pid, v in zip(model.ids, x) if v > 0.5}


def test_the_objective_unit_of_weighted_whole_scores_is_their_common_step():
    model = build_model(generated(120, 3, seed=0))
    model.objective = np.array([0.35 * 7 + 0.25 * 3, 1.5, 3.0])
    assert reduced.objective_unit(model) == pytest.approx(0.1)
    model.objective = np.array([2.0, 4.0, 6.0])
    assert reduced.objective_unit(model) == 2.0
    model.objective = np.array([1.0, np.pi])
    assert reduced.objective_unit(model) == 0.0


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rich_portfolios())
def test_the_reduced_solve_equals_brute_force_with_every_kind_of_rule(portfolio):
    model = build_model(portfolio)
    outcome = reduced.solve_reduced(model, 30.0, 0.0, min_size=1)
    best = brute_force(portfolio)
    if outcome is None:  # no LP optimum or no first selection: the caller solves plainly
        return
    if best is None:
        assert outcome.status == "infeasible"
        return
    assert outcome.status == "optimal"
    kept = kept_of(model, outcome.x)
    assert not check_rules(portfolio, kept)
    assert abs(net_value(portfolio, kept) - best) <= 1e-6 * max(1.0, abs(best))


GEN_PY = any(path.exists() for path in CANDIDATES)  # ../shared/bench/gen.py, beside the project on our machines


def generated(n: int, k: int, seed: int):
    """A gen.py instance when the shared generator is beside the project, else one of our own generator."""
    return gen_portfolio(n, k, seed) if GEN_PY else generate_portfolio(n, k, seed, long_min_pct=None)


def _portfolios():
    out = []
    for seed in range(4):
        out.append(("generated", generated(150, 3, seed)))
        out.append(("generated K=5", generated(120, 5, seed)))
    for seed in range(4):
        p = generate_portfolio(150, 3, seed=seed, long_min_pct=25.0)
        themes = sorted({q.theme for q in p.priorities})
        closure = p.prerequisite_closure([q.id for q in p.priorities if q.must_do])
        forced = sum(1 for q in p.priorities if q.id in closure and q.theme == themes[-1])
        limits = (ThemeLimit(themes[0], min_count=2, max_count=None), ThemeLimit(themes[-1], None, forced + 3))
        needed = {r for q in p.priorities for r in q.requires}
        leaves = [q.id for q in p.priorities if not q.must_do and q.id not in needed]
        rules = replace(p.rules, theme_limits=limits, locked_in=(leaves[0],), locked_out=(leaves[1],))
        out.append(("synthetic with bands, themes, locks", replace(p, rules=rules)))
    return out


@pytest.mark.parametrize(
    "targets, inner",
    [(reduced.TARGETS, "highs"), ((0.9999,), "highs"), ((), "highs"), ((0.9999,), "cbc")],
    ids=["default", "too-hopeful", "incumbent", "too-hopeful-cbc"],
)
def test_the_reduced_solve_proves_the_plain_optimum(targets, inner, monkeypatch):
    monkeypatch.setattr(reduced, "TARGETS", targets)
    for what, portfolio in _portfolios():
        model = build_model(portfolio)
        plain = run_solver(model, "highs")
        outcome = reduced.solve_reduced(model, 60.0, 0.0, inner=inner)
        assert outcome is not None, what
        assert plain.status == "optimal", f"{what}: the test portfolio should have a selection"
        assert outcome.status == "optimal", what
        assert outcome.objective == pytest.approx(plain.objective, abs=1e-6), what
        assert not check_rules(portfolio, kept_of(model, outcome.x)), what


def test_auto_uses_the_reduction_from_its_minimum_size_and_plain_solvers_below():
    small = build_model(generated(60, 3, seed=1))
    large = build_model(generated(150, 3, seed=1))
    assert not reduced.applies(small) and reduced.applies(large)
    assert run_solver(large, "auto").solver == "HiGHS (LP-reduced)"
    assert run_solver(small, "auto").solver == "HiGHS"


def test_auto_sends_a_pure_knapsack_to_cbc():
    from bench.knapsack_cli import knapsack_document
    from optimiser.parsing import parse_portfolio

    model = build_model(parse_portfolio(knapsack_document(100, 5, 0.75, seed=2)))
    cbc = run_solver(model, "auto", time_limit=60)
    assert cbc.solver == "CBC" and cbc.status == "optimal"  # proven with the lattice of 0.625 x profit
    assert cbc.objective == pytest.approx(run_solver(model, "highs", time_limit=60).objective, abs=1e-6)


@pytest.mark.parametrize("tightness, seed", [(0.25, 1), (0.5, 3), (0.75, 0)])
def test_auto_tunes_cbc_for_small_pure_knapsacks_only_and_proves_the_same_optimum(tightness, seed, monkeypatch):
    from bench.knapsack_cli import knapsack_document
    from optimiser import backends
    from optimiser.parsing import parse_portfolio

    model = build_model(parse_portfolio(knapsack_document(100, 5, tightness, seed=seed)))
    assert backends.cbc_options(model) == backends.KNAPSACK_CBC_OPTIONS
    with_prerequisites = build_model(generated(150, 3, seed=1))
    assert backends.cbc_options(with_prerequisites) == ()
    monkeypatch.setattr(backends, "KNAPSACK_OPTIONS_BELOW", 100)
    assert backends.cbc_options(model) == ()  # from the size limit on: CBC's own settings
    monkeypatch.undo()
    passed: list[tuple[str, ...]] = []
    real = backends.solve_with_cbc

    def spy(*args, **kwargs):
        passed.append(kwargs.get("options", ()))
        return real(*args, **kwargs)

    monkeypatch.setattr(backends, "solve_with_cbc", spy)
    tuned = run_solver(model, "auto", time_limit=60)
    plain = run_solver(model, "cbc", time_limit=60)
    assert passed == [backends.KNAPSACK_CBC_OPTIONS, ()]
    assert tuned.status == plain.status == "optimal"
    assert tuned.objective == pytest.approx(plain.objective, abs=1e-6)
    assert not check_rules(parse_portfolio(knapsack_document(100, 5, tightness, seed=seed)), kept_of(model, tuned.x))


def test_when_the_reduction_finds_no_first_selection_auto_solves_plainly_and_proves_the_same_optimum(monkeypatch):
    monkeypatch.setattr(reduced, "first_selection", lambda *args: None)
    plain = 0
    for _, portfolio in _portfolios()[:4]:
        model = build_model(portfolio)
        outcome = run_solver(model, "auto")
        assert outcome.status == "optimal"
        assert outcome.objective == pytest.approx(run_solver(model, "highs").objective, abs=1e-6)
        plain += "LP-reduced" not in outcome.solver
    assert plain, "no solve fell back to the plain solver"


def test_variants_with_continuous_columns_are_not_reduced():
    from optimiser.model import elastic_model

    model, _ = elastic_model(generated(150, 3, seed=2))
    assert not reduced.applies(model)
    assert reduced.solve_reduced(model, 10.0, 0.0) is None


def test_an_infeasible_portfolio_is_reported_infeasible():
    portfolio = generated(150, 3, seed=3)
    dims = tuple(replace(d, available=1.0) for d in portfolio.dimensions)  # the must-dos cannot fit
    model = build_model(replace(portfolio, dimensions=dims))
    outcome = reduced.solve_reduced(model, 10.0, 0.0)
    assert outcome is not None and outcome.status == "infeasible"


def test_cbc_is_found_where_pulp_keeps_it_without_importing_pulp():
    import os
    import subprocess
    import sys

    import pulp

    from optimiser.backends import _cbc_path

    assert os.path.samefile(_cbc_path(), pulp.PULP_CBC_CMD.pulp_cbc_path)
    code = "import sys; from optimiser.backends import _cbc_path; _cbc_path(); print('pulp' in sys.modules)"
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert out.stdout.strip() == "False"
