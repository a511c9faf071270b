"""AppTest journeys for readiness and robustness (issue 14): the Rationalise strip, the why-panel, the settings."""

from __future__ import annotations

from dataclasses import replace

from streamlit.testing.v1 import AppTest

from tests.pages import APP


def open_app(page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    return " ".join([m.value for m in at.markdown] + [c.value for c in at.caption]).replace("\\", "").replace("*", "")


def uncertain(sample):
    """The sample with a 20% spread on every score and a readiness rating on two priorities."""
    first, second, *rest = sample.priorities
    return replace(
        sample,
        criteria=tuple(replace(c, spread_pct=20.0) for c in sample.criteria),
        priorities=(
            replace(first, readiness=(("leadership", 4), ("data", 1))),
            replace(second, readiness=(("culture", 3),)),
            *rest,
        ),
    )


def test_without_ranges_the_strip_says_where_to_give_them(sample):
    at = open_app()
    at.session_state["portfolio"] = replace(
        sample,
        criteria=tuple(replace(c, spread_pct=0.0) for c in sample.criteria),
        dimensions=tuple(replace(d, spread_pct=0.0) for d in sample.dimensions),
        priorities=tuple(replace(p, ranges=()) for p in sample.priorities),
    )
    at.run()
    assert "Robustness: no score or cost has a range yet" in texts(at)
    assert not at.error


def test_the_strip_runs_the_samples_and_shows_the_bands_and_the_why_panel_mentions_them(sample):
    at = open_app()
    at.session_state["portfolio"] = uncertain(sample)
    at.run()
    assert "Value at risk from low readiness" in texts(at)
    at.selectbox(key="robust_samples").set_value(100).run()
    at.button(key="run_robustness").click().run(timeout=180)
    assert not at.exception, [e.value for e in at.exception]
    shown = texts(at)
    assert "Robustness (100 samples):" in shown and "robustly kept" in shown
    frequencies = next(f.value for f in at.dataframe if "kept in % of samples" in f.value.columns)
    assert len(frequencies) == 48
    must = frequencies[frequencies["priority"].str.endswith("(NAT-UEC01)")].iloc[0]
    assert must["kept in % of samples"] == 100.0  # a national must-do
    first = sample.priorities[0].id
    at.selectbox(key="why_priority").set_value(first).run()
    shown = texts(at)
    assert "Delivery confidence 50%, low readiness" in shown and "data and analytics that measure impact" in shown
    assert "Robustness: Kept in 100% of samples" in shown


def test_low_readiness_is_named_in_the_reasons_table(sample):
    at = open_app()
    at.session_state["portfolio"] = uncertain(sample)
    at.run()
    decisions = next(f.value for f in at.dataframe if "delivery confidence" in f.value.columns)
    row = decisions[decisions["id"] == sample.priorities[0].id].iloc[0]
    assert "Low readiness (confidence 50%): data and analytics that measure impact not in place." in row["why"]
    assert row["delivery confidence"] == "50%"


def test_the_expected_value_switch_and_readiness_rule_are_set_on_capacity_and_rules():
    at = open_app("pages/capacity_and_rules.py")
    at.toggle(key=next(t.key for t in at.toggle if "expected_value" in t.key)).set_value(True).run()
    floor = next(n for n in at.number_input if "readiness_floor_pct" in n.key)
    floor.set_value(30.0).run()
    assert not at.error
    rules = at.session_state["portfolio"].rules
    assert rules.expected_value and rules.readiness.floor_pct == 30.0


def test_a_spread_is_set_per_capacity_and_per_criterion_on_capacity_and_rules():
    at = open_app("pages/capacity_and_rules.py")
    revision = at.session_state["portfolio_revision"]
    at.session_state[f"rules_dimensions_{revision}"] = {
        "edited_rows": {1: {"spread_pct": 25.0}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.session_state[f"rules_criteria_{revision}"] = {
        "edited_rows": {0: {"spread_pct": 5.0}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.error
    portfolio = at.session_state["portfolio"]
    assert portfolio.dimension("operational").spread_pct == 25.0
    assert portfolio.criteria[0].spread_pct == 5.0


def test_a_bad_spread_is_refused_and_keeps_the_settings():
    at = open_app("pages/capacity_and_rules.py")
    before = at.session_state["portfolio"]
    revision = at.session_state["portfolio_revision"]
    at.session_state[f"rules_criteria_{revision}"] = {
        "edited_rows": {0: {"spread_pct": 250.0}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert at.error and at.session_state["portfolio"] == before
