"""A real Dask cluster for the --cluster tests: `dask scheduler` and two `dask worker` processes
on 127.0.0.1, importing this checkout's journeyctl (PYTHONPATH), stopped afterwards."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 180  # seconds for the scheduler and workers to come up on a busy 2-core machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _dask() -> list[str]:
    exe = shutil.which("dask", path=os.path.dirname(sys.executable))
    return [exe] if exe else [sys.executable, "-m", "dask"]


@dataclass
class DaskProcs:
    """A scheduler and its workers, as processes this test session started."""

    address: str
    scheduler: subprocess.Popen[bytes]
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def add_worker(self) -> subprocess.Popen[bytes]:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        proc = subprocess.Popen(
            [
                *_dask(),
                "worker",
                self.address,
                "--nworkers",
                "1",
                "--nthreads",
                "1",
                "--no-dashboard",
                "--host",
                "127.0.0.1",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.workers.append(proc)
        return proc

    def wait_for_workers(self, n: int) -> None:
        from distributed import Client

        with Client(self.address, timeout=START_TIMEOUT) as client:
            client.wait_for_workers(n, timeout=START_TIMEOUT)

    def stop(self) -> None:
        for p in [*self.workers, self.scheduler]:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for p in [*self.workers, self.scheduler]:
            try:
                p.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


def start_cluster(workers: int = 2) -> DaskProcs:
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    sched = subprocess.Popen(
        [*_dask(), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    procs = DaskProcs(address, sched)
    try:
        for _ in range(workers):
            procs.add_worker()
        procs.wait_for_workers(workers)
    except BaseException:
        procs.stop()
        raise
    return procs


@pytest.fixture(scope="session")
def dask_cluster() -> Iterator[DaskProcs]:
    """One scheduler and two workers shared by the identity tests."""
    procs = start_cluster(2)
    try:
        yield procs
    finally:
        procs.stop()


@pytest.fixture
def own_cluster() -> Iterator[DaskProcs]:
    """A cluster of its own, for a test that kills one of its workers."""
    procs = start_cluster(2)
    try:
        yield procs
    finally:
        procs.stop()
