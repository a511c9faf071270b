"""Property: any text a user can type (Markdown, HTML, links, emoji, right-to-left marks, formula starts) in any
text field is shown literally everywhere. Every page renders without error and no Markdown-rendering element
turns it into a link, an image or HTML; the exports and the board pack keep it inert; the share link reopens
it unchanged. Text with a control character is refused at the gate, naming the field.

The oracle for "renders as a link, image or HTML" is markdown-it-py with linkify (CommonMark plus bare-URL
links), applied to every body, label and help text Streamlit renders as Markdown, including the help of every
table column. The real browser test (tests/e2e) checks the same by watching the network."""

from __future__ import annotations

import copy
import html
import html.parser
import io
import json
import re
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from optimiser.errors import PortfolioError
from optimiser.excel import read_workbook, results_workbook, template_workbook
from optimiser.formats import portfolio_from_json, portfolio_to_json, priorities_from_csv, priorities_to_csv
from optimiser.solve import solve
from optimiser.store import ScenarioStore
from reports.board_pack import board_pack_html
from tests.pages import APP, PAGES

ROOT = Path(__file__).resolve().parents[2]
RAW = json.loads((ROOT / "sample_data" / "icb_portfolio.json").read_text())
CONSTRUCTS = [
    "![t](http://127.0.0.1:9/pixel.png)",
    "[click](http://127.0.0.1:9/x)",
    "[js](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "<a href='http://127.0.0.1:9'>a</a>",
    "<http://127.0.0.1:9/auto>",
    "http://127.0.0.1:9/bare",
    "https://example.org/path?q=1",
    "www.example.org",
    "someone@example.org",
    "**bold**",
    "_it_",
    "`code`",
    "# heading",
    "> quote",
    "- item",
    "1. item",
    "| a | b |",
    "---",
    "$x^2$",
    ":smile:",
    ":material/home:",
    '=HYPERLINK("http://127.0.0.1:9","x")',
    "+1",
    "-1",
    "@SUM(A1)",
    "\\",
    "&amp;",
    "\u202eevil",
    "🙂",
    "名前",
]
PLAIN = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs")),
    max_size=12,
)
TEXT = (
    st.lists(st.one_of(st.sampled_from(CONSTRUCTS), PLAIN), min_size=1, max_size=3)
    .map(" ".join)
    .map(str.strip)
    .filter(lambda t: 0 < len(t) <= 100)  # the documented limit for owners, themes, names, labels and units
)
MARKDOWN = MarkdownIt("commonmark", {"linkify": True}).enable(["linkify", "table", "strikethrough"])
ACTIVE = {"link_open", "image", "html_inline", "html_block"}


@st.composite
def hostile_raw(draw) -> dict:
    """The sample with random text in every kind of text field: portfolio name, priority names, owners and
    themes (with the theme limits that name them), capacity and criterion names, labels and units."""
    raw = copy.deepcopy(RAW)
    texts = draw(st.lists(TEXT, min_size=12, max_size=12, unique_by=lambda t: t.casefold()))
    raw["name"] = texts[0]
    for i, p in enumerate(raw["priorities"][:6]):
        p["name"] = texts[1 + i % 3]
        p["owner"] = texts[4]
    old_theme = raw["priorities"][0]["theme"]
    for p in raw["priorities"]:
        if p["theme"] == old_theme:
            p["theme"] = texts[5]
    limits = raw["rules"].get("theme_limits", {})
    if old_theme in limits:
        limits[texts[5]] = limits.pop(old_theme)
    dim = raw["capacity_dimensions"][0]
    old_dim, dim["name"], dim["label"], dim["unit"] = dim["name"], texts[6], texts[7], texts[8]
    for p in raw["priorities"]:
        if old_dim in p["costs"]:
            p["costs"][texts[6]] = p["costs"].pop(old_dim)
        if "cost:" + old_dim in p.get("ranges", {}):
            p["ranges"]["cost:" + texts[6]] = p["ranges"].pop("cost:" + old_dim)
    if raw["rules"].get("balance_dimension") == old_dim:
        raw["rules"]["balance_dimension"] = texts[6]
    crit = raw["criteria"][0]
    old_crit, crit["name"], crit["label"] = crit["name"], texts[9], texts[10]
    for p in raw["priorities"]:
        if old_crit in p["scores"]:
            p["scores"][texts[9]] = p["scores"].pop(old_crit)
        if "score:" + old_crit in p.get("ranges", {}):
            p["ranges"]["score:" + texts[9]] = p["ranges"].pop("score:" + old_crit)
    return raw


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def markdown_texts(at: AppTest) -> list[str]:
    """Every body, label and help that Streamlit renders as Markdown, with the help of every table column."""
    found = []
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None or not hasattr(proto, "ListFields"):
            continue
        for field, value in proto.ListFields():
            if field.name in ("body", "label", "help") and isinstance(value, str):
                found.append(value)
            elif field.name == "columns" and isinstance(value, str) and value.startswith("{"):
                found += [c["help"] for c in json.loads(value).values() if isinstance(c, dict) and c.get("help")]
    return found


# What GitHub-flavoured Markdown (Streamlit's) turns into links in the text once escapes are resolved.
GFM_AUTOLINK = re.compile(r"(?i)https?://|www\.|[-.\w+]+@[-\w]+(?:\.[-\w]+)+")


def active_markup(text: str) -> set[str]:
    tokens = MARKDOWN.parse(text)
    flat = [t for token in tokens for t in [token, *(token.children or [])]]
    kinds = {t.type for t in flat} & ACTIVE
    if any(GFM_AUTOLINK.search(t.content) for t in flat if t.type == "text"):
        kinds.add("autolink literal")
    return kinds


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") and value and not value.startswith("data:image/png;base64,"):
                self.links.append((tag, value))
        if tag in ("script", "iframe", "object", "embed"):
            self.links.append((tag, ""))


def unguarded(value: object) -> object:
    """A cell as the user typed it: exports put an apostrophe before a formula start."""
    return value[1:] if isinstance(value, str) and value[:2] in {"'=", "'+", "'-", "'@"} else value


SLOW = settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)


@SLOW
@given(raw=hostile_raw())
def test_any_text_renders_inert_on_every_page(raw):
    portfolio = portfolio_from_json(json.dumps(raw))
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["portfolio"] = portfolio
    at.run()
    for page in PAGES:
        if page != PAGES[0]:
            at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        for text in markdown_texts(at):
            assert not active_markup(text), f"{page}: {text[:160]!r} renders as {active_markup(text)}"


@SLOW
@given(raw=hostile_raw())
def test_any_text_survives_the_exports_the_board_pack_and_the_share_link(raw, tmp_path_factory):
    portfolio = portfolio_from_json(json.dumps(raw))
    # JSON and the share link give back exactly what was given.
    assert portfolio_from_json(portfolio_to_json(portfolio)) == portfolio
    store = ScenarioStore(f"sqlite:///{tmp_path_factory.mktemp('store') / 'scenarios.db'}")
    info = store.save(portfolio, name="Hostile text", author="Tester")
    assert store.load(info.scenario_id, info.version)[0] == portfolio
    # The CSV table and the Excel template load back to the same portfolio.
    assert priorities_from_csv(priorities_to_csv(portfolio).encode(), portfolio) == portfolio
    assert read_workbook(template_workbook(portfolio)) == portfolio
    # The results workbook holds the names as typed (formula starts guarded).
    result = solve(portfolio)
    book = openpyxl.load_workbook(io.BytesIO(results_workbook(portfolio, result)), read_only=True)
    cells = {unguarded(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row}
    assert {p.name for p in portfolio.priorities} <= cells
    # The board pack escapes every text: no link, image or script other than its own embedded charts.
    if result.has_selection:
        document = board_pack_html(portfolio, result)
        tags = _Tags()
        tags.feed(document)
        assert tags.links == []
        assert html.escape(portfolio.name) in document  # the title, shown escaped
        for text in (portfolio.name, *(p.name for p in portfolio.priorities)):
            if "<" in text:  # an unescaped '<' would start a tag ('&' alone is no test: '&amp;' escapes to '&amp;amp;')
                assert text not in document, f"unescaped in the board pack: {text!r}"


CONTROL = st.sampled_from([chr(c) for c in [*range(0, 32), *range(127, 160)]] + ["\ud800", "\udfff"])
FIELDS = [
    ("name", lambda raw, t: raw.__setitem__("name", t)),
    ("name", lambda raw, t: raw["priorities"][2].__setitem__("name", t)),
    ("owner", lambda raw, t: raw["priorities"][2].__setitem__("owner", t)),
    ("theme", lambda raw, t: raw["priorities"][2].__setitem__("theme", t)),
    ("unit", lambda raw, t: raw["capacity_dimensions"][0].__setitem__("unit", t)),
    ("label", lambda raw, t: raw["criteria"][0].__setitem__("label", t)),
]


@settings(max_examples=60, deadline=None)
@given(text=PLAIN, control=CONTROL, where=st.integers(0, 12), field=st.sampled_from(FIELDS))
def test_a_control_character_in_any_text_field_is_refused_by_field(text, control, where, field):
    name, put = field
    raw = copy.deepcopy(RAW)
    put(raw, "A" + text[:where] + control + text[where:] + "z")  # inside the text: the edges are trimmed
    with pytest.raises(PortfolioError) as caught:
        portfolio_from_json(json.dumps(raw))
    assert any(name in (problem.field or "") for problem in caught.value.problems), caught.value.problems
