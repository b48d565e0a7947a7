"""Read any source that is not CSV into the engine's columnar chunk (PRODUCT §8)."""

from __future__ import annotations

from collections.abc import Mapping

from journeyctl.events.inputs import Chunk
from journeyctl.events.model import BadRow
from journeyctl.events.sources import EventSource, Format, Frame, SqlQuery, format_of
from journeyctl.events.sources.frames import read_frame
from journeyctl.events.sources.sql import read_sql
from journeyctl.events.sources.typed import Loaded, to_chunk


def load(source: EventSource, forced: Format | None = None, timestamp: str = "timestamp") -> Loaded:
    """Read a source that is not CSV into an Arrow table (`timestamp`: that column's name)."""
    if isinstance(source, SqlQuery):
        return read_sql(source)
    if isinstance(source, Frame):
        return read_frame(source.data, source.name)
    fmt = format_of(source, forced)
    if fmt == "parquet":
        from journeyctl.events.sources.files import read_parquet

        return read_parquet(source, plain=(timestamp,))
    if fmt == "arrow":
        from journeyctl.events.sources.files import read_arrow

        return read_arrow(source)
    from journeyctl.events.sources.jsonl import read_jsonl

    return read_jsonl(source)


def read_chunk(
    source: EventSource,
    mapping: Mapping[str, str],
    bad: list[BadRow],
    warnings: list[str],
    forced: Format | None = None,
) -> tuple[Chunk, int]:
    """(valid rows as a chunk, bytes read) of one non-CSV source."""
    loaded = load(source, forced, mapping.get("timestamp", "timestamp"))
    return to_chunk(loaded, mapping, bad, warnings), loaded.size
