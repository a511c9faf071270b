"""One builder feeds every back-end: on generated portfolios the HiGHS arrays, the PuLP model and the MPS file
handed to CBC of each variant (base, elastic diagnosis, threshold, threshold with covering) carry the same
coefficients, bounds and objective."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optimiser.backends import highs_instance, mps_text, to_pulp
from optimiser.model import SelectionModel, build_model, elastic_model, threshold_model
from optimiser.synthetic import generate_portfolio

INF = math.inf


def _finite(value: float) -> float:
    return value if abs(value) < 1e29 else math.copysign(INF, value)


def highs_arrays(model: SelectionModel):
    """(objective, col bounds, integrality, {row: (lower, upper, {col: coef})}) read back from HiGHS."""
    return lp_arrays(highs_instance(model, 1.0, 0.0).getLp())


def mps_arrays(model: SelectionModel, tmp_path):
    """The same, read back from the MPS file CBC is given (HiGHS reads it; CBC is told to maximise)."""
    import highspy

    path = tmp_path / "model.mps"
    path.write_text(mps_text(model))
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    assert h.readModel(str(path)) == highspy.HighsStatus.kOk
    return lp_arrays(h.getLp())


def lp_arrays(lp):
    import highspy

    integer = [v == highspy.HighsVarType.kInteger for v in lp.integrality_]
    matrix = lp.a_matrix_
    by_row: list[dict[int, float]] = [{} for _ in range(lp.num_row_)]
    rowwise = matrix.format_ == highspy.MatrixFormat.kRowwise
    for outer in range(len(matrix.start_) - 1):
        for k in range(matrix.start_[outer], matrix.start_[outer + 1]):
            inner, value = int(matrix.index_[k]), float(matrix.value_[k])
            if value != 0:
                r, j = (outer, inner) if rowwise else (inner, outer)
                by_row[r][j] = value
    rows = [(_finite(lp.row_lower_[r]), _finite(lp.row_upper_[r]), by_row[r]) for r in range(lp.num_row_)]
    bounds = [(_finite(lo), _finite(up)) for lo, up in zip(lp.col_lower_, lp.col_upper_)]
    return list(lp.col_cost_), float(lp.offset_), bounds, integer, rows


def pulp_arrays(model: SelectionModel):
    """The same, read back from the PuLP problem (each named constraint is one side of a model row)."""
    import pulp

    prob, variables = to_pulp(model)
    position = {v.name: j for j, v in enumerate(variables)}
    objective = [0.0] * len(variables)
    for v, c in prob.objective.items():
        objective[position[v.name]] = float(c)
    bounds = [
        (-INF if v.lowBound is None else float(v.lowBound), INF if v.upBound is None else float(v.upBound))
        for v in variables
    ]
    integer = [v.cat == pulp.LpInteger for v in variables]
    sides = []
    for c in prob.constraints():
        coefs = {position[v.name]: float(a) for v, a in c.items() if a != 0}
        rhs = -float(c.constant)
        if c.sense == pulp.LpConstraintLE:
            sides.append((-INF, rhs, coefs))
        elif c.sense == pulp.LpConstraintGE:
            sides.append((rhs, INF, coefs))
        else:
            sides.append((rhs, rhs, coefs))
    return objective, float(prob.objective.constant), bounds, integer, sides


def _key(coefs: dict[int, float]) -> tuple:
    return tuple(sorted((j, round(c, 9)) for j, c in coefs.items()))


def row_sides(rows) -> list[tuple]:
    """Each row with two finite sides as two one-sided rows, rounded, sorted (as PuLP writes them)."""
    sides = []
    for lower, upper, coefs in rows:
        if math.isfinite(lower):
            sides.append((round(lower, 9), INF, _key(coefs)))
        if math.isfinite(upper):
            sides.append((-INF, round(upper, 9), _key(coefs)))
    return sorted(sides)


def assert_same(model: SelectionModel, tmp_path) -> None:
    h_obj, h_offset, h_bounds, h_int, h_rows = highs_arrays(model)
    p_obj, p_offset, p_bounds, p_int, p_sides = pulp_arrays(model)
    m_obj, _, m_bounds, m_int, m_rows = mps_arrays(model, tmp_path)
    # CBC gets every coefficient exactly (repr) and adds the constant back itself.
    assert m_obj == list(model.objective) and m_bounds == h_bounds and m_int == h_int
    assert row_sides(m_rows) == row_sides(h_rows)
    assert np.allclose(h_obj, p_obj) and np.allclose(h_obj, model.objective)
    assert h_offset == pytest.approx(p_offset) == pytest.approx(model.constant)
    assert h_bounds == p_bounds
    assert h_int == p_int == list(model.is_integer())
    # Each HiGHS row with two finite sides is two PuLP constraints; compare side by side.
    h_sides = []
    for lower, upper, coefs in h_rows:
        if math.isfinite(lower):
            h_sides.append((lower, INF, _key(coefs)))
        if math.isfinite(upper):
            h_sides.append((-INF, upper, _key(coefs)))
    p_sides = [(round(lo, 9), round(up, 9), _key(c)) for lo, up, c in p_sides]
    h_sides = [(round(lo, 9), round(up, 9), c) for lo, up, c in h_sides]
    assert sorted(h_sides) == sorted(p_sides)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_highs_pulp_and_cbc_receive_the_same_base_model(seed, tmp_path):
    portfolio = generate_portfolio(60, k=3, seed=seed, long_min_pct=20.0)
    assert_same(build_model(portfolio), tmp_path)


@pytest.mark.parametrize("seed", [0, 1])
def test_highs_pulp_and_cbc_receive_the_same_elastic_model(seed, tmp_path):
    portfolio = generate_portfolio(40, k=2, seed=seed, long_min_pct=30.0)
    model, where = elastic_model(portfolio)
    assert where.slacks and where.locks
    assert_same(model, tmp_path)


@pytest.mark.parametrize("covering", [None, 0.7])
def test_highs_pulp_and_cbc_receive_the_same_threshold_model(covering, tmp_path):
    portfolio = generate_portfolio(40, k=3, seed=3, long_min_pct=20.0)
    pid = next(p.id for p in portfolio.priorities if not p.must_do)
    assert_same(threshold_model(portfolio, pid, 100.0, covering=covering), tmp_path)


def test_the_variants_are_built_from_the_base_model_rows():
    portfolio = generate_portfolio(30, k=2, seed=4, long_min_pct=25.0)
    base = build_model(portfolio)
    elastic, _ = elastic_model(portfolio)
    assert [r.name for r in elastic.rows if not r.name.startswith("lock_")] == [
        r.name for r in base.rows if r.kind not in ("capacity", "max_priorities", "horizon_min", "horizon_max")
    ] + [r.name for r in base.rows if r.kind in ("capacity", "max_priorities", "horizon_min", "horizon_max")]
    threshold = threshold_model(portfolio, base.ids[5], 0.0)
    cost_rows = {r.name for r in base.rows if r.kind in ("capacity", "horizon_min", "horizon_max")}
    assert cost_rows <= {r.name for r in threshold.rows}
    assert threshold.num_cols == base.size + 1 and threshold.aux_names == ("cost_share",)
