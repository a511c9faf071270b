"""The selection model of DESIGN.md as a solver-neutral, named linear model.

`build_model` turns a portfolio into a `SelectionModel`: one binary variable per priority
(x_i = 1 when kept), an objective to maximise and named rows, one per rule
(`capacity_0_operational`, `requires_3_0_UEC02_UEC01`, `excludes_5_6_DIG01_DIG02`, ...). A row's name starts with
the positions of what it is about (dimension, priorities, theme limit), so names are unique by construction even
when two names differ only in punctuation (`A-1` and `A_1`); the readable part after them is for people reading
a model file. The backends in
:mod:`optimiser.backends` hand the same model to HiGHS in-process or to CBC through PuLP.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np

from .domain import HORIZONS, Portfolio
from .readiness import objective_factors

INF = math.inf


@dataclass(frozen=True)
class Row:
    """One named linear rule: lower <= sum(coefs[j] * x[cols[j]]) <= upper."""

    name: str
    kind: str  # capacity | requires | excludes | max_priorities | theme_min | theme_max | horizon_min | horizon_max
    subject: str  # the dimension, theme, horizon or priority ids the rule is about
    cols: np.ndarray
    coefs: np.ndarray
    lower: float
    upper: float


@dataclass
class SelectionModel:
    """Columns 0..size-1 are the priorities (x_i = 1 when kept, binary); any further columns belong to a
    variant of the model (slacks of the elastic model, the cost share of the threshold model)."""

    ids: list[str]
    objective: np.ndarray  # maximise objective @ x + constant, one entry per column
    constant: float
    col_lower: np.ndarray  # 1 where a priority is forced in (must-do or lock)
    col_upper: np.ndarray  # 0 where a priority is locked out
    rows: list[Row] = field(default_factory=list)
    integer: np.ndarray | None = None  # per column; None means every column is integer
    aux_names: tuple[str, ...] = ()  # names of the columns after the priorities
    # Which solver settings suit it: 'selection' (the one-year model and its variants), 'plan-small' or
    # 'plan' (the time-indexed multi-year model, small or not; see plan_model.PLAN_SMALL_BELOW).
    tuning: str = "selection"

    @property
    def size(self) -> int:
        """Number of priority columns."""
        return len(self.ids)

    @property
    def num_cols(self) -> int:
        return len(self.objective)

    def is_integer(self) -> np.ndarray:
        return np.ones(self.num_cols, dtype=bool) if self.integer is None else self.integer

    def column_names(self) -> list[str]:
        return [f"x_{i}_{safe_name(pid)}" for i, pid in enumerate(self.ids)] + [
            f"{name}_{j}" for j, name in enumerate(self.aux_names)
        ]


_UNSAFE = re.compile(r"[^A-Za-z0-9]")


def safe_name(text: str) -> str:
    """The text with every character other than an ASCII letter or digit replaced by '_'."""
    return _UNSAFE.sub("_", text)


READABLE_CHARS = 24  # of each name inside a row name; the positions before it make the row name unique


@lru_cache(maxsize=65536)
def _readable(text: str) -> str:
    return safe_name(text)[:READABLE_CHARS]


def capacity_row(portfolio: Portfolio, dimension: str) -> str:
    """The name of the capacity row of one dimension."""
    k = [d.name for d in portfolio.dimensions].index(dimension)
    return f"capacity_{k}_{_readable(dimension)}"


def theme_row(portfolio: Portfolio, theme: str, side: str) -> str:
    """The name of a theme limit's row; side is 'min' or 'max'."""
    t = [limit.theme for limit in portfolio.rules.theme_limits].index(theme)
    return f"theme_{side}_{t}_{_readable(theme)}"


def pair_row(kind: str, i: int, j: int, a: str, b: str) -> str:
    """The name of a row about priorities a and b at positions i and j: 'requires' (a requires b) or 'excludes'."""
    return f"{kind}_{i}_{j}_{_readable(a)}_{_readable(b)}"


def lock_row(i: int, pid: str, side: str) -> str:
    """The name of a must-do or lock (side 'in' or 'out') on the priority at position i."""
    return f"lock_{side}_{i}_{_readable(pid)}"


def priority_weights(portfolio: Portfolio) -> tuple[np.ndarray, np.ndarray]:
    """Weighted value of each priority (times its delivery confidence when the expected-value switch is on)
    and the penalty for dropping it."""
    weights = np.array([c.weight for c in portfolio.criteria], dtype=float)
    scores = np.array([[p.score(c.name) for c in portfolio.criteria] for p in portfolio.priorities], dtype=float)
    value = scores @ weights if len(weights) else np.zeros(len(portfolio.priorities))
    factors = objective_factors(portfolio)  # readiness: value x delivery confidence when switched on
    if factors is not None:
        value = value * factors
    penalty = np.array([p.sensitivity for p in portfolio.priorities], dtype=float) * portfolio.rules.sensitivity_penalty
    return value, penalty


def cost_matrix(portfolio: Portfolio) -> np.ndarray:
    """costs[i, k]: what priority i needs of dimension k."""
    names = [d.name for d in portfolio.dimensions]
    return np.array([[p._cost_of.get(name, 0.0) for name in names] for p in portfolio.priorities], dtype=float).reshape(
        len(portfolio.priorities), len(names)
    )


def balance_costs(portfolio: Portfolio, costs: np.ndarray | None = None) -> np.ndarray:
    """Each priority's use of the balance capacity (the dimension whose use measures the horizon balance)."""
    costs = cost_matrix(portfolio) if costs is None else costs
    k = [d.name for d in portfolio.dimensions].index(portfolio.balance_capacity.name)
    return costs[:, k]


def pair_and_count_rows(portfolio: Portfolio, index: dict[str, int]) -> list[Row]:
    """The rules on which priorities are kept at all, over the columns x_i at `index` (shared by the one-year
    and the multi-year model): alternatives, the count limit and the theme minimums and maximums."""
    priorities = portfolio.priorities
    rules = portfolio.rules
    n = len(priorities)
    all_cols = np.arange(n)
    rows: list[Row] = []
    # Exclusions: at most one of two alternatives (each pair once).
    seen_pairs: set[tuple[str, str]] = set()
    for p in priorities:
        for other in p.excludes:
            pair = (min(p.id, other), max(p.id, other))
            if pair in seen_pairs:
                continue
            seen_pairs.add(pair)
            a, b = index[pair[0]], index[pair[1]]
            rows.append(
                Row(
                    pair_row("excludes", a, b, pair[0], pair[1]),
                    "excludes",
                    f"{pair[0]}|{pair[1]}",
                    np.array([a, b]),
                    np.array([1.0, 1.0]),
                    -INF,
                    1.0,
                )
            )

    # At most N priorities kept.
    if rules.max_priorities is not None:
        rows.append(
            Row("max_priorities", "max_priorities", "", all_cols, np.ones(n), -INF, float(rules.max_priorities))
        )

    # Per-theme minimum and maximum number kept.
    themes = np.array([p.theme for p in priorities], dtype=object)
    for limit in rules.theme_limits:
        cols = np.flatnonzero(themes == limit.theme)
        if limit.min_count is not None:
            rows.append(
                Row(
                    theme_row(portfolio, limit.theme, "min"),
                    "theme_min",
                    limit.theme,
                    cols,
                    np.ones(len(cols)),
                    float(limit.min_count),
                    INF,
                )
            )
        if limit.max_count is not None:
            rows.append(
                Row(
                    theme_row(portfolio, limit.theme, "max"),
                    "theme_max",
                    limit.theme,
                    cols,
                    np.ones(len(cols)),
                    -INF,
                    float(limit.max_count),
                )
            )

    return rows


def build_model(portfolio: Portfolio) -> SelectionModel:
    """The mixed-integer model of DESIGN.md, with one named row per rule."""
    priorities = portfolio.priorities
    rules = portfolio.rules
    ids = [p.id for p in priorities]
    index = {pid: i for i, pid in enumerate(ids)}
    n = len(ids)
    value, penalty = priority_weights(portfolio)
    costs = cost_matrix(portfolio)
    rows: list[Row] = []

    # Objective: value of what is kept minus the penalty for each sensitive priority dropped,
    # i.e. sum (value_i + penalty_i) x_i - sum penalty_i.
    objective = value + penalty
    constant = -float(penalty.sum())

    # Must-dos and locks fix variables through their bounds.
    col_lower = np.zeros(n)
    col_upper = np.ones(n)
    for i, p in enumerate(priorities):
        if p.must_do:
            col_lower[i] = 1.0
    for pid in rules.locked_in:
        col_lower[index[pid]] = 1.0
    for pid in rules.locked_out:
        col_upper[index[pid]] = 0.0

    # Capacity: what is kept fits each dimension once headroom is set aside.
    for k, dim in enumerate(portfolio.dimensions):
        column = costs[:, k]
        nz = np.flatnonzero(column)
        rows.append(Row(capacity_row(portfolio, dim.name), "capacity", dim.name, nz, column[nz], -INF, dim.usable))

    # Prerequisites: x_a <= x_b when a requires b.
    for i, p in enumerate(priorities):
        for other in p.requires:
            j = index[other]
            rows.append(
                Row(
                    pair_row("requires", i, j, p.id, other),
                    "requires",
                    f"{p.id}|{other}",
                    np.array([i, j]),
                    np.array([1.0, -1.0]),
                    -INF,
                    0.0,
                )
            )

    rows.extend(pair_and_count_rows(portfolio, index))

    # Horizon balance: the share of the balance capacity used by the kept set that goes to horizon h
    # lies within [low, high], written linearly as sum_i (in_h(i) - low) c_i x_i >= 0 and
    # sum_i (in_h(i) - high) c_i x_i <= 0, with c_i the priority's use of the balance capacity.
    # A set that uses none of it meets both rows: it has no share to check.
    if rules.horizon_bands:
        load = balance_costs(portfolio, costs)
        horizon = np.array([HORIZONS.index(p.horizon) for p in priorities])
        nz = np.flatnonzero(load)
        for band in rules.horizon_bands:
            in_h = (horizon[nz] == HORIZONS.index(band.horizon)).astype(float)
            if band.min_pct > 0:
                coefs = (in_h - band.min_pct / 100.0) * load[nz]
                rows.append(Row(f"horizon_min_{band.horizon}", "horizon_min", band.horizon, nz, coefs, 0.0, INF))
            if band.max_pct < 100:
                coefs = (in_h - band.max_pct / 100.0) * load[nz]
                rows.append(Row(f"horizon_max_{band.horizon}", "horizon_max", band.horizon, nz, coefs, -INF, 0.0))

    if len({r.name for r in rows}) != len(rows):  # unique by construction; a solver would merge or refuse them
        raise AssertionError("two rules of the model share one name")
    return SelectionModel(
        ids=ids, objective=objective, constant=constant, col_lower=col_lower, col_upper=col_upper, rows=rows
    )


# ------------------------------------------------------------------ variants of the one model

# Rules the elastic model may break at a price; the rest (prerequisites, alternatives) stay hard.
ELASTIC_KINDS = ("capacity", "max_priorities", "theme_min", "theme_max", "horizon_min", "horizon_max")
LOCK_WEIGHT = 1.0  # lifting one must-do or lock weighs like doubling a capacity
# Rows whose coefficients scale with a priority's costs.
COST_KINDS = ("capacity", "horizon_min", "horizon_max")


@dataclass(frozen=True)
class ElasticMap:
    """Which column of the elastic model breaks which rule or lock."""

    slacks: tuple[tuple[int, Row], ...]  # (column, the base row it relaxes)
    locks: tuple[tuple[int, str, str], ...]  # (column, priority id, 'in' | 'out')


def elastic_model(
    portfolio: Portfolio, soft_rows: Callable[[Row], bool] | None = None, soften_locks: bool = True
) -> tuple[SelectionModel, ElasticMap]:
    """The base model in which each capacity, count, theme and balance rule, and each must-do and lock,
    may be broken at a price; maximising minus the price finds the smallest total breach.

    A capacity breach weighs by its share of the capacity, a balance breach by its share of the whole
    wish-list's use of the balance capacity, a count or theme breach by its share of the limit; lifting a
    must-do or lock weighs LOCK_WEIGHT. A tiny preference for value makes the suggested selection a
    sensible one. `soft_rows` chooses which rows may bend (default: every rule of ELASTIC_KINDS) and
    `soften_locks` whether must-dos and locks may be lifted."""
    base = build_model(portfolio)
    n = base.size
    bends = soft_rows or (lambda row: row.kind in ELASTIC_KINDS)
    soft = [r for r in base.rows if bends(r)]
    rows = [r for r in base.rows if not bends(r)]
    band_total = max(float(balance_costs(portfolio).sum()), 1e-9)
    scale = max(float(np.abs(base.objective).sum()), 1.0)
    objective = list(1e-6 * base.objective / scale)
    lower = [0.0] * n  # priority columns are free binaries: locks become priced rows below
    upper = [1.0] * n
    integer = [True] * n
    names: list[str] = []
    slacks: list[tuple[int, Row]] = []
    for r in soft:
        if r.kind == "capacity":
            weight = 1.0 / max(r.upper, 1e-9)
        elif r.kind.startswith("horizon"):
            weight = 1.0 / band_total
        else:
            weight = 1.0 / max(abs(r.upper if r.upper < INF else r.lower), 1.0)
        col = len(objective)
        objective.append(-weight)
        lower.append(0.0)
        upper.append(INF)
        integer.append(False)
        names.append(f"slack_{r.name}")
        sign = -1.0 if r.upper < INF else 1.0  # upper rows: a.x - s <= u; lower rows: a.x + s >= l
        rows.append(replace(r, cols=np.append(r.cols, col), coefs=np.append(r.coefs, sign)))
        slacks.append((col, r))
    locks: list[tuple[int, str, str]] = []
    for i, pid in enumerate(base.ids):
        if not soften_locks:
            lower[i], upper[i] = float(base.col_lower[i]), float(base.col_upper[i])
            continue
        if base.col_lower[i] > 0.5:  # must-do or locked in: x_i + u >= 1
            side, low, high, sign = "in", 1.0, INF, 1.0
        elif base.col_upper[i] < 0.5:  # locked out: x_i - v <= 0
            side, low, high, sign = "out", -INF, 0.0, -1.0
        else:
            continue
        col = len(objective)
        objective.append(-LOCK_WEIGHT)
        lower.append(0.0)
        upper.append(1.0)
        integer.append(False)
        names.append(f"lift_{side}_{safe_name(pid)}")
        rows.append(
            Row(
                lock_row(i, pid, side),
                f"lock_{side}",
                pid,
                np.array([i, col]),
                np.array([1.0, sign]),
                low,
                high,
            )
        )
        locks.append((col, pid, side))
    model = SelectionModel(
        ids=base.ids,
        objective=np.array(objective),
        constant=0.0,
        col_lower=np.array(lower),
        col_upper=np.array(upper),
        rows=rows,
        integer=np.array(integer),
        aux_names=tuple(names),
    )
    return model, ElasticMap(tuple(slacks), tuple(locks))


def with_costs_at(portfolio: Portfolio, pid: str, share: float) -> Portfolio:
    """The portfolio with one priority's costs entered at `share` of today's."""
    priorities = tuple(
        replace(p, costs=tuple((dim, cost * share) for dim, cost in p.costs)) if p.id == pid else p
        for p in portfolio.priorities
    )
    return replace(portfolio, priorities=priorities)


def threshold_model(
    portfolio: Portfolio, pid: str, value_to_beat: float, *, upper: float = 1.0, covering: float | None = None
) -> SelectionModel:
    """A model over the priorities plus one column f, the share of pid's today's costs, with pid kept.

    Every rule that depends on costs (capacities and balance bands) takes pid's costs at f, which keeps
    the rows linear because pid is fixed in; a value row asks for a selection worth more than
    `value_to_beat` (an objective of the base model). Without `covering` the model maximises f in
    [0, upper]: the largest share at which pid is kept. With `covering` = s it also keeps every rule at
    share s and minimises f in [0, s]: how far down a selection that keeps pid at s stays good (a rule's
    row is linear in f, so a selection that meets it at two shares meets it at every share between)."""
    base = build_model(portfolio)
    fixed = build_model(with_costs_at(portfolio, pid, covering)) if covering is not None else base
    i = base.ids.index(pid)
    f = base.size
    rows: list[Row] = []
    for row in fixed.rows:
        if covering is None and row.kind in COST_KINDS:
            continue  # replaced by its f-row below
        rows.append(row)
    for row in base.rows:
        if row.kind not in COST_KINDS:
            continue
        where = np.flatnonzero(row.cols == i)
        coefs = row.coefs.copy()
        cols = row.cols.copy()
        if len(where):
            cols[where[0]] = f  # pid's coefficient moves to the share column
        name = row.name if covering is None else f"{row.name}_at_share"
        rows.append(replace(row, name=name, cols=cols, coefs=coefs))
    nz = np.flatnonzero(base.objective)
    margin = max(abs(value_to_beat) * THRESHOLD_MARGIN, THRESHOLD_MARGIN_MIN)
    rows.append(
        Row("value_beats_today", "value", pid, nz, base.objective[nz], value_to_beat - base.constant + margin, INF)
    )
    col_lower = np.append(base.col_lower, 0.0)
    col_upper = np.append(base.col_upper, upper if covering is None else covering)
    col_lower[i] = col_upper[i] = 1.0
    objective = np.zeros(base.size + 1)
    objective[f] = 1.0 if covering is None else -1.0
    integer = np.append(np.ones(base.size, dtype=bool), False)
    return SelectionModel(base.ids, objective, 0.0, col_lower, col_upper, rows, integer, ("cost_share",))


# A cost threshold needs a selection worth more than today's by this share of today's value, and by at
# least THRESHOLD_MARGIN_MIN (well above the solver's 1e-7 feasibility tolerance): a selection that only
# ties with today's would not reliably be picked by a re-solve.
THRESHOLD_MARGIN = 1e-6
THRESHOLD_MARGIN_MIN = 1e-5
