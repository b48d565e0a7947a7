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


# A narrow terminal must never cut an id (customer, journey, stage, milestone) or an instant
# (`analytics…`, or folded over two lines): a person copies them into the next command. Those
# columns keep the width of their longest value and the other columns (reasons, messages, numbers)
# wrap or fold instead; nothing is ever cut with "…". Only when the ids alone are wider than the
# terminal (with a few letters for each other column) is the table wider than it.
WHOLE_COLUMNS = frozenset(
    {
        "customer",
        "at",
        "when",
        "as of",
        "run at",
        "due",
        "done",
        "journey",
        "from journey",
        "to journey",
        "stage",
        "from stage",
        "to stage",
        "milestone",
        "risk",
    }
)

OTHER_MIN = 6


def to_rich(t: TableData) -> Table:
    rows, more = t.shown_rows()
    notes = [t.note] if t.note else []
    if more:
        notes.append(f"... and {more} more (all of them with --format csv or json)")
    # Text, not str: a str title, header or caption would be read as rich markup
    table = Table(
        title=Text(safe_text(t.title)),
        title_justify="left",
        caption=Text("\n".join(safe_text(n) for n in notes)) if notes else None,
        caption_justify="left",
    )
    cells = [[_cell(t, i, c) for i, c in enumerate(row)] for row in rows]
    for i, h in enumerate(t.headers):
        if h in WHOLE_COLUMNS:
            longest = max([len(r[i]) for r in cells] + [len(w) for w in h.split()])
            table.add_column(Text(safe_text(h)), min_width=longest, no_wrap=True, overflow="fold")
        else:  # readable, if narrow: a few letters a line at the least
            shortest = max([len(w) for r in cells for w in r[i].split()[:1]] + [1])
            table.add_column(
                Text(safe_text(h)), min_width=min(shortest, OTHER_MIN), overflow="fold"
            )
    for row in cells:
        table.add_row(*(Text(c) for c in row))
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
        note = f"_{md_escape(t.note)}_\n" if t.note else ""
        if not t.rows:
            parts.append(f"_{md_escape(t.empty)}_\n" + note)
            continue
        parts.append("| " + " | ".join(md_escape(h) for h in t.headers) + " |")
        parts.append("|" + "|".join("---" for _ in t.headers) + "|")
        rows, more = t.shown_rows()
        for row in rows:
            parts.append("| " + " | ".join(_md_cell(t, i, c) for i, c in enumerate(row)) + " |")
        if more:
            parts.append(f"\n_... and {more} more (all of them with --format csv or json)_")
        if note:
            parts.append("\n" + note.rstrip("\n"))
        parts.append("")
    return "\n".join(parts) + "\n"


def print_tables(console: Console, tables: Sequence[TableData]) -> None:
    """Every table for people; an empty one as one line (`Regressions: none`)."""
    for t in tables:
        if t.rows:
            console.print(to_rich(t))
        else:
            console.print(safe_text(f"{t.title}: {t.empty}"), markup=False)
            if t.note:
                console.print(safe_text(t.note), markup=False)
