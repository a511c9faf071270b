"""Seeded random portfolios for benchmarks and property tests (not for real use)."""

from __future__ import annotations

import random

from .domain import HORIZONS, CapacityDimension, Criterion, HorizonBand, Portfolio, Priority, Rules

DIMENSION_NAMES = ("strategic", "operational", "improvement_support", "revenue", "digital")
CRITERION_NAMES = ("outcomes", "inequalities", "performance", "finance", "staff")
THEMES = ("uec", "elective", "primary_care", "cancer", "mental_health", "maternity", "neighbourhood", "prevention")


def generate_portfolio(
    n: int,
    k: int = 3,
    seed: int = 0,
    *,
    prerequisites_per_priority: float = 1.5,
    exclusion_share: float = 0.05,
    must_do_share: float = 0.10,
    capacity_share: float = 0.40,
    max_share: float | None = 0.35,
    long_min_pct: float | None = 20.0,
) -> Portfolio:
    """A random portfolio of n priorities and k capacity dimensions.

    A quarter of the priorities are enablers with no prerequisites; the rest require two enablers
    each (1.5 prerequisites per priority on average), so must-dos pull in a bounded set.
    Capacity is `capacity_share` of the total need of each dimension.
    """
    rng = random.Random(seed)
    k = max(1, min(k, len(DIMENSION_NAMES)))
    dims = DIMENSION_NAMES[:k]
    crits = CRITERION_NAMES
    n_enablers = max(1, round(n * prerequisites_per_priority / 6)) if n > 1 else n
    prereqs_each = 2
    ids = [f"P{i:05d}" for i in range(n)]
    requires: list[list[str]] = [[] for _ in range(n)]
    for i in range(n_enablers, n):
        count = min(prereqs_each, n_enablers)
        requires[i] = sorted(rng.sample(ids[:n_enablers], count))
    excludes: list[set[str]] = [set() for _ in range(n)]
    pairs = round(n * exclusion_share)
    attempts = 0
    while pairs > 0 and attempts < 20 * n:
        attempts += 1
        if n - n_enablers < 2:
            break
        # Alternatives are never enablers, so a must-do's prerequisites are never ruled out.
        a, b = rng.sample(range(n_enablers, n), 2)
        if ids[b] in excludes[a]:
            continue
        excludes[a].add(ids[b])
        excludes[b].add(ids[a])
        pairs -= 1
    must = set(rng.sample(range(n), round(n * must_do_share))) if n else set()
    # Two alternatives cannot both be must-dos: keep neither as a must-do.
    position = {pid: i for i, pid in enumerate(ids)}
    must = {i for i in must if not any(position[o] in must for o in excludes[i])}
    priorities = []
    totals = [0.0] * k
    for i in range(n):
        costs = tuple((d, float(rng.randint(1, 20))) for d in dims)
        for j, (_, c) in enumerate(costs):
            totals[j] += c
        priorities.append(
            Priority(
                id=ids[i],
                name=f"Priority {i}",
                source="national" if rng.random() < 0.3 else "local",
                owner="ICB",
                theme=rng.choice(THEMES),
                horizon=rng.choice(HORIZONS),
                costs=costs,
                scores=tuple((c, float(rng.randint(0, 10))) for c in crits),
                must_do=i in must,
                sensitivity=float(rng.randint(0, 5)),
                requires=tuple(requires[i]),
                excludes=tuple(sorted(excludes[i])),
            )
        )
    dimensions = tuple(
        CapacityDimension(name=d, unit="units", available=round(totals[j] * capacity_share, 1), headroom_pct=0.0)
        for j, d in enumerate(dims)
    )
    criteria = tuple(Criterion(name=c, weight=float(w)) for c, w in zip(crits, (3, 2, 2, 1, 1)))
    bands = (HorizonBand("long", min_pct=long_min_pct, max_pct=100.0),) if long_min_pct else ()
    rules = Rules(
        max_priorities=None if max_share is None else max(1, round(n * max_share)),
        horizon_bands=bands,
        sensitivity_penalty=1.0,
    )
    return Portfolio(
        name=f"generated n={n} k={k} seed={seed}",
        dimensions=dimensions,
        criteria=criteria,
        priorities=tuple(priorities),
        rules=rules,
    )
