"""`--cluster` (PRODUCT §9) against real `dask scheduler` / `dask worker` processes: byte for byte
the in-memory output, and the faults (unreachable, another version, a worker killed, Ctrl-C)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from tests.cluster.conftest import ROOT, DaskProcs, free_port
from tests.helpers import run

SAMPLE = ROOT / "sample_journeys"
EVENTS = SAMPLE / "events.csv"
J = ("-j", str(SAMPLE))
GENERATED = int(os.environ.get("JOURNEYCTL_CLUSTER_EVENTS", "200000"))


def same(*args: str, cluster: str) -> Any:
    """The command in memory and on the cluster: same exit code, stdout and stderr."""
    mem = run(*args)
    cl = run(*args, "--cluster", cluster)
    assert cl.exit_code == mem.exit_code, cl.stderr
    assert cl.stdout == mem.stdout
    assert cl.stderr == mem.stderr
    return mem


@pytest.mark.parametrize("fmt", ["json", "csv", "markdown"])
def test_sample_is_byte_identical(dask_cluster: DaskProcs, fmt: str) -> None:
    res = same("place", str(EVENTS), *J, "-f", fmt, cluster=dask_cluster.address)
    assert res.exit_code == 0 and len(res.stdout) > 1000


def test_filters_limit_accounts_as_of(dask_cluster: DaskProcs) -> None:
    same(
        "place",
        str(EVENTS),
        *J,
        "-f",
        "json",
        "--at-risk",
        "--limit",
        "5",
        "--accounts",
        str(SAMPLE / "accounts.csv"),
        "--as-of",
        "2025-01-01T00:00:00Z",
        cluster=dask_cluster.address,
    )


def test_bad_rows_named_as_locally(dask_cluster: DaskProcs, tmp_path: Path) -> None:
    lines = EVENTS.read_text().splitlines(keepends=True)
    bad = tmp_path / "events.csv"
    bad.write_text("".join([*lines[:50], "c-1,not-a-time,login\n", *lines[50:80], "c-2\n"]))
    stop = same("place", str(bad), *J, "-f", "json", cluster=dask_cluster.address)
    assert stop.exit_code == 2 and f"{bad}:51" in stop.stderr and f"{bad}:82" in stop.stderr
    mem_rej, cl_rej = tmp_path / "mem.csv", tmp_path / "cl.csv"
    mem = run("place", str(bad), *J, "-f", "csv", "--skip-bad-rows", "--rejects", str(mem_rej))
    cl = run(
        "place", str(bad), *J, "-f", "csv", "--skip-bad-rows", "--rejects", str(cl_rej),
        "--cluster", dask_cluster.address,
    )  # fmt: skip
    assert (cl.exit_code, cl.stdout) == (mem.exit_code, mem.stdout)
    assert cl.stderr.replace(str(cl_rej), "R") == mem.stderr.replace(str(mem_rej), "R")
    assert cl_rej.read_bytes() == mem_rej.read_bytes() and b"not-a-time" in cl_rej.read_bytes()


def test_report_files_and_snapshot(
    dask_cluster: DaskProcs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # the run's time, stored and shown
    outs = {}
    for mode in ("mem", "cl"):
        d = tmp_path / mode
        extra = ["--cluster", dask_cluster.address] if mode == "cl" else []
        res = run(
            "report", str(EVENTS), *J, "--db", str(d / "h.db"), "--out", str(d), "-f", "json",
            "--as-of", "2025-06-01T00:00:00Z", *extra,
        )  # fmt: skip
        assert res.exit_code == 0, res.stderr
        outs[mode] = res.stdout.replace(str(d), "D")
        outs[mode + "-snapshot"] = _rows(d / "h.db")
    assert outs["cl"] == outs["mem"]
    assert outs["cl-snapshot"] == outs["mem-snapshot"]
    for name in ("report.md", "report.json", "report.html"):
        a, b = tmp_path / "mem" / name, tmp_path / "cl" / name
        mem_text = a.read_text().replace(str(a.parent), "D")
        assert b.read_text().replace(str(b.parent), "D") == mem_text, name
    # the journey analysis and its KPIs per stage, computed from the events, are there
    html = (tmp_path / "cl" / "report.html").read_text()
    assert 'id="section-analysis"' in html and "Latest NPS" in html
    assert '"kpis"' in (tmp_path / "cl" / "report.json").read_text()


@pytest.mark.parametrize("fmt", ["table", "json", "markdown", "html"])
def test_analyze_sample_is_byte_identical(dask_cluster: DaskProcs, fmt: str) -> None:
    res = same("analyze", str(EVENTS), *J, "-f", fmt, cluster=dask_cluster.address)
    assert res.exit_code == 0 and "Latest NPS" in res.stdout


def test_analyze_options_and_output_file(dask_cluster: DaskProcs, tmp_path: Path) -> None:
    same(
        "analyze", str(EVENTS), *J, "-f", "json", "--by", "region", "--journey",
        "analytics-smb-emea", "--accounts", str(SAMPLE / "accounts.csv"), "--as-of",
        "2025-03-01T00:00:00Z", cluster=dask_cluster.address,
    )  # fmt: skip
    same("analyze", str(EVENTS), *J, "--journey", "nope", cluster=dask_cluster.address)
    mem, cl = tmp_path / "mem.html", tmp_path / "cl.html"
    assert run("analyze", str(EVENTS), *J, "-f", "html", "-o", str(mem)).exit_code == 0
    res = run(
        "analyze", str(EVENTS), *J, "-f", "html", "-o", str(cl), "--cluster", dask_cluster.address
    )
    assert res.exit_code == 0, res.stderr
    assert cl.read_bytes() == mem.read_bytes()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """A generated log split in two sources: a CSV and a Parquet file (global row order kept)."""
    d = tmp_path_factory.mktemp("gen")
    full = d / "all.csv"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "journeyctl.sampledata",
            "--events",
            str(GENERATED),
            "--seed",
            "11",
            "--out",
            str(full),
            "-q",
        ],
        check=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    lines = full.read_text().splitlines(keepends=True)
    half = len(lines) // 2
    (d / "a.csv").write_text("".join(lines[:half]))
    (d / "b.csv").write_text("".join([lines[0], *lines[half:]]))
    table = pacsv.read_csv(
        d / "b.csv", convert_options=pacsv.ConvertOptions(column_types={"timestamp": "string"})
    )
    pq.write_table(table.cast(table.schema), d / "b.parquet")
    return [full, d / "a.csv", d / "b.parquet"]


def test_generated_log_is_byte_identical(dask_cluster: DaskProcs, generated: list[Path]) -> None:
    full, a, b = generated
    mem = run("place", str(full), *J, "-f", "json")
    assert mem.exit_code == 0, mem.stderr
    cl = run("place", str(full), *J, "-f", "json", "--cluster", dask_cluster.address)
    assert cl.stdout == mem.stdout
    # a CSV and a Parquet file: the same as in memory over the same two sources
    mem2 = run("place", str(a), str(b), *J, "-f", "json")
    two = run("place", str(a), str(b), *J, "-f", "json", "--cluster", dask_cluster.address)
    assert mem2.exit_code == 0 and two.stdout == mem2.stdout


def test_generated_log_analyze_is_byte_identical(
    dask_cluster: DaskProcs, generated: list[Path]
) -> None:
    full, a, b = generated
    res = same("analyze", str(full), *J, "-f", "json", cluster=dask_cluster.address)
    assert res.exit_code == 0, res.stderr
    kpis = [k for j in json.loads(res.stdout)["journeys"] for k in j["kpis"]]
    assert kpis and all(k["n"] > 0 for k in kpis)  # the KPIs were computed, not left empty
    same("analyze", str(full), *J, "-f", "markdown", cluster=dask_cluster.address)
    same(
        "analyze", str(a), str(b), *J, "-f", "json", "--by", "region", cluster=dask_cluster.address
    )


def _rows(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of a history database (the stored snapshot, as stored)."""
    with contextlib.closing(sqlite3.connect(db)) as con:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {n: sorted(con.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}


def test_scheduler_unreachable_exits_2_within_timeout() -> None:
    t0 = time.monotonic()
    res = run(
        "place", str(EVENTS), *J, "--cluster", f"tcp://127.0.0.1:{free_port()}",
        "--cluster-timeout", "2",
    )  # fmt: skip
    assert res.exit_code == 2
    assert "cannot reach the Dask scheduler" in res.stderr and "Traceback" not in res.stderr
    assert time.monotonic() - t0 < 2 + 8  # the timeout, and the CLI's own start


@pytest.mark.parametrize("kind", ["silent", "http"])
def test_something_that_is_no_scheduler_exits_2_within_timeout(kind: str) -> None:
    # a port that accepts and says nothing, or an HTTP server (the dashboard's port by mistake):
    # Dask's handshake waited for ever (found by a new user)
    import http.server
    import socket
    import threading

    server: socket.socket | http.server.ThreadingHTTPServer
    if kind == "silent":
        server = socket.create_server(("127.0.0.1", 0))
        port = server.getsockname()[1]
    else:
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), http.server.BaseHTTPRequestHandler
        )
        server.daemon_threads = True  # a handler still waiting on Dask's connection ends with us
        port = server.server_address[1]
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        t0 = time.monotonic()
        res = run(
            "place", str(EVENTS), *J, "--cluster", f"tcp://127.0.0.1:{port}",
            "--cluster-timeout", "2",
        )  # fmt: skip
        assert res.exit_code == 2, res.stderr
        assert "cannot reach the Dask scheduler" in res.stderr or "not as a Dask scheduler" in (
            res.stderr
        )
        assert "Traceback" not in res.stderr
        assert time.monotonic() - t0 < 2 + 1 + 8
    finally:
        if isinstance(server, http.server.ThreadingHTTPServer):
            server.shutdown()
            server.server_close()
        else:
            server.close()


def test_bad_cluster_address_is_a_usage_error() -> None:
    res = run("place", str(EVENTS), *J, "--cluster", "127.0.0.1")
    assert res.exit_code == 2 and "tcp://HOST:PORT" in res.stderr


def _set_version(version: str) -> Callable[[], None]:
    def setter() -> None:
        import journeyctl

        journeyctl.__version__ = version

    return setter


def test_worker_with_another_version_exits_2_naming_both(dask_cluster: DaskProcs) -> None:
    from distributed import Client

    import journeyctl

    mine = journeyctl.__version__
    with Client(dask_cluster.address, timeout=30) as client:
        one = sorted(client.scheduler_info()["workers"])[0]
        client.run(_set_version("0.0.1-old"), workers=[one])
        try:
            res = run("place", str(EVENTS), *J, "--cluster", dask_cluster.address)
        finally:
            client.run(_set_version(mine), workers=[one])
    assert res.exit_code == 2, res.stderr
    assert mine in res.stderr and "0.0.1-old" in res.stderr and "Traceback" not in res.stderr


def _cli(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "journeyctl", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )


def _wait_for_tasks(address: str, proc: subprocess.Popen[bytes], timeout: float = 180) -> None:
    """Until the scheduler has placement tasks running for the CLI's run."""
    from distributed import Client

    with Client(address, timeout=30) as client:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and proc.poll() is None:
            busy = client.processing()
            if any(any("place_partition" in str(k) for k in ks) for ks in busy.values()):
                return
            time.sleep(0.05)
    raise AssertionError("the run never reached its placement tasks")


@pytest.mark.parametrize("command", ["place", "analyze"])
def test_worker_killed_mid_run_same_output(
    own_cluster: DaskProcs, generated: list[Path], command: str
) -> None:
    full = generated[0]
    mem = run(command, str(full), *J, "-f", "json")
    proc = _cli(command, str(full), *J, "-f", "json", "--cluster", own_cluster.address)
    _wait_for_tasks(own_cluster.address, proc)
    victim = own_cluster.workers[0]
    os.killpg(victim.pid, signal.SIGKILL)  # the worker process and its nanny: lost for good
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err.decode()
    assert out.decode() == mem.stdout
    assert b"Traceback" not in err


@pytest.mark.parametrize("command", ["place", "analyze"])
def test_ctrl_c_cancels_and_exits_130(
    own_cluster: DaskProcs, generated: list[Path], command: str
) -> None:
    from distributed import Client

    proc = _cli(command, str(generated[0]), *J, "-f", "json", "--cluster", own_cluster.address)
    _wait_for_tasks(own_cluster.address, proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err.decode()
    assert b"Traceback" not in err
    with Client(own_cluster.address, timeout=30) as client:
        deadline = time.monotonic() + 60
        while client.processing() and any(client.processing().values()):
            assert time.monotonic() < deadline, "the run's tasks were not cancelled"
            time.sleep(0.2)
