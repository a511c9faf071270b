"""The share-link corpus (tests/data/links/links.json): every link a user might paste or mangle either opens the
version it names or is refused with a message saying which part is wrong; never another error, never the wrong
version. Links are read as the app reads them (the last value of each query key, percent-decoded)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from sqlalchemy import create_engine, insert

from optimiser.formats import portfolio_to_json
from optimiser.store import NotFoundError, ScenarioStore, link_version, scenarios, versions
from tests.data.links.make_links import SCENARIO, links

LINKS = json.loads((Path(__file__).resolve().parents[1] / "data" / "links" / "links.json").read_text())


def test_the_committed_corpus_is_what_the_generator_makes():
    assert LINKS == links()
    assert len(LINKS) >= 50


@pytest.fixture(scope="module")
def store(tmp_path_factory, sample):
    url = f"sqlite:///{tmp_path_factory.mktemp('links') / 'scenarios.db'}"
    ScenarioStore(url)  # creates the tables
    engine = create_engine(url)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(insert(scenarios).values(id=SCENARIO, name="Linked", created_at=now))
        for version in (1, 2):
            row = dict(name="Linked", author="Al", note="", saved_at=now, payload=portfolio_to_json(sample))
            conn.execute(insert(versions).values(scenario_id=SCENARIO, version=version, **row))
    engine.dispose()
    return ScenarioStore(url)


@pytest.mark.parametrize("case", LINKS, ids=lambda c: c["query"][:40])
def test_each_link_opens_its_version_or_says_what_is_wrong(store, case):
    params = dict(parse_qsl(case["query"], keep_blank_values=True))
    scenario_id = params.get("scenario")
    if not scenario_id:
        assert case.get("opens", "missing") is None  # no scenario named: the app opens nothing
        return
    if "error" in case:
        with pytest.raises(NotFoundError, match=case["error"]) as caught:
            store.load(scenario_id, link_version(params.get("version")))
        assert len(str(caught.value)) < 200
    else:
        _, info = store.load(scenario_id, link_version(params.get("version")))
        assert (info.scenario_id, info.version) == (SCENARIO, case["opens"])
