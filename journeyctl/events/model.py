"""Event values shared by ingestion and the engine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Event:
    ts: int  # microseconds since the epoch, UTC
    name: str
    props: Mapping[str, str]  # property columns as written; "" when empty
    seq: int  # input position across all files, for stable ties


@dataclass(frozen=True, slots=True)
class BadRow:
    file: str
    line: int
    reason: str
    cells: tuple[str, ...]
