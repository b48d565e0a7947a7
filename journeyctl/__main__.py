"""`python -m journeyctl` and the `journeyctl` script: the CLI, with interrupts made exit 130."""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import sys
from types import FrameType

INTERRUPTED = 130
# Below this address space (`ulimit -v`) the libraries a command that reads events loads (numpy,
# pyarrow, numba's LLVM) cannot all start: they abort (exit 134), or fail in an import. Measured:
# 500 MB aborts in LLVM, 600 MB fails to import; 1 GiB places 2M events.
MIN_ADDRESS_SPACE = 1 << 30
_READS_EVENTS = {"place", "show", "report", "predict", "analyze"}
_STOP = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


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
    _enough_address_space(sys.argv[1:])
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
    # From here on a signal only changes the exit code: the work is done or abandoned. Then the
    # stop signals are blocked and the process ends without Python's finalization, which
    # restores the default handlers (a Ctrl-C then would kill it: "killed by signal", not 130)
    # and, after a KeyboardInterrupt crossed an import, re-raises SIGINT at itself.
    for sig in _STOP:
        signal.signal(sig, lambda signum, frame: received.append(signum))
    _flush_stdout()
    signal.pthread_sigmask(signal.SIG_BLOCK, _STOP)
    received.extend(sorted(signal.sigpending() & _STOP))
    if received:
        first = received[0]
        want = INTERRUPTED if first == signal.SIGINT else 128 + first
        if code != want:
            _say("interrupted\n" if first == signal.SIGINT else "terminated\n")
        code = want
    if code is None:
        code = 0
    elif not isinstance(code, int):  # sys.exit("message"): Python prints it and exits 1
        _say(f"{code}\n")
        code = 1
    with contextlib.suppress(OSError):
        sys.stderr.flush()
    os._exit(code)


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


def _enough_address_space(args: list[str]) -> None:
    """A command that reads events under a tighter `ulimit -v` than it can start in stops with a
    usage error (exit 2) naming the limit, before any library can abort the process."""
    try:
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    except (OSError, ValueError):
        return
    if soft == resource.RLIM_INFINITY or soft >= MIN_ADDRESS_SPACE:
        return
    command = next((a for a in args if not a.startswith("-")), None)
    if command in _READS_EVENTS or (command == "diff" and "--events" in args):
        _say(
            f"error: the address-space limit (ulimit -v) is {soft // (1 << 20)} MiB; journeyctl "
            f"{command} needs at least {MIN_ADDRESS_SPACE // (1 << 20)} MiB to load its libraries\n"
            "  hint: raise it (ulimit -v), or use --memory-limit to bound the events' memory\n"
        )
        os._exit(2)


def _say(text: str) -> None:
    with contextlib.suppress(OSError):
        sys.stderr.write(text)
        sys.stderr.flush()


if __name__ == "__main__":
    main()
