"""The fast path of CSV ingestion: pyarrow's multi-threaded reader and vectorised checks.

It accepts a file only when every row is valid; on anything unusual (a bad row, a ragged row,
invalid UTF-8, bad quoting) it returns None and the exact reader in `ingest` takes over, so
error messages and line numbers come from one place.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from journeyctl.compiling import SMALL_INPUT_ROWS
from journeyctl.events.timestamps import parse_instant

_BLANK_RE = r"^[ \t\r\n\f\v]*$"


@dataclass(frozen=True, slots=True)
class FastFile:
    # every column but the timestamp, dictionary-encoded while parsing (one dictionary per
    # column after unification): far less memory and work than millions of strings
    columns: dict[str, pa.ChunkedArray]
    ts: npt.NDArray[np.int64]


_DICT = pa.dictionary(pa.int32(), pa.string())


def _is_utf8(raw: bytes, chunk: int = 1 << 24) -> bool:
    """Whether the bytes are valid UTF-8, checked in chunks so no copy of the file is kept."""
    if raw.isascii():
        return True
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(raw)
    try:
        for start in range(0, len(raw), chunk):
            decoder.decode(view[start : start + chunk])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _parse_timestamps(col: pa.Array) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """(microseconds, parsed) per cell: the numba parser, or for a small chunk the pure-Python
    one, which gives the same values without loading or compiling a kernel."""
    if len(col) >= SMALL_INPUT_ROWS:
        from journeyctl.events.tsparse import parse_instants

        return parse_instants(col)
    parsed = [parse_instant(v) for v in col.to_pylist()]
    ok = np.fromiter((t is not None for t in parsed), dtype=np.bool_, count=len(parsed))
    ts = np.fromiter((t or 0 for t in parsed), dtype=np.int64, count=len(parsed))
    return ts, ok


def read_fast(raw: bytes, header: list[str], required: Mapping[str, str]) -> FastFile | None:
    """Parse a whole CSV (header already checked) if every row is valid, else None."""
    if raw.count(b'"') % 2:
        return None  # an unterminated quote: the exact reader names its line
    if not _is_utf8(raw):
        return None  # the exact reader names the line of the first bad byte
    invalid = []

    def on_invalid(row: object) -> str:
        invalid.append(row)
        return "skip"

    try:
        table = pacsv.read_csv(
            pa.BufferReader(raw),
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, block_size=1 << 26),
            parse_options=pacsv.ParseOptions(
                newlines_in_values=b'"' in raw, invalid_row_handler=on_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={
                    name: pa.string() if name == required["timestamp"] else _DICT for name in header
                },
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
                check_utf8=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    if invalid:
        return None
    table = table.unify_dictionaries()
    columns = {name: table.column(name) for name in header if name != required["timestamp"]}
    for key in ("customer_id", "event"):  # a blank timestamp does not parse
        col = columns[required[key]]
        if col.num_chunks and _any_blank(col.chunk(0).dictionary):
            return None
    with ThreadPoolExecutor(max(1, min(os.cpu_count() or 1, 8))) as pool:
        parts = list(pool.map(_parse_timestamps, table.column(required["timestamp"]).chunks))
    del table
    if not all(ok.all() for _, ok in parts):
        return None
    ts = np.concatenate([t for t, _ in parts]) if parts else np.zeros(0, np.int64)
    return FastFile(columns, ts)


def _any_blank(values: pa.Array) -> bool:
    """Whether a dictionary holds an empty or all-whitespace value (unified: every value is used)."""
    return len(values) > 0 and bool(pc.any(pc.match_substring_regex(values, _BLANK_RE)).as_py())
