"""`report` notifications by e-mail to a real SMTP server on 127.0.0.1 (aiosmtpd) with STARTTLS,
implicit TLS and authentication on a throwaway certificate."""

from __future__ import annotations

import email
import email.policy
import json
from email.message import EmailMessage
from pathlib import Path

import pytest

from journeyctl.history import HistoryStore
from journeyctl.notify.config import parse_rules
from journeyctl.notify.deliver import deliver
from journeyctl.notify.message import Message
from journeyctl.notify.send import make_sender
from tests.helpers import run
from tests.notify import data
from tests.notify.leaks import leaks
from tests.notify.servers import SMTP_PASSWORD, SMTP_USER, smtp_server

ON = '"newly_at_risk:medium", "churned", "milestone_overdue"'


def mail_rule(port: int, scheme: str = "smtp", route: bool = False) -> str:
    routing = 'route_by = "owner"\n' if route else ""
    return (
        f'[[notify]]\nname = "owner-mail"\non = [{ON}]\nchannel = "email"\n'
        f'smtp = "{scheme}://{SMTP_USER}:${{SMTP_PASSWORD}}@127.0.0.1:{port}"\n'
        f'from = "journeyctl@example.com"\nto = ["cs-leads@example.com"]\n{routing}\n'
    )


def parsed(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def parts(msg: EmailMessage) -> tuple[str, str]:
    text = msg.get_body(("plain",))
    page = msg.get_body(("html",))
    assert text is not None and page is not None
    return text.get_content(), page.get_content()  # type: ignore[attr-defined]


@pytest.mark.parametrize("route", [False, True])
def test_starttls_with_authentication(
    work: Path, monkeypatch: pytest.MonkeyPatch, route: bool
) -> None:
    with smtp_server(work.parent) as box:
        monkeypatch.setenv("SMTP_PASSWORD", SMTP_PASSWORD)
        # the CLI verifies the server with the system's trust store: here the test CA
        monkeypatch.setenv("SSL_CERT_FILE", str(box.ca_file))
        data.config(work, mail_rule(box.port, route=route))
        first = run(*data.report_args(data.T1))
        res = run(*data.report_args(data.T2))
        assert res.exit_code == 0, res.stderr
        again = run(*data.report_args(data.T2))
        assert again.exit_code == 0, again.stderr
    assert box.logins  # authenticated, which the server allows only over TLS
    got = {tuple(rcpt): parsed(raw) for _, rcpt, raw in box.messages}
    if route:
        # by owner; n1 has none and goes to the rule's `to`
        assert sorted(got) == [
            ("ann@example.com",),
            ("bob@example.com",),
            ("cs-leads@example.com",),
        ]
        msg = got[("ann@example.com",)]
        assert msg["Subject"] == "journeyctl: 2 newly at risk (as of 2026-01-20)"
    else:
        assert sorted(got) == [("cs-leads@example.com",)]  # once: the re-run sent nothing
        msg = got[("cs-leads@example.com",)]
        assert msg["Subject"] == (
            "journeyctl: 3 newly at risk, 1 churned, 1 with a milestone newly overdue "
            "(as of 2026-01-20)"
        )
    assert msg["From"] == "journeyctl@example.com"
    text, page = parts(msg)
    assert f"- {data.MARKUP}: acct / adoption (active)" in text
    assert "Unhappy <b>customer</b> & co" in text
    # the HTML part escapes everything that came from the data
    assert "x&lt;!here&gt;*b*_i_~s~`&amp;amp" in page
    assert "<!here>" not in page and "<b>customer" not in page
    assert "Unhappy &lt;b&gt;customer&lt;/b&gt; &amp; co" in page
    outputs = [r.stdout + r.stderr for r in (first, res, again)]
    assert leaks(SMTP_PASSWORD, outputs, work) == []


def test_implicit_tls(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with smtp_server(work.parent, implicit_tls=True) as box:
        rules = parse_rules(
            [
                {
                    "name": "m",
                    "on": ["churned"],
                    "channel": "email",
                    "smtp": f"smtps://{SMTP_USER}:${{PW}}@127.0.0.1:{box.port}",
                    "from": "a@example.com",
                    "to": ["b@example.com"],
                }
            ],
            "journeyctl.toml",
            {"PW": SMTP_PASSWORD},
        )
        body = {"from": "a@example.com", "to": ["b@example.com"], "subject": "s", "text": "t"}
        m = Message(
            1, "m", "email", "b@example.com", False, 1, "s", json.dumps(body | {"html": "<p>t</p>"})
        )
        with HistoryStore.open(str(work / "h.db")) as store:
            d = deliver(store, rules, [m], send=make_sender(tls=box.client_tls), now=lambda: 0)
    assert [(o.status, o.error) for o in d.outcomes] == [("sent", None)]
    assert len(box.messages) == 1 and box.logins == [SMTP_USER]


def test_wrong_password_and_untrusted_certificate_fail_without_secrets(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with smtp_server(work.parent) as box:
        for pw, tls, error in (
            ("wrong-pw-123", box.client_tls, "SMTP authentication failed (535)"),
            (SMTP_PASSWORD, None, "SMTP: TLS error: CERTIFICATE_VERIFY_FAILED"),
        ):
            rules = parse_rules(
                [
                    {
                        "name": "m",
                        "on": ["churned"],
                        "channel": "email",
                        "smtp": f"smtp://{SMTP_USER}:${{PW}}@127.0.0.1:{box.port}",
                        "from": "a@example.com",
                        "to": ["b@example.com"],
                    }
                ],
                "journeyctl.toml",
                {"PW": pw},
            )
            body = {"from": "a@example.com", "to": ["b@example.com"], "subject": "s"}
            m = Message(
                1,
                "m",
                "email",
                "b@example.com",
                False,
                1,
                "s",
                json.dumps(body | {"text": "t", "html": "h"}),
            )
            with HistoryStore.open(str(work / f"{pw}.db")) as store:
                d = deliver(
                    store,
                    rules,
                    [m],
                    send=make_sender(tls=tls),
                    now=lambda: 0,
                    sleep=lambda s: None,
                )
            assert [(o.status, o.error) for o in d.outcomes] == [("failed", error)]
            assert pw not in (d.summary() or "")
    assert box.messages == []
    assert leaks(SMTP_PASSWORD, [], work) == [] and leaks("wrong-pw-123", [], work) == []


def test_no_password_in_clear_when_starttls_is_not_offered(work: Path) -> None:
    with smtp_server(work.parent, plain=True) as box:
        rules = parse_rules(
            [
                {
                    "name": "m",
                    "on": ["churned"],
                    "channel": "email",
                    "smtp": f"smtp://{SMTP_USER}:${{PW}}@127.0.0.1:{box.port}",
                    "from": "a@example.com",
                    "to": ["b@example.com"],
                }
            ],
            "journeyctl.toml",
            {"PW": SMTP_PASSWORD},
        )
        body = {"from": "a@example.com", "to": ["b@example.com"], "subject": "s"}
        m = Message(
            1, "m", "email", "b", False, 1, "s", json.dumps(body | {"text": "t", "html": "h"})
        )
        with HistoryStore.open(str(work / "h.db")) as store:
            d = deliver(store, rules, [m], send=make_sender(), now=lambda: 0, sleep=lambda s: None)
    assert [(o.status, o.error) for o in d.outcomes] == [
        ("failed", "the server does not offer STARTTLS; the password is never sent in clear")
    ]
    assert box.logins == [] and box.messages == []
