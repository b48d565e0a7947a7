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
    assert md_escape("a|b\nc") == "a\\|b c"
