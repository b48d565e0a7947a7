"""Fixtures of the event-source tests: a real PostgreSQL server on a private port."""

from __future__ import annotations

import glob
import os
import shlex
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

PASSWORD = "Xq7-s3cr3t-pw"  # grepped for in every output: it must never appear


@dataclass(frozen=True)
class Postgres:
    host: str
    port: int
    user: str
    password: str
    db: str
    socket_dir: str

    def url(self, password: str | None = None) -> str:
        pw = self.password if password is None else password
        return f"postgresql://{self.user}:{pw}@{self.host}:{self.port}/{self.db}"

    def psql(self, sql: str) -> None:
        """Run SQL as the superuser over the private socket."""
        _as_owner(
            [
                _bin("psql"),
                "-h",
                self.socket_dir,
                "-p",
                str(self.port),
                "-d",
                self.db,
                "-v",
                "ON_ERROR_STOP=1",
                "-q",
                "-f",
                "-",
            ],
            sql,  # on stdin: a long INSERT does not fit in a command line
        )


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name) or name


def _as_owner(cmd: list[str], stdin: str | None = None) -> None:
    """As the `postgres` user when root (the server refuses to run as root)."""
    if os.geteuid() == 0:
        cmd = ["su", "postgres", "-c", shlex.join(cmd)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120, input=stdin, text=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        pytest.skip("PostgreSQL server binaries are absent (apt-get install postgresql)")
    if os.geteuid() == 0 and shutil.which("su") is None:
        pytest.skip("running as root without `su` to start PostgreSQL as its own user")
    base = tempfile.mkdtemp(prefix="journeyctl-pg-")
    os.chmod(base, 0o755)
    data = os.path.join(base, "data")
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    port = _free_port()
    _as_owner(
        [
            _bin("initdb"),
            "-D",
            data,
            "-U",
            "postgres",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
        ]
    )
    opts = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
    _as_owner(
        [_bin("pg_ctl"), "-D", data, "-o", opts, "-l", os.path.join(base, "log"), "-w", "start"]
    )
    pg = Postgres("127.0.0.1", port, "analyst", PASSWORD, "postgres", base)
    try:
        pg.psql(f"CREATE ROLE analyst LOGIN PASSWORD '{PASSWORD}'")
        yield pg
    finally:
        _as_owner([_bin("pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop"])
        shutil.rmtree(base, ignore_errors=True)
