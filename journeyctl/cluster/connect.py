"""Open a Dask client for `--cluster` and check that its workers run this journeyctl."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from journeyctl.errors import InputError, UsageError

if TYPE_CHECKING:
    from distributed import Client

DEFAULT_TIMEOUT = 10.0
_LOCAL = re.compile(r"^local:([0-9]+)$")
_REMOTE = re.compile(r"^(tcp|tls|ws|wss)://[^\s/]+:[0-9]+/?$")


@dataclass(frozen=True, slots=True)
class ClusterAddress:
    """`tcp://HOST:PORT` (a running scheduler) or `local:N` (N local worker processes)."""

    text: str
    local_workers: int | None  # None: a remote scheduler

    @classmethod
    def parse(cls, text: str) -> ClusterAddress:
        m = _LOCAL.match(text.strip())
        if m is not None:
            n = int(m.group(1))
            if n < 1:
                raise UsageError(f"bad --cluster {text!r}: local:N needs at least one worker")
            return cls(text.strip(), n)
        if _REMOTE.match(text.strip()):
            return cls(text.strip().rstrip("/"), None)
        raise UsageError(
            f"bad --cluster {text!r}",
            hint="use tcp://HOST:PORT for a running `dask scheduler`, or local:N for N local workers",
        )


@contextlib.contextmanager
def connect(address: ClusterAddress, timeout: float = DEFAULT_TIMEOUT) -> Iterator[Client]:
    """A client of the cluster, closed afterwards (a local cluster is stopped too).

    The scheduler unreachable, or no worker within `timeout`: exit 2. Every worker must run
    the client's journeyctl version (the engine must be the same for the output to be)."""
    from distributed import Client, LocalCluster

    import journeyctl

    with contextlib.ExitStack() as stack:
        if address.local_workers is not None:
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=address.local_workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
            )
            client = stack.enter_context(Client(cluster, timeout=timeout))
            check_versions(client, journeyctl.__version__)
        else:
            # Something that accepts the connection but is no scheduler (a silent port, the
            # dashboard's HTTP server) kept Dask's handshake waiting for ever: the deadline
            # bounds the whole of connecting, as --cluster-timeout promises
            with _deadline(timeout + 1):
                try:
                    client = stack.enter_context(Client(address.text, timeout=timeout))
                except (OSError, TimeoutError, _Deadline) as exc:
                    raise InputError(
                        f"cannot reach the Dask scheduler at {address.text} within {timeout:g} s",
                        details=[str(exc).splitlines()[0]] if str(exc) else [],
                        hint="start it with `dask scheduler`, check the address and the network "
                        "(is it the scheduler's port, not the dashboard's?), or raise "
                        "--cluster-timeout",
                    ) from None
                except (MemoryError, ValueError, TypeError) as exc:
                    # Dask read what answered as a message: junk can claim any length
                    raise InputError(
                        f"{address.text} answered, but not as a Dask scheduler "
                        f"({type(exc).__name__})",
                        hint="check the address: tcp://HOST:PORT of `dask scheduler` (port 8786)",
                    ) from None
            with _deadline(timeout + 1):
                try:
                    client.wait_for_workers(1, timeout=timeout)
                    check_versions(client, journeyctl.__version__)
                except (OSError, TimeoutError, _Deadline):
                    raise InputError(
                        f"the Dask scheduler at {address.text} has no worker (waited {timeout:g} s)",
                        hint="start workers with `dask worker " + address.text + "`",
                    ) from None
        yield client


class _Deadline(Exception):
    def __str__(self) -> str:
        return "no answer in time"


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise `_Deadline` in the main thread after `seconds` (SIGALRM); elsewhere, no deadline:
    signals reach only the main thread."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise _Deadline()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def check_versions(client: Client, mine: str) -> None:
    """Exit 2 naming both versions when a worker runs another journeyctl (or none)."""
    from journeyctl.cluster.work import journeyctl_version

    try:
        versions: dict[str, str] = client.run(journeyctl_version)
    except ModuleNotFoundError as exc:
        raise InputError(
            f"a Dask worker cannot import journeyctl: {exc}",
            hint=f"install journeyctl {mine} on every worker",
        ) from None
    other = {w: v for w, v in versions.items() if v != mine}
    if other:
        raise InputError(
            f"the Dask workers run another journeyctl version than this one ({mine})",
            details=[f"{w}: journeyctl {v}" for w, v in sorted(other.items())],
            hint=f"install journeyctl {mine} on every worker (the output must be the same engine's)",
        )
