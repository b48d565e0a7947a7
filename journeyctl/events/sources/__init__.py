"""Event sources other than CSV (PRODUCT §8): which reader a source needs, and reading it.

Every reader returns a `Loaded` Arrow table; `typed.to_chunk` then applies §3's checks and §8's
value rules once, so every source gives the engine the same columnar chunk as the CSV reader.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, TypeAlias

from journeyctl.errors import UsageError
from journeyctl.events.inputs import Chunk
from journeyctl.events.model import BadRow
from journeyctl.events.sources.frames import FRAME_NAME, is_frame, read_frame
from journeyctl.events.sources.sql import SqlQuery, read_sql, shown_url
from journeyctl.events.sources.typed import Loaded, to_chunk

Format = Literal["csv", "parquet", "jsonl", "arrow"]
FORMATS: tuple[Format, ...] = ("csv", "parquet", "jsonl", "arrow")
_SUFFIXES: dict[str, Format] = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonl.gz": "jsonl",
    ".ndjson.gz": "jsonl",
    ".arrow": "arrow",
    ".feather": "arrow",
}


@dataclass(frozen=True, slots=True)
class Frame:
    """An in-memory table given to the library (pandas, polars, pyarrow)."""

    data: object
    name: str = FRAME_NAME


EventSource: TypeAlias = str | SqlQuery | Frame


def parse_format(text: str | None) -> Format | None:
    if text is None:
        return None
    if text not in FORMATS:
        raise UsageError(f"bad --input-format {text!r}", hint=f"use one of {', '.join(FORMATS)}")
    return text  # type: ignore[return-value]


def format_of(path: str, forced: Format | None = None) -> Format:
    """The format a path is read as: --input-format, else its suffix, else CSV (§8)."""
    if forced is not None:
        return forced
    lower = path.lower()
    for suffix, fmt in _SUFFIXES.items():
        if lower.endswith(suffix):
            return fmt
    if path != "-" and _is_dir(path):
        return "parquet"  # a directory is a Parquet dataset (a CSV directory is an error anyway)
    return "csv"


def _is_dir(path: str) -> bool:
    import os

    return os.path.isdir(path)


def is_csv(source: EventSource, forced: Format | None = None) -> bool:
    return isinstance(source, str) and format_of(source, forced) == "csv"


def source_name(source: EventSource) -> str:
    """How outputs name a source (never a password)."""
    if isinstance(source, SqlQuery):
        return shown_url(source.url)
    if isinstance(source, Frame):
        return source.name
    return source


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


__all__ = [
    "FORMATS",
    "EventSource",
    "Format",
    "Frame",
    "SqlQuery",
    "format_of",
    "is_csv",
    "is_frame",
    "load",
    "parse_format",
    "read_chunk",
    "source_name",
]
