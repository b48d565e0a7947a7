"""`python -m journeyctl` and the `journeyctl` script: the CLI, with interrupts made exit 130."""

from __future__ import annotations

import contextlib
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

    signal.signal(signal.SIGINT, on_interrupt)
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
    # from here on an interrupt only changes the exit code: the work is done or abandoned
    signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    if received and code != INTERRUPTED:
        code = INTERRUPTED
        _say("interrupted\n")
    with contextlib.suppress(OSError):
        sys.stdout.flush()
    sys.exit(code)


def _say(text: str) -> None:
    with contextlib.suppress(OSError):
        sys.stderr.write(text)
        sys.stderr.flush()


if __name__ == "__main__":
    main()
