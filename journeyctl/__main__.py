"""`python -m journeyctl` and the `journeyctl` script: the CLI, with interrupts made exit 130."""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import sys
from types import FrameType

INTERRUPTED = 130


def main() -> None:
    """Run the CLI. Any SIGINT received, wherever it lands (an import, a `finally`, a library
    that swallows KeyboardInterrupt), ends the process with exit 130."""
    received: list[int] = []

    def on_interrupt(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        raise KeyboardInterrupt

    def on_stop(signum: int, frame: FrameType | None) -> None:
        # SIGTERM, SIGHUP: unwind like an exit, so `with` blocks remove temporary files
        # (the streaming partitions) and transactions roll back; then exit 128 + n
        received.append(signum)
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGINT, on_interrupt)
    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGHUP, on_stop)
    _fewer_threads_when_limited()
    code: str | int | None = 0
    try:
        from journeyctl.cli import main as cli_main

        cli_main()
    except SystemExit as exc:
        code = exc.code
    except KeyboardInterrupt:  # before the CLI's own handling: an import, click's teardown
        received.append(signal.SIGINT)
        code = INTERRUPTED
        _say("interrupted\n")
    # from here on a signal only changes the exit code: the work is done or abandoned
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda signum, frame: received.append(signum))
    if received:
        first = received[0]
        want = INTERRUPTED if first == signal.SIGINT else 128 + first
        if code != want:
            _say("interrupted\n" if first == signal.SIGINT else "terminated\n")
        code = want
    _flush_stdout()
    if received:
        # Unwinding is done (`with` blocks closed, transactions rolled back). Python would kill
        # itself with SIGINT at exit if a KeyboardInterrupt ever crossed some C-level runners
        # (an import), turning 130 into "killed by signal": exit directly.
        with contextlib.suppress(OSError):
            sys.stderr.flush()
        os._exit(int(code) if isinstance(code, int) else INTERRUPTED)
    sys.exit(code)


def _flush_stdout() -> None:
    """A reader that closed the pipe (`| head`) has all it wanted: end quietly. Python would
    otherwise report the failed flush at exit and change the exit code to 120."""
    try:
        sys.stdout.flush()
    except OSError:
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())


def _fewer_threads_when_limited() -> None:
    """Under an address-space limit (`ulimit -v`), OpenBLAS may fail to start its threads, and
    then it raises SIGINT at itself: the run would end as "interrupted". One BLAS thread needs
    none; journeyctl's own linear algebra is small."""
    try:
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    except (OSError, ValueError):
        return
    if soft != resource.RLIM_INFINITY:
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(name, "1")


def _say(text: str) -> None:
    with contextlib.suppress(OSError):
        sys.stderr.write(text)
        sys.stderr.flush()


if __name__ == "__main__":
    main()
