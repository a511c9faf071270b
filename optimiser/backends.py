"""Solver back-ends for a :class:`SelectionModel`, chosen in one place (`run_solver`).

- ``highs``: HiGHS in-process through highspy, fed the model's arrays directly.
- ``cbc``: CBC (the binary bundled with PuLP) fed an MPS file written straight from the model's arrays.
- ``cbc-pulp``: CBC through a PuLP problem with named constraints (PuLP's own route).
- ``highs-pulp``: HiGHS through PuLP, kept for benchmarking the two routes.
- ``race``: HiGHS and CBC at once on the same model; the first proven answer wins (`race`).
- ``auto``: LP reduced-cost fixing (`reduced.solve_reduced`) or a solver by size (see AUTO_CBC_FROM).

Every back-end returns a :class:`SolverOutcome`; values are only read back when the solver
says a solution exists.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .model import SelectionModel
from .solver_options import DEFAULT_GAP, DEFAULT_TIME_LIMIT, SOLVERS  # noqa: F401 (re-exported)

# A selection is proven optimal when the solver's bound is within this of its value: an absolute 1e-6
# (HiGHS's own absolute gap tolerance) or a relative 1e-9 for large values. Values are sums of weight x
# score, so a real improvement is far larger than this.
PROVEN_ABS_GAP = 1e-6
PROVEN_REL_GAP = 1e-9
# `auto`, measured on ../shared/bench/gen.py instances and 100 x 5 knapsacks (bench/vs_pulp.py,
# bench/knapsack_cli.py; 2 cores):
# - below AUTO_CBC_FROM priorities, HiGHS in-process: the sample solves in ~10 ms, less than starting CBC;
# - with prerequisites or alternatives, from 100 priorities: LP reduced-cost fixing, then HiGHS on what is
#   left (optimiser/reduced.py): 2-5x faster than either solver alone on gen.py instances;
# - otherwise (or if the reduction does not apply) by size: CBC on the model's MPS file from AUTO_CBC_FROM
#   (on pure knapsacks several times faster than HiGHS), HiGHS from AUTO_HIGHS_FROM (at N=5,000 2.2-3.8 s
#   against CBC 3.4-6.6 s; CBC's times swing more at 20,000: 38-116 s in ../shared/SOLVER_NOTES.md).
# `race` runs HiGHS and CBC at once (one per core) and takes the first proven answer. It is not `auto`'s
# choice: on a busy 2-core machine the two share the cores and the race lost to the faster solver alone.
AUTO_CBC_FROM = 100
AUTO_HIGHS_FROM = 3000


@dataclass(frozen=True)
class SolverOutcome:
    """What a back-end returns. `status` is optimal only when the bound proves it (`is_proven`);
    feasible means a selection was found and `gap` says how far from proven it may be (None: unknown)."""

    status: str  # optimal | feasible | infeasible | no_solution | error
    x: np.ndarray | None
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    solver: str
    message: str = ""
    time_limit_hit: bool = False

    @property
    def proven(self) -> bool:
        """True when the answer is proven: an optimal selection, or proven infeasibility."""
        return self.status in ("optimal", "infeasible")


def relative_gap(objective: float, bound: float) -> float:
    """Relative gap of a maximisation: (bound - objective) / max(|objective|, 1e-9), never negative."""
    return max(0.0, (bound - objective) / max(abs(objective), 1e-9))


def is_proven(objective: float, bound: float | None, unit: float = 0.0) -> bool:
    """Whether a solver's bound proves the objective optimal (see PROVEN_ABS_GAP, PROVEN_REL_GAP). With a
    lattice `unit` (every value is constant + k x unit, `reduced.objective_unit`) a bound less than one unit
    above the objective proves it too: no value on the lattice lies between them."""
    if bound is None or not math.isfinite(bound):
        return False
    tolerance = max(PROVEN_ABS_GAP, PROVEN_REL_GAP * abs(objective))
    if unit > 0:
        tolerance = max(tolerance, unit * LATTICE_SHARE - PROVEN_REL_GAP * max(1.0, abs(objective)))
    return bound - objective <= tolerance


# A bound within this share of one lattice unit above a value proves it (the rest covers round-off).
LATTICE_SHARE = 1 - 1e-6


def _found(
    x: np.ndarray,
    objective: float,
    bound: float | None,
    seconds: float,
    solver: str,
    stopped: str,
    timed_out: bool,
    unit: float = 0.0,
) -> SolverOutcome:
    """A selection with its bound: optimal when proven, otherwise feasible with the gap (or unknown gap)."""
    if bound is not None and not math.isfinite(bound):
        bound = None
    if is_proven(objective, bound, unit):
        return SolverOutcome("optimal", x, objective, bound, 0.0, seconds, solver)
    gap = None if bound is None else relative_gap(objective, bound)
    return SolverOutcome("feasible", x, objective, bound, gap, seconds, solver, stopped, timed_out)


def choose_solver(solver: str, size: int) -> str:
    if solver not in SOLVERS:
        raise ValueError(f"Unknown solver '{solver}'. Use one of: {', '.join(SOLVERS)}.")
    if solver != "auto":
        return solver
    return "cbc" if AUTO_CBC_FROM <= size < AUTO_HIGHS_FROM else "highs"


def run_solver(
    model: SelectionModel,
    solver: str = "auto",
    time_limit: float = DEFAULT_TIME_LIMIT,
    gap: float = DEFAULT_GAP,
    start: np.ndarray | None = None,
) -> SolverOutcome:
    """Solve with the chosen back-end. A `start` (a solution of every row) is given to HiGHS as its first
    solution; the other back-ends solve from scratch."""
    chosen = choose_solver(solver, model.size)
    started = time.perf_counter()
    if solver == "auto" and not is_pure_knapsack(model):
        # Portfolios with prerequisites or alternatives: LP reduced-cost fixing first (optimiser/reduced.py); when
        # it does not apply, the plain solver below. Pure knapsacks (no such rows) go straight to CBC, which
        # solves them several times faster.
        from .reduced import applies, solve_reduced

        if applies(model):
            reduced = solve_reduced(model, time_limit, gap)
            if reduced is not None:
                return reduced
            time_limit = max(time_limit - (time.perf_counter() - started), 0.01)
    if chosen == "highs":
        return solve_with_highs(model, time_limit, gap, start)
    if chosen == "race":
        return race(model, time_limit, gap)
    if chosen == "cbc":
        return solve_with_cbc(model, time_limit, gap, options=cbc_options(model) if solver == "auto" else ())
    return solve_with_pulp(model, time_limit, gap, use_cbc=(chosen == "cbc-pulp"))


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


def highs_instance(model: SelectionModel, time_limit: float, gap: float, integer: bool = True):
    """A highspy.Highs holding the model (rows in model order, one column per priority); with
    `integer=False`, its LP relaxation."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("threads", 1)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(gap))
    if model.size <= SMALL_MODEL_MAX and model.tuning in ("selection", "plan-small"):
        for option, value in SMALL_MODEL_OPTIONS.items():
            h.setOptionValue(option, value)
    if model.tuning.startswith("plan") and integer and gap == 0:
        # Plans: values lie on a lattice (weighted scores, and shares of them by year), so HiGHS may stop once
        # its bound is less than one unit above its best plan; run_highs then calls it proven (is_proven).
        from .reduced import objective_unit

        unit = objective_unit(model) if bool(np.all(model.is_integer())) else 0.0
        if unit > 0:
            h.setOptionValue("mip_abs_gap", unit * LATTICE_SHARE)
    h.passModel(highs_lp(model, integer))
    return h


def highs_lp(model: SelectionModel, integer: bool = True):
    """The model as a highspy.HighsLp (no integrality when `integer` is False)."""
    import highspy

    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_ = model.num_cols
    lp.num_row_ = len(model.rows)
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = model.objective.astype(float)
    lp.offset_ = float(model.constant)
    lp.col_lower_ = np.maximum(model.col_lower.astype(float), -inf)
    lp.col_upper_ = np.minimum(model.col_upper.astype(float), inf)
    lp.row_lower_ = np.array([max(r.lower, -inf) for r in model.rows], dtype=float)
    lp.row_upper_ = np.array([min(r.upper, inf) for r in model.rows], dtype=float)
    starts, index, value = _csr(model)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = starts
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = value
    lp.a_matrix_.num_col_ = model.num_cols
    lp.a_matrix_.num_row_ = len(model.rows)
    if integer:
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if flag else highspy.HighsVarType.kContinuous for flag in model.is_integer()
        ]
    return lp


def run_highs(
    h, time_limit: float, started: float, integer: np.ndarray | None = None, unit: float = 0.0
) -> SolverOutcome:
    """Run a prepared HiGHS instance and read back a solution only if one exists. Integer columns
    (all, unless `integer` says which) are rounded to whole numbers."""
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
        return SolverOutcome(
            "no_solution", None, None, None, None, seconds, name, message, status == model_status.kTimeLimit
        )
    x = np.array(h.getSolution().col_value, dtype=float)
    x = np.where(integer, np.round(x), x) if integer is not None else np.round(x)
    objective = float(info.objective_function_value)
    bound = float(info.mip_dual_bound)
    if status == model_status.kOptimal and not math.isfinite(bound):
        bound = objective  # a model HiGHS solved without branching (e.g. every column fixed)
    if status == model_status.kTimeLimit:
        stopped = f"Stopped at the {time_limit:g} s time limit."
    else:
        stopped = f"Stopped before proving optimality ({h.modelStatusToString(status)})."
    return _found(x, objective, bound, seconds, name, stopped, status == model_status.kTimeLimit, unit)


def solve_with_highs(
    model: SelectionModel, time_limit: float, gap: float, start: np.ndarray | None = None
) -> SolverOutcome:
    """HiGHS in-process; `start` (every column's value, meeting every row) is given to it as its first solution."""
    started = time.perf_counter()
    h, integer, unit = prepare_highs(model, time_limit, gap, start)
    return run_highs(h, time_limit, started, integer, unit)


def prepare_highs(
    model: SelectionModel, time_limit: float, gap: float, start: np.ndarray | None = None
) -> tuple[object, np.ndarray, float]:
    """What `run_highs` needs to solve the model: (HiGHS instance holding it, with `start` as its first solution;
    which columns are integer; the lattice unit of a plan's values, else 0). HiGHS keeps its own copy, so the
    caller may let go of the model before the solve (memory of large models)."""
    unit = 0.0
    if model.tuning.startswith("plan") and gap == 0 and bool(np.all(model.is_integer())):
        from .reduced import objective_unit

        unit = objective_unit(model)
    h = highs_instance(model, time_limit, gap)
    if start is not None:
        import highspy

        given = highspy.HighsSolution()
        given.col_value = np.asarray(start, dtype=float).tolist()
        given.value_valid = True
        h.setSolution(given)
    return h, model.is_integer(), unit


# ------------------------------------------------------------------ PuLP (CBC or HiGHS)


def to_pulp(model: SelectionModel):
    """The model as a PuLP problem with one named constraint per rule; returns (problem, variables)."""
    import pulp

    prob = pulp.LpProblem("rationalise", pulp.LpMaximize)
    names = model.column_names()
    integer = model.is_integer()
    variables = [
        prob.add_variable(
            names[i],
            lowBound=float(model.col_lower[i]) if math.isfinite(model.col_lower[i]) else None,
            upBound=float(model.col_upper[i]) if math.isfinite(model.col_upper[i]) else None,
            cat=pulp.LpInteger if integer[i] else pulp.LpContinuous,
        )
        for i in range(model.num_cols)
    ]
    used: set[str] = set()

    def unique(name: str) -> str:
        """Row names are unique in the model by construction; this guards PuLP against a clash anyway."""
        candidate, n = name, 1
        while candidate in used:
            n += 1
            candidate = f"{name}_{n}"
        used.add(candidate)
        return candidate

    prob += pulp.LpAffineExpression(
        [(variables[i], float(c)) for i, c in enumerate(model.objective) if c != 0], constant=float(model.constant)
    )
    for row in model.rows:
        expr = pulp.LpAffineExpression([(variables[int(j)], float(c)) for j, c in zip(row.cols, row.coefs)])
        if math.isfinite(row.upper):
            name = row.name if not math.isfinite(row.lower) else row.name + "_upper"
            prob += (expr <= row.upper, unique(name))
        if math.isfinite(row.lower):
            prob += (expr >= row.lower, unique(row.name))
    return prob, variables


def solve_with_pulp(model: SelectionModel, time_limit: float, gap: float, use_cbc: bool = True) -> SolverOutcome:
    import pulp

    started = time.perf_counter()
    prob, variables = to_pulp(model)
    log = None
    if use_cbc:
        cbc_path = pulp.PULP_CBC_CMD.pulp_cbc_path
        handle, log = tempfile.mkstemp(prefix="cbc_", suffix=".log")
        os.close(handle)
        engine = pulp.COIN_CMD(path=cbc_path, msg=False, timeLimit=time_limit, gapRel=gap, logPath=log)
        name = "CBC"
    else:
        engine = pulp.HiGHS(msg=False, timeLimit=time_limit, gapRel=gap, threads=1)
        name = "HiGHS (PuLP)"
    try:
        prob.solve(engine)
        cbc_gap, cbc_timed_out = _cbc_log(Path(log).read_text(errors="replace")) if log else (None, False)
    except pulp.PulpSolverError as err:
        return SolverOutcome("error", None, None, None, None, time.perf_counter() - started, name, str(err))
    finally:
        if log:
            Path(log).unlink(missing_ok=True)
    seconds = time.perf_counter() - started
    status = prob.status
    sol_status = prob.sol_status
    if status == pulp.LpStatusInfeasible or sol_status == pulp.LpSolutionInfeasible:
        return SolverOutcome("infeasible", None, None, None, None, seconds, name, "No selection satisfies every rule.")
    if sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        if cbc_timed_out:
            message = f"The solver reached its time limit of {time_limit:g} s before finding any selection."
        else:
            message = f"The solver stopped without a selection ({pulp.LpStatus.get(status, status)})."
        return SolverOutcome("no_solution", None, None, None, None, seconds, name, message, cbc_timed_out)
    integer = model.is_integer()
    # A column CBC leaves out of its solution (e.g. fixed by presolve) sits at its lower bound.
    x = np.array(
        [v.value() if v.value() is not None else max(float(lo), 0.0) for v, lo in zip(variables, model.col_lower)],
        dtype=float,
    )
    x = np.where(integer, np.round(x), x)
    objective = float(model.objective @ x + model.constant)
    # A solution that breaks a rule is never shown (CBC has returned such values before).
    if not satisfies(model, x):
        return SolverOutcome(
            "error", None, None, None, None, seconds, name, "The solver returned a selection that breaks a rule."
        )
    # The bound: CBC's log states it whenever it stopped short of a full proof (at a time limit or within
    # gapRel); PuLP's HiGHS route reports no bound, so only its "optimal" status with no gap allowed proves.
    if use_cbc:
        bound = None if cbc_gap is None else objective + cbc_gap
    else:
        bound = objective if sol_status == pulp.LpSolutionOptimal and gap == 0 else None
    timed_out = cbc_timed_out or (not use_cbc and sol_status != pulp.LpSolutionOptimal)
    stopped = f"Stopped at the {time_limit:g} s time limit." if timed_out else "Stopped before proving optimality."
    return _found(x, objective, bound, seconds, name, stopped, timed_out)


_CBC_RESULT = re.compile(r"^Result - (.+)$", re.MULTILINE)
_CBC_NUMBER = r"\s*:\s*(-?[0-9.eE+-]+)"


def _cbc_log(log: str) -> tuple[float | None, bool]:
    """How far CBC's bound is above its best selection (None if it did not say), and whether it stopped at
    its time limit, read from its log.

    CBC prints "Objective value:" and, unless it proved optimality outright, the bound ("Upper bound:"
    for a maximisation); its printed "Gap:" is not used (it has the wrong sign for a maximisation)."""
    result = _CBC_RESULT.search(log)
    objective = re.search(r"^Objective value" + _CBC_NUMBER, log, re.MULTILINE)
    bound = re.search(r"^(?:Upper|Lower) bound" + _CBC_NUMBER, log, re.MULTILINE)
    timed_out = result is not None and "time" in result.group(1).lower()
    if result is None and re.search(r"^Optimal - objective value", log, re.MULTILINE):
        return 0.0, False  # solved outright (presolve or the LP) with no branch and bound
    if objective is None or result is None:
        return None, timed_out
    if bound is None:
        return (0.0 if result.group(1).strip() == "Optimal solution found" else None), timed_out
    return abs(float(bound.group(1)) - float(objective.group(1))), timed_out


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


# ------------------------------------------------------------------ CBC fed the model's arrays


def mps_text(model: SelectionModel) -> str:
    """The model as a free-format MPS file (maximised with CBC's -max): columns C<j>, rows R<r> in model
    order, integer columns between markers, every bound written out. A row with two finite sides is a G
    row with a range; a row with no finite side constrains nothing and is left out. Numbers are written
    with Python's shortest exact form (repr), so CBC reads the model's coefficients unchanged."""
    n = model.num_cols
    kinds: list[str] = []
    rhs: list[str] = []
    ranges: list[str] = []
    kept_rows: list[int] = []
    for r, row in enumerate(model.rows):
        lower, upper = float(row.lower), float(row.upper)
        if math.isfinite(lower) and math.isfinite(upper):
            if lower == upper:
                kinds.append(f" E R{r}")
            else:
                kinds.append(f" G R{r}")
                ranges.append(f"    RNG R{r} {upper - lower!r}")
            side = lower
        elif math.isfinite(upper):
            kinds.append(f" L R{r}")
            side = upper
        elif math.isfinite(lower):
            kinds.append(f" G R{r}")
            side = lower
        else:
            continue
        if side != 0:
            rhs.append(f"    RHS R{r} {side!r}")
        kept_rows.append(r)
    # Every nonzero, objective entries as row -1, in column order (the objective first in each column).
    rows = [model.rows[r] for r in kept_rows]
    row_of = np.concatenate([[-1] * n] + [np.full(len(row.cols), r) for r, row in zip(kept_rows, rows)])
    col_of = np.concatenate([np.arange(n)] + [np.asarray(row.cols) for row in rows])
    coef_of = np.concatenate(
        [np.asarray(model.objective, dtype=float)] + [np.asarray(row.coefs, float) for row in rows]
    )
    keep = (coef_of != 0) | (row_of < 0)
    order = np.lexsort((row_of[keep], col_of[keep]))
    row_of, col_of, coef_of = row_of[keep][order].tolist(), col_of[keep][order].tolist(), coef_of[keep][order].tolist()
    entries = [f"    C{j} {'OBJ' if r < 0 else f'R{r}'} {c!r}" for j, r, c in zip(col_of, row_of, coef_of)]
    # Integer columns between markers: one marker pair around each run of integer columns.
    integer = model.is_integer().tolist()
    starts = np.searchsorted(np.asarray(col_of), np.arange(n + 1)).tolist()
    columns: list[str] = []
    run_start = 0
    for j in range(1, n + 1):
        if j == n or integer[j] != integer[run_start]:
            block = entries[starts[run_start] : starts[j]]
            if integer[run_start]:
                columns += [f"    M{run_start} 'MARKER' 'INTORG'", *block, f"    E{run_start} 'MARKER' 'INTEND'"]
            else:
                columns += block
            run_start = j
    bounds: list[str] = []
    for j, (lower, upper) in enumerate(zip(model.col_lower.tolist(), model.col_upper.tolist())):
        if lower == upper and math.isfinite(lower):
            bounds.append(f" FX BND C{j} {lower!r}")
            continue
        bounds.append(f" LO BND C{j} {lower!r}" if math.isfinite(lower) else f" MI BND C{j}")
        bounds.append(f" UP BND C{j} {upper!r}" if math.isfinite(upper) else f" PL BND C{j}")
    lines = ["NAME rationalise", "ROWS", " N OBJ", *kinds, "COLUMNS", *columns, "RHS", *rhs]
    if ranges:
        lines += ["RANGES", *ranges]
    lines += ["BOUNDS", *bounds, "ENDATA"]
    return "\n".join(lines) + "\n"


def _cbc_path() -> str:
    """PuLP's bundled CBC, found where PuLP keeps it without importing PuLP (about 45 ms of a command-line
    solve); PuLP itself answers when the file is not there or not executable (it then sets the permission)."""
    import importlib.util
    import platform

    spec = importlib.util.find_spec("pulp")
    if spec is not None and spec.origin and sys.maxsize > 2**32 and sys.platform.startswith("linux"):
        arch = "arm64" if platform.machine().lower() in ("aarch64", "arm64") else "i64"
        path = Path(spec.origin).parent / "solverdir" / "cbc" / "linux" / arch / "cbc"
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    import pulp

    return pulp.PULP_CBC_CMD.pulp_cbc_path


# Pure knapsacks (no prerequisite or alternative rows) of fewer than KNAPSACK_OPTIONS_BELOW priorities: CBC without
# cut generation, heuristics off and strong branching on 20 candidates. On the 30 classic 100 x 5 knapsacks of
# bench/knapsack_cli.py (tightness 0.25 / 0.5 / 0.75, 10 each) CBC's own time fell from 34.2 s to 16.5 s in all
# (worst 4.6 -> 2.2 s), same optima; 100 x 10: 10.5 / 33.7 s -> 9.2 / 9.1 s. Not used with prerequisites
# (gen.py N=1,000 solved by CBC: 0.6 -> 5.1 s) nor from 1,000 priorities (flat gen.py N=2,500: 0.1 -> 0.5 s).
KNAPSACK_CBC_OPTIONS = ("-cuts", "off", "-heuristicsOnOff", "off", "-strongBranching", "20")
KNAPSACK_OPTIONS_BELOW = 1000


def is_pure_knapsack(model: SelectionModel) -> bool:
    """No prerequisite or alternative rows: `auto` sends such a model to CBC rather than the LP reduction."""
    return not any(row.kind in ("requires", "excludes") for row in model.rows)


def cbc_options(model: SelectionModel) -> tuple[str, ...]:
    """The CBC options `auto` passes for this model (see KNAPSACK_CBC_OPTIONS)."""
    return KNAPSACK_CBC_OPTIONS if is_pure_knapsack(model) and model.size < KNAPSACK_OPTIONS_BELOW else ()


def solve_with_cbc(
    model: SelectionModel,
    time_limit: float,
    gap: float,
    on_start: Callable[[subprocess.Popen], None] | None = None,
    options: tuple[str, ...] = (),
) -> SolverOutcome:
    """CBC on the model's MPS file (no PuLP objects: writing is ~10x faster at 20,000 priorities).
    `on_start` receives the CBC process as soon as it runs (so that a race can stop it); `options` are
    passed to CBC before it solves."""
    from .reduced import objective_unit

    started = time.perf_counter()
    name = "CBC"
    unit = objective_unit(model) if bool(np.all(model.is_integer())) else 0.0
    with tempfile.TemporaryDirectory(prefix="cbc_") as folder:
        mps, sol, log = (Path(folder) / f for f in ("model.mps", "model.sol", "cbc.log"))
        mps.write_text(mps_text(model))
        args = [_cbc_path(), str(mps), "-max", "-sec", f"{time_limit:g}", "-ratio", f"{gap:g}"]
        if unit > 0:
            # Every selection's value is constant + k x unit, so a better one is better by a whole unit: CBC may
            # prune any branch whose bound is less than a unit above its best (its cutoff increment).
            args += ["-increment", repr(unit * (1 - 1e-6))]
        args += [*options, "-timeMode", "elapsed", "-solve", "-printingOptions", "all", "-solution", str(sol)]
        with open(log, "w") as out:
            process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            if on_start:
                on_start(process)
            code = process.wait()
        seconds = time.perf_counter() - started
        if code != 0 or not sol.exists():
            return SolverOutcome("error", None, None, None, None, seconds, name, f"CBC stopped (exit code {code}).")
        cbc_gap, timed_out = _cbc_log(log.read_text(errors="replace"))
        solution = sol.read_text(errors="replace").splitlines()
    head = solution[0].split() if solution else []
    word = head[0] if head else ""
    has_solution = word == "Optimal" or (word == "Stopped" and len(head) >= 5 and head[4] == "objective")
    if word in ("Infeasible", "Integer"):
        return SolverOutcome("infeasible", None, None, None, None, seconds, name, "No selection satisfies every rule.")
    if not has_solution:
        message = (
            f"The solver reached its time limit of {time_limit:g} s before finding any selection."
            if timed_out
            else f"The solver stopped without a selection ({' '.join(head) or 'no status'})."
        )
        return SolverOutcome("no_solution", None, None, None, None, seconds, name, message, timed_out)
    x = np.maximum(model.col_lower.astype(float), 0.0)  # a column CBC leaves out sits at its lower bound
    x = np.where(np.isfinite(x), x, 0.0)
    for line in solution[1:]:
        parts = line.split()
        if parts and parts[0] == "**":
            parts = parts[1:]
        if len(parts) >= 3 and parts[1].startswith("C") and parts[1][1:].isdigit():
            x[int(parts[1][1:])] = float(parts[2])
    integer = model.is_integer()
    x = np.where(integer, np.round(x), x)
    objective = float(model.objective @ x + model.constant)
    if not satisfies(model, x):  # a solution that breaks a rule is never shown
        return SolverOutcome(
            "error", None, None, None, None, seconds, name, "The solver returned a selection that breaks a rule."
        )
    if cbc_gap is not None and unit > 0 and cbc_gap < unit * (1 - 1e-6) - 1e-9 * max(1.0, abs(objective)):
        cbc_gap = 0.0  # no value on the lattice lies between the selection and CBC's bound: proven
    bound = None if cbc_gap is None else objective + cbc_gap
    stopped = f"Stopped at the {time_limit:g} s time limit." if timed_out else "Stopped before proving optimality."
    return _found(x, objective, bound, seconds, name, stopped, timed_out)


# ------------------------------------------------------------------ the race


def race(model: SelectionModel, time_limit: float, gap: float) -> SolverOutcome:
    """HiGHS (in this process, on a thread; it releases the GIL) and CBC (its own process) solve the same
    model at once, one per core; the first proven answer (optimal or infeasible) wins and the other is
    stopped. If neither proves its answer in the time limit, the better selection is kept with the lower
    of the two bounds (each is a valid bound on the best value)."""
    started = time.perf_counter()
    done = threading.Event()
    lock = threading.Lock()
    outcomes: dict[str, SolverOutcome] = {}
    processes: list[subprocess.Popen] = []
    h = highs_instance(model, time_limit, gap)
    h.HandleUserInterrupt = True

    def finish(name: str, outcome: SolverOutcome) -> None:
        with lock:
            outcomes[name] = outcome
            if outcome.proven or len(outcomes) == 2:
                done.set()

    def run_cbc() -> None:
        try:
            finish("cbc", solve_with_cbc(model, time_limit, gap, on_start=processes.append))
        except Exception as err:  # noqa: BLE001 - CBC failing must not lose the HiGHS answer
            finish("cbc", SolverOutcome("error", None, None, None, None, 0.0, "CBC", str(err)))

    def run_h() -> None:
        finish("highs", run_highs(h, time_limit, started, model.is_integer()))

    threads = [threading.Thread(target=run_cbc, daemon=True), threading.Thread(target=run_h, daemon=True)]
    for thread in threads:
        thread.start()
    done.wait()
    with lock:
        winner = next((o for o in outcomes.values() if o.proven), None)
    if winner is not None:
        h.cancelSolve()
        for process in processes:
            if process.poll() is None:
                process.kill()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if winner is not None:
        return replace(winner, seconds=seconds, solver=f"{winner.solver} (raced)")
    found = [o for o in outcomes.values() if o.x is not None]
    if not found:
        first = outcomes.get("highs") or next(iter(outcomes.values()))
        return replace(first, seconds=seconds)
    best = max(found, key=lambda o: o.objective)
    bounds = [o.bound for o in found if o.bound is not None]
    bound = min(bounds) if bounds else None
    timed_out = any(o.time_limit_hit for o in outcomes.values())
    return _found(
        best.x, best.objective, bound, seconds, f"{best.solver} (raced)", best.message or "Stopped early.", timed_out
    )
