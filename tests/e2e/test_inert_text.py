"""User text never makes the browser fetch or follow anything: a portfolio whose names, owners, themes, units
and labels hold Markdown images, HTML images, links and bare URLs pointing at a trap server on 127.0.0.1 is
opened by its share link and every page is visited. The trap must see no request, the pages must hold no link
or image to it, and the text must be shown as typed."""

from __future__ import annotations

import http.server
import json
import threading

import pytest

from optimiser.formats import portfolio_from_json
from optimiser.store import ScenarioStore
from tests.e2e.harness import ROOT, streamlit_servers, wait_until_idle

pytestmark = pytest.mark.e2e
PAGES = ["Rationalise", "Present", "Priorities", "Capacity and rules", "Scenarios", "Compare", "Frontier"]


class Trap(http.server.ThreadingHTTPServer):
    def __init__(self) -> None:
        self.requests: list[str] = []
        trap = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the standard library's name
                trap.requests.append(self.path)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture(scope="module")
def trap():
    server = Trap()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def hostile_texts(url: str) -> dict[str, str]:
    return {
        "md_image": f"![t]({url}/md-image)",
        "html_image": f"<img src={url}/html-image>",
        "link": f"[click]({url}/md-link)",
        "bare": f"{url}/bare-url",
        "auto": f"<{url}/autolink>",
    }


@pytest.fixture(scope="module")
def hostile_link(trap, tmp_path_factory):
    texts = hostile_texts(trap.url)
    raw = json.loads((ROOT / "sample_data" / "icb_portfolio.json").read_text())
    raw["name"] = texts["bare"]
    for p, text in zip(raw["priorities"], texts.values()):
        p["name"] = text
    raw["priorities"][5]["owner"] = texts["md_image"]
    raw["capacity_dimensions"][0]["unit"] = texts["html_image"]
    raw["capacity_dimensions"][1]["label"] = texts["md_image"] + " support"
    raw["criteria"][0]["label"] = texts["link"]
    portfolio = portfolio_from_json(json.dumps(raw))
    store_url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'scenarios.db'}"
    info = ScenarioStore(store_url).save(portfolio, name=texts["md_image"], author=texts["link"])
    return store_url, f"?scenario={info.scenario_id}&version=1", texts


def test_hostile_text_is_shown_literally_and_fetches_nothing_on_any_page(browser, trap, hostile_link, tmp_path):
    store_url, query, texts = hostile_link
    with streamlit_servers([{"PRIORITY_STORE_URL": store_url}], tmp_path) as (server,):
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(server.url + "/" + query)
        page.wait_for_selector('[data-testid="stMetric"]')
        wait_until_idle(page)
        # The names are on the first screen as typed (the word joiners that stop bare addresses becoming
        # links are invisible and take no space).
        shown = page.evaluate("() => document.body.innerText").replace("\u2060", "")
        for key in ("md_image", "html_image", "link", "bare", "auto"):
            assert texts[key] in shown, key
        for name in PAGES:
            page.get_by_role("link", name=name, exact=True).click()
            page.get_by_role("heading", name=name if name != "Compare" else "Compare scenarios", exact=True).wait_for()
            wait_until_idle(page)
            active = page.evaluate(
                """(trap) => [...document.querySelectorAll('a[href], img[src], iframe[src], source[src]')]
                       .map(e => e.getAttribute('href') || e.getAttribute('src'))
                       .filter(target => target.includes(trap))""",
                trap.url.removeprefix("http://"),
            )
            assert active == [], (name, active)
        context.close()
    assert trap.requests == [], trap.requests
