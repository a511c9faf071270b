"""Re-solving one model with small changes, for explanations and trade-off questions.

A `Resolver` holds one HiGHS model of a portfolio. Each question changes a few bounds or
coefficients, re-solves from a clean solver state (so the answer is the one a fresh solve of the
changed portfolio gives), and puts the model back. This is much faster than rebuilding the model
for each of the hundreds of re-solves an explanation needs.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

import numpy as np

from .backends import DEFAULT_GAP, highs_instance, run_highs, satisfies, solve_with_highs
from .domain import Portfolio
from .model import build_model

COST_KINDS = ("capacity", "horizon_min", "horizon_max")
# A cost threshold needs a selection worth more than today's by this share of today's value, and by
# at least THRESHOLD_MARGIN_MIN (well above the solver's 1e-7 feasibility tolerance): a selection
# that only ties with today's would not reliably be picked by a re-solve.
THRESHOLD_MARGIN = 1e-6
THRESHOLD_MARGIN_MIN = 1e-5
THRESHOLD_GAP = 1e-4  # relative gap on the cost share f
# Cost thresholds are stated to within this share of today's costs (the threshold model proves f to
# within 0.01%; the confirming search of `cost_threshold` on the changed portfolio stops within 1%).
COST_TOLERANCE = 0.01
FIXED_POINT_STEPS = 3


def _round_down(share: float) -> float:
    """A cost share rounded down to four decimals, so the capacities are not exactly full at it."""
    return math.floor(share * 1e4) / 1e4


@dataclass(frozen=True)
class WhatIf:
    """The answer to one question: None objective when no selection satisfies the changed rules."""

    status: str
    objective: float | None
    kept: frozenset[str]


class Resolver:
    def __init__(self, portfolio: Portfolio, time_limit: float = 10.0, gap: float = DEFAULT_GAP):
        self.portfolio = portfolio
        self.model = build_model(portfolio)
        self.time_limit = time_limit
        self.index = {pid: i for i, pid in enumerate(self.model.ids)}
        self.row_index = {row.name: r for r, row in enumerate(self.model.rows)}
        self.h = highs_instance(self.model, time_limit, gap)
        # For each priority, its coefficients in rows that scale with its costs.
        self.cost_entries: dict[int, list[tuple[int, float]]] = {}
        for r, row in enumerate(self.model.rows):
            if row.kind in COST_KINDS:
                for j, c in zip(row.cols, row.coefs):
                    self.cost_entries.setdefault(int(j), []).append((r, float(c)))
        self.solves = 0
        self._threshold = None  # companion model for cost thresholds, built on first use
        self._unbanded: float | None = None

    def cost_threshold(self, pid: str, value_to_beat: float) -> float | None:
        """Largest share (at most 1) of pid's current costs at which a fresh solve of the portfolio,
        with pid's costs entered at that share and everything else unchanged, keeps pid; None when
        not even zero cost would. `value_to_beat` is today's objective (pid is not in today's set).

        First one solve of the threshold model (`_share_beating`). Without balance bands that
        answer is exact. With them it needs a check: balance shares are measured against the whole
        wish-list's need (see `model.loads`) and pid's own costs are part of that need, so entering
        lower costs moves every other priority's share a little, which the threshold model (others'
        shares fixed) does not see. The check is arithmetic (`_selection_wins_at`). When it fails,
        the threshold model is re-run on the changed portfolio until its answer passes the check;
        failing that, re-solves of the changed portfolio search for the share below, to within
        COST_TOLERANCE. Every share returned has passed the check or a re-solve.
        """
        found = self._share_beating(pid, value_to_beat)
        if not self.portfolio.rules.horizon_bands:
            return None if found is None else found[0]
        if found is None:
            # Checked too: the changed portfolio's other shares move, which might let pid in after all.
            return self._search_share(pid, 0.0, 1.0) if self._kept_with_costs_at(pid, 0.0) else None
        share, selection = found
        if self._selection_wins_at(pid, share, selection):
            return share
        # Re-run the threshold model on the changed portfolio (its shares measured at the share just
        # found) until its answer is confirmed; this settles within a step or two.
        for _ in range(FIXED_POINT_STEPS):
            changed = Resolver(self._with_costs_at(pid, share), time_limit=self.time_limit)
            again = changed._share_beating(pid, value_to_beat)
            self.solves += changed.solves
            if again is None:
                break
            share, selection = _round_down(share * again[0]), again[1]
            if self._selection_wins_at(pid, share, selection):
                return share
        # Otherwise search with re-solves of the changed portfolio: step down in doubling steps
        # until pid is kept, then bisect.
        high, step = share, COST_TOLERANCE
        if self._kept_with_costs_at(pid, high):
            return high
        while True:
            low = max(high - step, 0.0)
            if self._kept_with_costs_at(pid, low):
                return self._search_share(pid, low, high)
            if low == 0.0:
                return None
            high, step = low, 2 * step

    def _search_share(self, pid: str, low: float, high: float) -> float:
        """Bisection between a share at which pid is kept (low) and one at which it is not (high)."""
        while high - low > COST_TOLERANCE:
            middle = (low + high) / 2
            if self._kept_with_costs_at(pid, middle):
                low = middle
            else:
                high = middle
        return _round_down(low)

    def _share_beating(self, pid: str, value_to_beat: float) -> tuple[float, np.ndarray] | None:
        """Largest share f (at most 1) of pid's costs at which some selection that keeps pid, and
        meets every rule with the other priorities' loads unchanged, is worth more than
        `value_to_beat`; with that selection. None when no f, not even zero, gives one.

        One solve of a companion model: pid is fixed in, its costs become f times today's in every
        rule that depends on costs (capacities and balance bands), f is a variable in [0, 1], and the
        model maximises f subject to the selection's value beating `value_to_beat`. With pid fixed
        in, every row stays linear, so f is exact (to the solver's tolerances), not searched for.
        """
        h = self._threshold_model()
        m = self.model
        i = self.index[pid]
        f = m.size
        entries = self.cost_entries.get(i, [])
        target = value_to_beat - m.constant
        target += max(abs(target) * THRESHOLD_MARGIN, THRESHOLD_MARGIN_MIN)
        try:
            h.changeColBounds(i, 1.0, 1.0)
            h.changeColBounds(f, 0.0, 1.0)
            h.changeRowBounds(len(m.rows), target, 1e30)
            for r, c in entries:
                h.changeCoeff(r, i, 0.0)
                h.changeCoeff(r, f, c)
            h.clearSolver()
            outcome = run_highs(h, self.time_limit, time.perf_counter())
            self.solves += 1
            if outcome.x is None:
                return None
            # outcome.x is rounded to whole numbers, so f is read from the solution itself.
            share = max(0.0, min(1.0, _round_down(float(h.getSolution().col_value[f]))))
            return share, outcome.x[: m.size]
        finally:
            for r, c in entries:
                h.changeCoeff(r, f, 0.0)
                h.changeCoeff(r, i, c)
            h.changeRowBounds(len(m.rows), -1e30, 1e30)
            h.changeColBounds(f, 0.0, 0.0)
            h.changeColBounds(i, float(m.col_lower[i]), float(m.col_upper[i]))

    def _selection_wins_at(self, pid: str, share: float, selection: np.ndarray) -> bool:
        """Whether `selection` (which keeps pid) surely wins a fresh solve with pid's costs entered at
        `share`, without solving: it meets every rule of that changed portfolio, and it is worth
        more than the best selection today with the balance bands lifted, which bounds what any
        selection without pid can reach in the changed portfolio (only the bands change there)."""
        model = build_model(self._with_costs_at(pid, share))
        value = float(model.objective @ selection + model.constant)
        return satisfies(model, selection) and value > self._best_without_bands() + 1e-9 * max(1.0, abs(value))

    def _best_without_bands(self) -> float:
        """Today's best objective with the balance bands lifted (solved once per resolver)."""
        if self._unbanded is None:
            bands = tuple(row.name for row in self.model.rows if row.kind in ("horizon_min", "horizon_max"))
            outcome = self.solve(lift=bands)
            self._unbanded = math.inf if outcome.objective is None else outcome.objective
        return self._unbanded

    def _with_costs_at(self, pid: str, share: float) -> Portfolio:
        priorities = tuple(
            replace(p, costs=tuple((dim, cost * share) for dim, cost in p.costs)) if p.id == pid else p
            for p in self.portfolio.priorities
        )
        return replace(self.portfolio, priorities=priorities)

    def _kept_with_costs_at(self, pid: str, share: float) -> bool:
        """Whether a fresh solve keeps pid once its costs are entered at `share` of today's."""
        outcome = solve_with_highs(build_model(self._with_costs_at(pid, share)), self.time_limit, DEFAULT_GAP)
        self.solves += 1
        return outcome.x is not None and bool(outcome.x[self.index[pid]] > 0.5)

    def _threshold_model(self):
        """The model plus a cost-share column f (objective: maximise f) and a row holding the
        selection's value; both inactive until `cost_threshold` uses them. Built on first use."""
        if self._threshold is None:
            m = self.model
            h = highs_instance(m, self.time_limit, THRESHOLD_GAP)
            h.changeColsCost(m.size, np.arange(m.size, dtype=np.int32), np.zeros(m.size))
            h.changeObjectiveOffset(0.0)
            h.addCol(1.0, 0.0, 0.0, 0, np.zeros(0, dtype=np.int32), np.zeros(0))
            nz = np.flatnonzero(m.objective).astype(np.int32)
            h.addRow(-1e30, 1e30, len(nz), nz, m.objective[nz].astype(float))
            self._threshold = h
        return self._threshold

    def _run(self, start: frozenset[str] | None = None) -> WhatIf:
        self.h.clearSolver()
        if start is not None:
            # A known selection as a starting point (HiGHS checks it and ignores it if it breaks a rule).
            import highspy

            solution = highspy.HighsSolution()
            solution.col_value = [1.0 if pid in start else 0.0 for pid in self.model.ids]
            solution.value_valid = True
            self.h.setSolution(solution)
        outcome = run_highs(self.h, self.time_limit, time.perf_counter())
        self.solves += 1
        if outcome.x is None:
            return WhatIf(outcome.status, None, frozenset())
        kept = frozenset(pid for pid, v in zip(self.model.ids, outcome.x) if v > 0.5)
        return WhatIf(outcome.status, outcome.objective, kept)

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
        raised, rule limits (row upper bounds) changed, or rules (rows named in `lift`) lifted;
        then restore the model.

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
            return self._run(start)
        finally:
            for i in touched_cols:
                h.changeColBounds(i, float(m.col_lower[i]), float(m.col_upper[i]))
            for i, c in touched_costs:
                h.changeColCost(i, c)
            for r, lower, upper in touched_rows:
                h.changeRowBounds(r, max(lower, -1e30), min(upper, 1e30))
