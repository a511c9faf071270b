"""A page's own address works as the first request a fresh server gets (a bookmark, a link in an e-mail): the
page opens through the router, with the sample loaded and the app's own navigation, not Streamlit's automatic
pages-folder navigation and an error."""

from __future__ import annotations

import pytest

from tests.e2e.harness import streamlit_servers, wait_until_idle

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("path, heading", [("priorities", "Priorities"), ("capacity_and_rules", "Capacity and rules")])
def test_a_page_address_is_the_first_request_to_a_fresh_server(browser, tmp_path, path, heading):
    with streamlit_servers([{"PRIORITY_STORE_URL": f"sqlite:///{tmp_path / 'scenarios.db'}"}], tmp_path) as (server,):
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(f"{server.url}/{path}")
        page.get_by_role("heading", name=heading, exact=True).wait_for()
        page.get_by_role("combobox", name="Solver").wait_for()  # the router's sidebar
        wait_until_idle(page)
        nav = page.locator('[data-testid="stSidebarNav"]')
        assert nav.get_by_text("Capacity and rules", exact=True).count() == 1  # the router's titles
        assert nav.get_by_text("capacity and rules", exact=True).count() == 0  # not the pages folder's
        assert page.get_by_text("This app has encountered an error").count() == 0
        assert "Uncaught app execution" not in server.log_tail(20_000)
        context.close()
