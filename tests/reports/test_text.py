"""The report core's Markdown escaping is the project's rule (output.tables.md_escape)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from journeyctl.output.escape import md_escape
from journeyctl.output.tables import md_escape as project_rule


@given(st.text())
def test_same_rule_as_output_tables(text: str) -> None:
    assert md_escape(text) == project_rule(text)


def test_examples() -> None:
    assert md_escape("<script>alert(1)</script>") == "&lt;script&gt;alert\\(1\\)&lt;/script&gt;"
    # a line feed from the data stays visible (an escaped `\n`), the cell stays one line
    assert md_escape("a|b\nc") == "a\\|b\\\\nc"


@given(st.text())
def test_one_inert_line(text: str) -> None:
    """Whatever the data holds, the Markdown is one line with no control or bidi character."""
    out = md_escape(text)
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in out)
    assert not any(ch in out for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
