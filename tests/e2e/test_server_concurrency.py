"""Many people on one server at once: one `streamlit run` with a SQLite store holding one scenario per client,
and CLIENTS browser sessions opening their own scenario's share link at the same moment. Each must see its own
scenario and its own result (the kept set, not only the count), on the result page and after moving to another
page, with no cross-talk between sessions or through the server's shared caches.

CLIENTS is 12: enough sessions to overlap many script runs on the server's thread pool (every client's first
run solves its scenario and re-solves it for the trade-off figures), while one Chromium with 12 contexts and the
server still fit a busy 2-core machine well inside the deadline (see the timings the test prints; README).
"""

from __future__ import annotations

import asyncio
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest

from bench.sessions_load import scenario
from optimiser.formats import load_portfolio
from optimiser.solve import solve
from optimiser.store import ScenarioStore
from tests.e2e.harness import CHROMIUM_ARGS, IDLE, ROOT, chromium_or_skip, streamlit_servers

pytestmark = pytest.mark.e2e

CLIENTS = 12
DEADLINE = 300.0  # seconds for all clients together, from the first page opened to the last check
KEPT_ID = re.compile(r"\(((?:NAT|LOC)-[A-Z]+\d+)\)")
SOLVED_IN = re.compile(r"solved by \S+ in ([\d.]+) s")
TIME_LIMIT = 10.0  # the app's default solver time limit (wall-clock): a solve past it would change the result


@dataclass
class Client:
    index: int
    scenario_id: str
    name: str  # the stored scenario's name
    expected_metric: str
    expected_kept: frozenset[str]
    stage: str = "not started"
    seen: dict[str, object] = field(default_factory=dict)
    seconds_to_result: float | None = None
    seconds_total: float | None = None


async def one_client(browser, base_url: str, client: Client, began: float) -> None:
    context = await browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        page = await context.new_page()
        page.set_default_timeout(DEADLINE * 1000)  # the overall deadline below bounds every wait
        client.stage = "opening the share link"
        await page.goto(f"{base_url}/?scenario={client.scenario_id}&version=1")
        client.stage = "waiting for the scenario caption"
        caption = page.locator('[data-testid="stCaptionContainer"]').filter(has_text="Scenario '").first
        await caption.wait_for()
        client.stage = "waiting for the run to finish"
        await page.locator(IDLE).wait_for(state="attached")  # (the caption is from this run)
        client.stage = "reading the result"
        metric = page.locator('[data-testid="stMetric"]').filter(has_text="Priorities kept").first
        value = metric.locator('[data-testid="stMetricValue"]')
        await value.wait_for()
        kept_list = page.locator(".st-key-names_kept")
        await kept_list.get_by_text("Kept (").wait_for()
        client.seconds_to_result = time.monotonic() - began
        client.seen["caption"] = (await caption.inner_text()).strip()
        client.seen["metric"] = (await value.inner_text()).strip()
        client.seen["kept"] = frozenset(KEPT_ID.findall(await kept_list.inner_text()))
        client.seen["portfolio caption"] = (
            await page.locator('[data-testid="stCaptionContainer"]').filter(has_text="Portfolio: ").first.inner_text()
        ).strip()
        client.seen["url"] = page.url
        client.stage = "moving to the Scenarios page"
        await page.get_by_role("link", name="Scenarios").click()
        working = page.get_by_text("Working on")
        await working.wait_for()
        client.seen["working on"] = (await working.inner_text()).strip()
        client.seconds_total = time.monotonic() - began
        client.stage = "done"
    finally:
        await context.close()


async def all_clients(executable: str, base_url: str, clients: list[Client]) -> list[BaseException | None]:
    """Every client at once; each one's exception (or None). Raises TimeoutError past the deadline."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            began = time.monotonic()
            return await asyncio.wait_for(
                asyncio.gather(*(one_client(browser, base_url, c, began) for c in clients), return_exceptions=True),
                timeout=DEADLINE,
            )
        finally:
            await browser.close()


def run_in_own_thread(coroutine):
    """Run the async clients in a thread of their own (the sync Playwright of other e2e modules may hold an
    event loop in this thread); its exception, if any, is raised here."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="clients") as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A SQLite store with one scenario per client, each with its own rules and so its own kept set."""
    sample = load_portfolio(ROOT / "sample_data" / "icb_portfolio.json")
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'scenarios.db'}"
    store = ScenarioStore(url)
    clients = []
    for i in range(CLIENTS):
        portfolio = scenario(sample, i)
        result = solve(portfolio)
        info = store.save(portfolio, name=f"Client {i} plan", author=f"Client {i}")
        clients.append(
            Client(
                i,
                info.scenario_id,
                info.name,
                f"{len(result.kept)} of {len(sample.priorities)}",
                frozenset(result.kept),
            )
        )
    store.engine.dispose()
    kept_sets = [c.expected_kept for c in clients]
    assert len(set(kept_sets)) == CLIENTS, "every client's scenario has a kept set of its own"
    return url, clients


@pytest.mark.timeout(DEADLINE + 180)  # the clients' deadline, plus the server's start and stop
def test_clients_at_once_each_see_their_own_scenario(stored, tmp_path):
    executable = chromium_or_skip()
    url, clients = stored
    with streamlit_servers([{"PRIORITY_STORE_URL": url}], tmp_path) as (server,):
        started = time.monotonic()
        try:
            outcomes = run_in_own_thread(all_clients(executable, server.url, clients))
        except TimeoutError:
            stuck = [f"client {c.index}: {c.stage}" for c in clients if c.stage != "done"]
            pytest.fail(
                f"{len(stuck)} of {CLIENTS} clients not done within {DEADLINE:.0f} s: {stuck}\n"
                f"server log:\n{server.log_tail()}"
            )
        elapsed = time.monotonic() - started
        failed = [f"client {c.index} failed while {c.stage}: {err!r}" for c, err in zip(clients, outcomes) if err]
        assert not failed, "\n".join(failed) + f"\nserver log:\n{server.log_tail()}"
    to_result = sorted(c.seconds_to_result for c in clients)
    solve_seconds = [float(m) for c in clients for m in SOLVED_IN.findall(str(c.seen["portfolio caption"]))]
    print(
        f"\n{CLIENTS} clients at once on one server: result shown after {to_result[0]:.1f} s (first) to "
        f"{to_result[-1]:.1f} s (last); all checks done in {elapsed:.1f} s; the slowest solve took "
        f"{max(solve_seconds, default=float('nan')):.2f} s of its {TIME_LIMIT:.0f} s time limit"
    )
    wrong = []
    for c in clients:
        expected = {
            "caption": f"Scenario '{c.name}', version 1",
            "metric": c.expected_metric,
            "kept": c.expected_kept,
            "working on": f"'{c.name}' version 1",
        }
        seen = c.seen
        if (
            seen["caption"] != expected["caption"]
            or seen["metric"] != expected["metric"]
            or seen["kept"] != expected["kept"]
            or not str(seen["portfolio caption"]).startswith(f"Portfolio: Session {c.index} · ")
            or f"scenario={c.scenario_id}" not in str(seen["url"])
            or expected["working on"] not in str(seen["working on"])
        ):
            wrong.append(f"client {c.index}: saw {seen}, expected {expected}")
    assert not wrong, "\n".join(wrong)
