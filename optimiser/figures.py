"""Figures of a selection: capacity use per dimension and share of capacity per horizon."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from .domain import HORIZONS, Portfolio
from .model import cost_matrix, loads, priority_weights
from .result import CapacityUse, HorizonShare


def capacity_use(portfolio: Portfolio, kept: Collection[str]) -> tuple[CapacityUse, ...]:
    mask = np.array([p.id in kept for p in portfolio.priorities], dtype=bool)
    costs = cost_matrix(portfolio)
    return tuple(
        CapacityUse(
            dimension=d.name,
            unit=d.unit,
            available=d.available,
            headroom_pct=d.headroom_pct,
            usable=d.usable,
            used=float(costs[mask, k].sum()),
            wishlist=float(costs[:, k].sum()),
        )
        for k, d in enumerate(portfolio.dimensions)
    )


def horizon_shares(portfolio: Portfolio, kept: Collection[str]) -> tuple[HorizonShare, ...]:
    mask = np.array([p.id in kept for p in portfolio.priorities], dtype=bool)
    load = loads(portfolio)
    horizon = np.array([p.horizon for p in portfolio.priorities], dtype=object)
    kept_total = float(load[mask].sum())
    all_total = float(load.sum())
    shares = []
    for h in HORIZONS:
        in_h = horizon == h
        shares.append(
            HorizonShare(
                horizon=h,
                kept_pct=100.0 * float(load[mask & in_h].sum()) / kept_total if kept_total > 0 else 0.0,
                wishlist_pct=100.0 * float(load[in_h].sum()) / all_total if all_total > 0 else 0.0,
                kept_count=int((mask & in_h).sum()),
                wishlist_count=int(in_h.sum()),
            )
        )
    return tuple(shares)


def value_figures(portfolio: Portfolio, kept: Collection[str]) -> tuple[float, float, tuple[tuple[str, float], ...]]:
    """(weighted value kept, penalty for sensitive priorities dropped, value by criterion)."""
    mask = np.array([p.id in kept for p in portfolio.priorities], dtype=bool)
    value, penalty = priority_weights(portfolio)
    by_criterion = tuple(
        (c.name, float(sum(c.weight * p.score(c.name) for p, m in zip(portfolio.priorities, mask) if m)))
        for c in portfolio.criteria
    )
    return float(value[mask].sum()), float(penalty[~mask].sum()), by_criterion
