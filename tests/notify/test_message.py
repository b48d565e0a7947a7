"""Message building without I/O: Slack's limits, escaping, the subject."""

from __future__ import annotations

import email
import json

from journeyctl.events.timestamps import parse_instant
from journeyctl.notify.config import parse_rules
from journeyctl.notify.message import mrkdwn, mrkdwn_id, render, slack_payload, subject
from journeyctl.notify.select import Batch, Notified
from journeyctl.notify.send import email_message

T1 = parse_instant("2026-02-23T00:00:00Z") or 0
T2 = parse_instant("2026-03-02T00:00:00Z") or 0


def customer(
    cid: str, level: str = "high", cats: tuple[str, ...] = ("churned",), activity: str = "Call"
) -> Notified:
    return Notified(cid, "j", "s", "active", cats, level, ("R",), 1.5, (), (activity,))


def batch(customers: list[Notified], channel: str = "slack") -> Batch:
    raw = {"name": "r", "on": ["newly_at_risk", "churned"], "channel": channel}
    if channel == "email":
        raw |= {"smtp": "smtp://m.example.com", "from": "a@example.com", "to": ["b@example.com"]}
    else:
        raw |= {"url": "https://hooks.example.com/x"}
    (rule,) = parse_rules([raw], "j.toml", {})
    return Batch(rule, "b@example.com", False, T2, T1, tuple(customers))


def test_subject_counts_in_the_rules_order() -> None:
    cs = [customer("a", cats=("newly_at_risk",))] * 3 + [customer("b", cats=("churned",))]
    assert subject(batch(cs)) == "journeyctl: 3 newly at risk, 1 churned (as of 2026-03-02)"


def test_long_entries_keep_slack_within_its_limits() -> None:
    cs = [customer(f"c{i:02d}", activity="x" * 2000) for i in range(60)]
    p = slack_payload(batch(cs), "/srv/report.html")
    assert len(p["blocks"]) <= 50
    sections = [b["text"]["text"] for b in p["blocks"] if b["type"] == "section"]
    assert all(len(t) <= 3000 for t in sections)
    listed = sum(t.count("• ") for t in sections[1:])
    assert listed == 48
    assert p["blocks"][-1]["elements"][0]["text"] == "and 12 more: see `/srv/report.html`"


def test_mrkdwn_escaping() -> None:
    assert mrkdwn("<!channel> & *x*") == "&lt;!channel&gt; &amp; *\u200bx*\u200b"
    assert mrkdwn_id("a_b*c") == "`a_b*c`"
    assert mrkdwn_id("a`b<") == "a`\u200bb&lt;"


def test_email_is_multipart_text_and_escaped_html() -> None:
    m = render(batch([customer("<b>x</b>")], "email"), None)
    msg = email.message_from_bytes(bytes(email_message(m)))
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.get_payload()] == ["text/plain", "text/html"]  # type: ignore[union-attr]
    page = json.loads(m.body)["html"]
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
    assert msg["To"] == "b@example.com" and msg["Subject"] == m.subject
