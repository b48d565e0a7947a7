"""Real servers on 127.0.0.1 for the notification tests: an HTTP server that records requests and
answers what it is told (a status, or a hang), and an SMTP server with STARTTLS (or implicit TLS)
and authentication, on a throwaway certificate."""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

HANG = "hang"
SMTP_USER = "journeys"
SMTP_PASSWORD = "pw-Secret-4711"


@dataclass
class Recorded:
    path: str
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HttpRecorder:
    """What the server was sent, and what it answers next (a status or HANG; then 200)."""

    port: int = 0
    requests: list[Recorded] = field(default_factory=list)
    plan: list[int | str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def _handler(rec: HttpRecorder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with rec.lock:
                rec.requests.append(Recorded(self.path, body))
                answer = rec.plan.pop(0) if rec.plan else 200
            if answer == HANG:
                rec.release.wait(30)  # the client times out first; teardown releases it
                return
            self.send_response(int(answer))
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextlib.contextmanager
def http_server() -> Iterator[HttpRecorder]:
    rec = HttpRecorder()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(rec))
    server.daemon_threads = True
    rec.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield rec
    finally:
        rec.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


def refused_url(path: str = "/hook") -> str:
    """A URL on a port where nothing listens: connection refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mailbox:
    port: int
    ca_file: Path
    client_tls: ssl.SSLContext
    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)


class _Handler:
    def __init__(self, box: list[tuple[str, list[str], bytes]]) -> None:
        self.box = box

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.box.append((str(envelope.mail_from), list(envelope.rcpt_tos), content))
        return "250 OK"


@contextlib.contextmanager
def smtp_server(tmp: Path, *, implicit_tls: bool = False, plain: bool = False) -> Iterator[Mailbox]:
    """aiosmtpd on 127.0.0.1 with AUTH (only over TLS) and STARTTLS required, or implicit TLS."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_tls)
    client_tls = ssl.create_default_context()
    ca.configure_trust(client_tls)
    ca_file = tmp / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    messages: list[tuple[str, list[str], bytes]] = []
    logins: list[str] = []

    def authenticate(
        server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and data.login == SMTP_USER.encode()
            and data.password == SMTP_PASSWORD.encode()
        )
        if ok:
            logins.append(SMTP_USER)
        return AuthResult(success=ok, handled=False)

    port = free_port()
    kwargs: dict[str, Any] = {
        "hostname": "127.0.0.1",
        "port": port,
        "authenticator": authenticate,
        "auth_require_tls": True,
        "ready_timeout": 10,
    }
    if plain:
        # no TLS at all: AUTH offered in clear (a client must refuse to send a password)
        kwargs.update(auth_require_tls=False)
    elif implicit_tls:
        # aiosmtpd counts only STARTTLS as TLS for AUTH; the whole connection is TLS here
        kwargs.update(ssl_context=server_tls, auth_require_tls=False)
    else:
        kwargs.update(tls_context=server_tls, require_starttls=True)
    controller = Controller(_Handler(messages), **kwargs)
    controller.start()
    try:
        yield Mailbox(port, ca_file, client_tls, messages, logins)
    finally:
        controller.stop()
