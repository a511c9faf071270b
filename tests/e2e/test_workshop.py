"""A workshop in a real browser: one facilitator and three participants, each in a browser context of their own.

The facilitator starts a workshop on two priorities and two criteria; the participants join (two by the join
link, one by typing the code) and score; one reloads mid-way and carries on where they were; the facilitator's
view (which refreshes by itself) counts the answers and shows the spread; the facilitator reveals the results,
which a participant then sees, and adopts the group's scores: the adopted scenario version holds the medians."""

from __future__ import annotations

import statistics
import time

import pytest

from optimiser.store import ScenarioStore
from optimiser.workshop_store import WorkshopStore
from tests.e2e.harness import streamlit_servers, wait_until_idle

pytestmark = pytest.mark.e2e

PRIORITIES = ["NAT-UEC01", "LOC-NH04"]
CRITERIA = ["Health outcomes", "Reducing inequalities"]
CRITERION_NAMES = {"Health outcomes": "outcomes", "Reducing inequalities": "inequalities"}
# Each participant's scores in the order they give them: priority by priority, criterion by criterion.
SCORES = {"Ann": [2, 8, 5, 3], "Bob": [9, 1, 5, 7], "Cat": [4, 4, 6, 10]}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    where = tmp_path_factory.mktemp("workshop")
    url = f"sqlite:///{where / 'scenarios.db'}"
    with streamlit_servers([{"PRIORITY_STORE_URL": url}], where) as (server,):
        yield server, url


def new_page(browser, url: str, width: int = 1280, height: int = 900):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    return page


def pick(page, label: str, text: str) -> None:
    """Choose an option of a multiselect by typing part of it."""
    box = page.locator('[data-testid="stMultiSelect"]').filter(has_text=label)
    box.locator("input").fill(text)
    page.get_by_role("option").filter(has_text=text).first.click()
    page.keyboard.press("Escape")
    box.get_by_text(text).first.wait_for()  # the chip


def score(page, criterion: str, value: int, given: int, total: int) -> None:
    """Click a score and wait until the page says it is stored."""
    group = page.locator('[data-testid="stRadio"]').filter(has_text=criterion)
    group.get_by_text(str(value) if value not in (0, 10) else f"{value} ", exact=False).first.click()
    page.get_by_text(f"You have given {given} of {total} scores in this round.").wait_for()
    wait_until_idle(page)


def start_workshop(page) -> None:
    page.get_by_role("button", name="Start the workshop").wait_for()
    wait_until_idle(page)
    criteria = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Criteria to score")
    criteria.get_by_role("button", name="Clear all").click()
    for label in CRITERIA:
        pick(page, "Criteria to score", label)
    page.get_by_text("Only these priorities", exact=True).click()
    for pid in PRIORITIES:
        pick(page, "Priorities (when", pid)
    page.get_by_role("button", name="Start the workshop").click()
    page.get_by_text("Scan to join").wait_for()
    wait_until_idle(page)


def join(page, name: str, code: str | None = None) -> None:
    page.get_by_role("button", name="Join").wait_for()
    wait_until_idle(page)
    if code is not None:
        page.get_by_label("Workshop code", exact=True).fill(code)
    page.get_by_label("Your display name", exact=True).fill(name)
    page.get_by_role("button", name="Join").click()
    page.get_by_role("heading", name="Score the priorities").wait_for()
    wait_until_idle(page)


def test_a_board_scores_together_and_adopts_the_medians(browser, server):
    app, url = server
    started = time.monotonic()
    facilitator = new_page(browser, f"{app.url}/workshop")
    start_workshop(facilitator)
    assert "facilitate=" in facilitator.url
    link = facilitator.locator('[data-testid="stCode"]').first.inner_text().strip()
    assert link.startswith(f"{app.url}/join?join="), link
    heading = facilitator.get_by_text("Join at the link or with the code").inner_text()
    code = heading.rsplit(" ", 1)[1]
    token = facilitator.url.split("facilitate=")[1].split("&")[0]
    chosen = WorkshopStore(url).facilitated(token)
    assert chosen.round_priorities == tuple(PRIORITIES) and chosen.criteria == tuple(CRITERION_NAMES.values())

    people = {
        "Ann": new_page(browser, link),
        "Bob": new_page(browser, f"{app.url}/join"),
        "Cat": new_page(browser, link, width=390, height=844),  # a phone
    }
    join(people["Ann"], "Ann")
    join(people["Bob"], "Bob", code=code.lower())
    join(people["Cat"], "Cat")

    total = len(PRIORITIES) * len(CRITERIA)
    for name, page in people.items():
        values = iter(SCORES[name])
        given = 0
        for i, _pid in enumerate(PRIORITIES):
            if i:
                page.get_by_role("button", name="Next").click()
                page.get_by_text(f"Priority {i + 1} of {len(PRIORITIES)}").wait_for()
                wait_until_idle(page)
            for criterion in CRITERIA:
                given += 1
                score(page, criterion, next(values), given, total)
            if name == "Bob" and i == 0:
                # Bob reloads mid-way: his personal link brings back his answers, and he carries on.
                assert "participant=" in page.url
                page.reload()
                page.get_by_text(f"You have given 2 of {total} scores in this round.").wait_for()
                wait_until_idle(page)
                group = page.locator('[data-testid="stRadio"]').filter(has_text=CRITERIA[0])
                group.locator("input[type=radio]:checked").wait_for(state="attached", timeout=20_000)
                assert group.locator("input[type=radio]:checked").count() == 1

    # The facilitator's view refreshes by itself: everyone has answered everything, and the spread is drawn.
    facilitator.get_by_text("3 of 3 participants have answered at least one score").wait_for()
    # The progress table is a canvas grid; its cells are in the page for screen readers.
    facilitator.locator("td", has_text="4 of 4").nth(2).wait_for(state="attached")
    facilitator.locator('[data-testid="stVegaLiteChart"]').first.wait_for()
    facilitator.get_by_text("answers on health outcomes run from 2 to 9").first.wait_for()
    # The spread chart is drawn inside its box and the page (1280 wide).
    facilitator.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
                 .every(c => c.querySelector('svg, canvas'))"""
    )
    main = facilitator.locator('[data-testid="stMain"]').bounding_box()
    for chart in facilitator.locator('[data-testid="stVegaLiteChart"]').all():
        box, drawn = chart.bounding_box(), chart.locator("svg, canvas").first.bounding_box()
        assert drawn["x"] + drawn["width"] <= min(box["x"] + box["width"], main["x"] + main["width"]) + 1

    # Reveal: a participant sees the group's results after a reload.
    facilitator.get_by_role("button", name="Reveal results").click()
    facilitator.get_by_role("button", name="Hide results").wait_for()
    people["Ann"].reload()
    people["Ann"].get_by_text("The group's results").wait_for()

    # Adopt: the group's scores become a new scenario version.
    facilitator.get_by_label("Your name", exact=True).fill("Facilitator")
    facilitator.get_by_role("button", name="Adopt the group's scores").click()
    facilitator.get_by_text("Adopted: saved as").wait_for()
    wait_until_idle(facilitator)

    workshop = WorkshopStore(url).facilitated(token)
    portfolio, info = ScenarioStore(url).load(workshop.adopted_scenario_id, workshop.adopted_version)
    assert "3 participants, 1 round" in info.note
    k = 0
    for pid in PRIORITIES:
        for criterion in CRITERIA:
            median = statistics.median(SCORES[name][k] for name in SCORES)
            assert portfolio.priority(pid).score(CRITERION_NAMES[criterion]) == median, (pid, criterion)
            k += 1
    assert "Uncaught app execution" not in app.log_tail(50_000)
    print(f"\nworkshop journey done in {time.monotonic() - started:.1f} s")
    for page in [facilitator, *people.values()]:
        page.context.close()
