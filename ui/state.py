"""Session state for the app: named keys, the sample loader and a cached solve.

The last *valid* portfolio lives under `PORTFOLIO`; an invalid edit or file never replaces it.
`REVISION` changes whenever the portfolio is replaced from outside a page (file load, reset),
so that widgets keyed with it start again from the new portfolio.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from optimiser import words
from optimiser.domain import Portfolio
from optimiser.errors import PortfolioError
from optimiser.explanations import (
    PortfolioExplanation,
    PortfolioFigures,
    PriorityExplanation,
    explain_portfolio,
    explain_priority,
    portfolio_figures,
)
from optimiser.formats import load_portfolio
from optimiser.frontier import Frontier, WeightSensitivity, frontier, weight_sensitivity
from optimiser.result import Result
from optimiser.solve import solve
from optimiser.store import STORE_URL_ENV, ScenarioStore, StoreError, VersionInfo, default_url, link_version

SAMPLE_PATH = Path(__file__).resolve().parent.parent / "sample_data" / "icb_portfolio.json"

PORTFOLIO = "portfolio"
REVISION = "portfolio_revision"
SOURCE_LABEL = "portfolio_source"
SOLVER = "solver_choice"
TIME_LIMIT = "solver_time_limit"
LAST_UPLOAD = "last_upload_id"
EXPLAINED = "full_explanations"
APPLIED_FIX = "applied_fix"  # AppliedFix: the last fix option applied on Rationalise, for its confirmation and undo
UNAPPLIED_EDITS = "priorities_unapplied_edits"  # UnappliedEdits: the priorities table as edited, not yet valid
BOARD_PACK = "board_pack"
OWNER_BRIEF = "owner_brief"  # ((portfolio, result, owner), pdf bytes)


@dataclass(frozen=True)
class UnappliedEdits:
    """The priorities table as the user left it, and why it could not be used."""

    table: pd.DataFrame
    error: PortfolioError


@dataclass(frozen=True)
class AppliedFix:
    """A fix option applied from the Rationalise page: the portfolio it produced, and what changed (undo goes
    through the session history)."""

    after: Portfolio
    text: str


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
    st.session_state.setdefault(SOURCE_LABEL, "portfolio given to this session")
    st.session_state.setdefault(REVISION, 0)
    st.session_state.setdefault(SOLVER, "auto")
    st.session_state.setdefault(CURRENT_SCENARIO, None)
    st.session_state.setdefault(TIME_LIMIT, 10.0)


def portfolio() -> Portfolio:
    return st.session_state[PORTFOLIO]


def revision() -> int:
    return int(st.session_state.get(REVISION, 0))


HISTORY = "change_history"  # portfolios before each change (undo), newest last
FUTURE = "change_future"  # portfolios undone (redo), newest last
LAST_CHANGE = "last_change"  # (portfolio before, portfolio after) of the latest change, undo or redo
HISTORY_LIMIT = 50


def set_portfolio(
    new: Portfolio, *, source: str | None = None, from_outside: bool = False, record: bool = True
) -> None:
    """Store a valid portfolio; `from_outside` restarts the widgets that show it. A change is recorded in the
    session history (undo) unless `record` is False (undo and redo themselves)."""
    old = st.session_state.get(PORTFOLIO)
    if record and old is not None and old != new:
        history = st.session_state.setdefault(HISTORY, [])
        history.append(old)
        del history[:-HISTORY_LIMIT]
        st.session_state[FUTURE] = []
    if old is not None and old != new:
        st.session_state[LAST_CHANGE] = (old, new)
    st.session_state[PORTFOLIO] = new
    if source:
        st.session_state[SOURCE_LABEL] = source
    if from_outside:
        st.session_state[REVISION] = revision() + 1


def undo() -> None:
    """Go back to the portfolio before the latest change (the current one can be redone)."""
    history = st.session_state.get(HISTORY) or []
    if history:
        st.session_state.setdefault(FUTURE, []).append(portfolio())
        set_portfolio(history.pop(), from_outside=True, record=False)


def redo() -> None:
    future = st.session_state.get(FUTURE) or []
    if future:
        st.session_state.setdefault(HISTORY, []).append(portfolio())
        set_portfolio(future.pop(), from_outside=True, record=False)


def last_change_text() -> str | None:
    """'Last change: ... Effect: ...' for the latest change when it produced the current portfolio, else None."""
    last = st.session_state.get(LAST_CHANGE)
    if last is None or last[1] != portfolio():
        return None
    before, after = cached_solve(last[0], *solver_settings()), current_result()
    if before.has_selection and after.has_selection:
        effect = words.change_effect(last[1], before.kept, after.kept)
    else:
        effect = "no selection before" if after.has_selection else "no selection now"
    return f"Last change: {words.portfolio_change(last[0], last[1])}. Effect: {effect}."


def solver_settings() -> tuple[str, float]:
    return st.session_state[SOLVER], float(st.session_state[TIME_LIMIT])


def current_result() -> Result:
    return cached_solve(portfolio(), *solver_settings())


@st.cache_data(show_spinner="Re-solving at each capacity level…", max_entries=32)
def cached_frontier(portfolio: Portfolio, dimension: str, points: int) -> Frontier:
    return frontier(portfolio, dimension, points)


@st.cache_data(show_spinner="Re-solving with each criterion's weight moved…", max_entries=16)
def cached_weight_sensitivity(portfolio: Portfolio) -> WeightSensitivity:
    return weight_sensitivity(portfolio)


@st.cache_data(show_spinner="Working out the trade-offs…", max_entries=32)
def cached_figures(portfolio: Portfolio, result: Result) -> PortfolioFigures:
    return portfolio_figures(portfolio, result)


@st.cache_data(show_spinner="Re-solving to explain this priority…", max_entries=256)
def cached_priority_explanation(portfolio: Portfolio, result: Result, priority_id: str) -> PriorityExplanation:
    return explain_priority(portfolio, result, priority_id)


def full_explanation(portfolio: Portfolio, result: Result) -> PortfolioExplanation | None:
    """Explanations of every priority computed earlier in this session for this result, if any."""
    return st.session_state.get(EXPLAINED, {}).get((portfolio, result))


def compute_full_explanation(portfolio: Portfolio, result: Result) -> PortfolioExplanation:
    """Explain every priority in worker threads while a progress bar shows how far it has got."""
    bar = st.progress(0.0, text="Explaining every decision…")
    counter = {"done": 0, "total": max(len(portfolio.priorities), 1)}

    def progress(done: int, total: int) -> None:
        counter["done"], counter["total"] = done, total

    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(explain_portfolio, portfolio, result, 10.0, 2, progress)
        while not future.done():
            bar.progress(
                min(counter["done"] / counter["total"], 1.0),
                text=f"Explaining every decision… {counter['done']} of {counter['total']}",
            )
            time.sleep(0.2)
        explained = future.result()
    bar.empty()
    store = st.session_state.setdefault(EXPLAINED, {})
    store.clear()  # keep only the latest, they are large
    store[(portfolio, result)] = explained
    return explained


# ------------------------------------------------------------------ scenario store

CURRENT_SCENARIO = "current_scenario"  # VersionInfo of the stored scenario being worked on, or None
SAVED_PORTFOLIO = "current_scenario_portfolio"  # the portfolio as that version holds it (to mark unsaved changes)
PAGE_PATHS = (
    "present",
    "priorities",
    "capacity_and_rules",
    "scenarios",
    "compare",
    "frontier",
    "workshop",
    "join",
)  # the st.Page url paths of every page but the first
AUTHOR = "scenario_author"
OPENED_LINK = "opened_link"
LINK_ERROR = "link_error"


@st.cache_resource(show_spinner=False)
def _store(url: str) -> ScenarioStore:
    return ScenarioStore(url)


def store_url() -> str:
    """PRIORITY_STORE_URL, else Streamlit secrets `store_url`, else SQLite under the data directory."""
    if os.environ.get(STORE_URL_ENV):
        return os.environ[STORE_URL_ENV]
    try:
        secret = st.secrets.get("store_url")
    except (FileNotFoundError, KeyError, StreamlitSecretNotFoundError):
        secret = None
    return secret or default_url()


def store() -> ScenarioStore:
    """The configured store; raises StoreError with a clear message when it cannot be opened."""
    return _store(store_url())


def set_current_scenario(info: VersionInfo | None, saved: Portfolio | None = None) -> None:
    """The stored scenario version being worked on (None: none), and the portfolio it holds."""
    st.session_state[CURRENT_SCENARIO] = info
    st.session_state[SAVED_PORTFOLIO] = saved if info is not None else None


def scenario_status() -> str | None:
    """'Scenario "X", version 2' with ' · unsaved changes' when the portfolio differs from that version."""
    info = st.session_state.get(CURRENT_SCENARIO)
    if info is None:
        return None
    text = f"Scenario '{info.name}', version {info.version}"
    if st.session_state.get(SAVED_PORTFOLIO) != portfolio():
        text += " · unsaved changes"
    return text


def open_scenario(scenario_id: str, version: int | None = None) -> VersionInfo:
    portfolio, info = store().load(scenario_id, version)
    set_portfolio(portfolio, source=f"scenario '{info.name}' version {info.version}", from_outside=True)
    set_current_scenario(info, portfolio)
    st.query_params.from_dict({"scenario": info.scenario_id, "version": str(info.version)})
    return info


def open_link_once() -> None:
    """Open `?scenario=<id>&version=<n>` the first time this session sees that link."""
    scenario_id = st.query_params.get("scenario")
    if not scenario_id:
        return
    version_text = st.query_params.get("version")
    link = (scenario_id, version_text)
    if st.session_state.get(OPENED_LINK) == link:
        return
    st.session_state[OPENED_LINK] = link
    try:
        info = open_scenario(scenario_id, link_version(version_text))
        st.session_state[OPENED_LINK] = (info.scenario_id, str(info.version))
        st.session_state.pop(LINK_ERROR, None)
    except (StoreError, PortfolioError) as err:
        st.session_state[LINK_ERROR] = f"The linked scenario could not be opened: {err}"


def app_base() -> str:
    """The app's address with a trailing slash, from whichever page this session is on ('' without a request)."""
    try:
        base = (st.context.url or "").split("?")[0]
    except Exception:  # noqa: BLE001 - no request context (tests)
        base = ""
    head, _, last = base.rstrip("/").rpartition("/")
    if last in PAGE_PATHS:
        base = head
    return base.rstrip("/") + "/" if base else ""


def share_link(info: VersionInfo) -> str:
    """A link to the app's first page (the result) that opens this version."""
    return f"{app_base()}?scenario={info.scenario_id}&version={info.version}"


def through_router() -> None:
    """Run this page through app.py (the router), whatever address it was opened by.

    While app.py has not yet called st.navigation in this server process, Streamlit treats the `pages/` folder
    as its older automatic multipage app: if a fresh server's first request is a page's own address
    (/priorities), it runs that page on its own, without the router's state and sidebar. Such a run has no
    portfolio in its session: switch Streamlit to the router's navigation and run again, which opens the same
    page by its address."""
    if PORTFOLIO in st.session_state:
        return
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    st.rerun()


# ------------------------------------------------------------------ robustness (issue 14)

ROBUSTNESS = "robustness_results"  # {(portfolio, samples, seed): Robustness}, the latest few of this session
ROBUST_SAMPLES = "robust_samples"
ROBUST_SEED = 1
ROBUST_KEEP = 4  # results kept per session


def robustness_result(portfolio: Portfolio, samples: int):
    """The robustness of this scenario computed earlier in this session, if any."""
    return st.session_state.get(ROBUSTNESS, {}).get((portfolio, samples, ROBUST_SEED))


def compute_robustness(portfolio: Portfolio, samples: int):
    """Sample the ranges with a progress bar, and keep the answer for this scenario."""
    from optimiser.robustness import robustness

    bar = st.progress(0.0, text="Re-solving sampled portfolios…")

    def progress(done: int, total: int) -> None:
        bar.progress(min(done / max(total, 1), 1.0), text=f"Re-solving sampled portfolios… {done} of {total}")

    found = robustness(portfolio, samples, ROBUST_SEED, progress=progress)
    bar.empty()
    cache = st.session_state.setdefault(ROBUSTNESS, {})
    while len(cache) >= ROBUST_KEEP:
        cache.pop(next(iter(cache)))
    cache[(portfolio, samples, ROBUST_SEED)] = found
    return found


def latest_robustness(portfolio: Portfolio):
    """Any robustness result of this scenario in this session (the one with most samples), or None."""
    found = [r for (p, _, _), r in st.session_state.get(ROBUSTNESS, {}).items() if p == portfolio]
    return max(found, key=lambda r: r.samples) if found else None
