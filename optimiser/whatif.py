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
import time
from dataclasses import dataclass, replace

import numpy as np

from .backends import DEFAULT_GAP, highs_instance, run_highs, run_solver
from .domain import Portfolio
from .model import build_model, threshold_model, with_costs_at
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


class Resolver:
    def __init__(self, portfolio: Portfolio, time_limit: float = 10.0, gap: float = DEFAULT_GAP):
        self.portfolio = portfolio
        self.model = build_model(portfolio)
        self.time_limit = time_limit
        self.gap = gap
        self.index = {pid: i for i, pid in enumerate(self.model.ids)}
        self.row_index = {row.name: r for r, row in enumerate(self.model.rows)}
        self.h = highs_instance(self.model, time_limit, gap)
        self.solves = 0

    # ------------------------------------------------------------------ one re-solve

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
        return WhatIf(outcome.status, outcome.objective, kept, outcome.gap)

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
            answer = self._run(start)
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
        return answer

    # ------------------------------------------------------------------ cost ranges

    def _threshold(self, pid: str, value_to_beat: float, upper: float, covering: float | None):
        """One solve of the threshold model: (share, selection, proven) or None when no share works."""
        model = threshold_model(self.portfolio, pid, value_to_beat, upper=upper, covering=covering)
        outcome = run_solver(model, solver="highs", time_limit=self.time_limit, gap=0.0)
        self.solves += 1
        if outcome.x is None:
            return None, outcome.status == "infeasible"
        share = float(outcome.x[model.size])
        kept = frozenset(pid_ for pid_, v in zip(model.ids, outcome.x[: model.size]) if v > 0.5)
        return (min(max(share, 0.0), 1.0), kept), outcome.status == "optimal"

    def _wins_at(self, pid: str, share: float, kept: frozenset[str], value_to_beat: float) -> bool:
        """Whether `kept` (which keeps pid) meets every rule with pid's costs entered at `share` and is worth
        more than `value_to_beat`: then a fresh solve of that portfolio keeps pid."""
        value = float(self.model.objective[: self.model.size] @ self._mask(kept) + self.model.constant)
        changed = with_costs_at(self.portfolio, pid, share)
        return pid in kept and not check_rules(changed, kept) and value > value_to_beat

    def _mask(self, kept: frozenset[str]) -> np.ndarray:
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
                further, ok = self._threshold(pid, value_to_beat, low, low)
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
