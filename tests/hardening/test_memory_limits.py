"""Memory limits that bound memory (issue 14, item 2).

Each attack runs `journeyctl` in a subprocess under a real address-space limit (RLIMIT_AS, what
`ulimit -v` sets) and a timeout: a gzip bomb, a FIFO that never ends, /dev/zero, and an input
larger than the limit allows in memory. None may end in exit 3, 134 or 137, or a traceback."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import resource
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_journeys"
EVENTS = SAMPLE / "events.csv"
GIB = 1 << 30


def limited(address_space: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))

    return apply


def journeyctl(
    *args: str, limit: float = 1.5, timeout: float = 180, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-m", "journeyctl", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=timeout,
        preexec_fn=limited(int(limit * GIB)),
        check=False,
    )


def stopped_at_the_limit(res: subprocess.CompletedProcess[str]) -> None:
    assert res.returncode == 2, (res.returncode, res.stderr[-1500:])
    assert "--memory-limit" in res.stderr
    assert "Traceback" not in res.stderr


def _bomb(path: Path, mib: int) -> None:
    """`mib` MiB of valid rows as concatenated gzip members of 8 MiB each: a small file."""
    row = b"c-1,2026-01-01T00:00:00Z,login\n"
    member = gzip.compress(row * ((8 << 20) // len(row)), compresslevel=9)
    with path.open("wb") as fh:
        fh.write(gzip.compress(b"customer_id,timestamp,event\n"))
        for _ in range(mib // 8):
            fh.write(member)


def test_gzip_bomb_stops_at_the_limit(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.csv.gz"
    _bomb(bomb, 2048)  # 2 GiB of CSV in about 2 MB
    assert bomb.stat().st_size < 8 << 20
    stopped_at_the_limit(journeyctl("place", str(bomb), "-j", str(SAMPLE)))
    stopped_at_the_limit(
        journeyctl("place", str(bomb), "-j", str(SAMPLE), "--memory-limit", "400M")
    )


def test_gzip_that_fits_is_read_as_before(tmp_path: Path) -> None:
    gz = tmp_path / "ev.csv.gz"
    gz.write_bytes(gzip.compress(EVENTS.read_bytes()))
    plain = journeyctl("place", str(EVENTS), "-j", str(SAMPLE), "-f", "json")
    zipped = journeyctl("place", str(gz), "-j", str(SAMPLE), "-f", "json")
    assert plain.returncode == zipped.returncode == 0, zipped.stderr
    assert plain.stdout == zipped.stdout


def _feed(fifo: Path, stop: threading.Event) -> None:
    block = b"c-1,2026-01-01T00:00:00Z,login\n" * 30_000
    try:
        with fifo.open("wb") as fh:
            fh.write(b"customer_id,timestamp,event\n")
            while not stop.is_set():
                fh.write(block)
    except (BrokenPipeError, OSError):
        pass  # the reader stopped: what it should do


def test_endless_fifo_stops_at_the_limit(tmp_path: Path) -> None:
    fifo = tmp_path / "events.csv"
    os.mkfifo(fifo)
    stop = threading.Event()
    feeder = threading.Thread(target=_feed, args=(fifo, stop), daemon=True)
    feeder.start()
    try:
        stopped_at_the_limit(journeyctl("place", str(fifo), "-j", str(SAMPLE), timeout=120))
    finally:
        stop.set()
        feeder.join(10)
        if feeder.is_alive():  # never opened by the reader: unblock the writer's open
            with fifo.open("rb") as fh:
                fh.read(1)


@pytest.mark.parametrize("stream", [[], ["--memory-limit", "400M"]])
def test_dev_zero_is_not_read_forever(stream: list[str]) -> None:
    res = journeyctl("place", "/dev/zero", "-j", str(SAMPLE), *stream, timeout=60)
    assert res.returncode == 2, (res.returncode, res.stderr[-1500:])
    assert "NUL byte" in res.stderr or "--memory-limit" in res.stderr
    assert "Traceback" not in res.stderr


def test_endless_line_stops_in_the_streaming_mode(tmp_path: Path) -> None:
    bomb = tmp_path / "line.csv.gz"
    with bomb.open("wb") as fh:
        fh.write(gzip.compress(b"customer_id,timestamp,event\nc-1,2026-01-01T00:00:00Z,"))
        member = gzip.compress(b"x" * (8 << 20), compresslevel=9)
        for _ in range(64):  # one line of 512 MiB
            fh.write(member)
    res = journeyctl("place", str(bomb), "-j", str(SAMPLE), "--memory-limit", "400M")
    stopped_at_the_limit(res)


def test_ulimit_v_is_taken_into_the_automatic_choice(tmp_path: Path) -> None:
    """An input the in-memory mode cannot hold under `ulimit -v` is streamed, unasked."""
    big = tmp_path / "wide.csv"
    lines = EVENTS.read_text().splitlines()
    with big.open("w") as fh:
        fh.write(lines[0] + ",note\n")
        for i, line in enumerate(lines[1:]):
            fh.write(f"{line},{i:09d}{'n' * 1500}\n")  # every note distinct: no dictionary saves it
    assert big.stat().st_size > 70 << 20
    free = journeyctl("place", str(EVENTS), "-j", str(SAMPLE), "-f", "json", limit=64)
    res = journeyctl("place", str(big), "-j", str(SAMPLE), "-f", "json", limit=1.3, timeout=300)
    assert res.returncode == 0, (res.returncode, res.stderr[-1500:])
    # the notes change nothing in the placement
    assert _placed(res.stdout) == _placed(free.stdout)


def _placed(stdout: str) -> list[tuple[str, str, str, str]]:
    doc = json.loads(stdout)
    return [(c["customer_id"], c["journey"], c["stage"], c["status"]) for c in doc["customers"]]


@pytest.mark.parametrize("limit_mb", [400, 500, 600])
@pytest.mark.parametrize("cmd", ["place", "analyze"])
def test_an_address_space_too_small_to_start_is_a_usage_error(limit_mb: int, cmd: str) -> None:
    # the second attack: 400 MB gave exit 3 (llvmlite could not load), 500 MB an abort in LLVM
    # (134, std::bad_alloc), 600 MB a MemoryError traceback in an import (exit 1)
    res = journeyctl(cmd, str(EVENTS), "-j", str(SAMPLE), limit=limit_mb / 1024)
    assert res.returncode == 2, (res.returncode, res.stderr[-1500:])
    assert "ulimit -v" in res.stderr and "needs at least 1024 MiB" in res.stderr
    assert "Traceback" not in res.stderr


def test_validate_needs_no_such_address_space() -> None:
    res = journeyctl("validate", str(SAMPLE), limit=0.5)
    assert res.returncode == 0, res.stderr


def _one_busy_customer(path: Path, events: int) -> None:
    """The sample, plus `events` logins of one customer of it, one a minute."""
    start = dt.datetime(2024, 3, 5, tzinfo=dt.UTC)
    with path.open("w") as fh:
        fh.write(EVENTS.read_text())
        for i in range(events):
            at = start + dt.timedelta(minutes=i)
            fh.write(f"c-00114,{at:%Y-%m-%dT%H:%M:%SZ},login" + "," * 17 + "\n")


def test_one_customer_beyond_the_limit_is_named(tmp_path: Path) -> None:
    """Partitions split customers, not a customer's events: one customer whose events alone
    need more than --memory-limit allows is refused, by name, with the limit that would do
    (it was placed anyway, 360 MB under --memory-limit 64M, and 17 s of a quadratic kernel)."""
    busy = tmp_path / "busy.csv"
    _one_busy_customer(busy, 90_000)
    res = journeyctl("place", str(busy), "-j", str(SAMPLE), "--memory-limit", "64M", limit=4)
    stopped_at_the_limit(res)
    assert "customer 'c-00114' alone has 90,671 events" in res.stderr
    suggested = res.stderr.split("give --memory-limit ")[1].split()[0]
    ok = journeyctl(
        "place", str(busy), "-j", str(SAMPLE), "--memory-limit", suggested, "-f", "json", limit=4
    )
    whole = journeyctl("place", str(busy), "-j", str(SAMPLE), "-f", "json", limit=4)
    assert ok.returncode == whole.returncode == 0, ok.stderr[-1500:]
    assert ok.stdout == whole.stdout


def test_running_out_of_memory_names_the_limit_as_set() -> None:
    """The message named what was left of the limit when memory ran out ("about 290K" under
    `ulimit -v 600000`), which no user can act on: it names the limit itself."""
    code = (
        "from journeyctl.events.limits import out_of_memory; "
        "e = out_of_memory(); print(e.message); print(e.hint)"
    )
    res = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        preexec_fn=limited(3 * GIB),
        check=True,
    )
    assert "ulimit -v allows 3G" in res.stdout, res.stdout


def test_the_cgroup_limit_is_the_tightest_set_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Containers: the innermost cgroup that sets a limit counts, "max" is none; the room is that
    limit less what the cgroup uses, plus what this process already holds."""
    from journeyctl.events import limits

    inner, outer = tmp_path / "inner", tmp_path / "outer"
    for d, limit, used in ((inner, str(1 << 30), 600 << 20), (outer, "max", 0)):
        d.mkdir()
        (d / "memory.max").write_text(limit + "\n")
        (d / "memory.current").write_text(f"{used}\n")
    monkeypatch.setattr(
        limits, "_cgroup_dirs", lambda: iter([("2", str(inner)), ("2", str(outer))])
    )
    monkeypatch.setattr(limits, "_rss", lambda: 100 << 20)
    assert limits._cgroup_max() == 1 << 30
    assert limits._cgroup_limit() == (1 << 30) - (600 << 20) + (100 << 20)
    assert "the cgroup allows 1G" in limits.limits_in_force()
