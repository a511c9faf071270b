"""Figures of a selection: capacity use per dimension and share of capacity per horizon."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from .domain import HORIZONS, Portfolio
from .model import balance_costs, cost_matrix, priority_weights
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
            label=d.display,
        )
        for k, d in enumerate(portfolio.dimensions)
    )


def horizon_shares(portfolio: Portfolio, kept: Collection[str]) -> tuple[HorizonShare, ...]:
    """Each horizon's share of the balance capacity used by the kept set and by the whole wish-list."""
    mask = np.array([p.id in kept for p in portfolio.priorities], dtype=bool)
    use = balance_costs(portfolio)
    dimension = portfolio.balance_capacity.name
    horizon = np.array([p.horizon for p in portfolio.priorities], dtype=object)
    kept_total = float(use[mask].sum())
    all_total = float(use.sum())
    shares = []
    for h in HORIZONS:
        in_h = horizon == h
        shares.append(
            HorizonShare(
                horizon=h,
                kept_pct=100.0 * float(use[mask & in_h].sum()) / kept_total if kept_total > 0 else 0.0,
                wishlist_pct=100.0 * float(use[in_h].sum()) / all_total if all_total > 0 else 0.0,
                kept_count=int((mask & in_h).sum()),
                wishlist_count=int(in_h.sum()),
                dimension=dimension,
                kept_use=float(use[mask & in_h].sum()),
                wishlist_use=float(use[in_h].sum()),
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
