"""Re-solving one model with small changes, for explanations and trade-off questions.

A `Resolver` holds one HiGHS model of a portfolio. Each question changes a few bounds or
coefficients, re-solves from a clean solver state (so the answer is the one a fresh solve of the
changed portfolio gives), and puts the model back. This is much faster than rebuilding the model
for each of the hundreds of re-solves an explanation needs.

Every answer is typed (`WhatIf`: status, value, kept set, proven or not), and every selection a
re-solve returns is checked against the rules of the changed portfolio (`rules.assert_rules`), written
from the rules' definitions rather than from the model's rows.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, replace

import numpy as np

from .backends import DEFAULT_GAP, highs_instance, run_highs, run_solver
from .domain import Portfolio
from .model import THRESHOLD_MARGIN, THRESHOLD_MARGIN_MIN, SelectionModel, build_model, threshold_model, with_costs_at
from .rules import assert_rules, check_rules

# Cost shares are stated to four decimals (0.01% of today's costs): the upper end of a range rounded
# down, the lower end rounded up, so each stated end lies inside the range.
SHARE_DECIMALS = 4
RANGE_STEP = 10.0**-SHARE_DECIMALS  # ranges closer than this are joined
MAX_RANGE_STEPS = 20  # steps of the range search before it gives up (the answer is then unproven)


def _round_down(share: float) -> float:
    return math.floor(share * 10**SHARE_DECIMALS + 1e-9) / 10**SHARE_DECIMALS


def _round_up(share: float) -> float:
    return math.ceil(share * 10**SHARE_DECIMALS - 1e-9) / 10**SHARE_DECIMALS


@dataclass(frozen=True)
class WhatIf:
    """The answer to one question. `objective` is None when no selection was found: `proven` then says
    whether none exists (proven infeasible) or the solver stopped first."""

    status: str  # optimal | feasible | infeasible | no_solution | error | locked
    objective: float | None
    kept: frozenset[str]
    gap: float | None = None

    @property
    def proven(self) -> bool:
        return self.status in ("optimal", "infeasible", "locked")

    @property
    def impossible(self) -> bool:
        """Proven that no selection meets the changed rules."""
        return self.status in ("infeasible", "locked")


@dataclass(frozen=True)
class CostRanges:
    """The shares of a dropped priority's today's costs (0 to 1) at which a fresh solve of the portfolio,
    with its costs entered at that share and nothing else changed, keeps it. Empty: no share does."""

    ranges: tuple[tuple[float, float], ...]
    proven: bool  # every solve behind it proven and each end confirmed by `check_rules`

    @property
    def highest(self) -> float | None:
        return self.ranges[-1][1] if self.ranges else None

    @property
    def one_way(self) -> bool:
        """True when it is kept at every share up to the highest (a plain threshold)."""
        return len(self.ranges) == 1 and self.ranges[0][0] <= 0.0


# ------------------------------------------------------------------ the fast path's helpers

# HiGHS options for the re-solves of the fast path. A what-if re-solve of a gen.py instance spent most of its
# time managing a pool of solutions it never needed: a pool of one halved it (N=200: 0.19 s -> 0.09 s median
# per lock-in/out re-solve, bench/explain_speed.py). Options change how fast the answer is proven, not the
# optimal value.
FAST_OPTIONS: dict[str, object] = {"mip_pool_soft_limit": 1}


def set_options(h, options: dict[str, object]) -> None:
    """Set HiGHS options on an instance (a helper of the fast path; the back-ends' own options stay)."""
    for option, value in options.items():
        h.setOptionValue(option, value)


class RowCheck:
    """The model's rows, to test 0/1 selections quickly: the few rows over many priorities (capacity, count,
    theme, balance) as a dense matrix, prerequisites and alternatives as index pairs. For finding good
    starting points only, never for a figure: every selection a figure rests on comes from a proven re-solve
    and is checked by `check_rules`."""

    def __init__(self, model: SelectionModel):
        n = model.size
        dense = [row for row in model.rows if row.kind not in ("requires", "excludes")]
        self.matrix = np.zeros((len(dense), n))
        for r, row in enumerate(dense):
            keep = row.cols < n
            self.matrix[r, row.cols[keep]] = row.coefs[keep]
        self.lower = np.array([row.lower for row in dense], dtype=float)
        self.upper = np.array([row.upper for row in dense], dtype=float)
        self.tol_low = 1e-9 * np.maximum(1.0, np.where(np.isfinite(self.lower), np.abs(self.lower), 1.0))
        self.tol_up = 1e-9 * np.maximum(1.0, np.where(np.isfinite(self.upper), np.abs(self.upper), 1.0))
        pairs = {"requires": [], "excludes": []}
        for row in model.rows:
            if row.kind in pairs:
                pairs[row.kind].append((int(row.cols[0]), int(row.cols[1])))
        self.requires = np.array(pairs["requires"], dtype=int).reshape(-1, 2)
        self.excludes = np.array(pairs["excludes"], dtype=int).reshape(-1, 2)
        self.col_lower = model.col_lower[:n]
        self.col_upper = model.col_upper[:n]

    def dense_ok(self, activity: np.ndarray) -> np.ndarray:
        """Per column of `activity` (dense-row activities of candidate selections): every row within bounds."""
        if activity.ndim == 1:
            activity = activity[:, None]
        low = (activity >= (self.lower - self.tol_low)[:, None]).all(axis=0)
        high = (activity <= (self.upper + self.tol_up)[:, None]).all(axis=0)
        return low & high

    def ok(self, x: np.ndarray) -> bool:
        """Whether the 0/1 selection x meets every row and column bound of the model."""
        if (x < self.col_lower - 0.5).any() or (x > self.col_upper + 0.5).any():
            return False
        if len(self.requires) and (x[self.requires[:, 0]] > x[self.requires[:, 1]] + 0.5).any():
            return False
        if len(self.excludes) and (x[self.excludes[:, 0]] + x[self.excludes[:, 1]] > 1.5).any():
            return False
        return bool(self.dense_ok(self.matrix @ x)[0])


class Starts:
    """Good starting selections for the lock-in/lock-out re-solves of one portfolio, shared by threads.

    A re-solve given a near-optimal start proves its answer several times faster (N=200 gen.py: 0.09 s ->
    0.02 s with the optimum as start). Two sources: a pool of selections that meet every rule of the
    portfolio (today's, and every answer of a lock-in/lock-out re-solve, each confirmed by `check_rules`
    on a stricter portfolio), and a greedy neighbour of today's selection (take the priority out with what
    requires it, or bring it in with its prerequisites and make room, then fill up greedily)."""

    def __init__(self, portfolio: Portfolio, model: SelectionModel, base_kept: frozenset[str] | None):
        self.model = model
        self.check = RowCheck(model)
        n = model.size
        self.value = np.asarray(model.objective[:n], dtype=float)
        self.lock = threading.Lock()
        self.selections: list[np.ndarray] = []
        self.values: list[float] = []
        self._matrix: np.ndarray | None = None
        index = {pid: i for i, pid in enumerate(model.ids)}
        self.requires = [[index[q] for q in p.requires] for p in portfolio.priorities]
        self.required_by: list[list[int]] = [[] for _ in range(n)]
        for i, reqs in enumerate(self.requires):
            for j in reqs:
                self.required_by[j].append(i)
        self.alternatives: list[list[int]] = [[] for _ in range(n)]
        for a, b in self.check.excludes:
            self.alternatives[a].append(int(b))
            self.alternatives[b].append(int(a))
        self.fixed_in = model.col_lower[:n] > 0.5
        self.fixed_out = model.col_upper[:n] < 0.5
        self.base: np.ndarray | None = None
        if base_kept is not None:
            self.base = np.array([1.0 if pid in base_kept else 0.0 for pid in model.ids])
            self.add(self.base)

    # -------------------------------------------------------------- the pool

    def add(self, x: np.ndarray) -> None:
        with self.lock:
            self.selections.append(np.asarray(x, dtype=float))
            self.values.append(float(self.value @ x))
            self._matrix = None

    def add_kept(self, kept: frozenset[str]) -> None:
        self.add(np.array([1.0 if pid in kept else 0.0 for pid in self.model.ids]))

    def from_pool(self, lock_in: list[int], lock_out: list[int]) -> np.ndarray | None:
        """The pool's best selection with every `lock_in` kept and every `lock_out` dropped."""
        with self.lock:
            if not self.selections:
                return None
            if self._matrix is None:
                self._matrix = np.array(self.selections)
            matrix, values = self._matrix, np.array(self.values)
        ok = np.ones(len(values), dtype=bool)
        if lock_in:
            ok &= (matrix[:, lock_in] > 0.5).all(axis=1)
        if lock_out:
            ok &= (matrix[:, lock_out] < 0.5).all(axis=1)
        if not ok.any():
            return None
        return matrix[int(np.flatnonzero(ok)[np.argmax(values[ok])])]

    def best_under(self, objective: np.ndarray) -> np.ndarray | None:
        """The pool's best selection under another objective (e.g. other weights; the rules are the same)."""
        with self.lock:
            if not self.selections:
                return None
            if self._matrix is None:
                self._matrix = np.array(self.selections)
            matrix = self._matrix
        return matrix[int(np.argmax(matrix @ objective))]

    # -------------------------------------------------------------- greedy neighbours of today's selection

    @staticmethod
    def _closure(start: list[int], links: list[list[int]], x: np.ndarray | None = None) -> list[int]:
        """`start` and everything reached through `links` (requires or required_by), not looking past
        priorities already kept in x (when given)."""
        out: list[int] = []
        seen: set[int] = set()
        stack = list(start)
        while stack:
            i = stack.pop()
            if i in seen or (x is not None and x[i] > 0.5 and i not in start):
                continue
            seen.add(i)
            out.append(i)
            stack.extend(links[i])
        return out

    def _fill(self, x: np.ndarray, out: np.ndarray, rounds: int = 20) -> np.ndarray:
        """Add, one at a time, the unkept priority (with its unkept prerequisites) that raises the value most
        and keeps every rule; `out` marks priorities that must stay out."""
        x = x.copy()
        for _ in range(rounds):
            groups: list[list[int]] = []
            for i in np.flatnonzero((x < 0.5) & ~out):
                group = self._closure([int(i)], self.requires, x)
                if any(out[j] for j in group):
                    continue
                members = set(group)
                if any(x[a] > 0.5 or a in members for j in group for a in self.alternatives[j]):
                    continue
                groups.append(group)
            if not groups:
                break
            gains = np.array([self.value[g].sum() for g in groups])
            good = np.flatnonzero(gains > 1e-9)
            if not len(good):
                break
            activity = self.check.matrix @ x
            deltas = np.stack([self.check.matrix[:, groups[k]].sum(axis=1) for k in good], axis=1)
            fits = self.check.dense_ok(activity[:, None] + deltas)
            if not fits.any():
                break
            best = good[np.flatnonzero(fits)[np.argmax(gains[good][fits])]]
            x[groups[best]] = 1.0
        return x

    def _swap(self, x: np.ndarray, out: np.ndarray, keep: np.ndarray, rounds: int = 3) -> np.ndarray:
        """Improve x by exchanges: one kept priority (with what requires it) out, one unkept priority (with
        its unkept prerequisites) in, the best exchange that raises the value and keeps every rule, up to
        `rounds` times. `keep` marks priorities that must stay, `out` those that must stay out."""
        matrix = self.check.matrix
        for _ in range(rounds):
            removals: list[list[int]] = []
            for i in np.flatnonzero((x > 0.5) & ~keep):
                group = [j for j in self._closure([int(i)], self.required_by) if x[j] > 0.5]
                if not any(keep[j] for j in group):
                    removals.append(group)
            additions: list[list[int]] = []
            for a in np.flatnonzero((x < 0.5) & ~out):
                group = self._closure([int(a)], self.requires, x)
                if any(out[j] for j in group) or any(x[b] > 0.5 for j in group for b in self.alternatives[j]):
                    continue
                additions.append(group)
            if not removals or not additions:
                break
            value_r = np.array([self.value[g].sum() for g in removals])
            value_a = np.array([self.value[g].sum() for g in additions])
            gain = value_a[None, :] - value_r[:, None]
            if not (gain > 1e-9).any():
                break
            delta_r = np.stack([matrix[:, g].sum(axis=1) for g in removals], axis=1)
            delta_a = np.stack([matrix[:, g].sum(axis=1) for g in additions], axis=1)
            activity = (matrix @ x)[:, None, None] - delta_r[:, :, None] + delta_a[:, None, :]
            low = (self.check.lower - self.check.tol_low)[:, None, None]
            high = (self.check.upper + self.check.tol_up)[:, None, None]
            fits = ((activity >= low) & (activity <= high)).all(axis=0) & (gain > 1e-9)
            if not fits.any():
                break
            order = np.argsort(-np.where(fits, gain, -np.inf), axis=None)[:10]
            for flat in order:
                r, a = divmod(int(flat), len(additions))
                if not fits[r, a]:
                    break
                y = x.copy()
                y[removals[r]] = 0.0
                y[additions[a]] = 1.0
                if self.check.ok(y):
                    x = y
                    break
            else:
                break
        return x

    def without(self, i: int) -> np.ndarray | None:
        """Today's selection without priority i and what requires it, filled up greedily."""
        if self.base is None:
            return None
        x = self.base.copy()
        gone = self._closure([i], self.required_by)
        if any(self.fixed_in[j] and x[j] > 0.5 for j in gone):
            return None
        x[gone] = 0.0
        out = self.fixed_out.copy()
        out[i] = True
        x = self._fill(x, out)
        if self.check.ok(x):
            x = self._swap(x, out, self.fixed_in)
        return x if self.check.ok(x) else None

    def with_(self, i: int) -> np.ndarray | None:
        """Today's selection with priority i and its prerequisites (less their kept alternatives and what
        requires those), made to fit by dropping the kept priorities of least value per unit of relief on
        the rows that are over, then filled up greedily."""
        if self.base is None:
            return None
        x = self.base.copy()
        group = self._closure([i], self.requires, x)
        if any(self.fixed_out[j] for j in group):
            return None
        keep = np.zeros(len(x), dtype=bool)
        keep[group] = True
        keep |= self.fixed_in
        for j in group:
            for a in self.alternatives[j]:
                if x[a] > 0.5:
                    gone = self._closure([a], self.required_by)
                    if any(keep[g] and (x[g] > 0.5 or g in group) for g in gone):
                        return None
                    x[gone] = 0.0
        x[group] = 1.0
        matrix = self.check.matrix
        for _ in range(len(x)):
            activity = matrix @ x
            over = np.maximum(activity - self.check.upper, 0.0) + np.maximum(self.check.lower - activity, 0.0)
            violated = over > np.maximum(self.check.tol_up, self.check.tol_low)
            if not violated.any():
                break
            # how much dropping each kept priority would ease the rows that are over (or under)
            side = np.where(activity[violated] > self.check.upper[violated], 1.0, -1.0)
            relief = np.maximum(matrix[violated] * side[:, None], 0.0).sum(axis=0)
            removable = (x > 0.5) & ~keep & (relief > 0)
            if not removable.any():
                return None
            score = np.where(removable, self.value / np.maximum(relief, 1e-12), np.inf)
            j = int(np.argmin(score))
            gone = self._closure([j], self.required_by)
            if any(keep[g] and x[g] > 0.5 for g in gone):
                keep[j] = True  # it cannot go without taking a needed priority along
                continue
            x[gone] = 0.0
        if not self.check.ok(x):
            return None
        out = self.fixed_out.copy()
        x = self._fill(x, out)
        if self.check.ok(x):
            x = self._swap(x, out, keep)
        return x if self.check.ok(x) else None

    def start_for(self, lock_in: tuple[int, ...], lock_out: tuple[int, ...]) -> np.ndarray | None:
        """The best start known for a re-solve with these priorities locked in and out (None: none known)."""
        options: list[np.ndarray] = []
        pooled = self.from_pool(list(lock_in), list(lock_out))
        if pooled is not None:
            options.append(pooled)
        if len(lock_in) + len(lock_out) == 1:
            neighbour = self.with_(lock_in[0]) if lock_in else self.without(lock_out[0])
            if (
                neighbour is not None
                and all(neighbour[i] > 0.5 for i in lock_in)
                and not any(neighbour[i] > 0.5 for i in lock_out)
            ):
                options.append(neighbour)
        if not options:
            return None
        return max(options, key=lambda x: float(self.value @ x))


class Shared:
    """What the re-solves of one portfolio share across threads: the model (built once), the starts, and a
    bound used to skip cost-range solves (`one_less_bound`)."""

    def __init__(self, portfolio: Portfolio, base_kept: frozenset[str] | None, time_limit: float = 10.0):
        self.portfolio = portfolio
        self.model = build_model(portfolio)
        self.time_limit = time_limit
        self.starts = Starts(portfolio, self.model, base_kept)
        self.lock = threading.Lock()
        self._one_less: tuple[float | None] | None = None
        self.lp_solves = 0

    def one_less_bound(self) -> float | None:
        """An upper bound on the net value of any selection that meets every rule with the count limit one
        lower (None: no count limit, or no bound found). Computed once, by one MIP (counted in lp_solves as
        a bound, since no figure is read from it)."""
        with self.lock:
            if self._one_less is None:
                self._one_less = (self._compute_one_less(),)
            return self._one_less[0]

    def _compute_one_less(self) -> float | None:
        limit = self.portfolio.rules.max_priorities
        if limit is None:
            return None
        if limit < 1:
            return -math.inf
        model = self.model
        h = highs_instance(model, self.time_limit, 0.0)
        set_options(h, FAST_OPTIONS)
        r = next(r for r, row in enumerate(model.rows) if row.kind == "max_priorities")
        h.changeRowBounds(r, -1e30, float(limit - 1))
        start = self.starts.base
        if start is not None and start.sum() <= limit - 1:
            import highspy

            solution = highspy.HighsSolution()
            solution.col_value = [float(v) for v in start]
            solution.value_valid = True
            h.setSolution(solution)
        outcome = run_highs(h, self.time_limit, time.perf_counter())
        self.lp_solves += 1
        if outcome.status == "infeasible":
            return -math.inf
        bound = float(h.getInfo().mip_dual_bound)
        if outcome.status == "optimal" and outcome.bound is not None:
            bound = max(bound, float(outcome.bound)) if math.isfinite(bound) else float(outcome.bound)
        return bound if math.isfinite(bound) else None


class Resolver:
    def __init__(
        self,
        portfolio: Portfolio,
        time_limit: float = 10.0,
        gap: float = DEFAULT_GAP,
        *,
        fast: bool = False,
        shared: Shared | None = None,
    ):
        """`fast` (the default of explanations, frontier and weight sensitivity) sets FAST_OPTIONS and gives
        every lock-in/lock-out re-solve the best start known (`shared.starts`); with `shared`, threads share
        what their re-solves found. `fast=False` is the plain re-solve of each question, kept as the
        reference the fast path is tested against (tests/unit/test_explain_same_figures.py)."""
        self.portfolio = portfolio
        self.model = build_model(portfolio) if shared is None else shared.model
        self.time_limit = time_limit
        self.gap = gap
        self.index = {pid: i for i, pid in enumerate(self.model.ids)}
        self.row_index = {row.name: r for r, row in enumerate(self.model.rows)}
        self.h = highs_instance(self.model, time_limit, gap)
        self.fast = fast
        self.shared = shared
        if fast:
            set_options(self.h, FAST_OPTIONS)
        self.solves = 0
        self.lp_solves = 0  # LP relaxations and bounds (not counted in `solves`)
        self.skipped = 0  # MIP re-solves a proof made unnecessary

    # ------------------------------------------------------------------ one re-solve

    def _run(self, start: frozenset[str] | np.ndarray | None = None) -> WhatIf:
        self.h.clearSolver()
        if start is not None:
            # A known selection as a starting point (HiGHS checks it and ignores it if it breaks a rule).
            import highspy

            solution = highspy.HighsSolution()
            if isinstance(start, np.ndarray):
                solution.col_value = [float(v) for v in start]
            else:
                solution.col_value = [1.0 if pid in start else 0.0 for pid in self.model.ids]
            solution.value_valid = True
            self.h.setSolution(solution)
        outcome = run_highs(self.h, self.time_limit, time.perf_counter())
        self.solves += 1
        if outcome.x is None:
            return WhatIf(outcome.status, None, frozenset())
        kept = frozenset(pid for pid, v in zip(self.model.ids, outcome.x) if v > 0.5)
        return WhatIf(outcome.status, self.value_of(kept), kept, outcome.gap)

    def value_of(self, kept: frozenset[str], delta: dict[str, float] | None = None) -> float:
        """The net value of a selection, summed exactly (math.fsum) in the model's order: the same selection
        always gives the same float, whichever solve path found it (the solver's own objective differs in
        its last bits from one path to another, e.g. 101.0000000000008 for 101)."""
        m = self.model
        delta = delta or {}
        terms = [float(m.objective[i]) + delta.get(pid, 0.0) for i, pid in enumerate(m.ids) if pid in kept]
        return math.fsum([*terms, m.constant])

    def changed_portfolio(
        self,
        *,
        lock_in: tuple[str, ...] = (),
        lock_out: tuple[str, ...] = (),
        release: tuple[str, ...] = (),
        row_upper: dict[str, float] | None = None,
        lift: tuple[str, ...] = (),
    ) -> Portfolio:
        """The portfolio a what-if describes, for checking its answer from the rules' definitions."""
        p = self.portfolio
        rules = p.rules
        released = set(release)
        priorities = tuple(replace(q, must_do=False) if q.id in released and q.must_do else q for q in p.priorities)
        locked_in = tuple(x for x in rules.locked_in if x not in released) + tuple(lock_in)
        locked_out = tuple(rules.locked_out) + tuple(lock_out)
        dimensions = list(p.dimensions)
        bands = {b.horizon: b for b in rules.horizon_bands}
        for name, upper in (row_upper or {}).items():
            row = self.model.rows[self.row_index[name]]
            if row.kind != "capacity":
                raise ValueError(f"only capacity limits can be changed by a what-if, not {name}")
            k = next(n for n, d in enumerate(dimensions) if d.name == row.subject)
            d = dimensions[k]
            dimensions[k] = replace(d, available=float(upper) / (1.0 - d.headroom_pct / 100.0))
        for name in lift:
            row = self.model.rows[self.row_index[name]]
            if row.kind == "horizon_min":
                bands[row.subject] = replace(bands[row.subject], min_pct=0.0)
            elif row.kind == "horizon_max":
                bands[row.subject] = replace(bands[row.subject], max_pct=100.0)
            else:
                raise ValueError(f"only balance bands can be lifted by a what-if, not {name}")
        new_rules = replace(
            rules, locked_in=locked_in, locked_out=locked_out, horizon_bands=tuple(bands[h] for h in bands)
        )
        return replace(p, priorities=priorities, dimensions=tuple(dimensions), rules=new_rules)

    def solve(
        self,
        *,
        lock_in: tuple[str, ...] = (),
        lock_out: tuple[str, ...] = (),
        release: tuple[str, ...] = (),
        value_delta: dict[str, float] | None = None,
        row_upper: dict[str, float] | None = None,
        lift: tuple[str, ...] = (),
        start: frozenset[str] | None = None,
    ) -> WhatIf:
        """Re-solve with priorities locked in/out or released (must-do or lock lifted), values
        raised, capacity limits (row upper bounds) changed, or balance bands (rows named in `lift`)
        lifted; check the answer against the changed portfolio's rules; then restore the model.

        `start` is a selection known to meet the changed rules (e.g. today's when a limit is only
        relaxed): starting from it saved about a fifth of the time on the sample."""
        m = self.model
        h = self.h
        touched_cols: set[int] = set()
        touched_costs: list[tuple[int, float]] = []
        touched_rows: list[tuple[int, float, float]] = []
        try:
            for pid in release:
                i = self.index[pid]
                touched_cols.add(i)
                h.changeColBounds(i, 0.0, float(m.col_upper[i]))
            for pid in lock_in:
                i = self.index[pid]
                touched_cols.add(i)
                h.changeColBounds(i, 1.0, 1.0)
            for pid in lock_out:
                i = self.index[pid]
                touched_cols.add(i)
                h.changeColBounds(i, 0.0, 0.0)
            for pid, delta in (value_delta or {}).items():
                i = self.index[pid]
                touched_costs.append((i, float(m.objective[i])))
                h.changeColCost(i, float(m.objective[i] + delta))
            for name, upper in (row_upper or {}).items():
                r = self.row_index[name]
                row = m.rows[r]
                touched_rows.append((r, row.lower, row.upper))
                h.changeRowBounds(r, max(row.lower, -1e30), float(upper))
            for name in lift:
                r = self.row_index[name]
                touched_rows.append((r, m.rows[r].lower, m.rows[r].upper))
                h.changeRowBounds(r, -1e30, 1e30)
            lock_only = not (release or value_delta or row_upper or lift)
            chosen: frozenset[str] | np.ndarray | None = start
            if chosen is None and lock_only and self.fast and self.shared is not None:
                chosen = self.shared.starts.start_for(
                    tuple(self.index[pid] for pid in lock_in), tuple(self.index[pid] for pid in lock_out)
                )
            answer = self._run(chosen)
            if value_delta and answer.objective is not None:
                answer = replace(answer, objective=self.value_of(answer.kept, value_delta))
        finally:
            for i in touched_cols:
                h.changeColBounds(i, float(m.col_lower[i]), float(m.col_upper[i]))
            for i, c in touched_costs:
                h.changeColCost(i, c)
            for r, lower, upper in touched_rows:
                h.changeRowBounds(r, max(lower, -1e30), min(upper, 1e30))
        if answer.objective is not None:
            changed = self.changed_portfolio(
                lock_in=lock_in, lock_out=lock_out, release=release, row_upper=row_upper, lift=lift
            )
            assert_rules(changed, answer.kept, "a what-if re-solve")
            if lock_only and self.shared is not None:
                # It meets the portfolio's rules plus locks, so every rule of the portfolio: a start for others.
                self.shared.starts.add_kept(answer.kept)
        return answer

    # ------------------------------------------------------------------ cost ranges

    def _threshold(
        self,
        pid: str,
        value_to_beat: float,
        upper: float,
        covering: float | None,
        start: tuple[frozenset[str], float] | None = None,
    ):
        """One solve of the threshold model: (share, selection, proven) or None when no share works.

        `start` (fast path only): a selection and share known to meet the model, given to HiGHS as a
        starting point (HiGHS checks it and ignores it if it does not)."""
        model = threshold_model(self.portfolio, pid, value_to_beat, upper=upper, covering=covering)
        if self.fast and start is not None:
            import highspy

            h = highs_instance(model, self.time_limit, 0.0)
            solution = highspy.HighsSolution()
            solution.col_value = [1.0 if q in start[0] else 0.0 for q in model.ids] + [float(start[1])]
            solution.value_valid = True
            h.setSolution(solution)
            outcome = run_highs(h, self.time_limit, time.perf_counter(), model.is_integer())
        else:
            outcome = run_solver(model, solver="highs", time_limit=self.time_limit, gap=0.0)
        self.solves += 1
        if outcome.x is None:
            return None, outcome.status == "infeasible"
        share = float(outcome.x[model.size])
        kept = frozenset(pid_ for pid_, v in zip(model.ids, outcome.x[: model.size]) if v > 0.5)
        return (min(max(share, 0.0), 1.0), kept), outcome.status == "optimal"

    def _cannot_beat(self, pid: str, value_to_beat: float) -> bool:
        """Proof, without the threshold model, that no share of pid's costs keeps it (the threshold model is
        then infeasible, and `cost_ranges` empty and proven, as a re-solve would find).

        Take any selection S that keeps pid and meets every rule with pid's costs at some share f in [0, 1],
        and T = S without pid. When nothing requires pid, no theme minimum counts pid's theme, and the
        balance bands do not see pid's costs (no bands, or pid uses none of the balance capacity), T meets
        every rule of today's portfolio with the count limit one lower: T uses less of every capacity than S
        does, its prerequisites and alternatives are S's, it keeps every must-do and lock, and it keeps
        one priority fewer. So value(S) = value(T) + c_pid <= one_less_bound + c_pid, with c_pid pid's
        objective coefficient. The threshold model asks for value(S) >= value_to_beat + margin (within
        HiGHS's feasibility tolerance, 1e-7); when the bound is below value_to_beat + margin / 2 no such S
        exists. Useful when the count limit binds (gen.py instances), where most dropped priorities are
        worth less than the last place."""
        p = self.portfolio
        if p.rules.max_priorities is None or self.shared is None:
            return False
        target = self.portfolio.priority(pid)
        if any(pid in q.requires for q in p.priorities):
            return False
        if any(limit.theme == target.theme and limit.min_count is not None for limit in p.rules.theme_limits):
            return False
        if p.rules.horizon_bands and target.cost(p.balance_capacity.name) != 0:
            return False
        bound = self.shared.one_less_bound()
        if bound is None:
            return False
        margin = max(abs(value_to_beat) * THRESHOLD_MARGIN, THRESHOLD_MARGIN_MIN)
        return bound + float(self.model.objective[self.index[pid]]) < value_to_beat + margin / 2

    def _wins_at(self, pid: str, share: float, kept: frozenset[str], value_to_beat: float) -> bool:
        """Whether `kept` (which keeps pid) meets every rule with pid's costs entered at `share` and is worth
        more than `value_to_beat`: then a fresh solve of that portfolio keeps pid."""
        value = float(self.model.objective[: self.model.size] @ self.mask(kept) + self.model.constant)
        changed = with_costs_at(self.portfolio, pid, share)
        return pid in kept and not check_rules(changed, kept) and value > value_to_beat

    def mask(self, kept: frozenset[str]) -> np.ndarray:
        return np.array([1.0 if pid in kept else 0.0 for pid in self.model.ids])

    def cost_ranges(self, pid: str, value_to_beat: float) -> CostRanges:
        """The shares of pid's today's costs (0 to 1) at which a fresh solve of the portfolio, with pid's
        costs entered at that share, keeps pid. `value_to_beat` is today's proven best net value (pid
        is not in today's set, and no selection without pid depends on pid's costs).

        Each selection that keeps pid meets the cost-dependent rules on an interval of shares (every
        rule is linear in the share), so the answer is a union of intervals. The threshold model
        (`model.threshold_model`) finds the highest share at which some selection beats today's; then,
        with balance bands, how far down selections that beat today's reach from there, step by step;
        then the next range below, if any. Without balance bands lower costs never hurt, so the answer
        is one range from 0. Each stated end is confirmed by `check_rules` on the changed portfolio."""
        if self.fast and self._cannot_beat(pid, value_to_beat):
            self.skipped += 1
            return CostRanges((), True)
        bands = bool(self.portfolio.rules.horizon_bands)
        ranges: list[tuple[float, float]] = []
        proven = True
        upper = 1.0
        for _ in range(MAX_RANGE_STEPS):
            found, ok = self._threshold(pid, value_to_beat, upper, None)
            proven &= ok
            if found is None:
                break
            high, top_witness = found
            stated_high = _round_down(high)
            if not bands:
                proven &= self._wins_at(pid, stated_high, top_witness, value_to_beat)
                ranges.append((0.0, stated_high))
                break
            low, witness = high, top_witness
            for _ in range(MAX_RANGE_STEPS):
                if self.fast and (low <= 0.0 or self._wins_at(pid, 0.0, witness, value_to_beat)):
                    # The range reaches share 0 (the least the next solve could find): the witness meets every
                    # rule at `low` and at 0, so at every share between (each rule is linear in the share).
                    low = 0.0
                    break
                # witness meets every rule at share `low` and is worth enough: a start for the next solve
                further, ok = self._threshold(pid, value_to_beat, low, low, (witness, low))
                proven &= ok
                if further is None or further[0] >= low - RANGE_STEP / 10:
                    break
                low, witness = further
            else:
                proven = False
            stated_low = _round_up(low) if low > RANGE_STEP / 10 else 0.0
            if stated_low <= stated_high:
                proven &= self._wins_at(pid, stated_high, top_witness, value_to_beat)
                proven &= self._wins_at(pid, stated_low, witness, value_to_beat)
                ranges.append((stated_low, stated_high))
            else:
                # Narrower than the stated precision, often a single share (where two band edges meet):
                # stated as found, and confirmed there.
                proven &= self._wins_at(pid, high, top_witness, value_to_beat)
                ranges.append((high, high))
            if low <= RANGE_STEP:
                break
            upper = low - RANGE_STEP
        else:
            proven = False
        return CostRanges(tuple(sorted(ranges)), proven)
