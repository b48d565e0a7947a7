"""JSON Lines events (`.jsonl` / `.ndjson`, optionally gzip-compressed), PRODUCT §8.

Each line is parsed on its own with orjson, so a line that is not valid JSON, or not an object, is
a bad row named by its line while the other lines are read. pyarrow's JSON reader is not used: it
turns `1` into `1.0` when another line has `1.5` and reads ISO strings as timestamps, both of
which would change the text values §8 asks for.
"""

from __future__ import annotations

import gzip
import os
import sys

import orjson

from journeyctl.errors import InputError
from journeyctl.events.inputs import open_error
from journeyctl.events.model import BadRow
from journeyctl.events.sources.rows import TextColumns
from journeyctl.events.sources.typed import Loaded

_GZIP_ERRORS = (OSError, EOFError)


def read_jsonl(path: str) -> Loaded:
    try:
        if path == "-":
            raw = sys.stdin.buffer.read()
        else:
            if os.path.isdir(path):
                raise IsADirectoryError(21, "Is a directory")
            with open(path, "rb") as fh:
                raw = fh.read()
    except OSError as exc:
        raise open_error(path, exc) from None
    size = len(raw)
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (*_GZIP_ERRORS, ValueError) as exc:
            raise InputError(f"{path}: not a valid gzip file: {exc}") from None
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    cols = TextColumns()
    lines: list[int] = []
    bad: list[BadRow] = []
    for n, line in enumerate(raw.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            reason = f"not valid JSON: {str(exc).split(':')[0]}"
            bad.append(BadRow(path, n, reason, (_shown(line),)))
            continue
        if not isinstance(value, dict):
            kind = type(value).__name__ if value is not None else "null"
            bad.append(BadRow(path, n, f"not a JSON object ({_kind(kind)})", (_shown(line),)))
            continue
        cols.add_mapping(value)
        lines.append(n)
    if cols.rows == 0 and bad and len(bad) == sum(1 for ln in raw.split(b"\n") if ln.strip()):
        # nothing in the file is JSON: a mislabelled file, not a file with bad rows
        raise InputError(
            f"{path}: not a JSON Lines file (line {bad[0].line}: {bad[0].reason})",
            hint="each line holds one JSON object; name another format with --input-format",
        )
    return cols.loaded(path, unit="line", lines=lines, bad=bad, size=size)


def _kind(name: str) -> str:
    return {"list": "an array", "str": "a string", "int": "a number", "float": "a number"}.get(
        name, name
    )


def _shown(line: bytes) -> str:
    return line.decode("utf-8", errors="replace").rstrip("\r")
