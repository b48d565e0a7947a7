"""Split event CSVs by customer into Parquet partitions, for inputs larger than memory.

The streaming mode of `place` (PRODUCT §3 rules unchanged) reads each file in blocks with
pyarrow's streaming CSV reader, sends every row to partition crc32(customer_id) mod N, and writes
one Parquet file per (input file, partition): a customer's events all land in one partition, so
placing partition by partition gives the same result as placing everything at once. Rows keep
their global input position, so ties at one instant replay in input order as in memory.

A block with anything unusual (a bad or ragged row, odd quoting, invalid UTF-8) makes the file go
through the exact row-by-row reader instead, exactly as in memory, so bad rows are named with the
same file, line and reason.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import stat
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from journeyctl.errors import InputError
from journeyctl.events.columns import REQUIRED
from journeyctl.events.fastcsv import _any_blank
from journeyctl.events.ingest import (
    GZIP_ERRORS,
    EventLog,
    _combine,
    check_row,
    gzip_error,
    iter_csv_stream,
    read_header,
)
from journeyctl.events.inputs import Chunk, open_error
from journeyctl.events.limits import (
    BASE_MEMORY,
    BYTES_PER_CSV_BYTE,
    MAX_RECORD,
    MemoryLimitError,
    effective_limit,
    human,
    too_big,
)
from journeyctl.events.model import BadRow
from journeyctl.events.sources import EventSource, Format, is_csv, source_name
from journeyctl.events.sources.read import read_chunk
from journeyctl.events.tsparse import parse_instants
from journeyctl.jit import njit

BLOCK = 1 << 24  # bytes per block read from the CSV
EXACT_BATCH = 200_000  # rows per batch from the exact reader
_DICT = pa.dictionary(pa.int32(), pa.string())


class _Fallback(Exception):
    """This file needs the exact reader."""


@dataclass(slots=True)
class Partitioned:
    """Where the partitions are, and what reading the input found."""

    directory: str
    parts: int
    files: list[str]
    columns: list[str] = field(default_factory=list)  # property columns, first-seen order
    rows: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sizes: dict[str, int] = field(default_factory=dict)
    max_ts: int | None = None
    written: list[list[str]] = field(default_factory=list)  # partition -> its Parquet files


def part_of(customer_ids: pa.Array, parts: int) -> tuple[npt.NDArray[np.int64], bool]:
    """(partition of each customer id, whether any id is blank).

    The partition is FNV-1a of the id's UTF-8 bytes mod `parts`, computed over the Arrow buffers
    (no Python string per row: at 50M rows that alone took gigabytes)."""
    if pa.types.is_large_string(customer_ids.type):
        customer_ids = customer_ids.cast(pa.string())
    n = len(customer_ids)
    bufs = customer_ids.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int32, count=n + 1, offset=customer_ids.offset * 4)
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(1, np.uint8)
    out = np.empty(n, np.int64)
    blank = _fnv_parts(data, offsets.astype(np.int64), parts, out)
    return out, bool(blank)


@njit(cache=True, nogil=True)
def _fnv_parts(data, offsets, parts, out):  # type: ignore[no-untyped-def]
    blank = False
    for r in range(offsets.shape[0] - 1):
        h = np.uint64(14695981039346656037)
        only_space = True
        for i in range(offsets[r], offsets[r + 1]):
            c = data[i]
            if not (c == 32 or 9 <= c <= 13):  # §3 blank: space, \t \n \v \f \r
                only_space = False
            h = (h ^ np.uint64(c)) * np.uint64(1099511628211)
        if only_space:
            blank = True
        out[r] = np.int64(h % np.uint64(parts))
    return blank


def _open(path: str, source: str) -> tuple[IO[bytes], int]:
    """A binary stream of the file (gunzipped) and its size on disk; `path` names it in
    messages, `source` is where it is (a spooled copy for stdin)."""
    try:
        fh: IO[bytes] = open(source, "rb")  # noqa: SIM115 - closed by the caller
        size = os.fstat(fh.fileno()).st_size
    except OSError as exc:
        raise open_error(path, exc) from None
    peek = getattr(fh, "peek", None)
    if peek is not None and peek(2)[:2] == b"\x1f\x8b":
        fh = _Gunzip(fh, path)  # type: ignore[assignment]
    return fh, size


class _Gunzip(io.RawIOBase):
    """A gzip stream whose corruption is an input error naming the file (not a disk error)."""

    def __init__(self, fh: IO[bytes], path: str) -> None:
        self.gz = gzip.open(fh)  # noqa: SIM115 - closed by close()
        self.path = path

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        try:
            return self.gz.read(n)
        except GZIP_ERRORS as exc:
            raise gzip_error(self.path, exc) from None

    def readline(self, size: int | None = -1) -> bytes:
        try:
            return self.gz.readline(-1 if size is None else size)
        except GZIP_ERRORS as exc:
            raise gzip_error(self.path, exc) from None

    def readinto(self, b: Any) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.gz.close()
        super().close()


class _QuoteCounter(io.RawIOBase):
    """Reads through to a stream, counting double quotes: an odd total means an unterminated
    quote, which pyarrow would take as running to the end of the file."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh = fh
        self.quotes = 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        data = self.fh.read(n)
        self.quotes += data.count(b'"')
        return data

    def readinto(self, b: Any) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)


class _Writers:
    """One Parquet writer per partition for one input file, opened on first use."""

    def __init__(self, directory: str, file_index: int, parts: int) -> None:
        self.directory = directory
        self.file_index = file_index
        self.writers: dict[int, pq.ParquetWriter] = {}
        self.paths: dict[int, str] = {}
        self.parts = parts

    def write(self, batch: pa.RecordBatch, part: npt.NDArray[np.int64]) -> None:
        order = np.argsort(part, kind="stable")
        counts = np.bincount(part, minlength=self.parts)
        bounds = np.concatenate([[0], np.cumsum(counts)])
        for k in np.flatnonzero(counts):
            rows = batch.take(pa.array(order[bounds[k] : bounds[k + 1]]))
            cols = [
                c.dictionary_decode() if pa.types.is_dictionary(c.type) else c for c in rows.columns
            ]
            out = pa.RecordBatch.from_arrays(cols, names=rows.schema.names)
            w = self.writers.get(int(k))
            if w is None:
                path = os.path.join(self.directory, f"f{self.file_index}-p{int(k)}.parquet")
                w = self.writers[int(k)] = pq.ParquetWriter(path, out.schema, compression="lz4")
                self.paths[int(k)] = path
            w.write_batch(out)

    def close(self) -> None:
        for w in self.writers.values():
            w.close()

    def discard(self) -> None:
        """Close and delete this file's partitions (also after a failed write: a full disk)."""
        for w in self.writers.values():
            with contextlib.suppress(OSError):
                w.close()
        for p in self.paths.values():
            with contextlib.suppress(OSError):
                os.unlink(p)
        self.writers.clear()
        self.paths.clear()


def partition_events(
    paths: Sequence[EventSource],
    mapping: Mapping[str, str],
    directory: str,
    parts: int,
    progress: Callable[[int], None] | None = None,
    input_format: Format | None = None,
) -> Partitioned:
    """Read every events file once and write its rows to `parts` Parquet partitions."""
    required = {r: mapping.get(r, r) for r in REQUIRED}
    names = [source_name(p) for p in paths]
    out = Partitioned(directory, parts, names, written=[[] for _ in range(parts)])
    seq0 = 0
    for fi, path in enumerate(paths):
        if not is_csv(path, input_format):
            name = source_name(path)
            writers = _Writers(directory, fi, parts)
            try:
                header, rows, max_ts, out.sizes[name] = _typed_source(
                    path, mapping, seq0, writers, out, input_format
                )
                writers.close()
            except BaseException:
                writers.discard()
                raise
            _record(out, header, required, writers, rows, max_ts)
            seq0 += rows
            if progress is not None:
                progress(out.rows)
            continue
        assert isinstance(path, str)  # is_csv holds only for paths
        source = path
        if not _regular(path):
            # stdin, a FIFO: spooled to disk, as a file with a problem is read a second time
            source = os.path.join(directory, f"input-{fi}")
            _spool(path, source)
        fh, size = _open(path, source)
        writers = _Writers(directory, fi, parts)
        try:
            try:
                header, rows, max_ts = _fast_file(fh, path, mapping, required, seq0, writers)
            except _Fallback:
                writers.discard()
                fh.close()
                fh, size = _open(path, source)
                header, rows, max_ts = _exact_file(
                    fh, path, mapping, required, seq0, writers, out.bad_rows
                )
            writers.close()
        except BaseException:
            writers.discard()
            raise
        finally:
            fh.close()
        if source != path:
            os.unlink(source)
        out.sizes[path] = size
        _record(out, header, required, writers, rows, max_ts)
        seq0 += rows
        if progress is not None:
            progress(out.rows)
    return out


def _record(
    out: Partitioned,
    header: list[str],
    required: Mapping[str, str],
    writers: _Writers,
    rows: int,
    max_ts: int | None,
) -> None:
    """Add one source's columns, partition files, row count and latest instant to `out`."""
    seen = set(out.columns) | set(required.values())  # a set: wide files have 100k columns
    out.columns.extend(n for n in dict.fromkeys(header) if n not in seen)
    for k, p in writers.paths.items():
        out.written[k].append(p)
    out.rows += rows
    if max_ts is not None:
        out.max_ts = max_ts if out.max_ts is None else max(out.max_ts, max_ts)


def _typed_source(
    source: EventSource,
    mapping: Mapping[str, str],
    seq0: int,
    writers: _Writers,
    out: Partitioned,
    input_format: Format | None,
) -> tuple[list[str], int, int | None, int]:
    """A non-CSV source (§8) read whole, then split like a CSV: (columns, rows, max ts, size).

    Columnar sources are far smaller than their CSV, so one of them at a time fits in memory."""
    chunk, size = read_chunk(source, mapping, out.bad_rows, out.warnings, input_format)
    if chunk.n == 0:
        return list(chunk.props), 0, None, size
    cid = _combined(chunk.cid)
    ids = cid.dictionary_decode() if pa.types.is_dictionary(cid.type) else cid
    batch = pa.RecordBatch.from_arrays(
        [
            ids,
            pa.array(chunk.ts),
            pa.array(np.arange(seq0, seq0 + chunk.n)),
            _combined(chunk.event),
            *(_combined(c) for c in chunk.props.values()),
        ],
        names=["customer_id", "ts", "seq", "event"] + ["p:" + n for n in chunk.props],
    )
    writers.write(batch, part_of(ids, writers.parts)[0])
    return list(chunk.props), chunk.n, int(chunk.ts.max()), size


def _combined(col: pa.Array | pa.ChunkedArray) -> pa.Array:
    return col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col


def _regular(path: str) -> bool:
    try:
        return path != "-" and stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return True  # opening it will say what is wrong


def _spool(path: str, target: str) -> None:
    """Copy stdin or a FIFO to `target`. Text with a NUL byte stops at once: in memory that is a
    whole-file error, and /dev/zero would otherwise fill the disk."""
    try:
        src = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
    except OSError as exc:
        raise open_error(path, exc) from None
    try:
        with open(target, "wb") as copy:
            first = src.read(1 << 16)
            plain = first[:2] != b"\x1f\x8b"
            lines = 0
            block = first
            while block:
                if plain and b"\x00" in block:
                    at = lines + block[: block.index(b"\x00")].count(b"\n") + 1
                    raise InputError(
                        f"{path}:{at}: contains a NUL byte: this is not a text CSV file"
                    )
                lines += block.count(b"\n")
                copy.write(block)
                block = src.read(1 << 24)
    finally:
        if src is not sys.stdin.buffer:
            src.close()


def _header_of(fh: IO[bytes], path: str) -> list[str]:
    """The header row (its names are checked by the caller)."""
    head = fh.readline(MAX_RECORD + 1)
    if len(head) > MAX_RECORD:  # no line end in sight: /dev/zero, a bomb
        raise too_big(path, MAX_RECORD, f"line 1 is longer than {MAX_RECORD >> 20} MiB")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            f"{path}:1: file is UTF-16; events files must be UTF-8",
            hint="re-export the file as UTF-8",
        )
    text = head.removeprefix(b"\xef\xbb\xbf")
    if b'"' in text or b"\x00" in text:
        raise _Fallback
    try:
        names = text.decode("utf-8").rstrip("\r\n").split(",")
    except UnicodeDecodeError:
        raise _Fallback from None
    if names == [""]:
        raise _Fallback  # empty file: the exact reader says so
    return names


def _fast_file(
    fh: IO[bytes],
    path: str,
    mapping: Mapping[str, str],
    required: Mapping[str, str],
    seq0: int,
    writers: _Writers,
) -> tuple[list[str], int, int | None]:
    header = _header_of(fh, path)
    read_header(header, path, mapping)
    invalid: list[object] = []

    def on_invalid(row: object) -> str:
        invalid.append(row)
        return "skip"

    counter = _QuoteCounter(fh)
    try:
        reader = pacsv.open_csv(
            counter,
            read_options=pacsv.ReadOptions(
                column_names=header, block_size=BLOCK, use_threads=False
            ),
            parse_options=pacsv.ParseOptions(
                newlines_in_values=True, invalid_row_handler=on_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={  # ids as strings: a dictionary of every id would only grow
                    n: pa.string()
                    if n in (required["timestamp"], required["customer_id"])
                    else _DICT
                    for n in header
                },
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
                check_utf8=True,
            ),
        )
        rows = 0
        max_ts: int | None = None
        for batch in reader:
            if invalid:
                raise _Fallback
            if _any_blank(batch.column(required["event"]).dictionary):
                raise _Fallback
            if any(_has_nul(c) for c in batch.columns):
                raise _Fallback  # in memory, a NUL byte is a whole-file error: let that reader say
            ts, ok = parse_instants(batch.column(required["timestamp"]))
            if not ok.all():
                raise _Fallback
            n = batch.num_rows
            if n == 0:
                continue
            max_ts = int(ts.max()) if max_ts is None else max(max_ts, int(ts.max()))
            part, blank = part_of(batch.column(required["customer_id"]), writers.parts)
            if blank:
                raise _Fallback
            writers.write(
                _normalised(batch, required, ts, np.arange(seq0 + rows, seq0 + rows + n)), part
            )
            rows += n
        if invalid or counter.quotes % 2:
            raise _Fallback
    except (pa.ArrowInvalid, pa.ArrowException):
        raise _Fallback from None
    return header, rows, max_ts


def _has_nul(col: pa.Array) -> bool:
    values = col.dictionary if pa.types.is_dictionary(col.type) else col
    return len(values) > 0 and bool(pc.any(pc.match_substring(values, "\x00")).as_py())


def _normalised(
    batch: pa.RecordBatch,
    required: Mapping[str, str],
    ts: npt.NDArray[np.int64],
    seq: npt.NDArray[np.int64],
) -> pa.RecordBatch:
    """A batch as stored: customer_id, ts, seq, event, then the property columns."""
    names = ["customer_id", "ts", "seq", "event"]
    cols = [
        batch.column(required["customer_id"]),
        pa.array(ts),
        pa.array(seq),
        batch.column(required["event"]),
    ]
    for name in batch.schema.names:
        if name not in required.values():
            names.append("p:" + name)
            cols.append(batch.column(name))
    return pa.RecordBatch.from_arrays(cols, names=names)


def _exact_file(
    fh: IO[bytes],
    path: str,
    mapping: Mapping[str, str],
    required: Mapping[str, str],
    seq0: int,
    writers: _Writers,
    bad: list[BadRow],
) -> tuple[list[str], int, int | None]:
    records = iter_csv_stream(fh, path)
    first = next(records, None)
    if first is None:
        raise InputError(
            f"{path}:1: empty file: no header row",
            hint="the first line names the columns: customer_id,timestamp,event,...",
        )
    header = first[1]
    index = read_header(header, path, mapping)
    ci, ti, ei = (index[required[k]] for k in REQUIRED)
    props = [(n, i) for n, i in index.items() if i not in (ci, ti, ei)]
    rows = 0
    max_ts: int | None = None
    for batch in _exact_batches(records, path, header, (ci, ti, ei), props, bad):
        n = len(batch[1])
        ts = np.asarray(batch[1], dtype=np.int64)
        max_ts = int(ts.max()) if max_ts is None else max(max_ts, int(ts.max()))
        cid = pa.array(batch[0], pa.string())
        rb = pa.RecordBatch.from_arrays(
            [
                cid,
                pa.array(ts),
                pa.array(np.arange(seq0 + rows, seq0 + rows + n)),
                pa.array(batch[2], pa.string()),
            ]
            + [pa.array(v, pa.string()) for v in batch[3]],
            names=["customer_id", "ts", "seq", "event"] + ["p:" + n for n, _ in props],
        )
        writers.write(rb, part_of(cid, writers.parts)[0])
        rows += n
    return header, rows, max_ts


def _exact_batches(
    records: Iterator[tuple[int, list[str]]],
    path: str,
    header: list[str],
    names: tuple[int, int, int],
    props: list[tuple[str, int]],
    bad: list[BadRow],
) -> Iterator[tuple[list[str], list[int], list[str], list[list[str]]]]:
    ci, _, ei = names
    cids: list[str] = []
    tss: list[int] = []
    evs: list[str] = []
    pv: list[list[str]] = [[] for _ in props]
    width = len(header)
    for line, row in records:
        reason, ts = check_row(row, width, names)
        if reason is not None:
            bad.append(BadRow(path, line, reason, tuple(row)))
            continue
        cids.append(row[ci])
        tss.append(ts)
        evs.append(row[ei])
        for j, (_, i) in enumerate(props):
            pv[j].append(row[i])
        if len(cids) >= EXACT_BATCH:
            yield cids, tss, evs, pv
            cids, tss, evs, pv = [], [], [], [[] for _ in props]
    if cids:
        yield cids, tss, evs, pv


# what one partition may always take, however small the limit (tests force streaming with 1M)
MIN_PARTITION_ROOM = 8 << 20


@dataclass(frozen=True, slots=True)
class PartitionBudget:
    """What --memory-limit leaves one partition, fixed when placing begins. Only a limit the
    user set is held per customer: the automatic one is an estimate that shrinks as the process
    grows, and there running out of memory is still caught (exit 2)."""

    limit: int

    @property
    def room(self) -> int:
        return max(self.limit - BASE_MEMORY, MIN_PARTITION_ROOM)


def partition_budget(memory_limit: int | None) -> PartitionBudget | None:
    limit = effective_limit(memory_limit) if memory_limit is not None else None
    return None if limit is None else PartitionBudget(limit)


def _busiest(p: Partitioned, k: int) -> tuple[str, int, int]:
    """(customer id, its rows, all rows) of the customer with the most rows in partition k."""
    ids = pa.concat_arrays(
        [
            c.dictionary_decode() if pa.types.is_dictionary(c.type) else c
            for f in p.written[k]
            for c in pq.read_table(f, columns=["customer_id"]).column(0).chunks
        ]
    )
    counts = pc.value_counts(ids)
    top = int(np.argmax(counts.field("counts").to_numpy()))
    return (
        str(counts.field("values")[top].as_py()),
        int(counts.field("counts")[top].as_py()),
        len(ids),
    )


def _customer_too_big(
    p: Partitioned, k: int, budget: PartitionBudget, who: str, rows: int, need: int
) -> MemoryLimitError:
    """Name the customer whose events alone exceed the budget, and the limit that would do."""
    suggest = human(_round_up(BASE_MEMORY + need))
    return MemoryLimitError(
        f"{source_label(p)}: customer {who!r} alone has {rows:,} events; placing them needs "
        f"about {human(need)} beyond journeyctl's own {human(BASE_MEMORY)}, more than "
        f"--memory-limit {human(budget.limit)} allows (partition {k + 1} of {p.parts}; a "
        "customer's events are never split), so reading stopped",
        hint=f"give --memory-limit {suggest} or more",
    )


def _round_up(n: int) -> int:
    """n rounded up to a limit a person would type: a multiple of 256 MiB."""
    step = 256 << 20
    return -(-n // step) * step


def source_label(p: Partitioned) -> str:
    return p.files[0] if len(p.files) == 1 else "the events input"


def _uncompressed(path: str) -> int:
    meta = pq.read_metadata(path)
    return sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))


def read_partition(p: Partitioned, k: int, budget: PartitionBudget | None = None) -> EventLog:
    """Partition k as an event log (its rows only; bad rows are counted for the whole input).

    Rows come back in input order (file by file, block by block), so positions restart at 0
    but keep their order: ties replay exactly as in memory. Refused before it is read
    (`MemoryLimitError`): a customer whose events alone need more than the budget leaves
    (partitions split customers, never a customer's events), and a partition larger than all
    the memory the process has left."""
    chunks = []
    held = sum(_uncompressed(f) for f in p.written[k])
    need = int(held * BYTES_PER_CSV_BYTE)
    if budget is not None and need > budget.room:
        who, rows, total = _busiest(p, k)
        own = need * rows // max(total, 1)
        if own > budget.room:
            raise _customer_too_big(p, k, budget, who, rows, own)
    limit = effective_limit(None)
    if limit is not None and held > limit:  # a bomb of one id, or many customers
        raise too_big(
            source_label(p),
            limit,
            f"partition {k + 1} of {p.parts} alone needs more memory than there is",
        )
    for path in p.written[k]:
        names = pq.read_schema(path).names
        strings = [n for n in names if n not in ("ts", "seq")]
        t = pq.read_table(path, read_dictionary=strings)
        chunks.append(
            Chunk(
                t.num_rows,
                t.column("customer_id").unify_dictionaries(),
                t.column("event").unify_dictionaries(),
                t.column("ts").to_numpy(),
                {n[2:]: t.column(n).unify_dictionaries() for n in names if n.startswith("p:")},
            )
        )
    table = _combine(chunks, p.columns)
    return EventLog(table, tuple(p.columns), table.rows, [], p.files, {}, p.warnings)
