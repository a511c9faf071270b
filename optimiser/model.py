"""The selection model of DESIGN.md as a solver-neutral, named linear model.

`build_model` turns a portfolio into a `SelectionModel`: one binary variable per priority
(x_i = 1 when kept), an objective to maximise and named rows, one per rule
(`capacity_operational`, `requires_UEC02_UEC01`, `excludes_DIG01_DIG02`, ...). The backends in
:mod:`optimiser.backends` hand the same model to HiGHS in-process or to CBC through PuLP.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .domain import HORIZONS, Portfolio

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
    ids: list[str]
    objective: np.ndarray  # maximise objective @ x + constant
    constant: float
    col_lower: np.ndarray  # 1 where a priority is forced in (must-do or lock)
    col_upper: np.ndarray  # 0 where a priority is locked out
    rows: list[Row] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.ids)


def safe_name(text: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in text)


def priority_weights(portfolio: Portfolio) -> tuple[np.ndarray, np.ndarray]:
    """Weighted value of each priority and the penalty for dropping it."""
    weights = np.array([c.weight for c in portfolio.criteria], dtype=float)
    scores = np.array([[p.score(c.name) for c in portfolio.criteria] for p in portfolio.priorities], dtype=float)
    value = scores @ weights if len(weights) else np.zeros(len(portfolio.priorities))
    penalty = np.array([p.sensitivity for p in portfolio.priorities], dtype=float) * portfolio.rules.sensitivity_penalty
    return value, penalty


def cost_matrix(portfolio: Portfolio) -> np.ndarray:
    """costs[i, k]: what priority i needs of dimension k."""
    return np.array(
        [[p.cost(d.name) for d in portfolio.dimensions] for p in portfolio.priorities], dtype=float
    ).reshape(len(portfolio.priorities), len(portfolio.dimensions))


def loads(portfolio: Portfolio, costs: np.ndarray | None = None) -> np.ndarray:
    """Capacity load of each priority: its costs as shares of the whole wish-list's need on each
    dimension, summed. It compares capacity across dimensions with different units, and does not
    move when capacities or headroom change, so a balance share depends only on what is kept."""
    costs = cost_matrix(portfolio) if costs is None else costs
    need = costs.sum(axis=0)
    scale = np.divide(1.0, need, out=np.zeros_like(need), where=need > 0)
    return costs @ scale


def build_model(portfolio: Portfolio) -> SelectionModel:
    """The mixed-integer model of DESIGN.md, with one named row per rule."""
    priorities = portfolio.priorities
    rules = portfolio.rules
    ids = [p.id for p in priorities]
    index = {pid: i for i, pid in enumerate(ids)}
    n = len(ids)
    value, penalty = priority_weights(portfolio)
    costs = cost_matrix(portfolio)
    all_cols = np.arange(n)
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
        rows.append(Row(f"capacity_{safe_name(dim.name)}", "capacity", dim.name, nz, column[nz], -INF, dim.usable))

    # Prerequisites: x_a <= x_b when a requires b.
    for i, p in enumerate(priorities):
        for other in p.requires:
            j = index[other]
            rows.append(
                Row(
                    f"requires_{safe_name(p.id)}_{safe_name(other)}",
                    "requires",
                    f"{p.id}|{other}",
                    np.array([i, j]),
                    np.array([1.0, -1.0]),
                    -INF,
                    0.0,
                )
            )

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
                    f"excludes_{safe_name(pair[0])}_{safe_name(pair[1])}",
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
                    f"theme_min_{safe_name(limit.theme)}",
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
                    f"theme_max_{safe_name(limit.theme)}",
                    "theme_max",
                    limit.theme,
                    cols,
                    np.ones(len(cols)),
                    -INF,
                    float(limit.max_count),
                )
            )

    # Horizon balance: share of kept capacity load in horizon h within [low, high], written
    # linearly as sum_i (in_h(i) - low) load_i x_i >= 0 and sum_i (in_h(i) - high) load_i x_i <= 0.
    if rules.horizon_bands:
        load = loads(portfolio, costs)
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

    return SelectionModel(
        ids=ids, objective=objective, constant=constant, col_lower=col_lower, col_upper=col_upper, rows=rows
    )
