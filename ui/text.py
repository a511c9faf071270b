"""Show user text as plain text inside Markdown-rendering elements (captions, labels)."""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def plain(text: str) -> str:
    """Escape Markdown and HTML so that user text shows literally (no links, images or markup)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
