"""The messages (PRODUCT §10): Slack `{text, blocks}`, the generic webhook JSON, and e-mail as
text + HTML. Every text that came from data or definitions is escaped for where it goes."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from journeyctl.events.timestamps import format_instant
from journeyctl.notify.select import Batch, Notified

SCHEMA_VERSION = 1
MAX_LISTED = 50  # Slack and e-mail; the webhook lists every customer
# Slack: a section's text holds at most 3000 characters and a message at most 50 blocks.
_SECTION_CHARS = 2900
_MAX_SECTIONS = 48  # and the header and the "and N more" blocks
_LABELS = {
    "switched_journey": "switched journey",
    "stage_removed": "in a removed stage",
    "newly_at_risk": "newly at risk",
    "milestone_overdue": "with a milestone newly overdue",
}
_MRKDWN_CONTROL = "*_~`"
_ZWSP = "\u200b"


@dataclass(frozen=True, slots=True)
class Message:
    """One rendered message; `body` is what is sent (JSON text; for e-mail its parts as JSON)."""

    as_of: int
    rule: str
    channel: str
    recipient: str
    routed: bool
    customers: int
    subject: str
    body: str


def label(trigger: str) -> str:
    """`newly_at_risk:high` -> `newly at risk`."""
    category = trigger.partition(":")[0]
    return _LABELS.get(category, category.replace("_", " "))


def headline(batch: Batch) -> str:
    """`3 newly at risk, 1 churned`: customers per trigger, in the rule's order."""
    counts: dict[str, int] = {}
    for t in batch.rule.on:
        key = label(t.category)
        counts.setdefault(key, 0)
        counts[key] = max(counts[key], sum(1 for c in batch.customers if t.name in c.categories))
    return ", ".join(f"{n} {k}" for k, n in counts.items() if n)


def subject(batch: Batch) -> str:
    day = format_instant(batch.as_of)[:10]
    return f"journeyctl: {headline(batch)} (as of {day})"


def _more(batch: Batch) -> int:
    return max(0, len(batch.customers) - MAX_LISTED)


def _days(d: float | None) -> str | None:
    return None if d is None else f"{d:g} days in stage"


def _facts(c: Notified) -> list[str]:
    """The parts of one customer's entry after its id, unescaped."""
    where = f"{c.journey or 'unmatched'} / {c.stage or 'not started'} ({c.status})"
    parts = [where, ", ".join(label(x) for x in c.categories)]
    if c.risk_level != "none":
        parts.append(f"risk {c.risk_level}" + (": " + "; ".join(c.risks) if c.risks else ""))
    days = _days(c.days_in_stage)
    if days:
        parts.append(days)
    return parts


# -- plain text (e-mail text part, dry runs) ---------------------------------------------------
def text_entry(c: Notified) -> str:
    lines = [f"- {c.customer_id}: " + " | ".join(_facts(c))]
    if c.overdue_milestones:
        lines.append("  overdue: " + ", ".join(c.overdue_milestones))
    if c.next_activities:
        lines.append("  next: " + "; ".join(c.next_activities))
    return "\n".join(lines)


def text_body(batch: Batch, report_path: str | None) -> str:
    since = format_instant(batch.previous_as_of)
    lines = [
        f"journeyctl: {headline(batch)}",
        f"as of {format_instant(batch.as_of)} (compared with {since}); rule {batch.rule.name}",
        "",
    ]
    lines += [text_entry(c) for c in batch.customers[:MAX_LISTED]]
    more = _more(batch)
    if more:
        lines.append(f"and {more} more" + (f": see {report_path}" if report_path else ""))
    return "\n".join(lines) + "\n"


# -- Slack -------------------------------------------------------------------------------------
def mrkdwn(text: str) -> str:
    """Text shown literally in Slack mrkdwn: `&`, `<`, `>` as entities (so no `<!channel>` or link
    can be injected) and the formatting characters broken by a zero-width space."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in _MRKDWN_CONTROL:
        text = text.replace(ch, ch + _ZWSP)
    return text


def mrkdwn_id(text: str) -> str:
    """An identifier in a code span, where Slack applies no formatting (when it has no backtick)."""
    if "`" in text or "\n" in text:
        return mrkdwn(text)
    return "`" + text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "`"


def slack_entry(c: Notified) -> str:
    where = (
        f"{mrkdwn_id(c.journey or 'unmatched')} / {mrkdwn_id(c.stage or 'not started')}"
        f" ({mrkdwn(c.status)})"
    )
    head = [where, mrkdwn(", ".join(label(x) for x in c.categories))]
    if c.risk_level != "none":
        head.append(
            f"risk *{mrkdwn(c.risk_level)}*"
            + (": " + "; ".join(mrkdwn(r) for r in c.risks) if c.risks else "")
        )
    days = _days(c.days_in_stage)
    if days:
        head.append(days)
    lines = [f"• {mrkdwn_id(c.customer_id)} — " + " · ".join(head)]
    if c.overdue_milestones:
        lines.append("    overdue: " + ", ".join(mrkdwn_id(m) for m in c.overdue_milestones))
    if c.next_activities:
        lines.append("    next: " + "; ".join(mrkdwn(a) for a in c.next_activities))
    entry = "\n".join(lines)
    return entry if len(entry) <= _SECTION_CHARS else entry[: _SECTION_CHARS - 1] + "…"


def _sections(entries: Sequence[str]) -> tuple[list[str], int]:
    """Entries packed into sections of at most _SECTION_CHARS, and how many fit in the blocks
    a message may have (long entries can need a section each)."""
    out: list[str] = []
    for n, e in enumerate(entries):
        if out and len(out[-1]) + 1 + len(e) <= _SECTION_CHARS:
            out[-1] += "\n" + e
        elif len(out) == _MAX_SECTIONS:
            return out, n
        else:
            out.append(e)
    return out, len(entries)


def slack_payload(batch: Batch, report_path: str | None) -> dict[str, Any]:
    text = mrkdwn(subject(batch))
    since = format_instant(batch.previous_as_of)
    head = (
        f"*journeyctl*: {mrkdwn(headline(batch))}\nas of {format_instant(batch.as_of)} "
        f"(compared with {since}) · rule {mrkdwn_id(batch.rule.name)}"
    )
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": head}}]
    sections, listed = _sections([slack_entry(c) for c in batch.customers[:MAX_LISTED]])
    for s in sections:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": s}})
    more = len(batch.customers) - listed
    if more:
        tail = f"and {more} more" + (f": see {mrkdwn_id(report_path)}" if report_path else "")
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": tail}]})
    payload: dict[str, Any] = {"text": text, "blocks": blocks}
    if batch.routed:
        # the channel override of Slack incoming webhooks
        payload["channel"] = batch.recipient
    return payload


# -- generic webhook ---------------------------------------------------------------------------
def customer_json(c: Notified) -> dict[str, Any]:
    return {
        "customer_id": c.customer_id,
        "journey": c.journey,
        "stage": c.stage,
        "status": c.status,
        "categories": list(c.categories),
        "risk_level": c.risk_level,
        "risks": list(c.risks),
        "days_in_stage": c.days_in_stage,
        "overdue_milestones": list(c.overdue_milestones),
        "next_activities": list(c.next_activities),
    }


def webhook_payload(batch: Batch, report_path: str | None) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "rule": batch.rule.name,
        "as_of": format_instant(batch.as_of),
        "previous_as_of": format_instant(batch.previous_as_of),
        "recipient": batch.recipient,
        "summary": headline(batch),
        "report": report_path,
        "customers": [customer_json(c) for c in batch.customers],
    }


# -- e-mail ------------------------------------------------------------------------------------
def html_body(batch: Batch, report_path: str | None) -> str:
    e = html.escape
    rows = []
    for c in batch.customers[:MAX_LISTED]:
        risk = "" if c.risk_level == "none" else c.risk_level + (": " if c.risks else "")
        cells = (
            f"<b>{e(c.customer_id)}</b>",
            e(f"{c.journey or 'unmatched'} / {c.stage or 'not started'} ({c.status})"),
            e(", ".join(label(x) for x in c.categories)),
            e(risk + "; ".join(c.risks if risk else ())),
            e(_days(c.days_in_stage) or ""),
            e(", ".join(c.overdue_milestones)),
            "<br>".join(e(a) for a in c.next_activities),
        )
        rows.append("<tr>" + "".join(f"<td>{x}</td>" for x in cells) + "</tr>")
    more = _more(batch)
    tail = (
        f"<p>and {more} more" + (f": see {e(report_path)}" if report_path else "") + "</p>"
        if more
        else ""
    )
    head = "".join(
        f"<th>{h}</th>"
        for h in ("customer", "where", "why", "risk", "in stage", "overdue", "next activities")
    )
    return (
        '<!doctype html>\n<html><body style="font-family: sans-serif">\n'
        f"<h2>journeyctl: {e(headline(batch))}</h2>\n"
        f"<p>as of {format_instant(batch.as_of)} (compared with "
        f"{format_instant(batch.previous_as_of)}); rule {e(batch.rule.name)}</p>\n"
        f'<table border="1" cellpadding="4" cellspacing="0"><tr>{head}</tr>\n'
        + "\n".join(rows)
        + f"\n</table>\n{tail}\n</body></html>\n"
    )


def email_parts(batch: Batch, report_path: str | None) -> dict[str, Any]:
    to = [batch.recipient] if batch.routed else list(batch.rule.to)
    return {
        "from": batch.rule.sender,
        "to": to,
        "subject": subject(batch),
        "text": text_body(batch, report_path),
        "html": html_body(batch, report_path),
    }


def render(batch: Batch, report_path: str | None) -> Message:
    channel = batch.rule.channel
    if channel == "slack":
        body: dict[str, Any] = slack_payload(batch, report_path)
    elif channel == "webhook":
        body = webhook_payload(batch, report_path)
    else:
        body = email_parts(batch, report_path)
    return Message(
        batch.as_of,
        batch.rule.name,
        channel,
        batch.recipient,
        batch.routed,
        len(batch.customers),
        subject(batch),
        json.dumps(body, ensure_ascii=False, sort_keys=False),
    )


def readable(m: Message, destination: str) -> str:
    """What a dry run prints: what the people will read, not the wire format."""
    via = m.channel if m.recipient == destination else f"{m.channel} via {destination}"
    head = f"=== {m.rule} -> {m.recipient} ({via}) ==="
    body = json.loads(m.body)
    if m.channel == "email":
        text = (
            f"From: {body['from']}\nTo: {', '.join(body['to'])}\n"
            f"Subject: {body['subject']}\n\n{body['text']}"
        )
    elif m.channel == "slack":
        texts = [b["text"]["text"] for b in body["blocks"] if b["type"] == "section"]
        texts += [b["elements"][0]["text"] for b in body["blocks"] if b["type"] == "context"]
        text = "\n".join(texts).replace(_ZWSP, "") + "\n"
    else:
        text = json.dumps(body, indent=2, ensure_ascii=False) + "\n"
    return f"{head}\n{text}"
