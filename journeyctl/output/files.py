"""Formula-safe CSV cells and text (PRODUCT §4). Atomic file writes are in `journeyctl.fileio`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NEEDS_QUOTES = (",", '"', "\r", "\n")

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


def _csv_field(value: str | int | float) -> str:
    """RFC 4180 quoting, and always for CR or LF: a spreadsheet ends a row at a bare CR too, so
    the csv module's rule (quote what is in the line terminator, here only LF) is not enough."""
    if not isinstance(value, str):
        return repr(value) if isinstance(value, float) else str(value)
    if any(ch in value for ch in _NEEDS_QUOTES):
        return '"' + value.replace('"', '""') + '"'
    return value


def csv_line(row: Sequence[Cell]) -> str:
    """One CSV row, LF-terminated: the one writer of every CSV journeyctl writes (PRODUCT §4)."""
    cells = [_csv_field(csv_cell(c)) for c in row]
    if cells == [""]:
        return '""\n'  # a row of one empty cell must not read back as a blank line
    return ",".join(cells) + "\n"


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    return csv_line(header) + "".join(csv_line(row) for row in rows)
