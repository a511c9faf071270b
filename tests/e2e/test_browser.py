"""Real-browser journeys: Debian's Chromium driven by Playwright against `streamlit run` on 127.0.0.1."""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.e2e.harness import ROOT, metric_value, wait_until_idle

pytestmark = pytest.mark.e2e


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1600, "height": 1200})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(server)
    page.wait_for_selector('[data-testid="stMetric"]')  # the app has loaded and solved the sample
    wait_until_idle(page)
    yield page
    context.close()


def test_opening_the_app_shows_the_solved_sample(page):
    page.get_by_role("heading", name="Rationalise").wait_for()
    page.wait_for_selector('[data-testid="stMetric"]')
    assert metric_value(page, "Priorities kept") == "17 of 48"
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    charts.nth(3).wait_for()
    assert charts.count() == 4


def test_changing_a_rule_changes_the_result(page):
    page.get_by_role("link", name="Capacity and rules").click()
    page.get_by_role("heading", name="Capacity and rules").wait_for()
    box = page.get_by_label("Keep at most")
    box.fill("10")
    box.press("Enter")
    page.get_by_text("Settings applied.").wait_for()
    page.get_by_role("link", name="Rationalise").click()
    page.get_by_role("heading", name="Rationalise").wait_for()
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stMetricValue"]')].some(e => e.innerText === '10 of 48')"""
    )
    assert metric_value(page, "Priorities kept") == "10 of 48"


def test_a_broken_upload_shows_errors_and_keeps_the_portfolio(page, tmp_path):
    raw = json.loads((ROOT / "sample_data" / "icb_portfolio.json").read_text())
    raw["priorities"][3]["scores"]["outcomes"] = 14
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(raw))
    page.get_by_role("link", name="Priorities").click()
    page.get_by_role("heading", name="Priorities").wait_for()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(broken))
    page.get_by_text("broken.json was not loaded").wait_for()
    page.get_by_text("Fix this problem and load it again").wait_for()  # one problem: the score of 14
    problems = page.locator('[data-testid="stDataFrame"]').filter(
        has=page.locator("th", has_text="problem and how to fix it")
    )
    rows = grid_rows(problems)
    assert len(rows) == 1, rows
    # The fourth priority of the file (row 4) is NAT-ELE02; its outcomes score is the broken field.
    assert (rows[0]["row"], rows[0]["priority"], rows[0]["value found"]) == ("4", "NAT-ELE02", "14"), rows
    assert "outcomes" in rows[0]["column"], rows
    assert "0 to 10" in rows[0]["problem and how to fix it"], rows
    assert page.get_by_text("48 priorities").count() >= 1
    page.get_by_role("link", name="Rationalise").click()
    page.wait_for_selector('[data-testid="stMetric"]')
    assert metric_value(page, "Priorities kept") == "17 of 48"


def grid_rows(grid) -> list[dict[str, str]]:
    """The rows of a Streamlit dataframe as {column header: cell text}, read from the grid's accessible table
    (the cells themselves are drawn on a canvas)."""
    grid.locator("table").wait_for(state="attached")
    return grid.locator("table").evaluate(
        """t => {
            const names = {};
            t.querySelectorAll('th[role="columnheader"]').forEach(h => names[h.getAttribute('aria-colindex')] = h.innerText.trim());
            return [...t.querySelectorAll('tbody tr')].map(r => Object.fromEntries(
                [...r.querySelectorAll('td')].map(c => [names[c.getAttribute('aria-colindex')], c.innerText.trim()])));
        }"""
    )


def edit_grid_cell(page, grid, column: str, first_column_value: str, text: str) -> None:
    """Edit one cell of a Streamlit data editor as a keyboard user would, found through the grid's accessible
    table (column by its header, row by its first cell): focus the grid, move with the arrow keys, press Enter,
    fill the editor, press Enter."""
    header = grid.locator('th[role="columnheader"]').filter(has_text=column)
    header.wait_for(state="attached")
    col = int(header.get_attribute("aria-colindex"))
    firsts = grid.locator('td[aria-colindex="1"]').all_inner_texts()
    row = firsts.index(first_column_value)
    grid.locator("#glide-cell-1-0").focus()  # the grid takes keyboard focus with its first cell selected
    for _ in range(col - 1):
        page.keyboard.press("ArrowRight")
    for _ in range(row):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    editor = page.locator("#portal input, #portal textarea").first
    editor.wait_for()
    editor.fill(text)
    page.keyboard.press("Enter")


def test_editing_a_capacity_in_the_table_changes_the_result(page):
    page.get_by_role("link", name="Capacity and rules").click()
    page.get_by_role("heading", name="Capacity dimensions").wait_for()
    grid = page.locator('[data-testid="stDataFrame"]').first
    edit_grid_cell(page, grid, "available", "operational", "1300")
    page.get_by_text("Settings applied.").wait_for()  # the page confirms once the new setting is valid
    page.get_by_role("link", name="Rationalise").click()
    page.get_by_text("Last change: operational capacity 657 → 1,300").wait_for(timeout=60_000)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stMetricValue"]')].some(e => e.innerText === '18 of 48')"""
    )
    assert metric_value(page, "Priorities kept") == "18 of 48"


def test_the_why_panel_explains_a_dropped_priority(page):
    page.wait_for_selector('[data-testid="stMetric"]')
    panel = page.get_by_text("Pick a priority to see why it is in or out")
    panel.wait_for()
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Pick a priority").click()
    page.keyboard.type("LOC-UEC03")  # the list is long: filter it as a user would
    page.get_by_role("option", name="Extend same-day emergency care hours (LOC-UEC03) · dropped").click()
    page.get_by_text(
        "Bringing Extend same-day emergency care hours (LOC-UEC03) in would lose 20 of net value", exact=False
    ).wait_for()
    assert metric_value(page, "Net value lost by reversing this decision") == "20.0"


def test_saving_a_scenario_and_reopening_it_from_its_link(page, server):
    page.get_by_role("link", name="Scenarios").click()
    page.get_by_role("heading", name="Save", exact=True).wait_for()
    page.get_by_label("Scenario name").fill("Browser journey")
    page.get_by_label("Your name").fill("Facilitator")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("as version 1").wait_for()
    link = page.locator('[data-testid="stCode"]').first.inner_text().strip()
    assert link.startswith(f"{server}/?scenario=") and link.endswith("&version=1"), link
    other = page.context.new_page()
    other.goto(link)  # the link as shown opens the result page, named by scenario and version
    other.get_by_role("heading", name="Rationalise").wait_for()
    other.get_by_text("Scenario 'Browser journey', version 1").wait_for()
    other.wait_for_selector('[data-testid="stMetric"]')
    assert metric_value(other, "Priorities kept") == "17 of 48"
    other.get_by_role("link", name="Scenarios").click()
    other.get_by_text("Working on").wait_for()
    assert "Browser journey" in other.get_by_text("Working on").inner_text()


def test_downloading_the_board_pack(page):
    page.wait_for_selector('[data-testid="stMetric"]')
    page.get_by_role("button", name="Prepare the board pack (HTML and PDF)").click()
    button = page.get_by_role("button", name="Download board pack (.pdf)")
    button.wait_for(timeout=90_000)
    with page.expect_download() as download:
        button.click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf[:4] == b"%PDF"
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))
    assert "Scenario: Northvale ICB improvement priorities 2026/27 (fictional)" in text, text[:500]
    assert "17 of 48 priorities kept" in text, text[:1500]
    # A kept priority under "Kept", a dropped one under "Dropped", in that order.
    order = [
        "Kept priorities (17)",
        "Acute frailty unit at the front door (LOC-UEC04)",
        "Dropped priorities (31)",
        "Eliminate waits over 52 weeks (NAT-ELE02)",
    ]
    found = [text.find(part) for part in order]
    assert -1 not in found and found == sorted(found), dict(zip(order, found))


ARTIFACTS = Path(os.environ.get("SCREENSHOT_DIR", ROOT / ".artifacts" / "screenshots"))


def open_at(browser, server, width: int, height: int):
    """A new browser context of one viewport size, on the app's first page."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(server)
    return context, page


INTERNAL_NAMES = ("improvement_support", "three_shifts", "performance_recovery", "financial_sustainability")


@pytest.mark.parametrize("width,height", [(1280, 720), (1440, 900)])
def test_the_first_screen_shows_names_the_whole_balance_chart_and_capacity(browser, server, width, height):
    context, page = open_at(browser, server, width, height)
    balance = page.locator(".st-key-balance")
    balance.locator("canvas, svg").first.wait_for()
    page.locator(".st-key-capacity").locator("canvas, svg").first.wait_for()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"rationalise_{width}x{height}.png"))
    # The balance chart and the capacity chart lie inside the first viewport and inside their containers.
    for key in ("balance", "capacity"):
        box = page.locator(f".st-key-{key}").bounding_box()
        drawn = page.locator(f".st-key-{key}").locator("canvas, svg").first.bounding_box()
        assert drawn["x"] + drawn["width"] <= box["x"] + box["width"] + 1, f"{key} chart is wider than its container"
        assert box["y"] >= 0 and drawn["y"] + drawn["height"] * 0.75 <= height, f"{key} chart is below the fold"
    assert (
        page.locator(".st-key-balance").bounding_box()["height"]
        >= page.locator(".st-key-capacity").bounding_box()["height"]
    ), "the balance chart is the largest"
    # Kept and dropped priorities by name, in the first viewport.
    for key, name in (("names_kept", "Reach 78% of A&E patients"), ("names_dropped", "Eliminate waits over 52 weeks")):
        text = page.locator(f".st-key-{key}").get_by_text(name, exact=False).first
        text.wait_for()
        assert text.bounding_box()["y"] < height, f"{name} is not in the first viewport"
    # Names, not internal keys.
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert not [n for n in INTERNAL_NAMES if n in body]
    context.close()


PAGES = ["Rationalise", "Present", "Priorities", "Capacity and rules", "Scenarios", "Compare", "Frontier"]


@pytest.mark.parametrize("width,height", [(1280, 720), (1440, 900)])
def test_every_page_fits_its_charts_and_shows_no_internal_names(browser, server, width, height):
    context, page = open_at(browser, server, width, height)
    page.wait_for_selector('[data-testid="stMetric"]')
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name in PAGES:
        page.get_by_role("link", name=name, exact=True).click()
        page.get_by_role("heading", name=name if name != "Compare" else "Compare scenarios").first.wait_for()
        wait_until_idle(page)  # the whole page is there, not only its first charts
        page.wait_for_function(  # every chart on the page has been drawn
            """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
                     .every(c => c.querySelector('svg, canvas'))"""
        )
        page.screenshot(path=str(ARTIFACTS / f"{name.lower().replace(' ', '_')}_{width}x{height}.png"))
        main = page.locator('[data-testid="stMain"]').bounding_box()
        for chart in page.locator('[data-testid="stVegaLiteChart"]').all():
            box = chart.bounding_box()
            drawn = chart.locator("svg, canvas").first.bounding_box()
            assert drawn["x"] + drawn["width"] <= box["x"] + box["width"] + 1, f"{name}: a chart is wider than its box"
            assert drawn["x"] + drawn["width"] <= main["x"] + main["width"] + 1, f"{name}: a chart runs off the page"
        text = page.locator('[data-testid="stMain"]').inner_text()
        if name != "Capacity and rules":  # that page's "name (key in files)" column shows the keys on purpose
            assert not [n for n in INTERNAL_NAMES if n in text], name
    context.close()
