"""The first click on a sidebar widget counts, in a real browser at 1280x720.

A fresh server's first run comes before app.py's first st.navigation call, so Streamlit ran app.py as a page of
its automatic multipage app (there is a `pages/` folder): the sidebar's widgets then had other identities than
in every later run, and the first click on one of them (Open the five-year sample, Undo, the Solver) was
ignored. app.py now leaves that mode before drawing anything (state.router_not_a_page). The bug shows only in
the first session of a server process, so this module starts its own server and its test is that session."""

from __future__ import annotations

import pytest

from tests.e2e.harness import wait_until_idle

pytestmark = pytest.mark.e2e


def test_the_first_click_on_a_sidebar_button_of_a_fresh_server_is_applied(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(server)
        page.wait_for_selector('[data-testid="stMetric"]')  # the app has loaded and solved the sample
        wait_until_idle(page)
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.get_by_text("0 changes this session can be undone.").wait_for()
        page.get_by_text("Keeps 17 of 48").first.wait_for()

        sidebar.get_by_role("button", name="Open the five-year sample").click()  # once only

        sidebar.get_by_text("1 change this session can be undone.").wait_for()
        page.get_by_text("Keeps 18 of 53").first.wait_for()  # Rationalise solved the five-year sample
        wait_until_idle(page)
        assert sidebar.get_by_role("button", name="Undo").is_enabled()
    finally:
        context.close()
