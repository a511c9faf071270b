"""Small hand-checkable portfolios for the tests, built through the real parser."""

from __future__ import annotations

import copy
from typing import Any

from optimiser.domain import Portfolio
from optimiser.parsing import parse_portfolio


def priority(pid: str, cost: float = 1.0, value: float = 1.0, **extra: Any) -> dict[str, Any]:
    """A priority record with one capacity ('ops') and one criterion ('benefit', weight 1)."""
    record: dict[str, Any] = {
        "id": pid,
        "name": f"Priority {pid}",
        "source": "local",
        "owner": "ICB",
        "theme": "general",
        "horizon": "short",
        "must_do": False,
        "sensitivity": 0,
        "costs": {"ops": cost},
        "scores": {"benefit": value},
        "requires": [],
        "excludes": [],
    }
    record.update(extra)
    return record


def raw_portfolio(
    priorities: list[dict[str, Any]], capacity: float = 10.0, headroom: float = 0.0, rules: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "name": "test",
        "capacity_dimensions": [{"name": "ops", "unit": "days", "available": capacity, "headroom_pct": headroom}],
        "criteria": [{"name": "benefit", "weight": 1}],
        "rules": {"sensitivity_penalty": 0, **(rules or {})},
        "priorities": copy.deepcopy(priorities),
    }


def portfolio(
    priorities: list[dict[str, Any]], capacity: float = 10.0, headroom: float = 0.0, rules: dict[str, Any] | None = None
) -> Portfolio:
    return parse_portfolio(raw_portfolio(priorities, capacity, headroom, rules))
