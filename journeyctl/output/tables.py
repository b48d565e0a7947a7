"""Render renderer-neutral tables as rich tables or Markdown: the boundary where every cell, title
and note from the data is neutralised (`output.escape`)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from journeyctl.output.escape import md_escape, safe_text
from journeyctl.output.tabledata import TableData

__all__ = ["md_escape", "print_tables", "to_markdown", "to_rich"]


def _cell(t: TableData, col: int, text: str) -> str:
    """One cell for a terminal: its builder's line breaks kept in multi-line columns only."""
    return safe_text(text, keep_newlines=col in t.multiline)


def to_rich(t: TableData) -> Table:
    rows, more = t.shown_rows()
    caption = f"... and {more} more (all of them with --format csv or json)" if more else None
    # Text, not str: a str title or header would be read as rich markup
    table = Table(
        title=Text(safe_text(t.title)),
        title_justify="left",
        caption=caption,
        caption_justify="left",
    )
    for h in t.headers:
        table.add_column(Text(safe_text(h)))
    for row in rows:
        table.add_row(*(Text(_cell(t, i, c)) for i, c in enumerate(row)))
    return table


def _md_cell(t: TableData, col: int, text: str) -> str:
    """One Markdown cell: a multi-line column's lines joined by spaces (a cell is one line)."""
    if col in t.multiline:
        return " ".join(md_escape(line) for line in text.split("\n"))
    return md_escape(text)


def to_markdown(tables: Sequence[TableData]) -> str:
    parts = []
    for t in tables:
        parts.append(f"## {md_escape(t.title)}\n")
        if not t.rows:
            parts.append(f"_{md_escape(t.empty)}_\n")
            continue
        parts.append("| " + " | ".join(md_escape(h) for h in t.headers) + " |")
        parts.append("|" + "|".join("---" for _ in t.headers) + "|")
        rows, more = t.shown_rows()
        for row in rows:
            parts.append("| " + " | ".join(_md_cell(t, i, c) for i, c in enumerate(row)) + " |")
        if more:
            parts.append(f"\n_... and {more} more (all of them with --format csv or json)_")
        parts.append("")
    return "\n".join(parts) + "\n"


def print_tables(console: Console, tables: Sequence[TableData]) -> None:
    """Every table for people; an empty one as one line (`Regressions: none`)."""
    for t in tables:
        if t.rows:
            console.print(to_rich(t))
        else:
            console.print(safe_text(f"{t.title}: {t.empty}"), markup=False)
