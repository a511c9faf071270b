"""A faster proof of the same optimum: fix what the LP relaxation rules out, then solve what is left.

For a model whose columns are all 0/1 (the base model), the LP relaxation gives a bound z and, for each
priority at 0 or 1 in the LP optimum, a reduced cost d_j. Any selection that flips such a priority is worth at
most z - |d_j| (the textbook reduced-cost argument: with the LP duals, every selection's value is z minus
non-negative terms, one of which is |d_j| for the flipped priority). So for a target value T, every priority
whose flip bound falls below T can be fixed at its LP value without losing any selection worth more than T.

1. Solve the LP relaxation (HiGHS, milliseconds).
2. Build a selection cheaply: round the LP optimum down (prerequisites and alternatives stay met, since
   x_a <= x_b and x_a + x_b <= 1 survive rounding down), then add priorities with what they require while
   every rule holds, most promising first. It is checked against every row of the model.
3. Fix with an optimistic target T between that selection's value and z, solve the much smaller MIP that is
   left (HiGHS, with the selection as a start), and stop if its proven optimum v reaches T: a selection
   outside the fixings is worth less than T + unit, so at most T <= v. Otherwise fix again with T = the best
   value found, where the argument always concludes: the optimum is the better of that value and the small
   MIP's proven optimum.

"Less than T + unit" is enough when every selection's value lies on a lattice constant + k * unit (weighted
scores such as 0.35 x 7 + 0.25 x 3 are multiples of 0.05): `objective_unit` finds the unit from the
objective coefficients, or 0 when there is none, and then the fix needs the bound below T itself. A safety
margin of 1e-6 x max(1, |z|) covers the LP's tolerances. The answer is then checked like every other:
`rules.check_rules` on the selection, and it is called optimal only when the small MIP proved its part.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np

from .model import Row, SelectionModel

# The optimistic target, as a share of the way from the first selection's value to z. On gen.py instances
# (N 200-3,000, K 3 and 5, 6 seeds each) the optimum lay at a median 0.85 of the way (0.0-0.98); a target it
# misses costs one more, smaller-gap MIP at the first selection's value.
TARGETS = (0.75,)
UNIT_SCALES = (1, 2, 4, 5, 8, 10, 20, 25, 40, 50, 100, 200, 250, 400, 500, 1000, 2000, 5000, 10000, 100000)
MIN_SIZE = 100  # below this the plain solve takes milliseconds


def objective_unit(model: SelectionModel) -> float:
    """The largest u among 1/scale (UNIT_SCALES) such that every objective coefficient is a whole multiple of u
    (to 1e-9 relative), or 0.0 when none is. Then every selection's value is constant + k * u."""
    coefs = np.asarray(model.objective, dtype=float)
    coefs = coefs[coefs != 0]
    if not len(coefs) or not np.all(np.isfinite(coefs)):
        return 0.0
    for scale in UNIT_SCALES:
        scaled = coefs * scale
        if np.all(np.abs(scaled - np.round(scaled)) <= 1e-9 * np.maximum(1.0, np.abs(scaled))):
            whole = np.abs(np.round(scaled)).astype(np.int64)
            return float(np.gcd.reduce(whole)) / scale
    return 0.0


def applies(model: SelectionModel, min_size: int = MIN_SIZE) -> bool:
    """Only the pure 0/1 model (every column integer within [0, 1]) of at least MIN_SIZE priorities."""
    return (
        model.size >= min_size
        and bool(np.all(model.is_integer()))
        and bool(np.all(model.col_lower >= 0))
        and bool(np.all(model.col_upper <= 1))
    )


class _Columns:
    """The model's rows by column, to update row activities when priorities are added."""

    def __init__(self, model: SelectionModel):
        lengths = np.array([len(r.cols) for r in model.rows], dtype=np.int64)
        rows_of = np.repeat(np.arange(len(model.rows)), lengths)
        cols_of = np.concatenate([r.cols for r in model.rows]).astype(np.int64) if model.rows else np.zeros(0, int)
        coef_of = np.concatenate([r.coefs for r in model.rows]).astype(float) if model.rows else np.zeros(0)
        order = np.argsort(cols_of, kind="stable")
        self.rows = rows_of[order]
        self.coefs = coef_of[order]
        self.start = np.searchsorted(cols_of[order], np.arange(model.num_cols + 1))
        self.lower = np.array([r.lower for r in model.rows], dtype=float)
        self.upper = np.array([r.upper for r in model.rows], dtype=float)
        self.all_rows, self.all_cols, self.all_coefs = rows_of, cols_of, coef_of
        self.requires: list[list[int]] = [[] for _ in range(model.num_cols)]
        for r in model.rows:
            if r.kind == "requires":
                self.requires[int(r.cols[0])].append(int(r.cols[1]))

    def activity(self, x: np.ndarray) -> np.ndarray:
        out = np.zeros(len(self.lower))
        np.add.at(out, self.all_rows, self.all_coefs * x[self.all_cols])
        return out


def first_selection(
    model: SelectionModel, x_lp: np.ndarray, flip_bound: np.ndarray, columns: _Columns
) -> np.ndarray | None:
    """The LP optimum rounded down, then filled greedily (closest to the LP first); None when it breaks a
    rule the filling cannot mend (a minimum)."""
    x = np.maximum(np.floor(x_lp + 1e-9), model.col_lower)
    x = np.minimum(x, model.col_upper)
    activity = columns.activity(x)
    value = float(model.objective @ x + model.constant)
    tol = 1e-9
    # Adding a priority whose flip bound is below the rounded selection's value cannot give anything better.
    candidates = np.flatnonzero((x < 0.5) & (model.col_upper > 0.5) & (flip_bound >= value))
    order = candidates[np.lexsort((-flip_bound[candidates], -x_lp[candidates]))]
    for j in order.tolist():
        if x[j] > 0.5:
            continue
        group: list[int] = []
        stack = [j]
        while stack:
            k = stack.pop()
            if x[k] > 0.5 or k in group:
                continue
            if model.col_upper[k] < 0.5:
                group = []
                break
            group.append(k)
            stack.extend(columns.requires[k])
        if not group:
            continue
        rows = np.concatenate([columns.rows[columns.start[k] : columns.start[k + 1]] for k in group])
        coefs = np.concatenate([columns.coefs[columns.start[k] : columns.start[k + 1]] for k in group])
        touched, where = np.unique(rows, return_inverse=True)
        delta = np.zeros(len(touched))
        np.add.at(delta, where, coefs)
        new = activity[touched] + delta
        # Every maximum still holds, and no minimum is pushed below its limit (a minimum the rounding broke
        # may only rise; the final check below refuses a selection that still breaks one).
        fits = (new <= columns.upper[touched] + tol) & ((new >= columns.lower[touched] - tol) | (delta >= 0))
        if np.all(fits):
            x[group] = 1.0
            activity[touched] = new
    if np.any(activity > columns.upper + 1e-6 * np.maximum(1.0, np.abs(columns.upper))) or np.any(
        activity < columns.lower - 1e-6 * np.maximum(1.0, np.abs(columns.lower))
    ):
        return None
    return x


def restrict(
    model: SelectionModel, fixed_zero: np.ndarray, fixed_one: np.ndarray
) -> tuple[SelectionModel, np.ndarray, np.ndarray] | None:
    """The model over the columns left free (the fixed ones, must-dos and locks included, moved into the row
    bounds and the constant): (small model, its columns' positions, every column's fixed value with 0 for
    free ones). None when a row with no free column left is broken by the fixed values (nothing inside)."""
    value = np.full(model.num_cols, np.nan)
    pinned = model.col_lower == model.col_upper
    value[pinned] = model.col_lower[pinned]
    value[fixed_zero] = 0.0
    value[fixed_one] = 1.0
    free = np.isnan(value)
    fixed_value = np.where(free, 0.0, value)
    positions = np.flatnonzero(free)
    new_index = np.full(model.num_cols, -1, dtype=np.int64)
    new_index[positions] = np.arange(len(positions))
    rows: list[Row] = []
    for row in model.rows:
        keep = free[row.cols]
        shift = float(row.coefs[~keep] @ fixed_value[row.cols[~keep]]) if not keep.all() else 0.0
        if not keep.any():
            tol = 1e-6
            if shift < row.lower - tol * max(1.0, abs(row.lower)) or shift > row.upper + tol * max(1.0, abs(row.upper)):
                return None
            continue
        rows.append(
            replace(
                row,
                cols=new_index[row.cols[keep]],
                coefs=row.coefs[keep],
                lower=row.lower - shift,
                upper=row.upper - shift,
            )
        )
    small = SelectionModel(
        ids=[model.ids[i] if i < model.size else f"col{i}" for i in positions],  # a plan's time columns too
        objective=model.objective[positions],
        constant=float(model.constant + model.objective @ fixed_value),
        col_lower=model.col_lower[positions],
        col_upper=model.col_upper[positions],
        rows=rows,
        integer=model.is_integer()[positions],
    )
    return small, positions, fixed_value


def solve_restricted(model, fixed_zero, fixed_one, start, time_limit: float, gap: float, inner: str):
    """Solve the model with the given columns fixed, as a SolverOutcome over all columns."""
    from .backends import SolverOutcome, prepare_highs, run_highs, solve_with_cbc

    started = time.perf_counter()
    restricted = restrict(model, fixed_zero, fixed_one)
    if restricted is None:
        return SolverOutcome("infeasible", None, None, None, None, time.perf_counter() - started, "HiGHS")
    small, positions, fixed_value = restricted
    del restricted
    if not len(positions):
        objective = float(model.objective @ fixed_value + model.constant)
        return SolverOutcome("optimal", fixed_value, objective, objective, 0.0, time.perf_counter() - started, "HiGHS")
    if inner == "cbc":
        outcome = solve_with_cbc(small, time_limit, gap)
    else:
        fixed = np.ones(model.num_cols, dtype=bool)
        fixed[positions] = False
        # The start helps only when it agrees with the fixings (then its free part meets every small row).
        agrees = start is not None and np.all(np.abs(start[fixed] - fixed_value[fixed]) < 0.5)
        h, integer, unit = prepare_highs(small, time_limit, gap, start[positions] if agrees else None)
        del small  # HiGHS holds its own copy: the small model's rows are not kept through the solve
        outcome = run_highs(h, time_limit, started, integer, unit)
    if outcome.x is None:
        return outcome
    full = fixed_value.copy()
    full[positions] = outcome.x
    return replace(outcome, x=full)


def solve_reduced(model: SelectionModel, time_limit: float, gap: float, min_size: int = MIN_SIZE, inner: str = "highs"):
    """The optimum of the 0/1 model by LP reduced-cost fixing (module docstring), as a SolverOutcome; None when
    the method does not apply or the LP relaxation gives nothing to work with (the caller then solves
    plainly)."""
    import highspy

    from .backends import SolverOutcome, _found, highs_instance

    if not applies(model, min_size):
        return None
    started = time.perf_counter()
    relaxed = highs_instance(model, time_limit, gap, integer=False)
    relaxed.run()
    status = relaxed.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        return SolverOutcome(
            "infeasible",
            None,
            None,
            None,
            None,
            time.perf_counter() - started,
            "HiGHS",
            "No selection satisfies every rule.",
        )
    if status != highspy.HighsModelStatus.kOptimal:
        return None
    z = float(relaxed.getInfo().objective_function_value)
    solution = relaxed.getSolution()
    x_lp = np.array(solution.col_value, dtype=float)
    d = np.array(solution.col_dual, dtype=float)
    del relaxed, solution  # one HiGHS instance at a time (memory at 20,000 priorities)
    free = model.col_lower < model.col_upper
    at_zero = free & (x_lp <= 1e-9)
    at_one = free & (x_lp >= 1 - 1e-9)
    # What a selection that flips the priority can be worth at most (z where nothing is known).
    flip_bound = np.full(model.num_cols, z)
    flip_bound[at_zero] = z + np.minimum(d[at_zero], 0.0)
    flip_bound[at_one] = z - np.maximum(d[at_one], 0.0)
    columns = _Columns(model)
    start = first_selection(model, x_lp, flip_bound, columns)
    del columns  # not needed by the solves below
    if start is None:
        return None
    best_x = start
    best = float(model.objective @ start + model.constant)
    unit = objective_unit(model)
    margin = 1e-6 * max(1.0, abs(z))
    constant = float(model.constant)
    targets = [best + share * (z - best) for share in TARGETS] + [best]
    for step, target in enumerate(targets):
        last = step == len(targets) - 1
        target = max(target, best)
        if unit > 0:  # the lowest lattice value at or above the target
            target = constant + math.ceil((target - constant) / unit - 1e-9) * unit
        fixed_zero = at_zero & (flip_bound < target + unit - margin)
        fixed_one = at_one & (flip_bound < target + unit - margin)
        remaining = time_limit - (time.perf_counter() - started)
        if remaining <= 0:
            break
        outcome = solve_restricted(model, fixed_zero, fixed_one, best_x, remaining, gap, inner)
        if outcome.x is not None and outcome.objective is not None and outcome.objective > best:
            best, best_x = outcome.objective, outcome.x
        proven_part = outcome.status in ("optimal", "infeasible")
        if proven_part and best >= target - 1e-9:
            # Inside the fixings the small MIP proved `best` (or found nothing above the target); outside them
            # nothing beats target + unit - margin, which is <= best on the lattice (or < target <= best).
            return SolverOutcome(
                "optimal",
                best_x,
                best,
                best,
                0.0,
                time.perf_counter() - started,
                f"{'CBC' if inner == 'cbc' else 'HiGHS'} (LP-reduced)",
            )
        if not proven_part or last:
            # Stopped (time limit) or nothing conclusive: a selection with the honest bound: the LP's z or,
            # when the small MIP stated one, the larger of its bound and the best value outside the fixings.
            outside = float(np.max(flip_bound[fixed_zero | fixed_one], initial=-math.inf))
            bound = z if outcome.bound is None else max(outcome.bound, outside)
            return _found(
                best_x,
                best,
                min(bound, z),
                time.perf_counter() - started,
                f"{'CBC' if inner == 'cbc' else 'HiGHS'} (LP-reduced)",
                outcome.message or "Stopped before proving optimality.",
                outcome.time_limit_hit,
            )
    return _found(
        best_x,
        best,
        z,
        time.perf_counter() - started,
        f"{'CBC' if inner == 'cbc' else 'HiGHS'} (LP-reduced)",
        "Stopped at the time limit.",
        True,
    )
