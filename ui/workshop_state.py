"""Session keys and helpers of the workshop pages: the workshop store, links, the QR code, a cached outcome."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import segno
import streamlit as st

from optimiser.domain import Portfolio
from optimiser.store import StoreError, VersionInfo
from optimiser.workshop import (
    ParticipantAnswers,
    Selection,
    WorkshopOutcome,
    WorkshopRecord,
    close_calls,
    outcome,
    select,
)
from optimiser.workshop_store import WorkshopStore
from ui import state

FACILITATOR = "workshop_facilitator_token"  # the facilitator token of the workshop this session runs
PARTICIPANT = "workshop_participant_token"  # the participant token of this session (the Join page)
FLASH = "workshop_flash"  # a message for the participant page (text)
FACILITATOR_FLASH = "workshop_facilitator_flash"  # ("ok" | "error", text) for the facilitator page
JOIN_PAGE, WORKSHOP_PAGE = "join", "workshop"  # the pages' url paths (in state.PAGE_PATHS)


@st.cache_resource(show_spinner=False)
def _workshop_store(url: str) -> WorkshopStore:
    return WorkshopStore(url)


def workshop_store() -> WorkshopStore:
    """The workshop tables in the configured scenario store (raises StoreError with a clear message)."""
    return _workshop_store(state.store_url())


def local_only(link: str) -> bool:
    """True when a link names this computer only (no one else can open it)."""
    host = urlsplit(link).hostname or ""
    return host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")


def join_link(join_token: str) -> str:
    return f"{state.app_base()}{JOIN_PAGE}?join={join_token}"


def participant_link(token: str) -> str:
    return f"{state.app_base()}{JOIN_PAGE}?participant={token}"


def facilitator_link(token: str) -> str:
    return f"{state.app_base()}{WORKSHOP_PAGE}?facilitate={token}"


def qr_png(text: str) -> bytes:
    """A QR code of `text` as PNG (segno, offline), large enough to scan from the back of a room."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue()


@st.cache_data(show_spinner=False, max_entries=512)
def cached_select(portfolio: Portfolio, solver: str, time_limit: float, start: tuple[str, ...] = ()) -> Selection:
    """One participant's kept set: a participant whose answers did not change is not solved again."""
    return select(portfolio, solver, time_limit, start)


@st.cache_data(show_spinner=False, max_entries=16)
def cached_outcome(
    portfolio: Portfolio,
    answers: tuple[ParticipantAnswers, ...],
    weighed: tuple[str, ...],
    rule: str,
    solver: str,
    time_limit: float,
) -> WorkshopOutcome:
    """The workshop outcome for these answers: a refresh with no new answer solves nothing again."""
    return outcome(
        portfolio, answers, weighed=weighed, rule=rule, solver=solver, time_limit=time_limit, selector=cached_select
    )


@st.cache_data(show_spinner="Finding the close calls: re-solving with each priority's scores moved…", max_entries=8)
def cached_close_calls(
    portfolio: Portfolio, criteria: tuple[str, ...], solver: str, time_limit: float
) -> tuple[str, ...] | None:
    return close_calls(portfolio, criteria, solver=solver, time_limit=time_limit)


def token_from_link(param: str, key: str) -> str | None:
    """The token of `?param=` in the address (kept in the session), else the one this session has; the address
    is set to carry it, so that a reload comes back to the same place."""
    given = st.query_params.get(param)
    if given:
        st.session_state[key] = given
    token = st.session_state.get(key)
    if token and st.query_params.get(param) != token:
        st.query_params.from_dict({param: token})
    return token


def workshop_record(info: VersionInfo | None) -> WorkshopRecord | None:
    """The workshop this scenario version was adopted from, for the board pack (None: not from a workshop, or
    the store cannot say)."""
    if info is None:
        return None
    try:
        found = workshop_store().adopted_from(info.scenario_id, info.version)
    except StoreError:
        return None
    if found is None:
        return None
    workshop, answers = found
    solver, time_limit = state.solver_settings()
    weighed = workshop.criteria if workshop.weighting else ()
    result = cached_outcome(
        workshop.portfolio, tuple(answers), tuple(weighed), workshop.aggregation, solver, time_limit
    )
    own = state.cached_solve(workshop.portfolio, solver, time_limit)
    return WorkshopRecord(
        title=workshop.title,
        day=f"{workshop.created_at:%Y-%m-%d}",
        joined=len(answers),
        rounds=workshop.round,
        before=workshop.portfolio,
        outcome=result,
        scenario_kept=own.kept if own.has_selection else (),
    )
