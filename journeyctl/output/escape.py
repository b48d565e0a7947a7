"""Escaping of data from the log for Markdown (and the HTML that Markdown may carry)."""

from __future__ import annotations

import re

_MD: dict[str, str] = {c: "\\" + c for c in "\\`*_{}[]()#+!|~"}


# GitHub turns bare `scheme://...`, `www.` and `name@host` into links (GFM's autolink
# extension), which matches within one text node; a character reference is a node of its own, so
# writing these characters as references breaks the match and renders the same text.
_AUTOLINK = re.compile(r"(:)(?=//)|(?<=www)(\.)|(@)", re.IGNORECASE)
_REF = {":": "&#58;", ".": "&#46;", "@": "&#64;"}


def md_escape(text: str) -> str:
    """Escape Markdown and HTML so data from the log renders as text (one line, no links)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = "".join(_MD.get(ch, ch) for ch in text).replace("\r", " ").replace("\n", " ")
    return _AUTOLINK.sub(lambda m: _REF[m.group(0)], text)
