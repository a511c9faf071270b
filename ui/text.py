"""Show user text as plain text inside Markdown-rendering elements (captions, labels, help)."""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&])")
# Streamlit's Markdown (GitHub's flavour) turns bare web and e-mail addresses into links after escapes are
# resolved, so escaping cannot stop it. A word joiner (U+2060, invisible, zero width) after "http", "https",
# "www" and "@" breaks the patterns it looks for while the text reads exactly as typed.
_AUTOLINK_START = re.compile(r"(?i)(?:https?(?=:)|www(?=\.)|@)")
WORD_JOINER = "\u2060"


def plain(text: str) -> str:
    """Escape Markdown and HTML so that user text shows literally (no links, images or markup)."""
    unlinked = _AUTOLINK_START.sub(lambda m: m.group(0) + WORD_JOINER, str(text))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", unlinked)
