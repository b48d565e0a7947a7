"""Atomic file writes, shared by every layer that saves a file (reports, saved models, rejects),
and the one check that an output path overwrites neither an input nor a file of the user's."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

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


# -- outputs that would overwrite an input or a file journeyctl did not make ---------------------
# What journeyctl's own files start with, so that an output path holding anything else is not
# overwritten without --force. Kept here (the shared layer may not import the core); a test
# checks they agree with `history.migrations.APPLICATION_ID`, `predict.modelio.FORMAT` and
# `pipeline.write_rejects`.
HISTORY_APPLICATION_ID = 0x4A594354  # 'JYCT' at offset 68 of the SQLite header
MODEL_FORMAT = "journeyctl-model"
REJECTS_HEADER = "file,line,reason"
REPORT_FILES = ("report.json", "report.md", "report.html")
_TEMP_PREFIX = ".journeyctl-"  # write_atomic's temporary files


def _head(path: str, n: int) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(n)


def is_history_db(path: str) -> bool:
    """A SQLite file marked with journeyctl's application id."""
    head = _head(path, 100)
    return (
        len(head) == 100
        and head.startswith(b"SQLite format 3\x00")
        and int.from_bytes(head[68:72], "big") == HISTORY_APPLICATION_ID
    )


def is_model_file(path: str) -> bool:
    """A saved model: JSON whose first key is `"format": "journeyctl-model"`."""
    head = _head(path, 256).decode("utf-8", "replace").lstrip()
    return head.startswith("{") and head[1:].lstrip().startswith(f'"format": "{MODEL_FORMAT}"')


def is_rejects_csv(path: str) -> bool:
    """A CSV written by --rejects: its header starts `file,line,reason`."""
    first = _head(path, 4096).split(b"\n", 1)[0].rstrip(b"\r")
    return first == REJECTS_HEADER.encode() or first.startswith(REJECTS_HEADER.encode() + b",")


# The first line of each output `place` and `analyze` write to --output, whatever the format: a
# later run may replace its own output, never a file it did not write.
_OUTPUT_FIRST_LINES = (
    "Stage status",  # place, table
    "Regressions",
    "At-risk accounts",
    "## Stage status",  # place, markdown
    "## Regressions",
    "## At-risk accounts",
    "customer_id,journey,journey_version,",  # place, csv
    "# How customers travel (as of ",  # analyze, markdown
    "<!DOCTYPE html>",  # analyze, html: with its title, below
)


def is_command_output(path: str) -> bool:
    """An output of `place` or `analyze` (`--output`), recognised by how it begins."""
    head = _head(path, 2048).decode("utf-8", "replace")
    first = head.split("\n", 1)[0].rstrip("\r")
    if head.startswith("{") and head[1:].lstrip().startswith('"schema_version"'):
        return True  # the JSON formats
    if first == "<!DOCTYPE html>":
        return "<title>journeyctl " in head
    if ": funnel (" in first:  # analyze, table: its first journey's funnel
        return True
    return any(first.startswith(p) for p in _OUTPUT_FIRST_LINES)


@dataclass(frozen=True, slots=True)
class Output:
    """A file a command is about to write: its option, its path, and how to recognise a file
    journeyctl made there before (a later run may replace its own output)."""

    option: str  # "--rejects"
    path: str
    kind: str  # "rejects CSV", said in the message
    ours: Callable[[str], bool]


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)  # follows symlinks: a link to an input is that input
    except (OSError, ValueError):
        return None


def input_files(paths: Iterable[str | None]) -> list[str]:
    """The files among `paths`, directories expanded to the files below them (journeys)."""
    files: list[str] = []
    for p in paths:
        if not p or p == "-":
            continue
        if os.path.isdir(p):
            for root, _dirs, names in os.walk(p):
                files.extend(os.path.join(root, n) for n in names)
        else:
            files.append(p)
    return files


def check_outputs(outputs: Sequence[Output], inputs: Iterable[str], *, force: bool) -> None:
    """Refuse (exit 2) an output that is one of the `inputs` (the same file by inode: a symlink
    or a hard link counts) or an existing non-empty file journeyctl did not make, unless `force`.
    Called before anything is read, so a refused run changes nothing."""
    if force:
        return
    stats = [(p, s) for p in inputs if (s := _stat(p)) is not None]
    for out in outputs:
        st = _stat(out.path)
        if st is None:
            continue  # nothing there yet (or a dangling link, which the rename replaces)
        for path, s in stats:
            if _same_file(st, s):
                raise OutputError(
                    f"{out.option} {out.path} is the input file {path}: writing it would destroy "
                    "the input",
                    hint=f"choose another path for {out.option} (or pass --force to overwrite it)",
                )
        if not stat.S_ISREG(st.st_mode) or st.st_size == 0:
            continue  # a device or FIFO is the user's choice; an empty file holds nothing
        try:
            ours = out.ours(out.path)
        except OSError:
            ours = False
        if not ours:
            raise OutputError(
                f"{out.option} {out.path} exists and is not a journeyctl {out.kind}: refusing to "
                "overwrite it",
                hint=f"choose another path for {out.option}, or pass --force to replace the file",
            )


def check_report_dir(option: str, directory: str, *, own: Sequence[str], force: bool) -> None:
    """A report directory may hold only the report's files (and `own`: the history database
    beside them, temporary files of an interrupted write): anything else is the user's."""
    if force or not os.path.isdir(directory):
        return
    allowed = {*REPORT_FILES, *own}
    foreign = sorted(
        n for n in os.listdir(directory) if n not in allowed and not n.startswith(_TEMP_PREFIX)
    )
    if foreign:
        shown = ", ".join(foreign[:5]) + (", ..." if len(foreign) > 5 else "")
        raise OutputError(
            f"{option} {directory} holds files journeyctl did not write ({shown}): refusing to "
            "write the report there",
            hint=f"choose an empty or new directory for {option}, or pass --force",
        )
