"""A renderer-neutral table: every command's tables for people are built as these, then drawn
by `output.tables` (rich or Markdown). Its own module so that builders of tables do not import
one another's renderers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TableData:
    """A renderer-neutral table: a title, headers and rows of strings."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    empty: str = "none"
    cap: int | None = None  # show at most this many rows in tables for people
    omitted: int = 0  # rows already left out of `rows` (a capped table built in batches)
    # Columns whose cells are several lines laid out by the builder, each line already passed
    # through `output.escape.safe_text`; every other cell is one line of raw data.
    multiline: frozenset[int] = frozenset()
    note: str | None = None  # one line under the table: what its builder left out, and why

    def shown_rows(self) -> tuple[tuple[tuple[str, ...], ...], int]:
        """The rows to show and how many were left out."""
        if self.cap is None or len(self.rows) <= self.cap:
            return self.rows, self.omitted
        return self.rows[: self.cap], len(self.rows) - self.cap + self.omitted

    def transposed(self) -> TableData:
        """The same cells with rows and columns swapped: the first header heads the first column
        of measures, and each row's first cell heads a column. For a table with few rows and many
        measures (a `--by` breakdown), which a terminal can then show without breaking headers."""
        rows = self.rows
        return TableData(
            self.title,
            (self.headers[0], *(r[0] for r in rows)),
            tuple((h, *(r[i] for r in rows)) for i, h in enumerate(self.headers) if i > 0),
            self.empty,
            note=self.note,
        )
