"""Escaping of data from the log for people: terminals, plain text and Markdown.

Customer ids, event names and property values come from files other systems wrote; printed raw,
an ESC or OSC sequence can clear the screen, forge a hyperlink or retitle the terminal, a bidi
override can make text read backwards, and a line feed can start a line that looks like the
tool's own (a `::error` workflow command in CI). `safe_text` is the one neutraliser: every
human-readable renderer and the error messages pass data through it. JSON and CSV keep the exact
text (JSON escapes control characters itself; CSV quotes by its own rules).
"""

from __future__ import annotations

import re

# Shown as the familiar backslash escapes; every other control character as `\xNN`.
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}

# Bidi embeddings, overrides and isolates, the implicit marks, and the Unicode line and paragraph
# separators (some terminals break lines on them): shown as a `\u` escape with four hex digits (`\u202e`).
_FORMAT = (0x061C, 0x200E, 0x200F, 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A))


def _table(keep: str) -> dict[int, str]:
    table: dict[int, str] = {}
    for code in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]:  # C0, DEL, C1
        ch = chr(code)
        table[code] = _NAMED.get(ch, f"\\x{code:02x}")
    for code in _FORMAT:
        table[code] = f"\\u{code:04x}"
    for ch in keep:
        del table[ord(ch)]
    return table


_SAFE = _table("")
_SAFE_KEEP_LINES = _table("\n")
_SAFE_KEEP_BREAKS = _table("\r\n")


def safe_text(text: str, *, keep_newlines: bool = False) -> str:
    """`text` with every control, bidi-override and line-separator character replaced by a
    visible escape (`\\x1b`, `\\n`, `\\u202e`), so it prints as one inert line.

    `keep_newlines` keeps line feeds, for text whose lines the caller laid out itself (each line
    already passed through here). Idempotent: an escape is plain printable text.
    """
    return text.translate(_SAFE_KEEP_LINES if keep_newlines else _SAFE)


def workflow_safe(text: str) -> str:
    """`safe_text` for a GitHub workflow command, keeping CR and LF: the caller encodes them as
    `%0D` / `%0A`, which GitHub shows as line breaks inside the annotation."""
    return text.translate(_SAFE_KEEP_BREAKS)


_MD: dict[str, str] = {c: "\\" + c for c in "\\`*_{}[]()#+!|~"}


# GitHub turns bare `scheme://...`, `www.` and `name@host` into links (GFM's autolink
# extension), which matches within one text node; a character reference is a node of its own, so
# writing these characters as references breaks the match and renders the same text.
_AUTOLINK = re.compile(r"(:)(?=//)|(?<=www)(\.)|(@)", re.IGNORECASE)
_REF = {":": "&#58;", ".": "&#46;", "@": "&#64;"}


def md_escape(text: str) -> str:
    """Escape Markdown and HTML so data from the log renders as text, on one line, with control
    and bidi characters neutralised by `safe_text`, and no bare URL or address turned into a link."""
    text = safe_text(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = "".join(_MD.get(ch, ch) for ch in text)
    return _AUTOLINK.sub(lambda m: _REF[m.group(0)], text)
