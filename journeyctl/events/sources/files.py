"""Columnar event files: Parquet (a file or a hive-partitioned dataset) and Arrow IPC (§8).

pyarrow reads both straight into Arrow: no text detour. Parquet string columns are read as
dictionaries, so a column of a few distinct values costs codes, not millions of strings.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Collection
from urllib.parse import unquote

import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from journeyctl.errors import InputError
from journeyctl.events.inputs import open_error
from journeyctl.events.sources.text import is_texty
from journeyctl.events.sources.typed import Loaded

PARQUET_SUFFIXES = (".parquet", ".pq")
HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"


def _not_a(path: str, what: str, exc: BaseException) -> InputError:
    return InputError(
        f"{path}: not a valid {what} file ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})",
        hint="check that the file is complete, or name its real format with --input-format",
    )


def dataset_files(directory: str) -> list[tuple[str, dict[str, str]]]:
    """(file, its `key=value` partition columns) for every Parquet file, sorted by path.

    Hidden and `_`-prefixed entries (`_SUCCESS`, `_metadata`, `.crc`) are not data, as for Spark
    and pyarrow."""
    found: list[tuple[str, dict[str, str]]] = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = [d for d in dirs if not d.startswith((".", "_"))]
        for f in files:
            if f.startswith((".", "_")) or not f.lower().endswith(PARQUET_SUFFIXES):
                continue
            path = os.path.join(root, f)
            keys: dict[str, str] = {}
            for part in os.path.relpath(root, directory).split(os.sep):
                key, sep, value = part.partition("=")
                if sep and key:
                    keys[unquote(key)] = "" if value == HIVE_NULL else unquote(value)
            found.append((path, keys))
    found.sort(key=lambda item: os.path.relpath(item[0], directory).split(os.sep))
    return found


def _read_parquet_file(
    path: str | pa.BufferReader, shown: str, plain: Collection[str] = ()
) -> pa.Table:
    """One Parquet file; text columns but `plain` ones (the timestamps: nearly all distinct)
    are read as dictionaries."""
    try:
        schema = pq.read_schema(path)
        strings = [f.name for f in schema if is_texty(f.type) and f.name not in plain]
        if isinstance(path, pa.BufferReader):
            path.seek(0)
        return pq.read_table(path, read_dictionary=strings)
    except OSError as exc:
        if isinstance(exc, FileNotFoundError | PermissionError | IsADirectoryError):
            raise open_error(shown, exc) from None
        raise _not_a(shown, "Parquet", exc) from None
    except (pa.ArrowException, ValueError) as exc:
        raise _not_a(shown, "Parquet", exc) from None


def _stdin() -> pa.BufferReader:
    """Standard input, read whole (Parquet and Arrow files need to seek)."""
    return pa.BufferReader(sys.stdin.buffer.read())


def read_parquet(path: str, plain: Collection[str] = ()) -> Loaded:
    """A Parquet file, or a directory of them read as one dataset (files by sorted path)."""
    if path == "-":
        source = _stdin()
        return Loaded(_read_parquet_file(source, path, plain), path, size=source.size())
    if not os.path.isdir(path):
        try:
            size = os.stat(path).st_size
        except OSError as exc:
            raise open_error(path, exc) from None
        return Loaded(_read_parquet_file(path, path, plain), path, size=size)
    files = dataset_files(path)
    if not files:
        raise InputError(
            f"{path}: a directory with no Parquet file",
            hint="a Parquet dataset is a directory of .parquet files (key=value subdirectories "
            "become columns); give CSV files one by one",
        )
    tables: list[pa.Table] = []
    size = 0
    for f, keys in files:
        t = _read_parquet_file(f, f, plain)
        size += os.stat(f).st_size
        for key, value in keys.items():
            if key not in t.schema.names:
                t = t.append_column(key, pa.array([value] * t.num_rows, pa.string()))
        tables.append(t)
    try:
        table = pa.concat_tables(tables, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise InputError(
            f"{path}: the dataset's files have incompatible columns: {exc}",
            hint="every file of a dataset needs the same column types",
        ) from None
    return Loaded(table, path, size=size)


def read_arrow(path: str) -> Loaded:
    """An Arrow IPC file (`.arrow`, Feather v1 or v2) or stream."""
    if path == "-":
        data = _stdin().read_buffer()
        try:
            return Loaded(ipc.open_file(data).read_all(), path, size=data.size)
        except (pa.ArrowException, OSError, ValueError):
            try:
                return Loaded(ipc.open_stream(data).read_all(), path, size=data.size)
            except (pa.ArrowException, OSError, ValueError) as exc:
                raise _not_a(path, "Arrow IPC", exc) from None
    try:
        size = os.stat(path).st_size
        if os.path.isdir(path):
            raise IsADirectoryError(21, "Is a directory")
    except OSError as exc:
        raise open_error(path, exc) from None
    try:
        return Loaded(feather.read_table(path), path, size=size)
    except (pa.ArrowException, OSError, ValueError) as first:
        try:  # the streaming format has no footer: feather cannot read it
            with pa.OSFile(path) as fh:
                return Loaded(ipc.open_stream(fh).read_all(), path, size=size)
        except (pa.ArrowException, OSError, ValueError):
            raise _not_a(path, "Arrow IPC", first) from None
