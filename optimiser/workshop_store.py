"""Workshops in the scenario store (same database: SQLite by default, PostgreSQL by URL).

Who may do what is carried by tokens, never by a login:

- the facilitator token (``secrets.token_urlsafe(32)``, 256 bits) opens the facilitator view and its controls;
- the join token (``token_urlsafe(24)``, 192 bits) in the join link, or the short code typed from the projector,
  lets a person join (become a participant); it reads nothing;
- each participant's token (``token_urlsafe(24)``) reads and changes that participant's own answers only.

Only a SHA-256 digest of the facilitator and participant tokens is stored (a copy of the database does not hand
out the links); the join token and code are stored as they are, since the facilitator view shows them again.

Answers are keyed (workshop, participant, priority, criterion): a repeated or concurrent submission of the same
answer updates it (INSERT ... ON CONFLICT DO UPDATE on SQLite and PostgreSQL), never duplicates or loses it.
A closed workshop refuses every write with a message saying so.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from . import words
from .domain import Portfolio
from .formats import portfolio_from_json, portfolio_to_json
from .store import MAX_TEXT, ScenarioStore, StoreError, VersionInfo, _clean, default_url
from .workshop import AGGREGATIONS, Cell, ParticipantAnswers, WorkshopInputError, check_score, check_swing

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read from a projector
CODE_LENGTH = 8
MAX_NAME = 60

metadata = MetaData()
workshops = Table(
    "workshops",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("title", String(MAX_TEXT), nullable=False),
    Column("code", String(16), nullable=False, unique=True),
    Column("join_token", String(64), nullable=False, unique=True),
    Column("facilitator_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False),  # open | closed
    Column("revealed", Boolean, nullable=False),
    Column("round", Integer, nullable=False),
    Column("anonymous", Boolean, nullable=False),
    Column("weighting", Boolean, nullable=False),
    Column("aggregation", String(16), nullable=False),
    Column("criteria", Text, nullable=False),  # JSON list of criterion names scored
    Column("priorities", Text, nullable=False),  # JSON list of priority ids scored in round 1
    Column("round_priorities", Text, nullable=False),  # JSON list: the priorities open in the current round
    Column("payload", Text, nullable=False),  # the scenario's portfolio when the workshop started
    Column("scenario_id", String(32)),
    Column("scenario_version", Integer),
    Column("adopted_scenario_id", String(32)),
    Column("adopted_version", Integer),
)
participants = Table(
    "workshop_participants",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("workshop_id", String(32), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("name", String(MAX_NAME), nullable=False),
    Column("number", Integer, nullable=False),  # 1, 2, 3 ... in order of joining ("Participant 3")
    Column("joined_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("workshop_id", "number", name="uq_workshop_participant_number"),
)
answers = Table(
    "workshop_answers",
    metadata,
    Column("workshop_id", String(32), primary_key=True),
    Column("participant_id", String(32), primary_key=True),
    Column("priority_id", String(MAX_TEXT), primary_key=True),
    Column("criterion", String(MAX_TEXT), primary_key=True),
    Column("score", Float, nullable=False),
    Column("round", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
weights = Table(
    "workshop_weights",
    metadata,
    Column("workshop_id", String(32), primary_key=True),
    Column("participant_id", String(32), primary_key=True),
    Column("criterion", String(MAX_TEXT), primary_key=True),
    Column("swing", Float, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


WRITE = "workshop_write"  # execution option of a connection that writes (SQLite: BEGIN IMMEDIATE)


class WorkshopError(StoreError):
    """A workshop action that cannot be done; the message says why and what to do."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(text: str) -> str:
    """A code as typed ('abcd-2345 ', 'ABCD 2345') in its stored form."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


@dataclass(frozen=True)
class Workshop:
    id: str
    title: str
    code: str
    join_token: str
    created_at: datetime
    status: str
    revealed: bool
    round: int
    anonymous: bool
    weighting: bool
    aggregation: str
    criteria: tuple[str, ...]
    priorities: tuple[str, ...]
    round_priorities: tuple[str, ...]
    portfolio: Portfolio
    scenario_id: str | None
    scenario_version: int | None
    adopted_scenario_id: str | None
    adopted_version: int | None

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def cells(self) -> list[Cell]:
        """The (priority, criterion) pairs to score in the current round."""
        return [(pid, c) for pid in self.round_priorities for c in self.criteria]


@dataclass(frozen=True)
class WorkshopKeys:
    """What starting a workshop hands back: the facilitator token is shown once and not stored."""

    workshop_id: str
    facilitator_token: str
    join_token: str
    code: str


@dataclass(frozen=True)
class Participant:
    id: str
    name: str
    number: int
    joined_at: datetime

    @property
    def shown(self) -> str:
        return self.name or f"Participant {self.number}"


@dataclass(frozen=True)
class Progress:
    participant: Participant
    answered: int  # scores given in the workshop (any round)
    answered_now: int  # scores given for the cells open in the current round
    swings: int


class WorkshopStore:
    def __init__(self, url: str | None = None):
        self.url = url or default_url()
        try:
            if self.url.startswith("sqlite:///"):
                Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
                # Writers wait for each other (up to 30 s) instead of failing: a write transaction takes the write
                # lock when it begins (BEGIN IMMEDIATE), so two writers never deadlock upgrading a read lock. The
                # write-ahead log lets readers go on while one writes, with one sync per commit.
                self.engine: Engine = create_engine(self.url, connect_args={"timeout": 30})
                event.listen(self.engine, "connect", _sqlite_connect)
                event.listen(self.engine, "begin", _sqlite_begin)
            else:
                self.engine = create_engine(self.url, pool_pre_ping=True, pool_size=10, max_overflow=20)
            metadata.create_all(self.engine)
        except (SQLAlchemyError, OSError) as err:
            raise StoreError(
                f"The workshop store at {self.url.split('@')[-1]} cannot be opened: {err.__class__.__name__}."
            ) from err
        insert = sqlite.insert if self.engine.dialect.name == "sqlite" else postgresql.insert
        # One statement each, compiled once: a repeated or concurrent answer updates the stored one.
        upsert = insert(answers)
        self._upsert_answers = upsert.on_conflict_do_update(
            index_elements=[
                answers.c.workshop_id,
                answers.c.participant_id,
                answers.c.priority_id,
                answers.c.criterion,
            ],
            set_={
                "score": upsert.excluded.score,
                "round": upsert.excluded.round,
                "updated_at": upsert.excluded.updated_at,
            },
        )
        upsert = insert(weights)
        self._upsert_weights = upsert.on_conflict_do_update(
            index_elements=[weights.c.workshop_id, weights.c.participant_id, weights.c.criterion],
            set_={"swing": upsert.excluded.swing, "updated_at": upsert.excluded.updated_at},
        )

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        """A write transaction (on SQLite it holds the write lock from its start)."""
        with self.engine.connect().execution_options(**{WRITE: True}) as conn, conn.begin():
            yield conn

    def _failed(self, err: Exception) -> StoreError:
        return StoreError(
            f"The workshop store at {self.url.split('@')[-1]} is not available ({err.__class__.__name__}). "
            "Nothing was lost that was already saved; try again in a moment."
        )

    # ------------------------------------------------------------------ facilitator

    def create(
        self,
        portfolio: Portfolio,
        *,
        title: str,
        criteria: list[str],
        priorities: list[str],
        anonymous: bool = False,
        weighting: bool = False,
        scenario: VersionInfo | None = None,
    ) -> WorkshopKeys:
        try:
            title = _clean(title, "workshop title", MAX_TEXT)
        except StoreError as err:
            raise WorkshopError(str(err).replace("The scenario workshop title", "The workshop title")) from None
        known_criteria = [c.name for c in portfolio.criteria]
        known_priorities = [p.id for p in portfolio.priorities]
        if not criteria:
            raise WorkshopError("Choose at least one criterion for the board to score.")
        if not priorities:
            raise WorkshopError("Choose at least one priority for the board to score.")
        unknown = [c for c in criteria if c not in known_criteria] + [
            p for p in priorities if p not in known_priorities
        ]
        if unknown:
            raise WorkshopError(f"The scenario has no {unknown[0]!r}: choose from its criteria and priorities.")
        criteria = [c for c in known_criteria if c in criteria]
        priorities = [p for p in known_priorities if p in priorities]
        facilitator, join = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        workshop_id = uuid.uuid4().hex[:12]
        for _attempt in range(5):  # a code already in use (one in a trillion) gets a new one
            code = new_code()
            try:
                with self._begin() as conn:
                    conn.execute(
                        workshops.insert().values(
                            id=workshop_id,
                            title=title,
                            code=code,
                            join_token=join,
                            facilitator_hash=digest(facilitator),
                            created_at=datetime.now(UTC),
                            status="open",
                            revealed=False,
                            round=1,
                            anonymous=anonymous,
                            weighting=weighting,
                            aggregation="median",
                            criteria=json.dumps(criteria),
                            priorities=json.dumps(priorities),
                            round_priorities=json.dumps(priorities),
                            payload=portfolio_to_json(portfolio),
                            scenario_id=scenario.scenario_id if scenario else None,
                            scenario_version=scenario.version if scenario else None,
                        )
                    )
                return WorkshopKeys(workshop_id, facilitator, join, code)
            except IntegrityError:
                continue
            except SQLAlchemyError as err:
                raise self._failed(err) from err
        raise WorkshopError("Could not make a unique workshop code; try again.")

    def facilitated(self, facilitator_token: str) -> Workshop:
        """The workshop this facilitator token runs; WorkshopError when the token is not one."""
        return self._workshop(workshops.c.facilitator_hash == digest(facilitator_token or ""), "facilitator link")

    def _workshop(self, where, what: str) -> Workshop:
        try:
            with self.engine.connect() as conn:
                row = conn.execute(select(workshops).where(where)).first()
        except SQLAlchemyError as err:
            raise self._failed(err) from err
        if row is None:
            raise WorkshopError(
                f"This {what} does not open any workshop: check that it was copied in full, "
                "or ask the facilitator for it again."
            )
        return _workshop_of(row)

    def set_status(
        self,
        facilitator_token: str,
        *,
        status: str | None = None,
        revealed: bool | None = None,
        aggregation: str | None = None,
    ) -> Workshop:
        workshop = self.facilitated(facilitator_token)
        values: dict = {}
        if status is not None:
            if status not in ("open", "closed"):
                raise WorkshopError(f"Unknown workshop status {status!r}.")
            values["status"] = status
        if revealed is not None:
            values["revealed"] = bool(revealed)
        if aggregation is not None:
            if aggregation not in AGGREGATIONS:
                raise WorkshopError(f"Unknown aggregation rule {aggregation!r}: use median or mean.")
            values["aggregation"] = aggregation
        if values:
            self._update(workshop.id, values)
        return self.facilitated(facilitator_token)

    def next_round(self, facilitator_token: str, priorities: list[str]) -> Workshop:
        """Re-open scoring for these priorities (the contested ones): a new round, results hidden again.
        Earlier answers stay and are shown to their participants to change."""
        workshop = self.facilitated(facilitator_token)
        chosen = [p for p in workshop.priorities if p in set(priorities)]
        if not chosen:
            raise WorkshopError("Choose at least one of the workshop's priorities to score again.")
        self._update(
            workshop.id,
            {"round": workshop.round + 1, "round_priorities": json.dumps(chosen), "status": "open", "revealed": False},
        )
        return self.facilitated(facilitator_token)

    def _update(self, workshop_id: str, values: dict) -> None:
        try:
            with self._begin() as conn:
                conn.execute(update(workshops).where(workshops.c.id == workshop_id).values(**values))
        except SQLAlchemyError as err:
            raise self._failed(err) from err

    def progress(self, facilitator_token: str) -> list[Progress]:
        """Who has joined and how much each has answered, in order of joining."""
        workshop = self.facilitated(facilitator_token)
        open_cells = set(workshop.cells)
        people = self._participants(workshop.id)
        scores, swings = self._answers(workshop.id)
        return [
            Progress(
                p,
                len(scores.get(p.id, {})),
                sum(cell in open_cells for cell in scores.get(p.id, {})),
                len(swings.get(p.id, {})),
            )
            for p in people
        ]

    def all_answers(self, facilitator_token: str) -> list[ParticipantAnswers]:
        """Every participant's answers (the facilitator's view only), in order of joining."""
        workshop = self.facilitated(facilitator_token)
        return self._answer_sets(workshop)

    def _answer_sets(self, workshop: Workshop) -> list[ParticipantAnswers]:
        scores, swings = self._answers(workshop.id)
        return [
            ParticipantAnswers(
                p.id,
                p.shown,
                tuple(sorted(scores.get(p.id, {}).items())),
                tuple(sorted(swings.get(p.id, {}).items())),
            )
            for p in self._participants(workshop.id)
        ]

    def _participants(self, workshop_id: str) -> list[Participant]:
        query = select(participants).where(participants.c.workshop_id == workshop_id).order_by(participants.c.number)
        try:
            with self.engine.connect() as conn:
                return [Participant(r.id, r.name, r.number, r.joined_at) for r in conn.execute(query)]
        except SQLAlchemyError as err:
            raise self._failed(err) from err

    def _answers(self, workshop_id: str, participant_id: str | None = None):
        score_query = select(answers).where(answers.c.workshop_id == workshop_id)
        swing_query = select(weights).where(weights.c.workshop_id == workshop_id)
        if participant_id is not None:
            score_query = score_query.where(answers.c.participant_id == participant_id)
            swing_query = swing_query.where(weights.c.participant_id == participant_id)
        scores: dict[str, dict[Cell, float]] = {}
        swings: dict[str, dict[str, float]] = {}
        try:
            with self.engine.connect() as conn:
                for r in conn.execute(score_query):
                    scores.setdefault(r.participant_id, {})[(r.priority_id, r.criterion)] = r.score
                for r in conn.execute(swing_query):
                    swings.setdefault(r.participant_id, {})[r.criterion] = r.swing
        except SQLAlchemyError as err:
            raise self._failed(err) from err
        return scores, swings

    def adopt(
        self,
        facilitator_token: str,
        scenarios: ScenarioStore,
        group_portfolio: Portfolio,
        *,
        author: str,
        participants_count: int,
    ) -> VersionInfo:
        """Save the group's scores (the portfolio `workshop.outcome` built from this workshop's answers) as the next
        version of the scenario the workshop started from (a new scenario when it was not saved, was deleted, or
        has a newer version than the one the workshop started from), with the workshop as its provenance in the
        version's note; the workshop records which version it became."""
        workshop = self.facilitated(facilitator_token)
        if participants_count < 1:
            raise WorkshopError("Nobody has answered yet: there are no group scores to adopt.")
        note = words.workshop_provenance(
            workshop.title,
            f"{workshop.created_at:%Y-%m-%d}",
            participants_count,
            workshop.round,
            workshop.aggregation,
            workshop.weighting,
        )
        named = group_portfolio
        if workshop.scenario_id is not None:
            try:
                info = scenarios.save(
                    named,
                    name=_scenario_name(scenarios, workshop),
                    author=author,
                    note=note,
                    scenario_id=workshop.scenario_id,
                    based_on=workshop.scenario_version,
                )
            except StoreError:
                # A newer version was saved since the workshop started (its changes are not in the workshop's
                # copy), or the scenario was deleted: keep the result as a new scenario, never on top of theirs.
                info = None
        else:
            info = None
        if info is None:
            info = scenarios.save(named, name=f"{workshop.title} (workshop)"[:MAX_TEXT], author=author, note=note)
        self._update(workshop.id, {"adopted_scenario_id": info.scenario_id, "adopted_version": info.version})
        return info

    def adopted_from(self, scenario_id: str, version: int) -> tuple[Workshop, list[ParticipantAnswers]] | None:
        """The workshop whose group scores became this scenario version, with its answers without names (for the
        board pack), or None."""
        try:
            with self.engine.connect() as conn:
                row = conn.execute(
                    select(workshops).where(
                        workshops.c.adopted_scenario_id == scenario_id, workshops.c.adopted_version == version
                    )
                ).first()
        except SQLAlchemyError as err:
            raise self._failed(err) from err
        if row is None:
            return None
        workshop = _workshop_of(row)
        answers = [
            ParticipantAnswers(str(i), "", a.scores, a.swings)
            for i, a in enumerate(self._answer_sets(workshop), start=1)
        ]
        return workshop, answers

    # ------------------------------------------------------------------ participants

    def joining(self, join_token_or_code: str) -> Workshop:
        """The workshop a join link's token or a typed code opens (to show its title before joining)."""
        text = (join_token_or_code or "").strip()
        if not text:
            raise WorkshopError("Enter the workshop code shown on the screen (8 letters and digits).")
        code = normal_code(text)
        where = workshops.c.join_token == text
        if len(code) == CODE_LENGTH:
            where = where | (workshops.c.code == code)
        try:
            return self._workshop(where, "code or join link")
        except WorkshopError:
            shown = text[:20] + ("..." if len(text) > 20 else "")
            raise WorkshopError(
                f"There is no workshop with the code '{shown}': check it against the screen "
                "(codes have 8 letters and digits, no O or I) and try again."
            ) from None

    def join(self, join_token_or_code: str, name: str = "") -> tuple[str, Workshop]:
        """Join by the join link's token or the short code: a new participant token and the workshop."""
        workshop = self.joining(join_token_or_code)
        if not workshop.is_open:
            raise WorkshopError(f"The workshop '{workshop.title}' is closed: it no longer takes new participants.")
        name = (name or "").strip()
        if not workshop.anonymous:
            if not name:
                raise WorkshopError("Enter a display name so that the facilitator can see who has answered.")
            if len(name) > MAX_NAME:
                raise WorkshopError(f"The display name is {len(name)} characters long; the limit is {MAX_NAME}.")
            try:
                name = _clean(name, "name", MAX_NAME)
            except StoreError as err:
                raise WorkshopError(str(err).replace("The scenario name", "The display name")) from None
        else:
            name = ""
        token = secrets.token_urlsafe(24)
        for _attempt in range(20):  # two people joining at the same moment may pick the same number: retry
            try:
                with self._begin() as conn:
                    number = conn.execute(
                        select(participants.c.number)
                        .where(participants.c.workshop_id == workshop.id)
                        .order_by(participants.c.number.desc())
                        .limit(1)
                    ).scalar()
                    conn.execute(
                        participants.insert().values(
                            id=uuid.uuid4().hex[:16],
                            workshop_id=workshop.id,
                            token_hash=digest(token),
                            name=name,
                            number=(number or 0) + 1,
                            joined_at=datetime.now(UTC),
                        )
                    )
                return token, workshop
            except IntegrityError:
                continue
            except SQLAlchemyError as err:
                raise self._failed(err) from err
        raise WorkshopError("Too many people joined at once; press Join again.")

    def me(self, participant_token: str) -> tuple[Participant, Workshop]:
        """The participant this token is, and their workshop."""
        query = select(
            workshops,
            participants.c.id.label("participant_id"),
            participants.c.name.label("participant_name"),
            participants.c.number.label("participant_number"),
            participants.c.joined_at.label("participant_joined_at"),
        ).join(participants, participants.c.workshop_id == workshops.c.id)
        try:
            with self.engine.connect() as conn:
                row = conn.execute(query.where(participants.c.token_hash == digest(participant_token or ""))).first()
        except SQLAlchemyError as err:
            raise self._failed(err) from err
        if row is None:
            raise WorkshopError(
                "This participant link does not open any workshop: use the link you were given when you joined, "
                "or join again with the code on the screen."
            )
        me = Participant(row.participant_id, row.participant_name, row.participant_number, row.participant_joined_at)
        return me, _workshop_of(row)

    def my_answers(self, participant_token: str) -> ParticipantAnswers:
        """This participant's own answers, and nobody else's."""
        me, workshop = self.me(participant_token)
        scores, swings = self._answers(workshop.id, me.id)
        return ParticipantAnswers(
            me.id, me.shown, tuple(sorted(scores.get(me.id, {}).items())), tuple(sorted(swings.get(me.id, {}).items()))
        )

    def revealed_answers(self, participant_token: str) -> list[ParticipantAnswers]:
        """Everyone's answers without names or ids, once the facilitator has revealed the results; WorkshopError
        before that."""
        _me, workshop = self.me(participant_token)
        if not workshop.revealed:
            raise WorkshopError("The facilitator has not revealed the results yet.")
        return [
            ParticipantAnswers(str(i), "", a.scores, a.swings)
            for i, a in enumerate(self._answer_sets(workshop), start=1)
        ]

    def save_scores(self, participant_token: str, scores: Mapping[Cell, float]) -> int:
        """Store (or change) this participant's scores for cells open in the current round, all or none."""
        me, workshop = self.me(participant_token)
        self._writable(workshop)
        open_cells = set(workshop.cells)
        portfolio = workshop.portfolio
        rows = []
        now = datetime.now(UTC)
        for (pid, criterion), value in scores.items():
            if (pid, criterion) not in open_cells:
                raise WorkshopError(
                    f"{words.name_of(portfolio, pid)} on {words.criterion_label(portfolio, criterion).lower()} "
                    f"is not being scored in round {workshop.round} of this workshop."
                )
            try:
                value = check_score(value, f"The score of {pid} on {words.criterion_label(portfolio, criterion)}")
            except WorkshopInputError as err:
                raise WorkshopError(str(err)) from None
            rows.append(
                dict(
                    workshop_id=workshop.id,
                    participant_id=me.id,
                    priority_id=pid,
                    criterion=criterion,
                    score=value,
                    round=workshop.round,
                    updated_at=now,
                )
            )
        if rows:
            self._write(workshop, self._upsert_answers, rows)
        return len(rows)

    def save_swings(self, participant_token: str, swings: Mapping[str, float]) -> int:
        me, workshop = self.me(participant_token)
        self._writable(workshop)
        if not workshop.weighting:
            raise WorkshopError("This workshop does not ask participants to weight the criteria.")
        now = datetime.now(UTC)
        rows = []
        for criterion, value in swings.items():
            if criterion not in workshop.criteria:
                raise WorkshopError(f"The criterion {criterion!r} is not weighed in this workshop.")
            try:
                value = check_swing(
                    value, f"The swing weight of {words.criterion_label(workshop.portfolio, criterion)}"
                )
            except WorkshopInputError as err:
                raise WorkshopError(str(err)) from None
            rows.append(
                dict(workshop_id=workshop.id, participant_id=me.id, criterion=criterion, swing=value, updated_at=now)
            )
        if rows:
            self._write(workshop, self._upsert_weights, rows)
        return len(rows)

    @staticmethod
    def _writable(workshop: Workshop) -> None:
        if not workshop.is_open:
            raise WorkshopError(
                f"The workshop '{workshop.title}' is closed: answers can no longer be changed. "
                "Ask the facilitator to re-open it if you still need to answer."
            )

    def _write(self, workshop: Workshop, statement, rows: list[dict]) -> None:
        """Run an answer upsert (one statement, many rows) in one transaction, refusing it if the workshop was
        closed or moved to another round meanwhile."""
        try:
            with self._begin() as conn:
                now = conn.execute(
                    select(workshops.c.status, workshops.c.round).where(workshops.c.id == workshop.id)
                ).first()
                if now is None or now.status != "open":
                    raise WorkshopError("The workshop was closed a moment ago: this answer was not stored.")
                if now.round != workshop.round:
                    raise WorkshopError(
                        f"The facilitator has just started round {now.round}: this answer was not stored. "
                        "Reload the page to see what is being scored now."
                    )
                conn.execute(statement, rows)
        except SQLAlchemyError as err:
            raise self._failed(err) from err


def _scenario_name(scenarios: ScenarioStore, workshop: Workshop) -> str:
    try:
        return scenarios.versions(workshop.scenario_id)[0].name
    except (StoreError, IndexError):
        return f"{workshop.title} (workshop)"[:MAX_TEXT]


def _workshop_of(row) -> Workshop:
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
    return Workshop(
        id=row.id,
        title=row.title,
        code=row.code,
        join_token=row.join_token,
        created_at=created,
        status=row.status,
        revealed=bool(row.revealed),
        round=row.round,
        anonymous=bool(row.anonymous),
        weighting=bool(row.weighting),
        aggregation=row.aggregation,
        criteria=tuple(json.loads(row.criteria)),
        priorities=tuple(json.loads(row.priorities)),
        round_priorities=tuple(json.loads(row.round_priorities)),
        portfolio=_portfolio(row.payload),
        scenario_id=row.scenario_id,
        scenario_version=row.scenario_version,
        adopted_scenario_id=row.adopted_scenario_id,
        adopted_version=row.adopted_version,
    )


@lru_cache(maxsize=16)
def _portfolio(payload: str) -> Portfolio:
    """The workshop's portfolio, parsed once per payload (every answer stored reads the workshop)."""
    return portfolio_from_json(payload)


def _sqlite_connect(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # let the 'begin' event emit BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # In write-ahead-log mode a commit is not synced at once but at the next checkpoint: the database stays
    # consistent on a crash, though the last answers before a power cut may be lost (they were on screen).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")
