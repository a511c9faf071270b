"""The scenario store: save, version, conflict, load, delete, reopen after a restart."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from optimiser.errors import PortfolioError
from optimiser.formats import portfolio_from_json, portfolio_to_json
from optimiser.solve import solve
from optimiser.store import ConflictError, NotFoundError, ScenarioStore, StoreError, metadata, versions

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, private_store) -> str:
    """Each store test runs on SQLite and on the PostgreSQL server `make test` starts."""
    if request.param == "sqlite":
        return private_store
    url = os.environ.get("PRIORITY_TEST_PG_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("PRIORITY_TEST_PG_URL is not set: run the tests with `make test`, which starts PostgreSQL.")
        pytest.skip("no PostgreSQL server (run `make test` to start one)")
    engine = create_engine(url)
    metadata.drop_all(engine)  # a clean store for each test
    engine.dispose()
    return url


@pytest.fixture
def store(store_url) -> ScenarioStore:
    return ScenarioStore(store_url)


def test_a_saved_scenario_reopens_identical_and_solves_the_same(store, sample):
    info = store.save(sample, name="Board option A", author="Facilitator", note="before the workshop")
    assert info.version == 1
    loaded, meta = store.load(info.scenario_id)
    assert loaded == sample
    assert (meta.name, meta.author, meta.note, meta.version) == (
        "Board option A",
        "Facilitator",
        "before the workshop",
        1,
    )
    assert solve(loaded).kept == solve(sample).kept


def test_json_round_trip_gives_the_identical_result(sample):
    again = portfolio_from_json(portfolio_to_json(sample))
    assert again == sample
    first, second = solve(sample), solve(again)
    assert (first.kept, first.objective) == (second.kept, second.objective)


def test_saving_again_keeps_the_earlier_version(store, sample):
    first = store.save(sample, name="Plan", author="A")
    tighter = replace(sample, rules=replace(sample.rules, max_priorities=12))
    second = store.save(tighter, name="Plan", author="B", scenario_id=first.scenario_id, based_on=1)
    assert second.version == 2
    assert store.load(first.scenario_id, 1)[0].rules.max_priorities == 18
    assert store.load(first.scenario_id)[0].rules.max_priorities == 12
    assert [v.version for v in store.versions(first.scenario_id)] == [2, 1]
    assert [(s.scenario_id, s.version) for s in store.list()] == [(first.scenario_id, 2)]


def test_saving_from_a_stale_copy_is_refused_and_nothing_is_lost(store, sample):
    first = store.save(sample, name="Plan", author="A")
    mine = replace(sample, rules=replace(sample.rules, max_priorities=11))
    theirs = replace(sample, rules=replace(sample.rules, max_priorities=14))
    store.save(theirs, name="Plan", author="Bea", scenario_id=first.scenario_id, based_on=1)
    with pytest.raises(
        ConflictError, match=r"version 2 of this scenario was saved by Bea at .* after you opened version 1"
    ):
        store.save(mine, name="Plan", author="Al", scenario_id=first.scenario_id, based_on=1)
    assert store.load(first.scenario_id)[0].rules.max_priorities == 14
    assert [v.version for v in store.versions(first.scenario_id)] == [2, 1]


def test_two_writers_at_once_exactly_one_wins(store, sample):
    first = store.save(sample, name="Plan", author="A")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def writer(author: str, limit: int) -> None:
        own = ScenarioStore(store.url)  # each writer has its own connections, like two app servers
        edited = replace(sample, rules=replace(sample.rules, max_priorities=limit))
        barrier.wait()
        try:
            own.save(edited, name="Plan", author=author, scenario_id=first.scenario_id, based_on=1)
            outcomes.append(author)
        except ConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=writer, args=(a, n)) for a, n in (("Al", 11), ("Bea", 14))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 2 and outcomes.count("conflict") == 1
    winner = next(o for o in outcomes if o != "conflict")
    assert [(v.version, v.author) for v in store.versions(first.scenario_id)] == [(2, winner), (1, "A")]
    assert store.load(first.scenario_id)[0].rules.max_priorities == {"Al": 11, "Bea": 14}[winner]


def test_delete_removes_every_version(store, sample):
    info = store.save(sample, name="Gone", author="A")
    store.delete(info.scenario_id)
    assert store.list() == []
    with pytest.raises(NotFoundError, match="There is no scenario"):
        store.load(info.scenario_id)


def test_a_scenario_saved_by_another_process_reopens_after_a_restart(store_url, sample):
    code = (
        "from optimiser.formats import load_portfolio; from optimiser.store import ScenarioStore; "
        f"s = ScenarioStore({store_url!r}); "
        "i = s.save(load_portfolio('sample_data/icb_portfolio.json'), name='From another process', author='CLI'); "
        "print(i.scenario_id)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    scenario_id = out.stdout.strip()
    loaded, info = ScenarioStore(store_url).load(scenario_id)
    assert loaded == sample and info.name == "From another process"


def test_a_stored_file_of_another_schema_version_is_refused_clearly(store, sample):
    info = store.save(sample, name="Old", author="A")
    raw = json.loads(portfolio_to_json(sample))
    raw["schema_version"] = 0
    with store.engine.begin() as conn:
        conn.execute(
            versions.update().where(versions.c.scenario_id == info.scenario_id).values(payload=json.dumps(raw))
        )
    with pytest.raises(PortfolioError, match="schema_version 0; this version of the tool reads schema_version 1"):
        store.load(info.scenario_id)


def test_a_name_is_required(store, sample):
    with pytest.raises(StoreError, match="The scenario name is missing"):
        store.save(sample, name="  ", author="A")


def test_an_unreachable_store_gives_a_clear_message(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreError, match="cannot be opened.*Your current work is still here"):
        ScenarioStore(f"sqlite:///{blocker / 'sub' / 'scenarios.db'}")


def test_user_text_is_stored_as_data_not_sql(store, sample):
    hostile = "Robert'); DROP TABLE scenario_versions;--"
    info = store.save(sample, name=hostile, author=hostile, note=hostile)
    assert store.load(info.scenario_id)[1].name == hostile
    assert len(store.list()) == 1


@pytest.mark.parametrize("version", [0, -1, 2**31, 2**63, 10**400])
def test_a_link_to_a_version_no_store_can_hold_is_not_found(store, sample, version):
    info = store.save(sample, name="Plan", author="Al")
    with pytest.raises(NotFoundError, match=f"There is no version {version} of scenario {info.scenario_id}"):
        store.load(info.scenario_id, version)


@pytest.mark.parametrize(
    "scenario_id", ["", "x" * 5000, "abc\x00def01234", "'; DROP TABLE scenarios;--", "ABCDEF012345"]
)
def test_a_link_to_a_scenario_id_the_store_never_makes_is_not_found(store, scenario_id):
    with pytest.raises(NotFoundError, match="There is no scenario") as caught:
        store.load(scenario_id)
    assert len(str(caught.value)) < 200  # the message does not repeat a long link back
    with pytest.raises(NotFoundError):
        store.versions(scenario_id)


@pytest.mark.parametrize("field", ["name", "author", "note"])
@pytest.mark.parametrize("character", ["\x00", "\x01", "\x0b", "\x7f", "\x85", "\ud800"])
def test_a_control_character_in_the_name_author_or_note_is_refused_by_name(store, sample, field, character):
    texts = {"name": "Plan", "author": "Al", "note": ""} | {field: f"Pl{character}an"}
    with pytest.raises(StoreError, match=f"The scenario {field} contains a control character") as caught:
        store.save(sample, **texts)
    assert "try again later" not in str(caught.value)
    assert store.list() == []


def test_a_note_may_run_over_several_lines(store, sample):
    info = store.save(sample, name="Plan", author="Al", note="first line\nsecond line\twith a tab")
    assert store.load(info.scenario_id)[1].note == "first line\nsecond line\twith a tab"
