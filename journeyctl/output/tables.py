"""Render renderer-neutral tables as rich tables or Markdown (escaped)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from journeyctl.output.escape import md_escape
from journeyctl.output.tabledata import TableData

__all__ = ["md_escape", "print_tables", "to_markdown", "to_rich"]


def to_rich(t: TableData) -> Table:
    rows, more = t.shown_rows()
    caption = f"... and {more} more (all of them with --format csv or json)" if more else None
    table = Table(title=t.title, title_justify="left", caption=caption, caption_justify="left")
    for h in t.headers:
        table.add_column(h)
    for row in rows:
        table.add_row(*(Text(c) for c in row))
    return table


def to_markdown(tables: Sequence[TableData]) -> str:
    parts = []
    for t in tables:
        parts.append(f"## {md_escape(t.title)}\n")
        if not t.rows:
            parts.append(f"_{t.empty}_\n")
            continue
        parts.append("| " + " | ".join(md_escape(h) for h in t.headers) + " |")
        parts.append("|" + "|".join("---" for _ in t.headers) + "|")
        rows, more = t.shown_rows()
        for row in rows:
            parts.append("| " + " | ".join(md_escape(c) for c in row) + " |")
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
            console.print(f"{t.title}: {t.empty}", markup=False)
