"""Escaping of data from the log for Markdown (and the HTML that Markdown may carry)."""

from __future__ import annotations

_MD: dict[str, str] = {c: "\\" + c for c in "\\`*_{}[]()#+!|~"}


def md_escape(text: str) -> str:
    """Escape Markdown and HTML so data from the log renders as text (one line)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "".join(_MD.get(ch, ch) for ch in text).replace("\r", " ").replace("\n", " ")
