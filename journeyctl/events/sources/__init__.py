"""Event sources (PRODUCT §8): what a source is and which reader it needs.

This module is light (no pyarrow) so the CLI's options can name sources at start-up; the
readers are in `read` (dispatch), `files`, `jsonl`, `sql` and `frames`. Every reader returns a
`Loaded` Arrow table; `typed.to_chunk` then applies §3's checks and §8's value rules once, so
every source gives the engine the same columnar chunk as the CSV reader.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal, TypeAlias

from journeyctl.errors import UsageError
from journeyctl.events.sources.urls import SqlQuery, shown_url

FRAME_NAME = "dataframe"  # bad rows of a DataFrame are `dataframe:row N`

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


__all__ = [
    "FORMATS",
    "EventSource",
    "Format",
    "Frame",
    "SqlQuery",
    "format_of",
    "is_csv",
    "parse_format",
    "source_name",
]
