"""The scenario store: named, versioned scenarios in SQLite (default) or any SQLAlchemy database.

Every save adds a version; earlier versions are kept. A save says which version it was based on;
if someone else saved a newer version meanwhile, the save is refused with a `ConflictError` (the
primary key (scenario, version) makes two simultaneous saves of the same next version impossible:
exactly one wins). Loading goes through the same validation as an uploaded file. Queries are
parameterised through SQLAlchemy Core; the schema is created on first use.
"""

from __future__ import annotations

import os
import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from .domain import Portfolio
from .formats import portfolio_from_json, portfolio_to_json

STORE_URL_ENV = "PRIORITY_STORE_URL"
DATA_DIR_ENV = "PRIORITY_DATA_DIR"
MAX_TEXT = 200
MAX_NOTE = 2000
MAX_VERSION = 2**31 - 1  # the largest version number either database stores in its integer column
_SCENARIO_ID = re.compile(r"^[0-9a-f]{12}$")  # the store makes ids as 12 hex digits (uuid4)

metadata = MetaData()
scenarios = Table(
    "scenarios",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(MAX_TEXT), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
versions = Table(
    "scenario_versions",
    metadata,
    Column("scenario_id", String(32), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("name", String(MAX_TEXT), nullable=False),
    Column("author", String(MAX_TEXT), nullable=False),
    Column("note", Text, nullable=False),
    Column("saved_at", DateTime(timezone=True), nullable=False),
    Column("payload", Text, nullable=False),
)


class StoreError(RuntimeError):
    """The store cannot be reached or used; the message says what to do."""


class ConflictError(StoreError):
    """Someone saved a newer version since this copy was opened."""


class NotFoundError(StoreError):
    pass


@dataclass(frozen=True)
class VersionInfo:
    scenario_id: str
    version: int
    name: str
    author: str
    note: str
    saved_at: datetime


def default_url() -> str:
    """The configured store: PRIORITY_STORE_URL, else SQLite under PRIORITY_DATA_DIR (default ./data)."""
    url = os.environ.get(STORE_URL_ENV)
    if url:
        return url
    data_dir = Path(os.environ.get(DATA_DIR_ENV, Path.cwd() / "data"))
    return f"sqlite:///{data_dir / 'scenarios.db'}"


def _clean(text: str, field: str, limit: int, required: bool = True, lines: bool = False) -> str:
    text = (text or "").strip()
    if required and not text:
        raise StoreError(f"The scenario {field} is missing. Enter a {field} before saving.")
    if len(text) > limit:
        raise StoreError(f"The scenario {field} is {len(text)} characters long; the limit is {limit}.")
    allowed = "\n\t" if lines else ""
    bad = next((ch for ch in text if unicodedata.category(ch) in ("Cc", "Cs") and ch not in allowed), None)
    if bad is not None:
        raise StoreError(
            f"The scenario {field} contains a control character (U+{ord(bad):04X}), which cannot be stored. "
            "Remove it (retype the text rather than pasting it) and save again."
        )
    return text


def link_version(text: str | None) -> int | None:
    """The version a link names (None: none, meaning the latest). A version is written in digits only; anything
    else is refused with the text shown (shortened), never converted."""
    text = (text or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and len(text) <= 30):
        shown = text[:20] + ("..." if len(text) > 20 else "")
        raise NotFoundError(f"The link's version '{shown}' is not a version number (1, 2, 3 ...).")
    return int(text)


def check_link(scenario_id: str, version: int | None) -> None:
    """Refuse a scenario id or version that no store can hold, before asking the database: a link is typed or
    pasted by hand."""
    shown = scenario_id[:40] + ("..." if len(scenario_id) > 40 else "")
    if not _SCENARIO_ID.match(scenario_id):
        raise NotFoundError(f"There is no scenario {shown!r}: scenario ids are 12 letters a-f and digits.")
    if version is not None and not 1 <= version <= MAX_VERSION:
        raise NotFoundError(f"There is no version {version} of scenario {shown}: versions count from 1.")


class ScenarioStore:
    def __init__(self, url: str | None = None):
        self.url = url or default_url()
        try:
            if self.url.startswith("sqlite:///"):
                Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = create_engine(self.url, future=True, pool_pre_ping=True)
            metadata.create_all(self.engine)
        except (SQLAlchemyError, OSError) as err:
            raise StoreError(
                f"The scenario store at {self._where()} cannot be opened: {err.__class__.__name__}. "
                "Your current work is still here; download it as a file."
            ) from err

    def _where(self) -> str:
        return self.url.split("@")[-1]  # never show a password

    def _failed(self, err: Exception) -> StoreError:
        return StoreError(
            f"The scenario store at {self._where()} is not available ({err.__class__.__name__}). "
            "Your current work is still here; download it as a file and try again later."
        )

    def save(
        self,
        portfolio: Portfolio,
        *,
        name: str,
        author: str,
        note: str = "",
        scenario_id: str | None = None,
        based_on: int | None = None,
    ) -> VersionInfo:
        """Save a new scenario (no id) or a new version of one (id and the version it was based on)."""
        name = _clean(name, "name", MAX_TEXT)
        author = _clean(author, "author", MAX_TEXT)
        note = _clean(note, "note", MAX_NOTE, required=False, lines=True)
        if scenario_id is not None:
            check_link(scenario_id, based_on)
        payload = portfolio_to_json(portfolio)
        now = datetime.now(UTC)
        try:
            with self.engine.begin() as conn:
                if scenario_id is None:
                    scenario_id = uuid.uuid4().hex[:12]
                    conn.execute(insert(scenarios).values(id=scenario_id, name=name, created_at=now))
                    version = 1
                else:
                    latest = conn.execute(
                        select(func.max(versions.c.version)).where(versions.c.scenario_id == scenario_id)
                    ).scalar()
                    if latest is None:
                        raise NotFoundError(
                            f"Scenario {scenario_id} no longer exists (it may have been deleted). "
                            "Save it as a new scenario instead."
                        )
                    if based_on is not None and latest != based_on:
                        raise self._conflict(conn, scenario_id, latest, based_on)
                    version = latest + 1
                conn.execute(
                    insert(versions).values(
                        scenario_id=scenario_id,
                        version=version,
                        name=name,
                        author=author,
                        note=note,
                        saved_at=now,
                        payload=payload,
                    )
                )
        except IntegrityError as err:
            # Another save of the same next version won the race.
            with self.engine.connect() as conn:
                latest = conn.execute(
                    select(func.max(versions.c.version)).where(versions.c.scenario_id == scenario_id)
                ).scalar()
                raise self._conflict(conn, scenario_id, latest or 0, based_on or 0) from err
        except StoreError:
            raise
        except SQLAlchemyError as err:
            raise self._failed(err) from err
        return VersionInfo(scenario_id, version, name, author, note, now)

    def _conflict(self, conn, scenario_id: str, latest: int, based_on: int) -> ConflictError:
        row = conn.execute(
            select(versions.c.author, versions.c.saved_at).where(
                versions.c.scenario_id == scenario_id, versions.c.version == latest
            )
        ).first()
        who = f" by {row.author} at {row.saved_at:%Y-%m-%d %H:%M}" if row else ""
        return ConflictError(
            f"Not saved: version {latest} of this scenario was saved{who} after you opened version {based_on}. "
            "Nothing was overwritten. Open the latest version to see their changes, or save yours as a new scenario."
        )

    def list(self) -> list[VersionInfo]:
        """The latest version of every scenario, newest first."""
        latest = (
            select(versions.c.scenario_id, func.max(versions.c.version).label("version"))
            .group_by(versions.c.scenario_id)
            .subquery()
        )
        query = (
            select(versions)
            .join(latest, (versions.c.scenario_id == latest.c.scenario_id) & (versions.c.version == latest.c.version))
            .order_by(versions.c.saved_at.desc(), versions.c.scenario_id)
        )
        try:
            with self.engine.connect() as conn:
                return [self._info(r) for r in conn.execute(query)]
        except SQLAlchemyError as err:
            raise self._failed(err) from err

    def versions(self, scenario_id: str) -> list[VersionInfo]:
        check_link(scenario_id, None)
        query = select(versions).where(versions.c.scenario_id == scenario_id).order_by(versions.c.version.desc())
        try:
            with self.engine.connect() as conn:
                return [self._info(r) for r in conn.execute(query)]
        except SQLAlchemyError as err:
            raise self._failed(err) from err

    def load(self, scenario_id: str, version: int | None = None) -> tuple[Portfolio, VersionInfo]:
        """A stored scenario (latest version unless one is given), validated like an upload."""
        check_link(scenario_id, version)
        query = select(versions).where(versions.c.scenario_id == scenario_id)
        query = (
            query.where(versions.c.version == version)
            if version is not None
            else query.order_by(versions.c.version.desc())
        )
        try:
            with self.engine.connect() as conn:
                row = conn.execute(query.limit(1)).first()
        except SQLAlchemyError as err:
            raise self._failed(err) from err
        if row is None:
            which = f"version {version} of scenario {scenario_id}" if version is not None else f"scenario {scenario_id}"
            raise NotFoundError(f"There is no {which} in the store. Check the link, or pick one from the list.")
        return portfolio_from_json(row.payload), self._info(row)

    def delete(self, scenario_id: str) -> None:
        check_link(scenario_id, None)
        try:
            with self.engine.begin() as conn:
                conn.execute(delete(versions).where(versions.c.scenario_id == scenario_id))
                conn.execute(delete(scenarios).where(scenarios.c.id == scenario_id))
        except SQLAlchemyError as err:
            raise self._failed(err) from err

    @staticmethod
    def _info(row) -> VersionInfo:
        saved = row.saved_at if row.saved_at.tzinfo else row.saved_at.replace(tzinfo=UTC)
        return VersionInfo(row.scenario_id, row.version, row.name, row.author, row.note, saved)
