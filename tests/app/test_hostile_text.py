"""Hostile text is shown as plain text everywhere: no HTML, scripts, links or images from user input."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from optimiser.formats import load_portfolio
from tests.pages import APP, PAGES

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = {
    "NAT-UEC01": "<script>alert(1)</script>",
    "NAT-UEC02": "[click me](http://evil.example/x)",
    "NAT-ELE01": "![tracker](http://evil.example/pixel.png)",
    "LOC-FIN01": '=HYPERLINK("http://evil.example","x")',
    "LOC-UEC03": "<img src=x onerror=alert(2)> **bold** `code`",
    "LOC-DIG04": "A" * 5000,
}
# Unescaped Markdown/HTML that would render as markup: a tag, a link or image target, emphasis from user text.
DANGEROUS = [re.compile(r"(?<!\\)<(script|img)"), re.compile(r"(?<!\\)\]\(http"), re.compile(r"(?<!\\)\*\*bold")]


@pytest.fixture(scope="module")
def hostile():
    sample = load_portfolio(ROOT / "sample_data" / "icb_portfolio.json")
    priorities = tuple(replace(p, name=HOSTILE.get(p.id, p.name), owner="<b>owner</b>") for p in sample.priorities)
    dims = tuple(
        replace(d, unit="[days](http://evil.example)") if d.name == "strategic" else d for d in sample.dimensions
    )
    return replace(sample, name="<script>alert('portfolio')</script>", priorities=priorities, dimensions=dims)


def rendered_texts(at: AppTest) -> list[str]:
    texts = [
        e.value for kind in ("markdown", "caption", "error", "warning", "info", "success") for e in getattr(at, kind)
    ]
    texts += [m.label for m in at.metric] + [m.value for m in at.metric]
    return texts


@pytest.mark.parametrize("page", PAGES)
def test_hostile_names_render_as_plain_text_on_every_page(hostile, page):
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["portfolio"] = hostile
    at.run()
    if page != PAGES[0]:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    for text in rendered_texts(at):
        for pattern in DANGEROUS:
            assert not pattern.search(text), f"unescaped markup on {page}: {text[:120]!r}"


def test_no_user_text_goes_through_raw_html():
    for path in [*ROOT.glob("pages/*.py"), ROOT / "app.py", *ROOT.glob("ui/*.py")]:
        source = path.read_text()
        assert "unsafe_allow_html" not in source, path.name
        assert "st.html(" not in source, path.name


def test_the_why_panel_shows_a_hostile_name_literally(hostile):
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["portfolio"] = hostile
    at.run()
    at.selectbox(key="why_priority").set_value("LOC-UEC03").run()
    shown = [m.value for m in at.markdown if "onerror" in m.value]
    assert shown and all("\\<img" in text for text in shown)
