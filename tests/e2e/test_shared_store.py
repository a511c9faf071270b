"""Two app servers on one PostgreSQL scenario store (a deployment with more than one `streamlit run` behind a
load balancer): a scenario saved through server A opens by its link on server B, and a save from a stale copy is
refused with the conflict message, whichever server the newer version was saved on.

Needs the PostgreSQL server `make test` starts (PRIORITY_TEST_PG_URL). The servers use a schema of their own,
made for this run and dropped after it, so the store tests (which drop the tables of the default schema) and
earlier runs cannot interfere; the scenario name is unique to the run as well.
"""

from __future__ import annotations

import time
import uuid

import pytest

from optimiser.store import ScenarioStore
from tests.e2e.harness import metric_value, streamlit_servers, wait_until_idle
from tests.pg import private_schema

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def pg_url():
    # Every connection of both servers works in this schema (the store creates its tables there).
    with private_schema("e2e_two_servers") as url:
        yield url


@pytest.fixture(scope="module")
def servers(pg_url, tmp_path_factory):
    env = {"PRIORITY_STORE_URL": pg_url}
    with streamlit_servers([env, env], tmp_path_factory.mktemp("logs")) as (a, b):
        yield a, b


def new_page(browser, url: str):
    context = browser.new_context(viewport={"width": 1600, "height": 1200})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    return page


def save_on_scenarios_page(page, author: str, *, name: str | None = None) -> None:
    """Fill the Save form of the Scenarios page (a new version of the open scenario unless none is open) and
    press Save; waits for the form, not for the outcome."""
    page.get_by_role("link", name="Scenarios").click()
    page.get_by_role("heading", name="Save", exact=True).wait_for()
    if name is not None:
        page.get_by_label("Scenario name").fill(name)
    page.get_by_label("Your name").fill(author)
    page.get_by_role("button", name="Save", exact=True).click()


def test_two_servers_share_scenarios_and_refuse_a_stale_save(pg_url, servers, browser):
    a, b = servers
    name = f"Two servers {uuid.uuid4().hex[:8]}"
    started = time.monotonic()

    # Saved through server A's Scenarios page...
    on_a = new_page(browser, a.url)
    on_a.wait_for_selector('[data-testid="stMetric"]')
    save_on_scenarios_page(on_a, "Ann on server A", name=name)
    on_a.get_by_text(f"Saved '{name}' as version 1.").wait_for()
    wait_until_idle(on_a)
    link = on_a.locator('[data-testid="stCode"]').first.inner_text().strip()
    assert link.startswith(f"{a.url}/?scenario=") and link.endswith("&version=1"), link

    # ...opens by its link on server B (same path and query, B's address).
    on_b = new_page(browser, b.url + link.removeprefix(a.url))
    on_b.get_by_text(f"Scenario '{name}', version 1").wait_for()
    wait_until_idle(on_b)
    assert metric_value(on_b, "Priorities kept") == "17 of 48"

    # B saves version 2; A still holds version 1, and its save is refused.
    save_on_scenarios_page(on_b, "Bob on server B")
    on_b.get_by_text(f"Saved '{name}' as version 2.").wait_for()
    save_on_scenarios_page(on_a, "Ann on server A")
    refusal = on_a.get_by_text("Not saved: version 2 of this scenario was saved by Bob on server B at")
    refusal.wait_for()
    assert "after you opened version 1. Nothing was overwritten." in refusal.inner_text()
    assert on_a.get_by_text(f"Saved '{name}' as version").count() == 0

    # The store has both versions, version 2 from B, and nothing from A's refused save.
    store = ScenarioStore(pg_url)
    scenario_id = link.split("scenario=")[1].split("&")[0]
    assert [(v.version, v.author) for v in store.versions(scenario_id)] == [
        (2, "Bob on server B"),
        (1, "Ann on server A"),
    ]
    store.engine.dispose()
    print(f"\ntwo servers on one PostgreSQL store: journey done in {time.monotonic() - started:.1f} s")
    on_a.context.close()
    on_b.context.close()
