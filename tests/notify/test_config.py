"""`[[notify]]` rules: what is accepted, and every error is exit 2 naming the key, before placing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from journeyctl.notify.config import NotifyConfigError, Trigger, parse_rules
from tests.helpers import run
from tests.notify import data

SLACK: dict[str, Any] = {
    "name": "s",
    "on": ["newly-at-risk:high", "churned", "milestone_overdue"],
    "channel": "slack",
    "url": "https://hooks.example.com/services/${TOKEN}",
}
ENV = {"TOKEN": "T0/B0/secret-xyz"}


def test_a_slack_rule() -> None:
    (rule,) = parse_rules([SLACK], "j.toml", ENV)
    assert rule.on == (
        Trigger("newly_at_risk", "high"),
        Trigger("churned"),
        Trigger("milestone_overdue"),
    )
    assert rule.url == "https://hooks.example.com/services/T0/B0/secret-xyz"
    assert rule.destination == "https://hooks.example.com"
    assert "T0/B0/secret-xyz" in rule.secrets
    assert "secret-xyz" not in repr(rule)  # nor in a traceback or a debug print


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"chanel": "slack"}, "`chanel` is not a notify key"),
        ({"channel": "teams"}, "`channel` must be one of slack, webhook, email"),
        ({"on": ["churn"]}, "`on` has an unknown category 'churn'"),
        ({"on": ["newly_at_risk:severe"]}, "'newly_at_risk:severe': unknown level"),
        ({"on": ["churned:high"]}, "only newly_at_risk takes a level"),
        ({"on": []}, "`on` is required"),
        ({"url": "${NOPE}"}, "`url` uses ${NOPE}, which is not set"),
        ({"url": "ftp://x/y"}, "`url` must be an http:// or https:// URL"),
        ({"default_to": "#x"}, "`default_to` needs `route_by`"),
        ({"to": ["a@example.com"]}, "`to` is for email rules, not slack"),
        ({"name": ""}, "`name` is required"),
    ],
)
def test_errors_name_the_key(change: dict[str, Any], message: str) -> None:
    with pytest.raises(NotifyConfigError) as err:
        parse_rules([SLACK | change], "j.toml", ENV)
    assert message in err.value.message
    assert err.value.message.startswith("j.toml: [[notify]] ")
    assert "secret-xyz" not in err.value.message


def test_email_rules() -> None:
    mail = {
        "name": "m",
        "on": ["newly_at_risk:medium"],
        "channel": "email",
        "smtp": "smtp://u%40x:${PW}@mail.example.com:587",
        "from": "j@example.com",
        "to": ["lead@example.com"],
    }
    (rule,) = parse_rules([mail], "j.toml", {"PW": "p@ss:w/rd"})
    assert rule.smtp is not None
    assert (rule.smtp.host, rule.smtp.port, rule.smtp.implicit_tls) == (
        "mail.example.com",
        587,
        False,
    )
    assert (rule.smtp.username, rule.smtp.password) == ("u@x", "p@ss:w/rd")
    assert rule.destination == "smtp://mail.example.com"
    (tls,) = parse_rules([mail | {"smtp": "smtps://mail.example.com"}], "j.toml", {})
    assert tls.smtp is not None and (tls.smtp.port, tls.smtp.implicit_tls) == (465, True)
    for change, message in (
        ({"to": None}, "`to` is required for email"),
        ({"to": ["not an address"]}, "is not an e-mail address"),
        ({"smtp": "http://mail.example.com"}, "`smtp` must look like smtp://"),
        ({"url": "https://x"}, "`url` is for slack and webhook rules"),
    ):
        raw = {k: v for k, v in (mail | change).items() if v is not None}
        with pytest.raises(NotifyConfigError, match=message):
            parse_rules([raw], "j.toml", {"PW": "x"})
    # route_by alone is enough: the attribute holds the address
    raw = {k: v for k, v in mail.items() if k != "to"} | {"route_by": "owner_email"}
    assert parse_rules([raw], "j.toml", {"PW": "x"})[0].route_by == "owner_email"


def test_names_are_unique() -> None:
    with pytest.raises(NotifyConfigError, match="`name` is used by two rules"):
        parse_rules([SLACK, SLACK], "j.toml", ENV)


def test_cli_checks_the_rules_before_placing(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOOK_URL", raising=False)
    data.config(work, data.slack_rule(on='"churned"'))
    res = run(*data.report_args(data.T1))
    assert res.exit_code == 2
    assert (
        "journeyctl.toml:7: [[notify]] 'cs-slack': `url` uses ${HOOK_URL}, which is not set"
        in res.stderr
    )
    assert not (work / ".journeyctl").exists()  # nothing placed or stored
    data.config(work, data.slack_rule(on='"churned"', extra='colour = "red"\n'))
    monkeypatch.setenv("HOOK_URL", "https://hooks.example.com/x")
    res = run(*data.report_args(data.T1))
    assert res.exit_code == 2
    assert "journeyctl.toml:8: [[notify]] 'cs-slack': `colour` is not a notify key" in res.stderr
    # --no-notify runs without reading the rules
    assert run(*data.report_args(data.T1, "--no-notify")).exit_code == 0
    res = run(*data.report_args(data.T1, "--no-notify", "--notify-dry-run"))
    assert res.exit_code == 2


def test_line_numbers() -> None:
    text = '[[notify]]\nname = "a"\n\n[[notify]]\nname = "b"\n"on" = ["x"]\n[other]\non = 1\n'
    raw = [{"name": "a"}, {"name": "b", "on": ["x"]}]
    with pytest.raises(NotifyConfigError) as err:
        parse_rules(raw, "j.toml", {}, text)
    assert err.value.message.startswith("j.toml:1: [[notify]] 'a': `channel`")  # the header
    with pytest.raises(NotifyConfigError) as err:
        parse_rules(raw[1:], "j.toml", {}, text.split("\n\n", 1)[1])
    assert err.value.message.startswith("j.toml:1: [[notify]] 'b': `channel`")


def test_notify_name_needs_only_that_rules_variables(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--notify cs-slack --notify-dry-run` asked for the e-mail rule's SMTP password, though only
    the Slack rule runs; without --notify every rule's variables are still required."""
    mail_rule = (
        '[[notify]]\nname = "owner-mail"\non = ["churned"]\nchannel = "email"\n'
        'smtp = "smtp://cs:${SMTP_PASSWORD}@127.0.0.1:2525"\nfrom = "cs@example.com"\n'
        'to = ["team@example.com"]\n'
    )
    data.config(work, data.slack_rule(on='"churned"') + mail_rule)
    monkeypatch.setenv("HOOK_URL", "https://hooks.example.com/x")
    monkeypatch.delenv("SMTP_PASSWORD", raising=False)
    res = run(*data.report_args(data.T1, "--notify", "cs-slack", "--notify-dry-run"))
    assert res.exit_code == 0, res.stderr
    res = run(*data.report_args(data.T1, "--notify", "owner-mail", "--notify-dry-run"))
    assert res.exit_code == 2 and "${SMTP_PASSWORD}, which is not set" in res.stderr
    res = run(*data.report_args(data.T1, "--notify", "nope", "--notify-dry-run"))
    assert res.exit_code == 2 and "rules: cs-slack, owner-mail" in res.stderr
    res = run(*data.report_args(data.T1, "--notify-dry-run"))
    assert res.exit_code == 2 and "${SMTP_PASSWORD}, which is not set" in res.stderr
