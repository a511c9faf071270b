"""The roadmap in a real browser: set a plan length on Capacity and rules, open the Roadmap, move a priority's
year lock to another year and watch the Gantt change; the Roadmap and Capacity pages fit a projector; the
five-year sample's board pack carries its roadmap."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.e2e.harness import ROOT, wait_until_idle

pytestmark = pytest.mark.e2e

ARTIFACTS = os.environ.get("SCREENSHOT_DIR", str(ROOT / ".artifacts" / "screenshots"))
GANTT = '.st-key-roadmap_gantt [role="graphics-document"]'  # the Gantt's SVG, labelled by its description
PRIORITY = "Integrated neighbourhood teams (LOC-NH01)"


def open_page(browser, server, width: int = 1600, height: int = 1200):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(server)
    page.wait_for_selector('[data-testid="stMetric"]')  # the app has loaded and solved the sample
    wait_until_idle(page)
    return context, page


def set_plan_length(page, years: int) -> None:
    page.get_by_role("link", name="Capacity and rules").click()
    page.get_by_role("heading", name="Plan length and capacity per year").wait_for()
    box = page.get_by_role("spinbutton", name="Plan length (years)")
    box.fill(str(years))
    box.press("Enter")
    page.get_by_text("Settings applied.").wait_for()
    page.get_by_text("Capacity and headroom in each year").wait_for()  # the per-year table of a plan
    wait_until_idle(page)


def gantt_text(page) -> str:
    """The Gantt's accessible description: every priority on it and when it runs."""
    return page.locator(GANTT).get_attribute("aria-label") or ""


def wait_for_gantt(page, contains: str) -> None:
    """Wait until the Gantt on the page describes `contains` (it is drawn again after each change)."""
    page.wait_for_function(
        """([selector, text]) => {
            const chart = document.querySelector(selector);
            return chart !== null && (chart.getAttribute('aria-label') || '').includes(text);
        }""",
        arg=[GANTT, contains],
    )


def choose(page, label: str, option: str) -> None:
    """Pick an option of a selectbox (found by its label) by typing part of it, as a user would."""
    page.locator('[data-testid="stSelectbox"]').filter(has=page.get_by_text(label, exact=True)).click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).click()


def lock(page, year: str) -> None:
    choose(page, "Priority", PRIORITY)
    choose(page, "Year", year)
    wait_until_idle(page)
    page.get_by_role("button", name="Lock it to start in this year").click()


def test_a_plan_length_a_roadmap_and_a_year_lock_moved_to_another_year(browser, server):
    context, page = open_page(browser, server)
    set_plan_length(page, 3)
    page.get_by_role("link", name="Roadmap", exact=True).click()
    page.get_by_role("heading", name="Roadmap", exact=True).wait_for()
    page.locator(GANTT).wait_for()
    assert gantt_text(page).startswith("Roadmap. "), gantt_text(page)
    page.get_by_text("Over 3 years (2026/27 to 2028/29) the plan starts").wait_for()

    lock(page, "2027/28")
    page.get_by_text(f"{PRIORITY} starts in 2027/28").wait_for()  # the lock, in the removable list
    wait_for_gantt(page, f"{PRIORITY}: 2027/28")

    lock(page, "2028/29")  # move the lock to another year
    page.get_by_text(f"{PRIORITY} starts in 2028/29").wait_for()
    wait_for_gantt(page, f"{PRIORITY}: 2028/29")
    assert f"{PRIORITY}: 2027/28" not in gantt_text(page)
    assert page.get_by_text(f"{PRIORITY} starts in 2027/28").count() == 0, "the old lock is replaced, not kept"
    page.get_by_text(re.compile(r"Last change: .*locked to 2028/29")).wait_for()

    page.get_by_role("button", name="Undo", exact=True).first.click()  # back to the lock in 2027/28
    wait_for_gantt(page, f"{PRIORITY}: 2027/28")
    context.close()


@pytest.mark.parametrize("width,height", [(1280, 720), (1440, 900)])
def test_the_roadmap_and_capacity_pages_fit_a_projector(browser, server, width, height):
    context, page = open_page(browser, server, width, height)
    set_plan_length(page, 5)
    os.makedirs(ARTIFACTS, exist_ok=True)
    main = page.locator('[data-testid="stMain"]').bounding_box()
    table = page.locator('[data-testid="stDataFrame"]').filter(has=page.locator("th", has_text="2030/31")).first
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    assert box["x"] + box["width"] <= main["x"] + main["width"] + 1, "the per-year capacity table runs off the page"
    page.screenshot(path=os.path.join(ARTIFACTS, f"capacity_plan_{width}x{height}.png"))

    page.get_by_role("link", name="Roadmap", exact=True).click()
    page.get_by_role("heading", name="Roadmap", exact=True).wait_for()
    page.locator(GANTT).wait_for()
    wait_until_idle(page)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
                 .every(c => c.querySelector('svg, canvas'))"""
    )
    page.screenshot(path=os.path.join(ARTIFACTS, f"roadmap_{width}x{height}.png"))
    gantt = page.locator(".st-key-roadmap_gantt").bounding_box()
    assert gantt["y"] < height, "the Gantt starts below the first screen"
    for chart in page.locator('[data-testid="stVegaLiteChart"]').all():
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        drawn = chart.locator("svg, canvas").first.bounding_box()
        assert drawn["x"] + drawn["width"] <= box["x"] + box["width"] + 1, "a chart is wider than its box"
        assert drawn["x"] + drawn["width"] <= main["x"] + main["width"] + 1, "a chart runs off the page"
    # Every priority's name (not an internal key) labels a row of the Gantt, in full.
    labels = page.locator(".st-key-roadmap_gantt .role-axis-label text").all_text_contents()
    assert any("Integrated neighbourhood" in text for text in labels), labels[:5]
    assert not [text for text in labels if text.endswith("…")], "a name on the Gantt is cut off"
    context.close()


def test_the_five_year_sample_from_the_sidebar_and_its_board_pack_with_the_roadmap(browser, server):
    context, page = open_page(browser, server)
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Open the five-year sample").click()
    page.get_by_text("1 change this session can be undone.").wait_for()  # the sample is open
    page.get_by_role("link", name="Roadmap", exact=True).click()
    page.get_by_role("heading", name="Roadmap", exact=True).wait_for()
    wait_for_gantt(page, "Improvement capability academy (LOC-WF03): 2026/27")  # the academy starts in year 1
    wait_until_idle(page)
    page.get_by_role("button", name="Prepare the board pack with this roadmap (PDF)").click()
    button = page.get_by_role("button", name="Download the board pack (.pdf)")
    button.wait_for(timeout=120_000)
    with page.expect_download() as download:
        button.click()
    pdf = Path(download.value.path()).read_bytes()
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    order = ["Improvement priorities: recommended set", "Roadmap", "What we stop, and what that frees", "Appendix"]
    found = [text.find(part) for part in order]
    assert -1 not in found and found == sorted(found), dict(zip(order, found))
    assert "Over 5 years (2026/27 to 2030/31) the plan starts" in text
    context.close()
