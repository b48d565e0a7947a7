"""Read event CSVs (PRODUCT §3) into per-customer, time-ordered event lists.

Cells are used exactly as written (no trimming, no missing-value parsing): `NA` is a region.
Rows that cannot be used are collected as bad rows with file, physical line and reason; whole-file
problems (encoding, NUL bytes, quoting, header) stop with an InputError naming file and line.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from journeyctl.errors import InputError, UsageError
from journeyctl.events.columns import REQUIRED
from journeyctl.events.fastcsv import read_fast
from journeyctl.events.inputs import Chunk, missing_columns_error, open_error, separator_error
from journeyctl.events.limits import MAX_RECORD, input_budget, read_input, too_big
from journeyctl.events.model import BadRow, Event
from journeyctl.events.sources import EventSource, Format, is_csv, source_name
from journeyctl.events.sources.accounts import typed_accounts
from journeyctl.events.sources.read import read_chunk
from journeyctl.events.table import (
    Column,
    CustomerEvents,
    EventTable,
    build_table,
    narrow_code_type,
)
from journeyctl.events.timestamps import parse_instant

MAX_COLUMNS = 10_000  # 100k columns took 51 s before a line was placed; no event log is that wide
# a physical line as StringIO(newline="") splits them: ends at CRLF, CR or LF
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_BREAK = re.compile(r"\r\n|\r|\n")
_BLANK = " \t\r\n\f\v"
__all__ = ["REQUIRED", "BadRow", "Event", "EventLog", "read_accounts", "read_events"]
csv.field_size_limit(2**31 - 1)


@dataclass(slots=True)
class EventLog:
    """Every valid event, grouped by customer and sorted by (timestamp, input position)."""

    table: EventTable
    columns: tuple[str, ...]
    rows: int
    bad_rows: list[BadRow]
    files: list[str]
    sizes: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # e.g. nested columns left out (§8)

    @property
    def customers(self) -> CustomerEvents:
        """customer id -> Event list (built on access; use `table` for bulk work)."""
        return CustomerEvents(self.table)

    @property
    def max_ts(self) -> int | None:
        return int(self.table.ts.max()) if self.table.rows else None


def parse_column_mappings(items: Iterable[str]) -> dict[str, str]:
    """`customer_id=AccountId` pairs into {required name: CSV column}."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, column = item.partition("=")
        if not sep or not column or name not in REQUIRED:
            raise UsageError(
                f"bad --column {item!r}",
                hint=f"use NAME=COLUMN with NAME one of {', '.join(REQUIRED)}, "
                "e.g. --column customer_id=AccountId",
            )
        out[name] = column
    return out


# what a corrupt or truncated gzip stream raises
GZIP_ERRORS = (OSError, EOFError, zlib.error)


def gzip_error(path: str, exc: BaseException) -> InputError:
    return InputError(f"{path}: not a valid gzip file: {exc}")


def _read_bytes(path: str, budget: int | None) -> bytes:
    """The file's bytes (gunzipped), at most `budget` of them (default: what the process's
    memory allows the in-memory mode; see journeyctl.events.limits)."""
    try:
        return read_input(path, input_budget(None) if budget is None else budget)
    except (EOFError, zlib.error) as exc:
        raise gzip_error(path, exc) from None
    except OSError as exc:
        raise open_error(path, exc) from None


def decode_csv_text(raw: bytes, path: str) -> str:
    """UTF-8 (BOM allowed) text of a CSV, or InputError naming the line of the first bad byte."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            f"{path}:1: file is UTF-16; events files must be UTF-8",
            hint="re-export the file as UTF-8",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{path}:{line}: not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
            hint="re-export the file as UTF-8",
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        line = text[:nul].count("\n") + 1
        raise InputError(f"{path}:{line}: contains a NUL byte: this is not a text CSV file")
    return text.removeprefix("\ufeff")


def iter_csv(text: str, path: str) -> Iterable[tuple[int, list[str]]]:
    """(first physical line, cells) for each non-blank record, header included."""
    return _records(io.StringIO(text, newline=""), path)


def _records(lines: Iterable[str], path: str) -> Iterator[tuple[int, list[str]]]:
    """(first physical line, cells) of each non-blank record read from physical lines."""
    it = iter(lines)
    first = next(it, "")
    reader = csv.reader(itertools.chain([first], it), strict=True)
    line = 1
    try:
        for row in reader:
            start = line
            line = reader.line_num + 1
            if not row:
                continue
            yield start, row
    except csv.Error as exc:
        # `"customer_id";"timestamp"` is no valid comma-separated header: say what it is
        error = separator_error(path, first.rstrip("\r\n").split(","), ()) if line == 1 else None
        if error is not None:
            raise error from None
        raise InputError(
            f"{path}:{line}: invalid CSV: {exc}", hint="check the quoting near this line"
        ) from None


def read_header(header: list[str], path: str, mapping: Mapping[str, str]) -> dict[str, int]:
    if len(header) > MAX_COLUMNS:  # each column costs time and memory in every row and step
        raise InputError(
            f"{path}:1: {len(header):,} columns; an events file may have at most {MAX_COLUMNS:,}",
            hint="keep the columns the journeys use (customer_id, timestamp, event and the "
            "properties in `where`, `distinct` and segments)",
        )
    error = separator_error(path, header, [mapping.get(r, r) for r in REQUIRED])
    if error is not None:
        raise error
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        if name in seen:
            raise InputError(
                f"{path}:1: duplicate column name {name!r}", hint="rename one of the columns"
            )
        seen[name] = i
    error = missing_columns_error(f"{path}:1", header, mapping)
    if error is not None:
        raise error
    return seen


def _read_exact(
    text: str,
    path: str,
    index: dict[str, int],
    header: list[str],
    names: tuple[int, int, int],
    bad: list[BadRow],
) -> Chunk:
    """The row-by-row reader: exact physical line numbers and a reason for every bad row."""
    ci, _, ei = names
    prop_cols = [(n, i) for n, i in index.items() if i not in names]
    cids: list[str] = []
    evs: list[str] = []
    tss: list[int] = []
    props: dict[str, list[str]] = {n: [] for n, _ in prop_cols}
    width = len(header)
    records = iter(iter_csv(text, path))
    next(records)
    for line, row in records:
        reason, ts = check_row(row, width, names)
        if reason is not None:
            bad.append(BadRow(path, line, reason, tuple(row)))
            continue
        cids.append(row[ci])
        evs.append(row[ei])
        tss.append(ts)
        for n, i in prop_cols:
            props[n].append(row[i])
    return Chunk(
        len(cids),
        pa.array(cids, pa.string()),
        pa.array(evs, pa.string()),
        np.asarray(tss, dtype=np.int64),
        {n: pa.array(v, pa.string()) for n, v in props.items()},
    )


def check_row(row: list[str], width: int, names: tuple[int, int, int]) -> tuple[str | None, int]:
    """(why the row is bad or None, its timestamp) per §3: width, required cells, timestamp."""
    if len(row) != width:
        return f"expected {width} fields, found {len(row)}", 0
    ci, ti, ei = names
    for label, cell in (("customer_id", row[ci]), ("timestamp", row[ti]), ("event", row[ei])):
        if not cell.strip(_BLANK):
            return f"missing {label}", 0
    ts = parse_instant(row[ti])
    if ts is None:
        return f"unparseable timestamp {row[ti][:60]!r}", 0
    return None, ts


def iter_csv_stream(fh: IO[bytes], path: str) -> Iterator[tuple[int, list[str]]]:
    """Like `iter_csv` over a binary stream, decoding as it goes (for inputs larger than memory).

    Encoding problems raise the same InputError as `decode_csv_text`, with the line."""
    lines = 0  # physical lines handed to the csv reader so far

    def decoded() -> Iterator[str]:
        nonlocal lines
        decoder = codecs.getincrementaldecoder("utf-8")()
        first = True
        pending = ""
        while True:
            block = fh.read(1 << 20)
            eof = not block
            if first:
                if block.startswith((b"\xff\xfe", b"\xfe\xff")):
                    raise InputError(
                        f"{path}:1: file is UTF-16; events files must be UTF-8",
                        hint="re-export the file as UTF-8",
                    )
                block = block.removeprefix(b"\xef\xbb\xbf")
                first = False
            try:
                text = pending + decoder.decode(block, final=eof)
            except UnicodeDecodeError as exc:
                before = pending + block[: exc.start].decode("utf-8", errors="replace")
                raise InputError(
                    f"{path}:{lines + len(_BREAK.findall(before)) + 1}: not valid UTF-8 "
                    f"(byte 0x{exc.object[exc.start]:02x})",
                    hint="re-export the file as UTF-8",
                ) from None
            nul = text.find("\x00")
            if nul >= 0:
                at = lines + len(_BREAK.findall(text[:nul])) + 1
                raise InputError(f"{path}:{at}: contains a NUL byte: this is not a text CSV file")
            parts = _LINE.findall(text)
            # a last line without its end (or ending in CR, maybe half a CRLF) waits for more
            pending = ""
            if not eof and parts and not parts[-1].endswith("\n"):
                pending = parts.pop()
                if len(pending) > MAX_RECORD:  # an endless line: /dev/zero, a bomb
                    raise too_big(
                        path, MAX_RECORD, f"line {lines + 1} is longer than {MAX_RECORD >> 20} MiB"
                    )
            lines += len(parts)
            yield from parts
            if eof:
                return

    yield from _records(decoded(), path)


def _first_record(text_head: str, path: str) -> list[str] | None:
    for _, row in iter_csv(text_head, path):
        return row
    return None


def read_events(
    paths: Sequence[EventSource],
    mapping: Mapping[str, str] | None = None,
    *,
    input_format: Format | None = None,
    budget: int | None = None,
) -> EventLog:
    """Read every events source; bad rows are collected, whole-file problems raise InputError.

    At most `budget` bytes of CSV are read in all (default: the process's memory allows);
    beyond, `MemoryLimitError`.

    Each CSV file goes through pyarrow's fast reader when it is entirely valid, else through the
    exact row-by-row reader, which names every bad row's line and reason. Other sources (§8:
    Parquet, JSON Lines, Arrow, SQL, DataFrames) are read by `events.sources` into the same chunk.
    """
    mapping = dict(mapping or {})
    required = {r: mapping.get(r, r) for r in REQUIRED}
    columns: dict[str, None] = {}  # property columns in first-seen order (a set, for wide files)
    bad: list[BadRow] = []
    warnings: list[str] = []
    sizes: dict[str, int] = {}
    chunks: list[Chunk] = []
    left = input_budget(None) if budget is None else budget
    for path in paths:
        if not is_csv(path, input_format):
            chunk, sizes[source_name(path)] = read_chunk(path, mapping, bad, warnings, input_format)
            columns.update(dict.fromkeys(chunk.props))
            chunks.append(chunk)
            continue
        assert isinstance(path, str)  # is_csv holds only for paths
        raw = _read_bytes(path, left)
        if left is not None:
            left = max(left - len(raw), 0)
        sizes[path] = len(raw)
        if raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        nul = raw.find(b"\x00")
        if nul >= 0 or raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            decode_csv_text(raw, path)  # raises with the line
        end = raw.find(b"\n")
        head = raw[: end if end >= 0 else len(raw)].decode("utf-8", errors="replace")
        first = _first_record(head, path) if '"' not in head else None
        fast = None
        if first is not None:
            index = read_header(first, path, mapping)
            fast = read_fast(raw, first, required)
        if fast is not None:
            header = first or []
            n = len(fast.ts)
            chunk = Chunk(
                n,
                fast.columns[required["customer_id"]],
                fast.columns[required["event"]],
                fast.ts,
                {c: a for c, a in fast.columns.items() if c not in required.values()},
            )
        else:
            text = decode_csv_text(raw, path)
            rec = _first_record(text, path)
            if rec is None:
                raise InputError(
                    f"{path}:1: empty file: no header row",
                    hint="the first line names the columns: customer_id,timestamp,event,...",
                )
            header = rec
            index = read_header(header, path, mapping)
            ids = (
                index[required["customer_id"]],
                index[required["timestamp"]],
                index[required["event"]],
            )
            chunk = _read_exact(text, path, index, header, ids, bad)
        columns.update(dict.fromkeys(chunk.props))
        chunks.append(chunk)
    return EventLog(
        _combine(chunks, list(columns)),
        tuple(columns),
        sum(c.n for c in chunks),
        bad,
        [source_name(p) for p in paths],
        sizes,
        warnings,
    )


Arrow: TypeAlias = pa.Array | pa.ChunkedArray


def _encode(arrays: list[Arrow]) -> Column:
    """One dictionary-encoded column from the files' parts (strings or dictionaries)."""
    if not arrays:
        return Column(np.empty(0, dtype=np.int32), ())
    chunks: list[pa.Array] = []
    for a in arrays:
        chunks.extend(a.chunks if isinstance(a, pa.ChunkedArray) else [a])
    chunks = [c for c in chunks if len(c)] or chunks[:1]
    if not all(pa.types.is_dictionary(c.type) for c in chunks):
        chunks = [pc.dictionary_encode(c.cast(pa.string())) for c in chunks]
    if len(arrays) > 1:  # one part's chunks already share a dictionary (fastcsv unifies them)
        chunks = pa.chunked_array(chunks).unify_dictionaries().chunks
    values = chunks[0].dictionary if chunks else pa.array([], pa.string())
    dtype = narrow_code_type(len(values))
    codes = (
        np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in chunks]).astype(
            dtype, copy=False
        )
        if chunks
        else np.empty(0, dtype)
    )
    return Column(codes, tuple(values.to_pylist()))


def _empty_column(n: int) -> pa.Array:
    """n empty cells, for a column this file does not have."""
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, np.int32)), pa.array([""]))


def _combine(chunks: list[Chunk], columns: list[str]) -> EventTable:
    n = sum(c.n for c in chunks)
    ts = np.concatenate([c.ts for c in chunks]) if chunks else np.empty(0, dtype=np.int64)
    seq = np.arange(n, dtype=np.int64)
    props = {}
    for name in columns:
        parts = [c.props[name] if name in c.props else _empty_column(c.n) for c in chunks]
        props[name] = _encode(parts)
    return build_table(
        _encode([c.cid for c in chunks]), ts, seq, _encode([c.event for c in chunks]), props
    )


def read_accounts(
    path: EventSource, mapping: Mapping[str, str] | None = None
) -> dict[str, dict[str, str]]:
    """customer id -> non-empty attributes, from an accounts table (one row per customer).

    Any source of §8 works; typed values become text by the same rules as events."""
    mapping = dict(mapping or {})
    if not is_csv(path):
        return typed_accounts(path, mapping.get("customer_id", "customer_id"))
    assert isinstance(path, str)  # is_csv holds only for paths
    text = decode_csv_text(_read_bytes(path, None), path)
    records = iter(iter_csv(text, path))
    first = next(records, None)
    if first is None:
        raise InputError(f"{path}:1: empty accounts file: no header row")
    header = first[1]
    id_col = mapping.get("customer_id", "customer_id")
    if id_col not in header and "customer_id" in header:
        id_col = "customer_id"  # the --column mapping was meant for the events files
    if len(set(header)) != len(header):
        dup = next(h for h in header if header.count(h) > 1)
        raise InputError(f"{path}:1: duplicate column name {dup!r}")
    if id_col not in header:
        error = separator_error(path, header, [id_col])
        if error is not None:
            raise error
        raise InputError(
            f"{path}:1: accounts file has no {id_col!r} column",
            details=[f"columns found: {', '.join(header)}"],
        )
    ci = header.index(id_col)
    out: dict[str, dict[str, str]] = {}
    first_line: dict[str, int] = {}
    for line, row in records:
        if len(row) != len(header):
            raise InputError(f"{path}:{line}: expected {len(header)} fields, found {len(row)}")
        cid = row[ci]
        if not cid.strip(_BLANK):
            raise InputError(f"{path}:{line}: missing {id_col}")
        if cid in out:
            raise InputError(
                f"{path}:{line}: customer {cid!r} is listed twice (first at line "
                f"{first_line[cid]})",
                hint="keep one row per customer",
            )
        first_line[cid] = line
        out[cid] = {
            h: v for i, (h, v) in enumerate(zip(header, row, strict=True)) if i != ci and v != ""
        }
    return out
