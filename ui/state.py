"""Session state for the app: named keys, the sample loader and a cached solve.

The last *valid* portfolio lives under `PORTFOLIO`; an invalid edit or file never replaces it.
`REVISION` changes whenever the portfolio is replaced from outside a page (file load, reset),
so that widgets keyed with it start again from the new portfolio.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from optimiser.domain import Portfolio
from optimiser.formats import load_portfolio
from optimiser.result import Result
from optimiser.solve import solve

SAMPLE_PATH = Path(__file__).resolve().parent.parent / "sample_data" / "icb_portfolio.json"

PORTFOLIO = "portfolio"
REVISION = "portfolio_revision"
SOURCE_LABEL = "portfolio_source"
SOLVER = "solver_choice"
TIME_LIMIT = "solver_time_limit"
LAST_UPLOAD = "last_upload_id"


@st.cache_data(show_spinner=False)
def load_sample() -> Portfolio:
    return load_portfolio(SAMPLE_PATH)


@st.cache_data(show_spinner="Solving…", max_entries=64)
def cached_solve(portfolio: Portfolio, solver: str, time_limit: float) -> Result:
    return solve(portfolio, solver=solver, time_limit=time_limit)


def init_state() -> None:
    """Default session state: the sample portfolio, automatic solver choice."""
    if PORTFOLIO not in st.session_state:
        st.session_state[PORTFOLIO] = load_sample()
        st.session_state[SOURCE_LABEL] = "built-in sample portfolio"
        st.session_state[REVISION] = 0
    st.session_state.setdefault(SOLVER, "auto")
    st.session_state.setdefault(TIME_LIMIT, 10.0)


def portfolio() -> Portfolio:
    return st.session_state[PORTFOLIO]


def revision() -> int:
    return int(st.session_state.get(REVISION, 0))


def set_portfolio(new: Portfolio, *, source: str | None = None, from_outside: bool = False) -> None:
    """Store a valid portfolio; `from_outside` restarts the widgets that show it."""
    st.session_state[PORTFOLIO] = new
    if source:
        st.session_state[SOURCE_LABEL] = source
    if from_outside:
        st.session_state[REVISION] = revision() + 1


def current_result() -> Result:
    return cached_solve(portfolio(), st.session_state[SOLVER], float(st.session_state[TIME_LIMIT]))
