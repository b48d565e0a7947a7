"""Real processes against one database: a second writer, a kill -9 mid-write, a read-only file and
a full disk. Each leaves the previous snapshots intact and `PRAGMA integrity_check` ok."""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from journeyctl.events.timestamps import parse_instant
from journeyctl.history.store import PAUSE_ENV
from tests.helpers import run
from tests.history import scenario

DB = "hist/h.db"


def env(**extra: str) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if k not in (PAUSE_ENV, "JOURNEYCTL_JOURNEYS")}
    e.update(NO_COLOR="1", **extra)
    return e


def journeyctl(
    cwd: Path, args: list[str], preexec: Callable[[], None] | None = None, **extra: str
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "journeyctl", *args],
        cwd=cwd,
        env=env(**extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=preexec,
    )


def finish(p: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str]:
    _, err = p.communicate(timeout=timeout)
    return p.returncode, err


def wait_for(path: Path, proc: subprocess.Popen[str], timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"exited early: {proc.communicate()[1]}")
        if time.monotonic() > end:
            raise AssertionError("the writer never reached its pause")
        time.sleep(0.05)


def dump(db: Path) -> list[tuple[object, ...]]:
    """Every snapshot and placement, for comparing before and after."""
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = con.execute("SELECT as_of, tool_version FROM snapshots ORDER BY as_of").fetchall()
        rows += con.execute(
            "SELECT s.as_of, p.customer_id, p.journey, p.stage, p.status, p.risk_level, p.moves "
            "FROM placements p JOIN snapshots s ON s.id = p.snapshot_id "
            "ORDER BY s.as_of, p.customer_id"
        ).fetchall()
        return rows
    finally:
        con.close()


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    scenario.write(tmp_path)
    (tmp_path / "hist").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def first(work: Path, db: str = DB) -> list[tuple[object, ...]]:
    """The first snapshot, stored in-process (the processes that matter are the later ones)."""
    res = run(*scenario.first_args(db, "out1"))
    assert res.exit_code == 0, res.stderr
    return dump(work / db)


def has_open(proc: subprocess.Popen[str], path: Path, timeout: float = 60) -> None:
    """Wait until `proc` has opened `path` (then it is a few statements from asking the lock)."""
    end = time.monotonic() + timeout
    target = str(path.resolve())
    while time.monotonic() < end:
        with contextlib.suppress(OSError):
            fds = os.listdir(f"/proc/{proc.pid}/fd")
            if any(_link(proc.pid, fd) == target for fd in fds):
                return
        if proc.poll() is not None:
            raise AssertionError(f"exited early: {proc.communicate()[1]}")
        time.sleep(0.05)
    raise AssertionError(f"{proc.args} never opened {path}")


def _link(pid: int, fd: str) -> str:
    try:
        return os.readlink(f"/proc/{pid}/fd/{fd}")
    except OSError:
        return ""


def test_second_writer_waits_or_fails_clearly(work: Path) -> None:
    first(work)
    marker = work / "paused"
    holder = journeyctl(work, scenario.second_args(DB, "out2"), **{PAUSE_ENV: f"{marker}:300"})
    wait_for(marker, holder)  # the holder is inside its write transaction
    impatient = journeyctl(work, [*scenario.second_args(DB, "out3"), "--wait", "0.5"])
    code, err = finish(impatient)
    assert code == 2, err
    assert (
        f"error: the history database {DB} is locked by another journeyctl run (waited 0.5 s)"
        in err
    )
    assert "--wait" in err  # the hint
    assert "Traceback" not in err
    assert not (work / "out3").exists()
    patient = journeyctl(work, [*scenario.second_args(DB, "out4"), "--wait", "300"])
    has_open(patient, work / DB)
    time.sleep(1)
    assert patient.poll() is None  # waiting for the lock
    marker.unlink()  # let the holder finish
    code, err = finish(holder)
    assert code == 0, err
    code, err = finish(patient)
    assert code == 0, err
    assert "replaced the snapshot" in err  # the holder had stored T2 first
    rows = dump(work / DB)
    assert [r[0] for r in rows[:2]] == [
        scenario_instant(scenario.T1),
        scenario_instant(scenario.T2),
    ]


def scenario_instant(text: str) -> int:
    value = parse_instant(text)
    assert value is not None
    return value


def test_kill_9_mid_write_leaves_previous_state(work: Path) -> None:
    before = first(work)
    db = work / DB
    raw_before = db.read_bytes()
    marker = work / "paused"
    # Re-run the same as-of: the transaction deletes the old snapshot before writing the new one.
    writer = journeyctl(
        work,
        ["report", "base.csv", "-j", "journeys2", "--as-of", scenario.T1, "--db", DB],
        **{PAUSE_ENV: f"{marker}:120"},
    )
    wait_for(marker, writer)
    os.kill(writer.pid, signal.SIGKILL)
    writer.communicate(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    journal = Path(str(db) + "-journal")
    assert journal.exists() and journal.stat().st_size > 0  # killed with a hot journal...
    assert db.read_bytes() != raw_before  # ...and pages of the new snapshot in the file
    assert dump(db) == before  # the first connection rolls it back
    code, err = finish(journeyctl(work, ["history", "--db", DB, "--format", "json"]))
    assert code == 0, err


@contextlib.contextmanager
def immutable(path: Path) -> Iterator[None]:
    if not shutil.which("chattr"):
        pytest.skip("chattr is not available")
    res = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
    if res.returncode != 0:
        pytest.skip(f"chattr +i is not permitted here: {res.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=False)


def test_read_only_database(work: Path) -> None:
    before = first(work)
    db = work / DB
    with immutable(db):
        code, err = finish(journeyctl(work, scenario.second_args(DB, "out2")))
        assert code == 2, err
        assert f"the history database {DB} is read-only" in err
        assert "Traceback" not in err
        assert not (work / "out2").exists()
        res = run("history", "--db", DB, "--format", "json")  # reading still works
        assert res.exit_code == 0, res.stderr
    assert dump(db) == before


def _big_events(path: Path, customers: int) -> None:
    lines = ["customer_id,timestamp,event,plan,score"]
    for i in range(customers):
        lines.append(f"big-{i:05d}-{'x' * 100},2026-01-0{1 + i % 8}T09:00:00Z,signed,pro,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@contextlib.contextmanager
def small_disk(where: Path) -> Iterator[bool]:
    """A 256 KiB tmpfs at `where` (True), or a plain directory when mounting is not permitted."""
    where.mkdir()
    res = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(where)], capture_output=True
    )
    try:
        yield res.returncode == 0
    finally:
        if res.returncode == 0:
            subprocess.run(["umount", str(where)], check=False)


def test_full_disk(work: Path) -> None:
    disk = work / "disk"
    with small_disk(disk) as mounted:
        db = "disk/h.db"
        before = first(work, db)
        _big_events(work / "big.csv", 1500)
        args = ["report", "big.csv", "-j", "journeys2", "--as-of", scenario.T2, "--db", db]
        limit: Callable[[], None] | None = None
        if not mounted:  # no tmpfs: refuse to let the database file grow instead
            size = (work / db).stat().st_size + 8192

            def limit() -> None:
                resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

        code, err = finish(journeyctl(work, [*args, "--out", "out2"], preexec=limit))
        assert code == 2, err
        assert "cannot write the history database disk/h.db" in err
        assert ("the disk is full" in err) if mounted else ("disk" in err)
        assert "Traceback" not in err
        assert dump(work / db) == before
