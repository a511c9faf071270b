"""Session state for the app: named keys, the sample loader and a cached solve.

The last *valid* portfolio lives under `PORTFOLIO`; an invalid edit or file never replaces it.
`REVISION` changes whenever the portfolio is replaced from outside a page (file load, reset),
so that widgets keyed with it start again from the new portfolio.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from optimiser import words
from optimiser.domain import (
    HEADROOM_MAX_PCT,
    PLAN_YEARS_MAX,
    PLAN_YEARS_MIN,
    VALUE_MODES,
    CapacityDimension,
    PlanSettings,
    Portfolio,
    year_labels,
)
from optimiser.errors import PortfolioError, Problem
from optimiser.explanations import (
    PortfolioExplanation,
    PortfolioFigures,
    PriorityExplanation,
    explain_portfolio,
    explain_priority,
    portfolio_figures,
)
from optimiser.formats import load_portfolio, portfolio_to_dict
from optimiser.frontier import Frontier, WeightSensitivity, frontier, weight_sensitivity
from optimiser.parsing import parse_portfolio
from optimiser.plan import solve_plan
from optimiser.plan_analysis import (
    CapacityWorth,
    ReSolved,
    WhyStart,
    capacity_worth,
    defer_deadline,
    start_earlier,
    why_start,
)
from optimiser.result import PlanResult, Result
from optimiser.solve import solve
from optimiser.store import STORE_URL_ENV, ScenarioStore, StoreError, VersionInfo, default_url, link_version

SAMPLE_PATH = Path(__file__).resolve().parent.parent / "sample_data" / "icb_portfolio.json"
SAMPLE_PLAN_PATH = Path(__file__).resolve().parent.parent / "sample_data" / "icb_five_year_plan.json"

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
    if last[0].name != last[1].name:  # another portfolio opened: a list of every difference would say nothing
        return f"Last change: {words.portfolio_opened(last[1])}."
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
    "roadmap",
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


def router_not_a_page() -> None:
    """Run app.py as the router, never as a page of Streamlit's automatic multipage app. Call it first in app.py.

    The first run in a fresh server process comes before app.py's first st.navigation call, so Streamlit wraps
    app.py as a page of its older automatic multipage app (there is a `pages/` folder). A widget's identity
    includes the page that draws it: in that one run the sidebar's widgets (Solver, Time limit, Undo, Redo,
    Open the five-year sample) are drawn by page "app", in every later run by the router. The browser then
    sends the first click on any of them under the old identity, and the run ignores it (the second click
    works). Leave that mode before drawing anything and run again, so the first page a browser sees carries
    the router's own widgets."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
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


# ------------------------------------------------------------------ multi-year plans (issue 13)

PLAN_SAMPLE_SOURCE = "built-in five-year sample"
PLAN_FIELDS = ("duration", "cost_profile", "earliest_start", "deadline", "gains", "existing", "alongside", "lags")


@st.cache_data(show_spinner=False)
def load_plan_sample() -> Portfolio:
    return load_portfolio(SAMPLE_PLAN_PATH)


def plan_sample_available() -> bool:
    return SAMPLE_PLAN_PATH.exists()


def use_plan_sample() -> None:
    """Open the five-year sample (an undoable change, like any other)."""
    set_portfolio(load_plan_sample(), source=PLAN_SAMPLE_SOURCE, from_outside=True)
    set_current_scenario(None)


@st.cache_data(show_spinner=False, max_entries=64)
def cached_plan(portfolio: Portfolio, solver: str, time_limit: float) -> PlanResult:
    """The multi-year plan of a portfolio, solved once per (portfolio, solver, time limit)."""
    return solve_plan(portfolio, solver=solver, time_limit=time_limit)


def current_plan() -> PlanResult:
    with st.spinner("Solving the plan…"):
        return cached_plan(portfolio(), *solver_settings())


def one_year(portfolio: Portfolio) -> Portfolio:
    """The same portfolio as a one-year selection (for comparing a plan with today's selection)."""
    return replace(portfolio, plan=replace(portfolio.plan, years=1))


def carry_plan(before: Portfolio, after: Portfolio) -> Portfolio:
    """`after` (rebuilt from the Capacity page's tables, which do not show the plan's fields) with the plan
    settings, per-year capacity, year locks and forbidden starts and the priorities' plan fields of `before`
    wherever `after` lost them. A dimension renamed or removed takes its per-year figures with it."""
    old_dims = {d.name: d for d in before.dimensions}
    dims = tuple(
        replace(
            d, available_by_year=old_dims[d.name].available_by_year, headroom_by_year=old_dims[d.name].headroom_by_year
        )
        if d.name in old_dims and not d.available_by_year and not d.headroom_by_year
        else d
        for d in after.dimensions
    )
    names = {d.name for d in dims}
    old_priorities = {p.id: p for p in before.priorities}
    priorities = []
    for p in after.priorities:
        old = old_priorities.get(p.id)
        if old is not None and _plain(p) and not _plain(old):
            fields = {f: getattr(old, f) for f in PLAN_FIELDS}
            fields["cost_profile"] = tuple(c for c in old.cost_profile if c[0] in names)
            fields["gains"] = tuple(g for g in old.gains if g[0] in names)
            p = replace(p, **fields)
        priorities.append(p)
    rules = after.rules
    if not rules.year_locks and not rules.forbidden_starts:
        rules = replace(rules, year_locks=before.rules.year_locks, forbidden_starts=before.rules.forbidden_starts)
    plan = after.plan if after.plan != PlanSettings() else before.plan
    return replace(after, dimensions=dims, priorities=tuple(priorities), rules=rules, plan=plan)


def _plain(p: Any) -> bool:
    """True when a priority has no plan fields set (all at their defaults)."""
    defaults = {"duration": 1, "earliest_start": 1, "deadline": None, "existing": False}
    return all(getattr(p, f) == defaults.get(f, ()) for f in PLAN_FIELDS)


def plan_capacity_rows(portfolio: Portfolio, years: int, first_year: str) -> pd.DataFrame:
    """The per-year capacity table of the Capacity page: two rows per dimension (available, headroom %), one
    column per plan year, filled with the portfolio's figures (today's figures in years it has none for)."""
    labels = year_labels(first_year, years)
    rows = []
    for d in portfolio.dimensions:
        unit = f" ({d.unit})" if d.unit else ""
        rows.append(
            {"capacity": d.display, "figure": f"available{unit}"}
            | {label: float(d.available_in(t)) for t, label in enumerate(labels, start=1)}
        )
        rows.append(
            {"capacity": d.display, "figure": "headroom %"}
            | {label: float(d.headroom_in(t)) for t, label in enumerate(labels, start=1)}
        )
    return pd.DataFrame(rows, columns=["capacity", "figure", *labels])


def grow_rows(table: pd.DataFrame, pct_a_year: float) -> pd.DataFrame:
    """The available rows grown (or cut, when negative) by `pct_a_year` percent a year from the first year's
    figure; headroom rows unchanged."""
    out = table.copy()
    years = [c for c in out.columns if c not in ("capacity", "figure")]
    for i, row in out.iterrows():
        if str(row["figure"]).startswith("available") and years:
            first = pd.to_numeric(row[years[0]], errors="coerce")
            if pd.notna(first):
                for t, column in enumerate(years):
                    out.at[i, column] = round(float(first) * (1 + pct_a_year / 100.0) ** t, 2)
    return out


def _figure(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def with_plan(
    portfolio: Portfolio,
    *,
    years: int,
    first_year: str,
    value_mode: str,
    table: pd.DataFrame | Sequence[Mapping[str, Any]] | None = None,
) -> Portfolio:
    """The portfolio with a plan of `years` years from `first_year`, valued by `value_mode`, and the per-year
    capacity of `table` (plan_capacity_rows' shape). Raises PortfolioError naming every bad field; a year
    figure equal to today's every year is stored as 'today's figure every year'."""
    problems: list[Problem] = []
    if not PLAN_YEARS_MIN <= int(years) <= PLAN_YEARS_MAX:
        problems.append(
            Problem(
                "plan length", f"must be {PLAN_YEARS_MIN} to {PLAN_YEARS_MAX} years, not {years}.", value=str(years)
            )
        )
    first = (first_year or "").strip()
    if not first or len(first) > 20:
        problems.append(
            Problem("first year", "give a label such as 2026/27 (at most 20 characters).", value=first_year)
        )
    if value_mode not in VALUE_MODES:
        problems.append(Problem("value", f"choose one of: {', '.join(VALUE_MODES.values())}.", value=value_mode))
    if problems:
        raise PortfolioError(problems)
    settings = PlanSettings(years=int(years), first_year=first, value_mode=value_mode)
    labels = settings.labels
    records = table.to_dict(orient="records") if isinstance(table, pd.DataFrame) else list(table or [])
    if table is None or len(records) != 2 * len(portfolio.dimensions):
        # No table (a one-year plan), or not this portfolio's (its dimensions changed meanwhile): the per-year
        # figures stay as they are, cut to the plan's length.
        records = []
    dims: list[CapacityDimension] = []
    for position, d in enumerate(portfolio.dimensions):
        available = [d.available_in(t) for t in range(1, len(labels) + 1)]
        headroom = [d.headroom_in(t) for t in range(1, len(labels) + 1)]
        for offset, (figure, values) in enumerate((("available", available), ("headroom %", headroom))):
            record = records[2 * position + offset] if records else {}
            for t, label in enumerate(labels):
                if label not in record:
                    continue
                number = _figure(record[label])
                field = f"{d.display} {figure} in {label}"
                if number is None:
                    problems.append(Problem(field, "enter a number.", value=str(record[label])))
                elif offset == 0 and number < 0:
                    problems.append(Problem(field, "must be 0 or more.", value=f"{number:g}"))
                elif offset == 1 and not 0 <= number <= HEADROOM_MAX_PCT:
                    problems.append(Problem(field, f"must be 0 to {HEADROOM_MAX_PCT:g}%.", value=f"{number:g}"))
                else:
                    values[t] = number
        dims.append(
            replace(
                d,
                available_by_year=() if all(v == d.available for v in available) else tuple(available),
                headroom_by_year=() if all(v == d.headroom_pct for v in headroom) else tuple(headroom),
            )
        )
    if problems:
        raise PortfolioError(problems)
    candidate = replace(portfolio, plan=settings, dimensions=tuple(dims))
    return portfolio if candidate == portfolio else checked(candidate)  # a valid portfolio needs no new check


def checked(candidate: Portfolio) -> Portfolio:
    """`candidate` validated as a whole by a round trip through the file format (a deadline beyond the plan, a
    year lock outside it...), raising PortfolioError; when the file format cannot yet hold every field, the
    candidate is kept as it is."""
    again = parse_portfolio(portfolio_to_dict(candidate))
    return again if again == candidate else candidate


def with_year_lock(portfolio: Portfolio, priority_id: str, year: int) -> Portfolio:
    """A priority locked to start in `year` (an existing activity: to stop from `year`); replaces its lock."""
    locks = tuple(lock for lock in portfolio.rules.year_locks if lock[0] != priority_id) + ((priority_id, year),)
    return replace(portfolio, rules=replace(portfolio.rules, year_locks=locks))


def with_forbidden_start(portfolio: Portfolio, priority_id: str, year: int) -> Portfolio:
    starts = portfolio.rules.forbidden_starts
    if (priority_id, year) in starts:
        return portfolio
    return replace(portfolio, rules=replace(portfolio.rules, forbidden_starts=starts + ((priority_id, year),)))


def without_year_rule(portfolio: Portfolio, kind: str, priority_id: str, year: int) -> Portfolio:
    """The portfolio without one year lock (`kind` 'lock') or forbidden start ('forbid')."""
    rules = portfolio.rules
    if kind == "lock":
        rules = replace(rules, year_locks=tuple(x for x in rules.year_locks if x != (priority_id, year)))
    else:
        rules = replace(rules, forbidden_starts=tuple(x for x in rules.forbidden_starts if x != (priority_id, year)))
    return replace(portfolio, rules=rules)


def last_plan_change_text() -> str | None:
    """'Last change: ... Effect on the plan: ...' for the latest change when it produced the current portfolio
    and that is a plan (the effect only when the portfolio before was a plan too), else None."""
    last = st.session_state.get(LAST_CHANGE)
    if last is None or last[1] != portfolio() or not last[1].is_multi_year:
        return None
    if last[0].name != last[1].name:
        what = [words.portfolio_opened(last[1])]
    else:
        what = words.plan_settings_change(last[0], last[1])
        other = words.portfolio_change(last[0], last[1])
        if not what or other != "no change to the rules or priorities":
            what.append(other)
    if not last[0].is_multi_year:
        return f"Last change: {'; '.join(what)}."
    before, after = cached_plan(last[0], *solver_settings()), current_plan()
    return f"Last change: {'; '.join(what)}. Effect on the plan: {words.plan_change_effect(last[1], before, after)}."


# ------------------------------------------------------------------ asking why of a plan (optimiser.plan_analysis)


@st.cache_data(show_spinner=False, max_entries=256)
def cached_why_start(portfolio: Portfolio, plan: PlanResult, priority_id: str) -> WhyStart:
    return why_start(portfolio, plan, priority_id)


@st.cache_data(show_spinner="Re-solving the plan with it a year earlier…", max_entries=128)
def cached_start_earlier(
    portfolio: Portfolio, plan: PlanResult, priority_id: str, solver: str, time_limit: float
) -> ReSolved:
    return start_earlier(portfolio, plan, priority_id, solver=solver, time_limit=time_limit)


@st.cache_data(show_spinner="Re-solving the plan with its deadline a year later…", max_entries=128)
def cached_defer_deadline(
    portfolio: Portfolio, plan: PlanResult, priority_id: str, solver: str, time_limit: float
) -> ReSolved:
    return defer_deadline(portfolio, plan, priority_id, solver=solver, time_limit=time_limit)


@st.cache_data(show_spinner="Re-solving the plan with each capacity raised in each year…", max_entries=16)
def cached_capacity_worth(
    portfolio: Portfolio, plan: PlanResult, solver: str, time_limit: float
) -> tuple[CapacityWorth, ...]:
    return capacity_worth(portfolio, plan, solver=solver, time_limit=time_limit)


CAPACITY_WORTH_ASKED = "roadmap_capacity_worth_asked"  # the (portfolio, plan) whose capacity worth was asked for
ROADMAP_PACK = "roadmap_board_pack"  # ((portfolio, plan), pdf bytes) of the Roadmap page's board pack
