"""Atomic file writes, shared by every layer that saves a file (reports, saved models, rejects)."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Sequence

from journeyctl.errors import JourneyctlError


class OutputError(JourneyctlError):
    """An output file could not be written (exit 2)."""


def write_atomic(path: str, data: str | bytes) -> None:
    """Write `data` to `path` via a temporary file and a rename, so readers never see half a file."""
    write_atomic_set([(path, data)])


def write_atomic_set(files: Sequence[tuple[str, str | bytes]]) -> None:
    """Write several files as one: each goes to a temporary file beside its target, and only
    when all are written (a full disk stops it before any rename) are they renamed into place,
    so a set such as report.md/.json/.html is never half old, half new."""
    staged: list[tuple[str, str]] = []
    try:
        for path, data in files:
            staged.append((_stage(path, data), path))
        for tmp, path in staged:
            try:
                os.replace(tmp, path)
            except OSError as exc:
                raise _write_error(path, exc) from None
    except BaseException:  # an interrupt too: no temporary file is left behind
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise


def _write_error(path: str, exc: OSError) -> OutputError:
    msg = "the disk is full" if exc.errno == errno.ENOSPC else exc.strerror
    return OutputError(
        f"cannot write {path}: {msg}", hint="free some space or choose another location"
    )


def _stage(path: str, data: str | bytes) -> str:
    """`data` in a new temporary file in `path`'s directory, flushed to disk; its name."""
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
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _write_error(path, exc) from None
        raise
    return tmp
