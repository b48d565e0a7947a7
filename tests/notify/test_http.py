"""`report` notifications over HTTP (Slack and the generic webhook) to a real server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import sqlite3
import tomllib
from pathlib import Path
from typing import Any

import pytest

from journeyctl.history import HistoryStore
from journeyctl.history import notifications as log
from journeyctl.notify.config import parse_rules
from journeyctl.notify.deliver import deliver
from journeyctl.notify.message import Message
from journeyctl.notify.send import make_sender
from tests.helpers import run
from tests.notify import data
from tests.notify.leaks import leaks
from tests.notify.servers import HANG, HttpRecorder, refused_url

DB = Path(".journeyctl/history.db")
REPORT = Path(".journeyctl/journeyctl-report")
ON = '"newly_at_risk:high", "churned", "milestone_overdue"'


def hook(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("HOOK_URL", url)


def both(*extra: str) -> list[Any]:
    """The first snapshot (nothing is sent for it), then the second; both results."""
    first = run(*data.report_args(data.T1, *extra))
    assert first.exit_code == 0, first.stderr
    return [first, run(*data.report_args(data.T2, *extra))]


def recorded() -> list[dict[str, Any]]:
    res = run("history", "--notifications", "--format", "json")
    assert res.exit_code == 0, res.stderr
    rows: list[dict[str, Any]] = json.loads(res.stdout)["notifications"]
    return rows


def texts(payload: dict[str, Any]) -> list[str]:
    """Every mrkdwn text of a Slack payload."""
    out = [payload["text"]]
    for b in payload["blocks"]:
        if b["type"] == "section":
            out.append(b["text"]["text"])
        else:
            out += [e["text"] for e in b["elements"]]
    return out


def test_sent_once_and_not_again(
    work: Path, http: HttpRecorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    data.config(work, data.slack_rule(on=ON))
    hook(monkeypatch, http.url(f"/services/{data.TOKEN}"))
    results = both()
    assert results[1].exit_code == 0, results[1].stderr
    assert len(http.requests) == 1
    req = http.requests[0]
    assert req.path == f"/services/{data.TOKEN}"
    body = req.json()
    assert body["text"] == (
        "journeyctl: 2 newly at risk, 1 churned, 1 with a milestone newly overdue "
        "(as of 2026-01-20)"
    )
    entries = "\n".join(texts(body)[2:])
    # worst risk first, then id: a1 and MARKUP (high), n1 (medium), b1 (none)
    order = [entries.index(x) for x in ("`a1`", "x&lt;!here", "`n1`", "`b1`")]
    assert order == sorted(order)
    assert "channel" not in body  # not routed
    assert "notifications: 1 sent" in results[1].stderr

    again = run(*data.report_args(data.T2))
    assert again.exit_code == 0, again.stderr
    assert len(http.requests) == 1
    assert "notifications: 1 recorded before" in again.stderr
    rows = recorded()
    assert [(r["rule"], r["status"], r["attempts"], r["runs"], r["customers"]) for r in rows] == [
        ("cs-slack", "sent", 1, 1, 4)
    ]
    assert rows[0]["destination"] == rows[0]["recipient"] == "http://127.0.0.1"
    outputs = [r.stdout + r.stderr for r in [*results, again]]
    assert leaks(data.TOKEN, outputs, work) == []


def test_500_then_200_is_retried_and_sent(
    work: Path, http: HttpRecorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    data.config(work, data.slack_rule(on=ON))
    hook(monkeypatch, http.url(f"/services/{data.TOKEN}"))
    http.plan = [500]
    results = both()
    assert results[1].exit_code == 0, results[1].stderr
    assert len(http.requests) == 2
    assert http.requests[0].body == http.requests[1].body
    rows = recorded()
    assert [(r["status"], r["attempts"], r["last_error"]) for r in rows] == [("sent", 2, None)]


def test_refused_fails_with_exit_2_then_is_retried_and_given_up(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data.config(work, data.slack_rule(on=ON))
    hook(monkeypatch, refused_url(f"/services/{data.TOKEN}"))
    results = both("--fail-on", "churned>0")
    res = results[1]
    assert res.exit_code == 2, res.stderr  # 2 wins over the met --fail-on (1)
    lines = res.stderr.strip().splitlines()
    assert "fail-on met: churned>0" in lines
    assert lines[-1] == (
        "report stored; 1 notification failed: cs-slack -> http://127.0.0.1: connection refused; "
        "it will be retried on the next run"
    )
    # the snapshot and the report are stored and complete
    report = json.loads((REPORT / "report.json").read_text())
    assert report["as_of"] == data.T2
    assert report["changes"]["churned"] == ["b1"]
    assert (REPORT / "report.html").stat().st_size > 0
    with HistoryStore.open(str(DB)) as store:
        assert len(store.snapshots()) == 2
    assert [(r["status"], r["attempts"], r["runs"]) for r in recorded()] == [("failed", 3, 1)]

    # the next runs retry it (here through the library, without the 1 s + 2 s of pauses)
    raw = tomllib.loads((work / "journeyctl.toml").read_text())
    rules = parse_rules(raw["notify"], "journeyctl.toml", os.environ)
    pauses: list[float] = []
    for runs, status in ((2, "failed"), (3, "given_up")):
        with HistoryStore.open(str(DB)) as store:
            d = deliver(store, rules, [], send=make_sender(), now=lambda: 0, sleep=pauses.append)
        assert [(o.status, o.retry) for o in d.outcomes] == [(status, True)]
        assert [(r["status"], r["runs"], r["attempts"]) for r in recorded()] == [
            (status, runs, 3 * runs)
        ]
    assert pauses == [1.0, 2.0] * 2  # the in-run retry schedule
    assert "given up after 3 runs" in (d.summary() or "")
    # given up: a later run neither retries nor resends it
    again = run(*data.report_args(data.T2))
    assert again.exit_code == 0, again.stderr
    assert recorded()[0]["runs"] == 3
    outputs = [r.stdout + r.stderr for r in [*results, again]]
    assert leaks(data.TOKEN, outputs, work) == []


def test_a_hanging_server_times_out_and_a_retry_succeeds(
    work: Path, http: HttpRecorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    data.config(work, data.slack_rule(on=ON))
    hook(monkeypatch, http.url(f"/services/{data.TOKEN}"))
    raw = tomllib.loads((work / "journeyctl.toml").read_text())
    rules = parse_rules(raw["notify"], "journeyctl.toml", os.environ)
    m = Message(1, "cs-slack", "slack", "http://127.0.0.1", False, 1, "s", '{"text": "x"}')
    http.plan = [HANG, HANG, HANG, HANG, 200]
    send = make_sender(timeout=0.3)
    with HistoryStore.open(str(DB)) as store:
        d = deliver(store, rules, [m], send=send, now=lambda: 0, sleep=lambda s: None)
        assert [(o.status, o.attempts, o.error) for o in d.outcomes] == [("failed", 3, "timed out")]
        d = deliver(store, rules, [m], send=send, now=lambda: 0, sleep=lambda s: None)
        assert [(o.status, o.attempts, o.retry) for o in d.outcomes] == [("sent", 2, True)]
    assert len(http.requests) == 5


def test_markup_and_mrkdwn_are_escaped(
    work: Path, http: HttpRecorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = data.slack_rule(on=ON) + (
        '[[notify]]\nname = "hook"\non = ["newly_at_risk"]\nchannel = "webhook"\n'
        'url = "${HOOK_URL}"\n'
    )
    data.config(work, rules)
    hook(monkeypatch, http.url(f"/services/{data.TOKEN}"))
    assert both()[1].exit_code == 0
    slack, webhook = (r.json() for r in http.requests)
    for t in texts(slack):
        # no link, mention or HTML can be injected; the data's & shows as typed
        assert "<" not in t and ">" not in t, t
    allt = "\n".join(texts(slack))
    assert "x&lt;!here&gt;*\u200bb*\u200b_\u200bi_\u200b~\u200bs~\u200b`\u200b&amp;amp" in allt
    assert "Unhappy &lt;b&gt;customer&lt;/b&gt; &amp;amp; co" not in allt  # not escaped twice
    assert "Unhappy &lt;b&gt;customer&lt;/b&gt; &amp; co" in allt
    assert "Send the &lt;setup&gt; guide &amp; checklist" in allt
    # the generic webhook is JSON: values as they are
    ids = [c["customer_id"] for c in webhook["customers"]]
    assert ids == ["a1", data.MARKUP, "n1"]
    assert webhook["customers"][0]["risks"] == ["Unhappy <b>customer</b> & co"]
    assert webhook["schema_version"] == 1
    assert (webhook["rule"], webhook["as_of"], webhook["previous_as_of"]) == (
        "hook",
        data.T2,
        data.T1,
    )


@pytest.mark.parametrize("default_to", [True, False])
def test_routing_by_owner(
    work: Path, http: HttpRecorder, monkeypatch: pytest.MonkeyPatch, default_to: bool
) -> None:
    rule = data.slack_rule(on=ON, route=True)
    if not default_to:
        rule = rule.replace('default_to = "#cs-alerts"\n', "")
    data.config(work, rule)
    hook(monkeypatch, http.url(f"/services/{data.TOKEN}"))
    assert both()[1].exit_code == 0
    got = {}
    for r in http.requests:
        body = r.json()
        ids = [i for i in ("`a1`", "x&lt;!here", "`n1`", "`b1`") if i in "\n".join(texts(body))]
        got[body.get("channel")] = ids
    # n1 has no owner: default_to, else the rule's own destination (no channel override)
    assert got == {
        "ann@example.com": ["`a1`", "x&lt;!here"],
        "bob@example.com": ["`b1`"],
        "#cs-alerts" if default_to else None: ["`n1`"],
    }
    recipients = sorted(r["recipient"] for r in recorded())
    assert recipients == sorted(
        ["ann@example.com", "bob@example.com", "#cs-alerts" if default_to else "http://127.0.0.1"]
    )


def test_120_customers_in_one_message(
    tmp_path: Path, http: HttpRecorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    data.write(tmp_path, bulk=120)
    monkeypatch.chdir(tmp_path)
    rules = data.slack_rule(on='"newly_at_risk"', route=True) + (
        '[[notify]]\nname = "hook"\non = ["newly_at_risk"]\nchannel = "webhook"\n'
        'url = "${HOOK_URL}"\nroute_by = "owner"\n'
    )
    data.config(tmp_path, rules)
    hook(monkeypatch, http.url(f"/services/{data.TOKEN}"))
    assert both()[1].exit_code == 0
    bulk = [r.json() for r in http.requests if "bulk@example.com" in r.body.decode()]
    slack = next(b for b in bulk if "blocks" in b)
    webhook = next(b for b in bulk if "customers" in b)
    assert slack["text"].startswith("journeyctl: 120 newly at risk (as of 2026-01-20)")
    assert len(slack["blocks"]) <= 50
    assert all(len(t) <= 3000 for t in texts(slack))
    shown = "\n".join(texts(slack)).count("\n• ") + texts(slack)[1].startswith("• ")
    assert shown == 50
    page = (tmp_path / ".journeyctl" / "journeyctl-report" / "report.html").resolve()
    assert slack["blocks"][-1]["elements"][0]["text"] == f"and 70 more: see `{page}`"
    assert len(webhook["customers"]) == 120  # the webhook lists them all


def test_dry_run_prints_and_neither_sends_nor_records(
    work: Path, http: HttpRecorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    data.config(work, data.slack_rule(on=ON, route=True))
    hook(monkeypatch, http.url(f"/services/{data.TOKEN}"))
    results = both("--notify-dry-run")
    res = results[1]
    assert res.exit_code == 0, res.stderr
    assert http.requests == []
    assert res.stdout.count("=== cs-slack -> ") == 3
    assert "=== cs-slack -> #cs-alerts (slack via http://127.0.0.1) ===" in res.stdout
    assert "notify dry run: 3 message(s), none sent" in res.stderr
    assert recorded() == []
    # --no-notify: nothing either; then a real run sends all three
    assert run(*data.report_args(data.T2, "--no-notify")).exit_code == 0
    assert http.requests == [] and recorded() == []
    assert run(*data.report_args(data.T2)).exit_code == 0
    assert len(http.requests) == 3
    assert leaks(data.TOKEN, [r.stdout + r.stderr for r in results], work) == []


def test_notify_name_runs_one_rule(
    work: Path, http: HttpRecorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    data.config(work, data.slack_rule("one", on=ON) + data.slack_rule("two", on='"churned"'))
    hook(monkeypatch, http.url(f"/services/{data.TOKEN}"))
    assert both("--notify", "two")[1].exit_code == 0
    assert [r["rule"] for r in recorded()] == ["two"]
    res = run(*data.report_args(data.T2, "--notify", "three"))
    assert res.exit_code == 2
    assert "unknown --notify rule 'three'" in res.stderr and "one, two" in res.stderr


def test_the_database_holds_no_url(
    work: Path, http: HttpRecorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    data.config(work, data.slack_rule(on=ON))
    hook(monkeypatch, http.url(f"/services/{data.TOKEN}"))
    assert both()[1].exit_code == 0
    con = sqlite3.connect(DB)
    rows = con.execute("SELECT * FROM notifications").fetchall()
    con.close()
    assert rows and all("/services" not in str(v) for row in rows for v in row)
    with HistoryStore.open(str(DB)) as store:
        assert [r.status for r in log.every(store)] == ["sent"]


def test_journey_globs_and_the_history_table(
    work: Path, http: HttpRecorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    data.config(
        work,
        data.slack_rule("other", on=ON, extra='journeys = ["other-*"]\n')
        + data.slack_rule("acct", on=ON, extra='journeys = ["ac*"]\n'),
    )
    hook(monkeypatch, http.url(f"/services/{data.TOKEN}"))
    res = run("history", "--notifications", "--db", str(DB))
    assert res.exit_code == 2  # no database yet
    assert both()[1].exit_code == 0
    assert [r["rule"] for r in recorded()] == ["acct"]
    res = run("history", "--notifications")
    assert res.exit_code == 0, res.stderr
    assert "Notifications" in res.stdout
    assert "│ acct " in res.stdout and "│ sent " in res.stdout and "http://127.0.0.1" in res.stdout
    assert data.TOKEN not in res.stdout + res.stderr
