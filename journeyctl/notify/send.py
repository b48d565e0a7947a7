"""Sending one message: HTTP POST (Slack, webhook) or SMTP. Errors come back as short texts that
name no secret (no URL, user or password), ready for the summary and the database."""

from __future__ import annotations

import http.client
import json
import smtplib
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from journeyctl.notify.config import Rule, scrub
from journeyctl.notify.message import Message

TIMEOUT = 10.0
USER_AGENT = "journeyctl-notify"


class SendError(Exception):
    """A send that failed; `str()` is a short reason without secrets (`HTTP 500`, `timed out`)."""


Sender = Callable[[Rule, Message], None]


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ssl.SSLError):
        return f"TLS error: {exc.reason or type(exc).__name__}"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return type(exc).__name__


def post_json(url: str, body: bytes, timeout: float) -> None:
    req = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT},
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            resp.read(65536)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise SendError(f"HTTP {exc.code}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        raise SendError(
            _reason(reason) if isinstance(reason, BaseException) else str(reason)
        ) from None
    except (OSError, ValueError) as exc:
        raise SendError(_reason(exc)) from None
    except http.client.HTTPException as exc:
        raise SendError(f"bad HTTP response ({type(exc).__name__})") from None


def email_message(m: Message) -> EmailMessage:
    parts = json.loads(m.body)
    msg = EmailMessage()
    msg["Subject"] = parts["subject"]
    msg["From"] = parts["from"]
    msg["To"] = ", ".join(parts["to"])
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = make_msgid(domain="journeyctl")
    msg.set_content(parts["text"])
    msg.add_alternative(parts["html"], subtype="html")
    return msg


def send_smtp(rule: Rule, m: Message, timeout: float, context: ssl.SSLContext | None) -> None:
    server = rule.smtp
    assert server is not None  # an email rule always has one (config validation)
    ctx = context or ssl.create_default_context()
    conn: smtplib.SMTP
    try:
        if server.implicit_tls:
            conn = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=ctx)
        else:
            conn = smtplib.SMTP(server.host, server.port, timeout=timeout)
        with conn:
            conn.ehlo()
            if not server.implicit_tls:
                if conn.has_extn("starttls"):
                    conn.starttls(context=ctx)
                    conn.ehlo()
                elif server.password:
                    raise SendError(
                        "the server does not offer STARTTLS; the password is never sent in clear"
                    )
            if server.username is not None:
                conn.login(server.username, server.password or "")
            conn.send_message(email_message(m))
    except SendError:
        raise
    except smtplib.SMTPNotSupportedError:
        raise SendError("SMTP: the server offers no authentication (AUTH)") from None
    except smtplib.SMTPAuthenticationError as exc:
        raise SendError(f"SMTP authentication failed ({exc.smtp_code})") from None
    except smtplib.SMTPResponseException as exc:
        raise SendError(f"SMTP {exc.smtp_code}") from None
    except smtplib.SMTPRecipientsRefused:
        raise SendError("SMTP: every recipient was refused") from None
    except (smtplib.SMTPException, OSError, ValueError) as exc:
        raise SendError(scrub(f"SMTP: {_reason(exc)}", rule.secrets)) from None


def make_sender(timeout: float = TIMEOUT, tls: ssl.SSLContext | None = None) -> Sender:
    """The real sender; `tls` verifies SMTP servers (default: the system's trusted CAs)."""

    def send(rule: Rule, m: Message) -> None:
        if rule.channel == "email":
            send_smtp(rule, m, timeout, tls)
        else:
            assert rule.url is not None
            post_json(rule.url, m.body.encode("utf-8"), timeout)

    return send
