"""`--output FILE`: what a command prints on stdout, written to a file atomically instead."""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
from collections.abc import Iterator

from journeyctl.fileio import OutputError


@contextlib.contextmanager
def stdout_to(path: str | None) -> Iterator[None]:
    """Send stdout to `path` for the block: a temporary file beside it, renamed over it at the
    end, so a reader never sees half an output; on an error the temporary file is removed and
    `path` is left as it was. None: stdout stays stdout."""
    if path is None:
        yield
        return
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".journeyctl-", dir=directory)
    except OSError as exc:
        raise OutputError(
            f"cannot write {path}: {exc.strerror}",
            hint="check the directory exists and is writable",
        ) from None
    raw = os.fdopen(fd, "wb")
    text = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
    saved = sys.stdout
    sys.stdout = text
    done = False
    try:
        yield
        text.flush()
        os.fsync(raw.fileno())
        mask = os.umask(0)
        os.umask(mask)
        os.fchmod(raw.fileno(), 0o666 & ~mask)
        done = True
    except OSError as exc:
        msg = "the disk is full" if exc.errno == 28 else exc.strerror
        raise OutputError(f"cannot write {path}: {msg}") from None
    finally:
        sys.stdout = saved
        with contextlib.suppress(OSError):
            text.close()
        if done:
            os.replace(tmp, path)
        else:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
