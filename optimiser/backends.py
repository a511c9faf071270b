"""Solver back-ends for a :class:`SelectionModel`, chosen in one place (`run_solver`).

- ``highs``: HiGHS in-process through highspy, fed the model's arrays directly.
- ``cbc``: CBC (bundled with PuLP) through a PuLP problem with named constraints.
- ``highs-pulp``: HiGHS through PuLP, kept for benchmarking the two routes.

Every back-end returns a :class:`SolverOutcome`; values are only read back when the solver
says a solution exists.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from .model import SelectionModel, safe_name

SOLVERS: tuple[str, ...] = ("auto", "highs", "cbc", "highs-pulp")
DEFAULT_TIME_LIMIT = 30.0
DEFAULT_GAP = 1e-4
# Measured with bench/solve_speed.py on these machines (median [min-max] s, 3 seeds):
#   N=200:    HiGHS 0.015 [0.011-0.034], CBC 0.025-0.029
#   N=1,000:  HiGHS 0.154 [0.138-0.243], CBC 0.106 [0.085-0.143]
#   N=5,000:  HiGHS 0.61-0.68 but up to 5.5, CBC 0.68-0.71 [0.655-0.749]
#   N=20,000: HiGHS 4.9-5.2 but once 111, CBC 3.3-4.1 [3.2-6.1]
# so `auto` runs HiGHS in-process below 1,000 priorities and CBC (steadier) from 1,000 up.
AUTO_CBC_MIN_PRIORITIES = 1000


@dataclass(frozen=True)
class SolverOutcome:
    status: str  # optimal | feasible | infeasible | no_solution | error
    x: np.ndarray | None
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    solver: str
    message: str = ""


def relative_gap(objective: float, bound: float) -> float:
    """Relative gap of a maximisation: (bound - objective) / max(|objective|, 1e-9), never negative."""
    return max(0.0, (bound - objective) / max(abs(objective), 1e-9))


def choose_solver(solver: str, size: int) -> str:
    if solver not in SOLVERS:
        raise ValueError(f"Unknown solver '{solver}'. Use one of: {', '.join(SOLVERS)}.")
    if solver != "auto":
        return solver
    return "cbc" if size >= AUTO_CBC_MIN_PRIORITIES else "highs"


def run_solver(
    model: SelectionModel, solver: str = "auto", time_limit: float = DEFAULT_TIME_LIMIT, gap: float = DEFAULT_GAP
) -> SolverOutcome:
    chosen = choose_solver(solver, model.size)
    if chosen == "highs":
        return solve_with_highs(model, time_limit, gap)
    return solve_with_pulp(model, time_limit, gap, use_cbc=(chosen == "cbc"))


# ------------------------------------------------------------------ HiGHS in-process


def _csr(model: SelectionModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lengths = np.fromiter((len(r.cols) for r in model.rows), dtype=np.int64, count=len(model.rows))
    starts = np.zeros(len(model.rows) + 1, dtype=np.int32)
    np.cumsum(lengths, out=starts[1:])
    if model.rows:
        index = np.concatenate([r.cols for r in model.rows]).astype(np.int32)
        value = np.concatenate([r.coefs for r in model.rows]).astype(float)
    else:
        index = np.zeros(0, dtype=np.int32)
        value = np.zeros(0)
    return starts, index, value


# On small, tight portfolios (like the sample: 48 priorities, four tight capacities) HiGHS spent most
# of its time restarting and in sub-MIP heuristics; without them it solves 3-4x faster
# (0.22 s -> 0.06 s on the sample). Feasibility jump off, no cut separation below the root and
# pseudo-cost branching from the first node (no strong branching) each cut the explanation workload
# (about 100 re-solves of the sample, bench/explain_speed.py): together from 7.3 s to 5.0 s of CPU,
# with the same answers. Measured with bench/solve_speed.py up to 1,000 priorities (no slower);
# not applied to large models.
SMALL_MODEL_OPTIONS = {
    "mip_allow_restart": False,
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "mip_heuristic_run_feasibility_jump": False,
    "mip_allow_cut_separation_at_nodes": False,
    "mip_pscost_minreliable": 0,
}
SMALL_MODEL_MAX = 2000


def highs_instance(model: SelectionModel, time_limit: float, gap: float):
    """A highspy.Highs holding the model (rows in model order, one column per priority)."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("threads", 1)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(gap))
    if model.size <= SMALL_MODEL_MAX:
        for option, value in SMALL_MODEL_OPTIONS.items():
            h.setOptionValue(option, value)
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_ = model.size
    lp.num_row_ = len(model.rows)
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = model.objective.astype(float)
    lp.offset_ = float(model.constant)
    lp.col_lower_ = model.col_lower.astype(float)
    lp.col_upper_ = model.col_upper.astype(float)
    lp.row_lower_ = np.array([max(r.lower, -inf) for r in model.rows], dtype=float)
    lp.row_upper_ = np.array([min(r.upper, inf) for r in model.rows], dtype=float)
    starts, index, value = _csr(model)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = starts
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = value
    lp.a_matrix_.num_col_ = model.size
    lp.a_matrix_.num_row_ = len(model.rows)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * model.size
    h.passModel(lp)
    return h


def run_highs(h, time_limit: float, started: float) -> SolverOutcome:
    """Run a prepared HiGHS instance and read back a solution only if one exists."""
    import highspy

    h.run()
    seconds = time.perf_counter() - started
    status = h.getModelStatus()
    info = h.getInfo()
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    name = "HiGHS"
    model_status = highspy.HighsModelStatus
    if status == model_status.kInfeasible:
        return SolverOutcome("infeasible", None, None, None, None, seconds, name, "No selection satisfies every rule.")
    if not has_solution:
        message = h.modelStatusToString(status)
        if status == model_status.kTimeLimit:
            message = f"The solver reached its time limit of {time_limit:g} s before finding any selection."
        return SolverOutcome("no_solution", None, None, None, None, seconds, name, message)
    x = np.round(np.array(h.getSolution().col_value, dtype=float))
    objective = float(info.objective_function_value)
    bound = float(info.mip_dual_bound)
    if not math.isfinite(bound):
        bound = objective
    gap_now = relative_gap(objective, bound)
    if status == model_status.kOptimal:
        return SolverOutcome("optimal", x, objective, bound, gap_now, seconds, name)
    return SolverOutcome(
        "feasible",
        x,
        objective,
        bound,
        gap_now,
        seconds,
        name,
        f"Stopped at the {time_limit:g} s time limit ({h.modelStatusToString(status)}).",
    )


def solve_with_highs(model: SelectionModel, time_limit: float, gap: float) -> SolverOutcome:
    started = time.perf_counter()
    return run_highs(highs_instance(model, time_limit, gap), time_limit, started)


# ------------------------------------------------------------------ PuLP (CBC or HiGHS)


def to_pulp(model: SelectionModel):
    """The model as a PuLP problem with one named constraint per rule; returns (problem, variables)."""
    import pulp

    prob = pulp.LpProblem("rationalise", pulp.LpMaximize)
    names = [f"x_{i}_{safe_name(pid)}" for i, pid in enumerate(model.ids)]
    variables = [
        prob.add_variable(
            names[i], lowBound=float(model.col_lower[i]), upBound=float(model.col_upper[i]), cat=pulp.LpInteger
        )
        for i in range(model.size)
    ]
    prob += pulp.LpAffineExpression(
        [(variables[i], float(c)) for i, c in enumerate(model.objective) if c != 0], constant=float(model.constant)
    )
    for row in model.rows:
        expr = pulp.LpAffineExpression([(variables[int(j)], float(c)) for j, c in zip(row.cols, row.coefs)])
        if math.isfinite(row.upper):
            name = row.name if not math.isfinite(row.lower) else row.name + "_upper"
            prob += (expr <= row.upper, name)
        if math.isfinite(row.lower):
            prob += (expr >= row.lower, row.name)
    return prob, variables


def solve_with_pulp(model: SelectionModel, time_limit: float, gap: float, use_cbc: bool = True) -> SolverOutcome:
    import pulp

    started = time.perf_counter()
    prob, variables = to_pulp(model)
    if use_cbc:
        cbc_path = pulp.PULP_CBC_CMD.pulp_cbc_path
        engine = pulp.COIN_CMD(path=cbc_path, msg=False, timeLimit=time_limit, gapRel=gap, threads=1)
        name = "CBC"
    else:
        engine = pulp.HiGHS(msg=False, timeLimit=time_limit, gapRel=gap, threads=1)
        name = "HiGHS (PuLP)"
    try:
        prob.solve(engine)
    except pulp.PulpSolverError as err:
        return SolverOutcome("error", None, None, None, None, time.perf_counter() - started, name, str(err))
    seconds = time.perf_counter() - started
    status = prob.status
    sol_status = prob.sol_status
    if status == pulp.LpStatusInfeasible or sol_status == pulp.LpSolutionInfeasible:
        return SolverOutcome("infeasible", None, None, None, None, seconds, name, "No selection satisfies every rule.")
    if sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        return SolverOutcome(
            "no_solution",
            None,
            None,
            None,
            None,
            seconds,
            name,
            f"The solver stopped without a selection ({pulp.LpStatus.get(status, status)}).",
        )
    x = np.array([round(v.value() or 0.0) for v in variables], dtype=float)
    objective = float(model.objective @ x + model.constant)
    # A solution that breaks a rule is never shown (CBC has returned such values before).
    if not satisfies(model, x):
        return SolverOutcome(
            "error", None, None, None, None, seconds, name, "The solver returned a selection that breaks a rule."
        )
    if sol_status == pulp.LpSolutionOptimal:
        return SolverOutcome("optimal", x, objective, objective, 0.0, seconds, name)
    return SolverOutcome(
        "feasible",
        x,
        objective,
        None,
        None,
        seconds,
        name,
        f"Stopped at the {time_limit:g} s time limit without proving optimality.",
    )


def satisfies(model: SelectionModel, x: np.ndarray, tol: float = 1e-6) -> bool:
    """True when x is within bounds and meets every row."""
    if np.any(x < model.col_lower - tol) or np.any(x > model.col_upper + tol):
        return False
    for row in model.rows:
        activity = float(row.coefs @ x[row.cols]) if len(row.cols) else 0.0
        if activity < row.lower - tol * max(1.0, abs(row.lower)) or activity > row.upper + tol * max(
            1.0, abs(row.upper)
        ):
            return False
    return True
