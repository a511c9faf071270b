"""Names that differ only in punctuation (ids `A-1`/`A_1`, capacities `team-time`/`team time`, themes `A&E`/`A E`)
are different things to the user, so they must be different rules to every solver: the figures are the same as
for a copy of the portfolio whose names are plainly different."""

from __future__ import annotations

import copy

import pytest

from optimiser.explanations import capacity_values
from optimiser.frontier import frontier
from optimiser.model import build_model
from optimiser.parsing import parse_portfolio
from optimiser.rules import check_rules
from optimiser.solve import solve
from optimiser.whatif import Resolver


def _priority(pid: str, team: float, room: float, value: float, theme: str, **extra) -> dict:
    return {
        "id": pid,
        "name": f"Priority {pid}",
        "source": "local",
        "owner": "ICB",
        "theme": theme,
        "horizon": "short",
        "must_do": False,
        "sensitivity": 0,
        "costs": {"team-time": team, "team time": room},
        "scores": {"benefit": value},
        "requires": extra.get("requires", []),
        "excludes": extra.get("excludes", []),
    }


COLLIDING = {
    "schema_version": 1,
    "name": "collisions",
    "capacity_dimensions": [
        {"name": "team-time", "unit": "days", "available": 10, "headroom_pct": 0},
        {"name": "team time", "unit": "rooms", "available": 6, "headroom_pct": 0},
    ],
    "criteria": [{"name": "benefit", "weight": 1}],
    "rules": {
        "sensitivity_penalty": 0,
        "theme_limits": {"A&E": {"max": 1}, "A E": {"max": 2}},
    },
    "priorities": [
        _priority("A-1", 4, 1, 9, "A&E"),
        _priority("A_1", 3, 4, 8, "A&E", requires=["B-2"]),
        _priority("B-2", 2, 1, 5, "A E"),
        _priority("B_2", 5, 1, 7, "A E", excludes=["C"]),
        _priority("C", 1, 3, 6, "A E"),
        _priority("D", 6, 2, 10, "other"),
    ],
}
RENAMES = {"A-1": "P1", "A_1": "P2", "B-2": "P3", "B_2": "P4", "team-time": "staff", "team time": "space"}
RENAMES |= {"A&E": "first", "A E": "second"}


def plainly_named(raw: dict) -> dict:
    text = copy.deepcopy(raw)
    for d in text["capacity_dimensions"]:
        d["name"] = RENAMES[d["name"]]
    text["rules"]["theme_limits"] = {RENAMES[k]: v for k, v in text["rules"]["theme_limits"].items()}
    for p in text["priorities"]:
        p["id"] = RENAMES.get(p["id"], p["id"])
        p["theme"] = RENAMES.get(p["theme"], p["theme"])
        p["costs"] = {RENAMES[k]: v for k, v in p["costs"].items()}
        p["requires"] = [RENAMES.get(x, x) for x in p["requires"]]
        p["excludes"] = [RENAMES.get(x, x) for x in p["excludes"]]
    return text


@pytest.fixture(scope="module")
def both():
    return parse_portfolio(COLLIDING), parse_portfolio(plainly_named(COLLIDING))


def test_every_rule_of_the_model_has_its_own_name(both):
    colliding, plain = both
    names = [r.name for r in build_model(colliding).rows]
    assert len(names) == len(set(names)) == len(build_model(plain).rows)


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_both_solvers_give_the_same_answer_as_for_plain_names(both, solver):
    colliding, plain = both
    a, b = solve(colliding, solver=solver), solve(plain, solver=solver)
    assert a.status == b.status == "optimal", (a.message, b.message)
    assert a.objective == pytest.approx(b.objective)
    assert sorted(RENAMES.get(pid, pid) for pid in a.kept) == sorted(b.kept)
    assert check_rules(colliding, set(a.kept)) == ()


def test_the_value_of_more_capacity_is_worked_out_on_the_capacity_named(both):
    colliding, plain = both
    first, second = (capacity_values(p, solve(p, solver="highs"), Resolver(p)) for p in both)
    assert [(v.gain_one_unit, v.gain_ten_pct) for v in first] == [(v.gain_one_unit, v.gain_ten_pct) for v in second]
    assert all(v.proven for v in first)
    assert any(v.gain_ten_pct for v in first), "the case must make at least one capacity worth more"


def test_the_frontier_varies_the_capacity_named(both):
    colliding, plain = both
    a = frontier(colliding, "team-time", points=6)
    b = frontier(plain, "staff", points=6)
    assert [p.value for p in a.points] == pytest.approx([p.value for p in b.points])
    assert len({p.value for p in a.points}) > 1, "the frontier must not be flat"
