"""Formula-safe CSV cells and text (PRODUCT §4). Atomic file writes are in `journeyctl.fileio`."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | bool | None


def csv_cell(value: Cell) -> str | int | float:
    """A CSV cell that spreadsheets will not run as a formula (PRODUCT §4)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([csv_cell(h) for h in header])
    for row in rows:
        w.writerow([csv_cell(c) for c in row])
    return buf.getvalue()


def csv_line(row: Sequence[Cell]) -> str:
    """One row as `csv_text` writes it (for output written row by row)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([csv_cell(c) for c in row])
    return buf.getvalue()
