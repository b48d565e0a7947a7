"""History database errors: every SQLite failure a user can cause becomes one of these (exit 2)."""

from __future__ import annotations

import sqlite3

from journeyctl.errors import JourneyctlError

# SQLite primary result codes (the low byte of an extended code).
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 5, 6, 8, 10, 11, 13, 14, 26


class HistoryError(JourneyctlError):
    """The history database cannot be used (exit 2)."""


class HistoryLockedError(HistoryError):
    """Another run holds the write lock longer than we were allowed to wait."""


class HistoryReadOnlyError(HistoryError):
    """The database (or its directory) cannot be written."""


class HistoryFullError(HistoryError):
    """The disk is full, or the file may not grow."""


class HistoryVersionError(HistoryError):
    """The database was made by a newer journeyctl, or is not a journeyctl database."""


class HistoryDamagedError(HistoryError):
    """The file is damaged: corrupt pages, or stored values journeyctl cannot read."""


def damaged(path: str, what: str) -> HistoryDamagedError:
    """The error for a damaged database: what is wrong, and the way out."""
    return HistoryDamagedError(
        f"the history database {path} is damaged: {what}; nothing was written",
        hint=f"restore {path} from a backup (or move it away to start a new history); "
        f"`journeyctl history --check --db {path}` checks a file",
    )


def _code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF
    text = str(exc).lower()
    for needle, c in (
        ("locked", _BUSY),
        ("readonly", _READONLY),
        ("disk is full", _FULL),
        ("disk i/o", _IOERR),
        ("not a database", _NOTADB),
        ("malformed", _CORRUPT),
        ("unable to open", _CANTOPEN),
    ):
        if needle in text:
            return c
    return None


def translate(exc: sqlite3.Error, path: str, wait: float | None = None) -> HistoryError:
    """The user-facing error for a SQLite failure on the database at `path`."""
    code = _code(exc)
    if code in (_BUSY, _LOCKED):
        waited = f" (waited {wait:g} s)" if wait is not None else ""
        return HistoryLockedError(
            f"the history database {path} is locked by another journeyctl run{waited}",
            hint="try again when it has finished, or wait longer with --wait SECONDS",
        )
    if code == _READONLY:
        return HistoryReadOnlyError(
            f"the history database {path} is read-only: cannot store the snapshot",
            hint="check the permissions of the file and of its directory, or choose --db",
        )
    if code == _FULL:
        return HistoryFullError(
            f"cannot write the history database {path}: the disk is full",
            hint="free some space or move the database (--db); the previous snapshots are intact",
        )
    if code == _IOERR:
        return HistoryFullError(
            f"cannot write the history database {path}: disk I/O error "
            "(is the disk full, or the file over a size limit?)",
            hint="free some space or move the database (--db); the previous snapshots are intact",
        )
    if code == _CANTOPEN:
        return HistoryError(
            f"cannot open the history database {path}",
            hint="check that its directory exists and is writable, and that it is not a directory",
        )
    if code == _CORRUPT:
        return damaged(path, str(exc))
    if code == _NOTADB:
        return HistoryVersionError(
            f"{path} is not a usable journeyctl history database ({exc})",
            hint="point --db at another file; journeyctl never overwrites a file it did not make",
        )
    return HistoryError(f"history database {path}: {exc}")
