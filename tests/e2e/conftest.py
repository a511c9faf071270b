"""Fixtures shared by the real-browser tests (helpers in tests/e2e/harness.py)."""

from __future__ import annotations

import pytest

from tests.e2e.harness import CHROMIUM_ARGS, chromium_or_skip, streamlit_servers


@pytest.fixture(scope="module")
def browser():
    """One Chromium (sync Playwright) for a test module."""
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A fresh app server for a test module, with its own SQLite scenario store; yields its URL. (A module that
    needs more, such as the workshop's store URL, defines its own.)"""
    store = tmp_path_factory.mktemp("store") / "scenarios.db"
    with streamlit_servers([{"PRIORITY_STORE_URL": f"sqlite:///{store}"}], tmp_path_factory.mktemp("logs")) as (one,):
        yield one.url
