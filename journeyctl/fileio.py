"""Atomic file writes, shared by every layer that saves a file (reports, saved models, rejects)."""

from __future__ import annotations

import contextlib
import os
import tempfile

from journeyctl.errors import JourneyctlError


class OutputError(JourneyctlError):
    """An output file could not be written (exit 2)."""


def write_atomic(path: str, data: str | bytes) -> None:
    """Write `data` to `path` via a temporary file and a rename, so readers never see half a file."""
    directory = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".journeyctl-", dir=directory)
    except OSError as exc:
        raise OutputError(
            f"cannot write {path}: {exc.strerror}",
            hint="check the directory exists and is writable",
        ) from None
    try:
        # mkstemp makes the file private (0600); give it an ordinary new file's permissions
        mask = os.umask(0)
        os.umask(mask)
        os.fchmod(fd, 0o666 & ~mask)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        msg = "the disk is full" if exc.errno == 28 else exc.strerror
        raise OutputError(
            f"cannot write {path}: {msg}", hint="free some space or choose another location"
        ) from None
