"""Fixtures shared by the real-browser tests (helpers in tests/e2e/harness.py)."""

from __future__ import annotations

import pytest

from tests.e2e.harness import CHROMIUM_ARGS, chromium_or_skip


@pytest.fixture(scope="module")
def browser():
    """One Chromium (sync Playwright) for a test module."""
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
