"""Small hand-checkable portfolios for the tests, built through the real parser."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from optimiser.domain import CapacityDimension, Criterion, PlanSettings, Portfolio, Priority, Rules
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


def plan_item(pid: str, cost: float = 1.0, value: float = 1.0, **extra: Any) -> Priority:
    """A Priority of a multi-year plan test with one capacity ('ops') and one criterion ('benefit')."""
    fields: dict[str, Any] = dict(
        id=pid,
        name=f"Priority {pid}",
        source="local",
        owner="ICB",
        theme="a",
        horizon="short",
        costs=(("ops", float(cost)),),
        scores=(("benefit", float(value)),),
    )
    fields.update(extra)
    return Priority(**fields)


def plan_portfolio(
    priorities: Iterable[Priority], years: int = 3, capacity: float = 10.0, value_mode: str = "completion", **rules: Any
) -> Portfolio:
    """A plan of `years` years from 2026/27 with one capacity ('ops', `capacity` a year unless `by_year` gives
    each year's) and no sensitivity penalty unless given."""
    by_year = rules.pop("by_year", ())
    return Portfolio(
        name="plan",
        dimensions=(CapacityDimension("ops", "days", capacity, available_by_year=tuple(by_year)),),
        criteria=(Criterion("benefit", 1.0),),
        priorities=tuple(priorities),
        rules=Rules(sensitivity_penalty=rules.pop("sensitivity_penalty", 0.0), **rules),
        plan=PlanSettings(years, "2026/27", value_mode),
    )
