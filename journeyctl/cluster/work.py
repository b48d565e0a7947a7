"""What the workers run: read one events source, and place one shuffled partition (with its
customers' KPI values for `report` and `analyze`).

Rows carry their global input position as `seq` = (source index << 40) + row within the source:
ordering by it is ordering by (file, row), the order a local run reads, so ties at one instant
replay exactly as in memory whatever order Dask's shuffle left them in.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from journeyctl.analytics.kpis import KpiValues, kpi_values
from journeyctl.definitions.model import JourneySet
from journeyctl.engine.placement import PlaceResult, place
from journeyctl.errors import InputError
from journeyctl.events.columns import REQUIRED
from journeyctl.events.ingest import EventLog, _combine
from journeyctl.events.inputs import Chunk, open_error
from journeyctl.events.model import BadRow
from journeyctl.events.partition import (
    Partitioned,
    _exact_file,
    _Fallback,
    _fast_file,
    _Gunzip,
    _open,
    _typed_source,
    _Writers,
)
from journeyctl.events.sources import Format, is_csv

SOURCE_SHIFT = 40  # rows per source below 2**40: positions of later sources sort after
KEY_COLUMNS = ("customer_id", "ts", "seq", "event")


@dataclass(frozen=True, slots=True)
class SourceMeta:
    """What reading one source found (small: sent back to the client)."""

    name: str
    columns: list[str]  # property columns, in the source's order
    rows: int
    max_ts: int | None
    size: int
    bad_rows: list[BadRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    event_names: list[str] = field(default_factory=list)  # distinct, for the data checks (§4)


class _Collect(_Writers):
    """Keeps the normalised batches in memory instead of writing Parquet partitions: the
    partitioning is Dask's shuffle, not ours."""

    def __init__(self) -> None:
        super().__init__("", 0, 1)
        self.batches: list[pa.RecordBatch] = []

    def write(self, batch: pa.RecordBatch, part: npt.NDArray[np.int64]) -> None:
        cols = [
            c.dictionary_decode() if pa.types.is_dictionary(c.type) else c for c in batch.columns
        ]
        self.batches.append(pa.RecordBatch.from_arrays(cols, names=batch.schema.names))

    def close(self) -> None:
        pass

    def discard(self) -> None:
        self.batches.clear()


def _open_any(path: str) -> tuple[IO[bytes], int]:
    """A local path as the streaming mode opens it; a URL through fsspec (s3://, gs://, ...)."""
    if "://" not in path:
        return _open(path, path)
    import fsspec

    try:
        fh: IO[bytes] = fsspec.open(path, "rb").open()
        size = int(getattr(fh, "size", 0) or 0)
    except OSError as exc:
        raise open_error(path, exc) from None
    except (ImportError, ValueError) as exc:
        raise InputError(f"{path}: cannot open: {exc}") from None
    peek = fh.read(2)
    fh.seek(0)
    if peek == b"\x1f\x8b":
        fh = _Gunzip(fh, path)  # type: ignore[assignment]
    return fh, size


def read_source(
    index: int, source: str, mapping: Mapping[str, str], input_format: Format | None
) -> tuple[pa.Table, SourceMeta]:
    """One source's valid rows (customer_id, ts, seq, event, p:NAME...) and what was found.

    CSV goes through the streaming mode's block reader (16 MiB blocks, the exact row-by-row
    reader for a file with anything unusual), so bad rows have the local run's file, line and
    reason; other formats through the §8 readers."""
    required = {r: mapping.get(r, r) for r in REQUIRED}
    seq0 = index << SOURCE_SHIFT
    found = Partitioned("", 1, [source])
    out = _Collect()
    if not is_csv(source, input_format):
        header, rows, max_ts, size = _typed_source(source, mapping, seq0, out, found, input_format)
    else:
        fh, size = _open_any(source)
        try:
            try:
                header, rows, max_ts = _fast_file(fh, source, mapping, required, seq0, out)
            except _Fallback:
                out.discard()
                fh.close()
                fh, size = _open_any(source)
                header, rows, max_ts = _exact_file(
                    fh, source, mapping, required, seq0, out, found.bad_rows
                )
        finally:
            with contextlib.suppress(OSError):
                fh.close()
    props = [n for n in header if n not in required.values()]
    names = [*KEY_COLUMNS, *("p:" + n for n in props)]
    table = (
        pa.Table.from_batches(out.batches).rename_columns(names)
        if out.batches
        else pa.table(
            {n: pa.array([], pa.int64() if n in ("ts", "seq") else pa.string()) for n in names}
        )
    )
    events = pc.unique(table.column("event").cast(pa.string())).to_pylist()
    meta = SourceMeta(
        source, props, rows, max_ts, size, found.bad_rows, found.warnings, sorted(events)
    )
    return table, meta


def meta_of(read: tuple[pa.Table, SourceMeta]) -> SourceMeta:
    return read[1]


def frame_of(read: tuple[pa.Table, SourceMeta], columns: Sequence[str]) -> pd.DataFrame:
    """The source's rows as the shuffle's pandas frame, with every source's property columns
    (empty where this source has none, as a local run fills them)."""
    table = read[0]
    n = table.num_rows
    cols: dict[str, Any] = {
        "customer_id": table.column("customer_id").cast(pa.string()),
        "ts": table.column("ts"),
        "seq": table.column("seq"),
        "event": table.column("event").cast(pa.string()),
    }
    for name in columns:
        key = "p:" + name
        cols[key] = (
            table.column(key).cast(pa.string())
            if key in table.column_names
            else pa.array([""] * n, pa.string())
        )
    frame: pd.DataFrame = pa.table(cols).to_pandas(types_mapper=_string_dtype)
    return frame


def _string_dtype(t: pa.DataType) -> Any:
    return (
        pd.StringDtype("pyarrow") if pa.types.is_string(t) or pa.types.is_large_string(t) else None
    )


def empty_frame(columns: Sequence[str]) -> pd.DataFrame:
    """The shuffle's schema, with no rows."""
    names = [*KEY_COLUMNS, *("p:" + n for n in columns)]
    return pd.DataFrame(
        {
            n: pd.Series([], dtype="int64" if n in ("ts", "seq") else pd.StringDtype("pyarrow"))
            for n in names
        }
    )


def place_partition(
    frame: pd.DataFrame,
    journeys: JourneySet,
    as_of: int,
    accounts: Mapping[str, Mapping[str, str]] | None,
    columns: Sequence[str],
    files: Sequence[str],
) -> PlaceResult:
    """Place one partition's customers (each whole here: the shuffle was by customer id) with
    the engine a local run uses, on its rows in input order."""
    return place(journeys, partition_log(frame, columns, files), as_of, accounts)


def place_partition_with_kpis(
    frame: pd.DataFrame,
    journeys: JourneySet,
    as_of: int,
    accounts: Mapping[str, Mapping[str, str]] | None,
    columns: Sequence[str],
    files: Sequence[str],
) -> tuple[PlaceResult, KpiValues]:
    """`place_partition`, and the KPI values of its customers over its rows: what `analyze`
    needs of the events (per customer, so the client merges them without the rows)."""
    log = partition_log(frame, columns, files)
    result = place(journeys, log, as_of, accounts)
    return result, kpi_values(result, log.table)


def partition_log(frame: pd.DataFrame, columns: Sequence[str], files: Sequence[str]) -> EventLog:
    """The partition's rows as the event log a local run builds, in input order."""
    table = pa.Table.from_pandas(frame, preserve_index=False).sort_by("seq")

    def col(name: str) -> pa.Array:
        return table.column(name).combine_chunks().cast(pa.string())

    chunk = Chunk(
        table.num_rows,
        col("customer_id"),
        col("event"),
        table.column("ts").to_numpy().astype(np.int64),
        {name: col("p:" + name) for name in columns},
    )
    return EventLog(
        _combine([chunk], list(columns)), tuple(columns), table.num_rows, [], list(files)
    )


def journeyctl_version() -> str:
    """Run on every worker: the journeyctl it imports."""
    import journeyctl

    return journeyctl.__version__
