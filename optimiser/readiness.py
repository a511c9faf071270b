"""Readiness: delivery confidence from ratings on the seven success factors, and what low readiness puts at risk.

The rule (README, "Readiness"), with the settings of `ReadinessRule`:

- each assessed factor rated r on the scale 1-4 counts s = (r - 1) / 3 (1 counts 0, 4 counts 1);
- confidence = floor_pct + (100 - floor_pct) x the mean of s over the assessed factors;
- the weakest factor caps it: at most cap_weakest_1_pct when any factor is rated 1, at most
  cap_weakest_2_pct when the weakest is rated 2;
- a priority with no factor assessed has confidence 100% (its value is not discounted) and is shown as
  "not assessed".

With the expected-value switch on (`Rules.expected_value`) the model maximises the sum over kept priorities of
value x confidence / 100 (minus the drop penalty, which is not discounted). Typed answers only; sentences are
in :mod:`optimiser.words`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from .domain import READINESS_FACTOR_NAMES, READINESS_MAX, READINESS_MIN, Portfolio, Priority, ReadinessRule


def factor_share(rating: int) -> float:
    """What one rating counts towards the mean: 0 for the lowest, 1 for the highest."""
    return (rating - READINESS_MIN) / (READINESS_MAX - READINESS_MIN)


def confidence_pct(ratings: Collection[int], rule: ReadinessRule) -> float:
    """Delivery confidence (0-100) from the ratings of the assessed factors; 100 when none is assessed."""
    ratings = list(ratings)
    if not ratings:
        return 100.0
    mean = sum(factor_share(r) for r in ratings) / len(ratings)
    confidence = rule.floor_pct + (100.0 - rule.floor_pct) * mean
    weakest = min(ratings)
    if weakest <= 1:
        confidence = min(confidence, rule.cap_weakest_1_pct)
    elif weakest == 2:
        confidence = min(confidence, rule.cap_weakest_2_pct)
    return confidence


def priority_confidence(priority: Priority, rule: ReadinessRule) -> float:
    return confidence_pct([r for _, r in priority.readiness], rule)


def confidences(portfolio: Portfolio) -> np.ndarray:
    """Each priority's delivery confidence as a share 0-1, in portfolio order."""
    rule = portfolio.rules.readiness
    return np.array([priority_confidence(p, rule) / 100.0 for p in portfolio.priorities], dtype=float)


def objective_factors(portfolio: Portfolio) -> np.ndarray | None:
    """What each priority's value is multiplied by in the objective: its confidence (0-1) when the
    expected-value switch is on, else None (value as scored)."""
    if not portfolio.rules.expected_value:
        return None
    return confidences(portfolio)


@dataclass(frozen=True)
class Readiness:
    """One priority's readiness: its confidence and the factors rated lowest."""

    priority_id: str
    assessed: int  # factors rated, 0-7
    confidence_pct: float
    weakest: tuple[str, ...]  # factor names with the lowest rating (empty when not assessed)
    weakest_rating: int | None
    low: bool  # confidence below the rule's low_pct


def readiness_of(portfolio: Portfolio, pid: str) -> Readiness:
    p = portfolio.priority(pid)
    rule = portfolio.rules.readiness
    ratings = dict(p.readiness)
    confidence = priority_confidence(p, rule)
    if not ratings:
        return Readiness(pid, 0, 100.0, (), None, False)
    low_rating = min(ratings.values())
    weakest = tuple(f for f in READINESS_FACTOR_NAMES if ratings.get(f) == low_rating)
    return Readiness(pid, len(ratings), confidence, weakest, low_rating, confidence < rule.low_pct)


@dataclass(frozen=True)
class ValueAtRisk:
    """Value at risk from low readiness: the weighted value of the kept priorities that their confidence
    says will not be delivered, sum over kept of value x (1 - confidence)."""

    value_at_risk: float
    kept_value: float  # weighted value of the kept priorities, as scored
    low_readiness: tuple[str, ...]  # kept priorities with low readiness, most value at risk first
    assessed: int  # kept priorities with at least one factor rated
    kept: int


def value_at_risk(portfolio: Portfolio, kept: Collection[str]) -> ValueAtRisk:
    weights = np.array([c.weight for c in portfolio.criteria], dtype=float)
    kept = set(kept)
    rule = portfolio.rules.readiness
    total = risk = 0.0
    at_risk: list[tuple[float, str]] = []
    assessed = 0
    for p in portfolio.priorities:
        if p.id not in kept:
            continue
        value = float(sum(w * p.score(c.name) for w, c in zip(weights, portfolio.criteria)))
        confidence = priority_confidence(p, rule) / 100.0
        total += value
        risk += value * (1.0 - confidence)
        assessed += bool(p.readiness)
        if p.readiness and confidence * 100.0 < rule.low_pct:
            at_risk.append((value * (1.0 - confidence), p.id))
    at_risk.sort(key=lambda item: -item[0])
    return ValueAtRisk(
        risk, total, tuple(pid for _, pid in at_risk), assessed, len(kept & {p.id for p in portfolio.priorities})
    )
