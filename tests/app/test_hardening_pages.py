"""Pages hold up when what they are given is odd: a count limit above the number of priorities, links that no
store can answer, a stored scenario that no longer passes the checks."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest
from sqlalchemy import create_engine, insert
from streamlit.testing.v1 import AppTest

from optimiser.formats import priorities_frame
from optimiser.store import ScenarioStore, scenarios, versions
from tests.pages import APP


def kept_metric(at: AppTest) -> str:
    return next(m.value for m in at.metric if m.label == "Priorities kept")


def test_the_capacity_page_opens_when_the_count_limit_is_above_the_number_of_priorities(sample):
    # The tester's case: a 10-row table loaded onto the sample, whose limit is 18.
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    frame = priorities_frame(sample)
    # The sample's rules ask for a prevention priority and a long-term share: the ten include some of each.
    wanted = (frame["theme"] == "prevention") | (frame["horizon"] == "long")
    ten = pd.concat([frame[wanted].head(4), frame[~wanted].head(6)]).assign(requires="", excludes="")
    at.switch_page("pages/priorities.py").run()
    at.file_uploader[0].set_value(("ten.csv", ten.to_csv(index=False).encode(), "text/csv")).run()
    at.button(key="confirm_replace").click().run()
    assert len(at.session_state["portfolio"].priorities) == 10
    at.switch_page("pages/capacity_and_rules.py").run()
    assert not at.exception, [e.value for e in at.exception]
    limit = next(n for n in at.number_input if n.label == "Keep at most")
    assert limit.value == sample.rules.max_priorities
    assert any("There are 10 priorities, so this limit has no effect." in c.value for c in at.caption)
    # Lowering it below the count applies, and the result follows it.
    limit.set_value(6).run()
    assert at.session_state["portfolio"].rules.max_priorities == 6
    at.switch_page("pages/rationalise.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert kept_metric(at) == "6 of 10"


@pytest.mark.parametrize(
    "version, shown",
    [
        (str(2**63), f"There is no version {2**63}"),
        ("0", "There is no version 0"),
        ("9" * 5000, "is not a version number"),
        ("1.5", "'1.5' is not a version number"),
        ("-1", "'-1' is not a version number"),
    ],
)
def test_a_link_with_a_version_no_store_holds_says_so_and_keeps_the_sample(private_store, sample, version, shown):
    info = ScenarioStore(private_store).save(sample, name="Linked", author="Al")
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["scenario"] = info.scenario_id
    at.query_params["version"] = version
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value.replace("\\", "") for e in at.error]
    assert any(shown in e for e in errors), errors
    assert all(len(e) < 400 for e in errors)
    assert kept_metric(at) == "17 of 48"


def test_a_stored_scenario_that_no_longer_passes_the_checks_names_its_problem(private_store, sample):
    ScenarioStore(private_store)  # creates the tables
    engine = create_engine(private_store)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(insert(scenarios).values(id="0123456789ab", name="Old", created_at=now))
        conn.execute(
            insert(versions).values(
                scenario_id="0123456789ab",
                version=1,
                name="Old",
                author="Al",
                note="",
                saved_at=now,
                payload='{"schema_version": 1, "name": "old", "priorities": []}',
            )
        )
    engine.dispose()
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["scenario"] = "0123456789ab"
    at.query_params["version"] = "1"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value.replace("\\", "") for e in at.error]
    assert any(e.startswith("The linked scenario could not be opened") for e in errors), errors
    assert not any("version" in e and "not a" in e for e in errors), errors
    assert kept_metric(at) == "17 of 48"
