"""Event values shared by ingestion and the engine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal


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
    unit: Literal["line", "row"] = "line"  # CSV and JSON Lines name lines; typed sources rows

    @property
    def where(self) -> str:
        """`FILE:LINE` (§3) or `FILE:row N` (§8)."""
        return f"{self.file}:row {self.line}" if self.unit == "row" else f"{self.file}:{self.line}"
