"""Bare URLs and e-mail addresses in ids are not links in GitHub Markdown (issue 14, item 10).

GitHub's autolink extension turns `scheme://...`, `www.` and `name@host` in text into links; a
customer id or an event name from the log must render as the text it is, never as a link."""

from __future__ import annotations

import html
import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from journeyctl.output.escape import md_escape
from tests.helpers import run

# what GFM's autolink extension starts from, within one run of text
TRIGGER = re.compile(r"://|www\.|@", re.IGNORECASE)
JOURNEY = """\
journey: demo
version: 1
stages:
  - id: onboarding
    enter_when: {event: signed}
    max_duration: 1d
"""
IDS = ["https://evil.example/pay", "www.evil.example", "boss@evil.example", "WWW.X.Y", "ftp://x"]


def _text(markdown: str) -> str:
    rendered = MarkdownIt("commonmark").render(markdown).strip()
    return html.unescape(re.sub(r"</?p>", "", rendered))


_PIECES = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=12),
    st.sampled_from(["https://", "http://x.y", "www.", "WwW.", "@", "a@b.c", "ftp://", ":", "/"]),
)


@given(st.lists(_PIECES, max_size=6).map("".join))
def test_escaped_text_renders_as_itself_without_triggers(text: str) -> None:
    escaped = md_escape(text)
    assert not TRIGGER.search(escaped)
    if text.strip() and not text.startswith((" ", "\t")) and not text.endswith((" ", "\t")):
        assert _text(escaped) == text


def test_place_markdown_has_no_links(tmp_path: Path) -> None:
    (tmp_path / "j").mkdir()
    (tmp_path / "j" / "demo.yaml").write_text(JOURNEY)
    rows = "".join(f"{i},2026-01-0{n + 1}T00:00:00Z,signed\n" for n, i in enumerate(IDS))
    ev = tmp_path / "ev.csv"
    ev.write_text("customer_id,timestamp,event\n" + rows + "x,2026-01-09T00:00:00Z,signed\n")
    res = run("place", str(ev), "-j", str(tmp_path / "j"), "-f", "markdown")
    assert res.exit_code == 0, res.stderr
    assert not TRIGGER.search(res.stdout), res.stdout
    for cid in IDS:
        assert cid in _text(res.stdout)
    res = run("report", str(ev), "-j", str(tmp_path / "j"), "--db", str(tmp_path / "h.db"),
              "--out", str(tmp_path / "o"))  # fmt: skip
    assert res.exit_code == 0, res.stderr
    report = (tmp_path / "o" / "report.md").read_text()
    assert not TRIGGER.search(report.split("\n", 1)[1]), report
