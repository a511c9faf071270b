"""The workshop store: tokens, who may read and write what, closed workshops, bad input, upserts, adoption, and
20 participant processes writing all their answers at once (each twice) on SQLite and PostgreSQL.

The PostgreSQL tests run in a schema of their own, made for the test and dropped after it, so that other store
tests (which drop the default schema's tables) cannot interfere."""

from __future__ import annotations

import multiprocessing

import pytest
from sqlalchemy import func, select

from optimiser.store import ScenarioStore
from optimiser.workshop import outcome
from optimiser.workshop_store import CODE_LENGTH, WorkshopError, WorkshopStore, answers, digest, workshops
from tests.pg import private_schema

CRITERIA = ["outcomes", "inequalities", "performance_recovery"]


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, private_store):
    if request.param == "sqlite":
        yield private_store
        return
    with private_schema("workshop") as schema_url:
        yield schema_url


@pytest.fixture
def store(url):
    made = WorkshopStore(url)
    yield made
    made.engine.dispose()


@pytest.fixture
def started(store, sample):
    ids = [p.id for p in sample.priorities[:4]]
    return store.create(sample, title="Board away day", criteria=CRITERIA, priorities=ids)


def test_tokens_are_long_and_only_digests_of_the_secret_ones_are_stored(store, started):
    assert len(started.facilitator_token) >= 43 and len(started.join_token) >= 32  # 256 and 192 bits
    assert len(started.code) == CODE_LENGTH
    with store.engine.connect() as conn:
        row = conn.execute(select(workshops)).one()
    assert row.facilitator_hash == digest(started.facilitator_token)
    assert started.facilitator_token not in str(tuple(row))


def test_the_facilitator_view_needs_the_facilitator_token(store, started):
    assert store.facilitated(started.facilitator_token).title == "Board away day"
    for wrong in (started.join_token, started.code, "", "x" * 43):
        with pytest.raises(WorkshopError, match="facilitator link does not open any workshop"):
            store.all_answers(wrong)


def test_a_participant_reads_and_writes_only_their_own_answers(store, started, sample):
    ann, _ = store.join(started.join_token, "Ann")
    bob, _ = store.join(started.code.lower(), "Bob")  # the code as typed
    pid = sample.priorities[0].id
    store.save_scores(ann, {(pid, "outcomes"): 9})
    store.save_scores(bob, {(pid, "outcomes"): 2})
    assert store.my_answers(ann).scores == (((pid, "outcomes"), 9.0),)
    assert store.my_answers(bob).scores == (((pid, "outcomes"), 2.0),)
    # The participant token opens nothing of the facilitator's, and another's answers are not reachable.
    with pytest.raises(WorkshopError):
        store.all_answers(ann)
    with pytest.raises(WorkshopError, match="not revealed"):
        store.revealed_answers(ann)
    store.set_status(started.facilitator_token, revealed=True)
    shown = store.revealed_answers(ann)
    assert sorted(a.scores[0][1] for a in shown) == [2.0, 9.0]
    assert all(a.name == "" and a.participant_id in {"1", "2"} for a in shown)  # no names or ids


def test_a_repeated_answer_updates_it(store, started, sample):
    ann, _ = store.join(started.join_token, "Ann")
    pid = sample.priorities[1].id
    store.save_scores(ann, {(pid, "outcomes"): 3})
    store.save_scores(ann, {(pid, "outcomes"): 7})
    assert store.my_answers(ann).scores == (((pid, "outcomes"), 7.0),)
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(answers)).scalar() == 1


def test_bad_input_gets_a_clear_message(store, started, sample):
    ann, _ = store.join(started.join_token, "Ann")
    pid = sample.priorities[0].id
    with pytest.raises(WorkshopError, match="outside the scale"):
        store.save_scores(ann, {(pid, "outcomes"): 11})
    with pytest.raises(WorkshopError, match="is not being scored"):
        store.save_scores(ann, {(sample.priorities[-1].id, "outcomes"): 5})
    with pytest.raises(WorkshopError, match="no workshop with the code"):
        store.join("ZZZZZZZZ", "Ann")
    with pytest.raises(WorkshopError, match="display name"):
        store.join(started.code, "   ")
    with pytest.raises(WorkshopError, match="participant link does not open"):
        store.my_answers("not-a-token")
    assert store.my_answers(ann).scores == ()  # nothing stored from the refused writes


def test_a_closed_workshop_refuses_writes_and_joins(store, started, sample):
    ann, _ = store.join(started.join_token, "Ann")
    store.set_status(started.facilitator_token, status="closed")
    with pytest.raises(WorkshopError, match="is closed"):
        store.save_scores(ann, {(sample.priorities[0].id, "outcomes"): 5})
    with pytest.raises(WorkshopError, match="is closed"):
        store.join(started.code, "Late")
    store.set_status(started.facilitator_token, status="open")
    assert store.save_scores(ann, {(sample.priorities[0].id, "outcomes"): 5}) == 1


def test_a_second_round_opens_only_the_chosen_priorities(store, started, sample):
    ann, _ = store.join(started.join_token, "Ann")
    first, second = sample.priorities[0].id, sample.priorities[1].id
    store.save_scores(ann, {(first, "outcomes"): 5, (second, "outcomes"): 5})
    workshop = store.next_round(started.facilitator_token, [second])
    assert workshop.round == 2 and workshop.round_priorities == (second,) and not workshop.revealed
    store.save_scores(ann, {(second, "outcomes"): 8})
    with pytest.raises(WorkshopError, match="round 2"):
        store.save_scores(ann, {(first, "outcomes"): 1})
    assert dict(store.my_answers(ann).scores) == {(first, "outcomes"): 5, (second, "outcomes"): 8}


def test_adopting_saves_the_group_scores_as_a_new_version_with_provenance(store, started, sample, url):
    scenarios = ScenarioStore(url)
    pid = sample.priorities[0].id
    for name, score in (("Ann", 2), ("Bob", 9), ("Cat", 4)):
        token, _ = store.join(started.join_token, name)
        store.save_scores(token, {(pid, "outcomes"): score})
    result = outcome(sample, store.all_answers(started.facilitator_token))
    info = store.adopt(
        started.facilitator_token, scenarios, result.group_portfolio, author="Facilitator", participants_count=3
    )
    adopted, meta = scenarios.load(info.scenario_id, info.version)
    assert adopted.priority(pid).score("outcomes") == 4  # the median of 2, 9 and 4
    assert "3 participants, 1 round" in meta.note and "median" in meta.note
    assert store.facilitated(started.facilitator_token).adopted_version == info.version
    scenarios.engine.dispose()


# ------------------------------------------------------------------ 20 processes at once

PEOPLE = 20


def _participant(url: str, token: str, cells: list, barrier, seed: int, latencies) -> None:
    import time

    store = WorkshopStore(url)
    barrier.wait(timeout=120)
    for attempt in range(2):  # all their answers, twice: the second time changes every score
        for i, cell in enumerate(cells):
            started = time.perf_counter()
            store.save_scores(token, {tuple(cell): float((seed + i + attempt) % 11)})
            latencies.append(time.perf_counter() - started)
    store.engine.dispose()


def test_twenty_participant_processes_writing_at_once_leave_every_answer_exactly_once(store, started, url):
    tokens = [store.join(started.join_token, f"Person {i}")[0] for i in range(PEOPLE)]
    cells = [list(c) for c in store.facilitated(started.facilitator_token).cells]  # 4 priorities x 3 criteria
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        barrier = manager.Barrier(PEOPLE)
        latencies = manager.list()
        processes = [
            context.Process(target=_participant, args=(url, token, cells, barrier, i, latencies))
            for i, token in enumerate(tokens)
        ]
        for p in processes:
            p.start()
        for p in processes:
            p.join(timeout=300)
        assert [p.exitcode for p in processes] == [0] * PEOPLE
        assert len(latencies) == PEOPLE * len(cells) * 2
    with store.engine.connect() as conn:
        rows = conn.execute(select(answers)).all()
    assert len(rows) == PEOPLE * len(cells)
    assert len({(r.participant_id, r.priority_id, r.criterion) for r in rows}) == PEOPLE * len(cells)
    everyone = store.all_answers(started.facilitator_token)
    for i, person in enumerate(everyone):  # each holds its second answer
        assert person.scores == tuple(sorted(((c[0], c[1]), float((i + k + 1) % 11)) for k, c in enumerate(cells))), (
            person.name
        )


def test_adopting_after_someone_saved_a_newer_version_keeps_theirs_and_saves_a_new_scenario(store, sample, url):
    scenarios = ScenarioStore(url)
    first = scenarios.save(sample, name="Plan", author="Ann")
    keys = store.create(
        sample, title="Away day", criteria=CRITERIA, priorities=[sample.priorities[0].id], scenario=first
    )
    scenarios.save(sample, name="Plan", author="Bob", scenario_id=first.scenario_id, based_on=1)
    token, _ = store.join(keys.code, "Cat")
    store.save_scores(token, {(sample.priorities[0].id, "outcomes"): 1})
    result = outcome(sample, store.all_answers(keys.facilitator_token))
    info = store.adopt(keys.facilitator_token, scenarios, result.group_portfolio, author="F", participants_count=1)
    assert info.scenario_id != first.scenario_id and info.name == "Away day (workshop)"
    assert [v.author for v in scenarios.versions(first.scenario_id)] == ["Bob", "Ann"]
    scenarios.engine.dispose()


def test_adopting_into_the_scenario_the_workshop_started_from(store, sample, url):
    scenarios = ScenarioStore(url)
    first = scenarios.save(sample, name="Plan", author="Ann")
    keys = store.create(
        sample, title="Away day", criteria=CRITERIA, priorities=[sample.priorities[0].id], scenario=first
    )
    token, _ = store.join(keys.code, "Cat")
    store.save_scores(token, {(sample.priorities[0].id, "outcomes"): 1})
    result = outcome(sample, store.all_answers(keys.facilitator_token))
    info = store.adopt(keys.facilitator_token, scenarios, result.group_portfolio, author="F", participants_count=1)
    assert (info.scenario_id, info.version, info.name) == (first.scenario_id, 2, "Plan")
    scenarios.engine.dispose()
