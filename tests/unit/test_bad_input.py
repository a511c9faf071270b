"""Random and malformed portfolios and files: every one either solves with all rules met or fails with a
domain error naming the problem; never an unhandled exception, never a hang."""

from __future__ import annotations

import copy
import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimiser.errors import PortfolioError
from optimiser.excel import read_workbook
from optimiser.formats import load_upload, portfolio_from_json, priorities_from_csv
from optimiser.rules import check_rules
from optimiser.solve import solve
from tests.builders import portfolio, priority, raw_portfolio

TIME_LIMIT = 3.0
BASE = raw_portfolio(
    [
        priority("A", 3, 5, must_do=True),
        priority("B", 4, 7, requires=["A"], horizon="long"),
        priority("C", 5, 6, excludes=["D"], theme="x"),
        priority("D", 2, 3, horizon="medium"),
        priority("E", 6, 9, requires=["B"], sensitivity=3),
        priority("F", 1, 1, source="national"),
    ],
    capacity=12,
    headroom=10,
    rules={
        "max_priorities": 4,
        "horizon_bands": {"short": {"min_pct": 10, "max_pct": 80}},
        "theme_limits": {"x": {"max": 1}},
        "locked_out": ["F"],
    },
)
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["", " ", "short", "national", "A", "Z", "yes", "1,000", "<script>", "=1+1"]),
    st.sampled_from(["2,5", "A\x0b", "\ud800", "nan", "1e400", "'=x", "\x85", 10**400, 10**5000, 1e15, -0.0]),
    st.lists(st.sampled_from(["A", "B", "Q", "", None]), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
PATHS = (
    [
        ("capacity_dimensions", 0, "available"),
        ("capacity_dimensions", 0, "headroom_pct"),
        ("capacity_dimensions", 0, "name"),
        ("criteria", 0, "weight"),
        ("criteria", 0, "name"),
        ("rules", "max_priorities"),
        ("rules", "locked_in"),
        ("rules", "locked_out"),
        ("rules", "horizon_bands"),
        ("rules", "theme_limits"),
        ("rules", "sensitivity_penalty"),
        ("rules",),
        ("criteria",),
        ("capacity_dimensions",),
        ("priorities",),
        ("schema_version",),
    ]
    + [
        ("priorities", i, field)
        for i in range(6)
        for field in (
            "id",
            "name",
            "source",
            "horizon",
            "must_do",
            "sensitivity",
            "requires",
            "excludes",
            "costs",
            "scores",
            "theme",
        )
    ]
    + [("priorities", i, "costs", "ops") for i in range(6)]
    + [("priorities", i, "scores", "benefit") for i in range(6)]
)


def set_path(raw, path, value):
    target = raw
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


@st.composite
def mangled(draw):
    raw = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(PATHS))
        try:
            set_path(raw, path, draw(JUNK))
        except (KeyError, IndexError, TypeError):
            pass  # an earlier change removed the container: that is malformed input too
    return raw


def check_outcome(p) -> None:
    result = solve(p, time_limit=TIME_LIMIT)
    assert result.seconds < TIME_LIMIT + 5, "the time limit must be honoured"
    assert result.status in {"optimal", "feasible", "infeasible", "no_solution"}
    if result.has_selection:
        assert not check_rules(p, set(result.kept))
        assert all(u.used <= u.usable + 1e-6 for u in result.capacity)
        if p.rules.max_priorities is not None:
            assert len(result.kept) <= p.rules.max_priorities
    elif result.status == "infeasible":
        assert result.conflicts and all(c.text for c in result.conflicts)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mangled())
def test_mangled_portfolios_solve_correctly_or_fail_with_a_named_problem(raw):
    try:
        text = json.dumps(raw)
    except (TypeError, ValueError):
        return
    try:
        p = portfolio_from_json(text)
    except PortfolioError as err:
        assert err.problems and all(pr.field and pr.message for pr in err.problems)
        return
    for d in p.dimensions:
        assert math.isfinite(d.available) and 0 <= d.headroom_pct <= 90
    check_outcome(p)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_random_csv_text_never_crashes_the_loader(text):
    base = portfolio([priority("A")])
    try:
        p = priorities_from_csv(text, base)
    except PortfolioError as err:
        assert str(err)
        return
    check_outcome(p)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_as_a_workbook_or_json_give_a_domain_error(data):
    for name in ("upload.xlsx", "upload.json", "upload.csv"):
        try:
            load_upload(name, data, portfolio([priority("A")]))
        except PortfolioError as err:
            assert str(err)


def test_a_zip_that_is_not_a_workbook_is_refused():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    try:
        read_workbook(buffer.getvalue())
    except PortfolioError as err:
        assert "could not be read" in str(err)
    else:
        raise AssertionError("a zip without a workbook must be refused")


def test_a_hard_large_portfolio_respects_the_time_limit():
    from optimiser.synthetic import generate_portfolio

    result = solve(generate_portfolio(5000, 5, seed=2), solver="highs", time_limit=0.5)
    assert result.seconds < 0.5 + 3.0
    assert result.status in {"optimal", "feasible", "no_solution"}
