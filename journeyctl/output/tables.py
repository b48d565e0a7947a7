"""Render renderer-neutral tables as rich tables or Markdown: the boundary where every cell, title
and note from the data is neutralised (`output.escape`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import groupby
from typing import Literal

from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from journeyctl.output.escape import md_escape, safe_text
from journeyctl.output.tabledata import TableData

__all__ = ["md_escape", "print_tables", "to_markdown", "to_rich"]


def _cell(t: TableData, col: int, text: str) -> str:
    """One cell for a terminal: its builder's line breaks kept in multi-line columns only."""
    return safe_text(text, keep_newlines=col in t.multiline)


# A narrow terminal must never cut an id (customer, journey, stage, milestone, event, rule, file)
# or an instant (`analytics…`, or folded over two lines): a person copies them into the next
# command. These columns hold one such value a cell and are never wrapped.
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
        "from",
        "to",
        "skipped",
        "milestone",
        "risk",
        "trigger",
        "cohort",
        "file",
        "where",
        "rule",
    }
)
# Columns of several ids a cell (`renewal -> adoption`, `c-00004, c-00018`, `a > b > c`): they
# wrap between the ids, never inside one.
ID_LIST_COLUMNS = frozenset({"from -> to", "what", "examples", "journeys", "risks", "path"})

# The narrowest a column of prose may get when nothing else fits: a longer word folds there,
# unless it is an id (stage, milestone, event and risk ids are snake_case).
PROSE_MIN = 10
# A first column whose value repeats in runs this long on average becomes heading rows.
GROUP_RUN = 2
INDENT = "  "  # the rows under a heading row


# "id": one id or instant a cell, never wrapped; "ids": wrapped between words only; "text": prose
# and numbers, wrapped between words
Kind = Literal["id", "ids", "text"]


@dataclass(frozen=True, slots=True)
class _Col:
    header: str  # one line a header word group; stacked columns have one line a source column
    kind: Kind


@dataclass(frozen=True, slots=True)
class _Row:
    cells: tuple[str, ...]
    heading: bool = False  # a group's heading: its value alone, in the first column
    end_section: bool = False
    kind: Kind | None = None  # its value's kind, in the one-block-a-row layout


@dataclass(frozen=True, slots=True)
class _Layout:
    cols: tuple[_Col, ...]
    rows: tuple[_Row, ...]
    indent: bool = False  # the first column's rows sit under heading rows
    relaxed: bool = False  # prose may fold inside a long word
    records: bool = False  # one block a row: headers down the first column

    def header_lines(self, i: int) -> list[str]:
        lines = self.cols[i].header.split("\n")
        if self.indent and i == 0:  # the group's header, then the rows' under it
            return lines[:1] + [INDENT + x for x in lines[1:]]
        return lines

    def cell_lines(self, i: int, row: _Row) -> list[str]:
        if row.heading:
            return [row.cells[i]] if i == 0 else []
        lines = row.cells[i].split("\n")
        return [INDENT + x for x in lines] if self.indent and i == 0 else lines

    def bounds(self, i: int) -> tuple[int, int]:
        """The column's least width that breaks no id, header word (nor, unless relaxed, a word
        of prose) and its natural width."""
        headers = self.header_lines(i)
        header_word = max([cell_len(w) for x in headers for w in x.split()] + [1])
        natural = max(cell_len(x) for x in headers)
        least = header_word
        for row in self.rows:
            kind = row.kind if row.kind and i > 0 else self.cols[i].kind
            for line in self.cell_lines(i, row):
                natural = max(natural, cell_len(line))
                if kind == "id" or row.heading:  # one value, never wrapped
                    least = max(least, cell_len(line))
                    continue
                indent = cell_len(line) - cell_len(line.lstrip())
                for w in line.split():
                    word = cell_len(w)
                    if kind == "text" and self.relaxed and "_" not in w:
                        word = min(word, PROSE_MIN)  # a snake_case id in prose stays whole
                    least = max(least, word + indent)
        return least, natural

    def widths(self, width: int) -> tuple[list[int] | None, list[int], bool]:
        """Column widths within `width` (None: their natural widths fit), the least widths, and
        whether they fit."""
        room = width - 3 * len(self.cols) - 1  # rich's borders and padding
        bounds = [self.bounds(i) for i in range(len(self.cols))]
        least, natural = [b[0] for b in bounds], [b[1] for b in bounds]
        if sum(natural) <= room:
            return None, least, True
        if sum(least) > room:
            return least, least, False
        # the widest columns give way first, never below their least width (rich's own shrinking
        # ignores the least widths, then grows columns back past the terminal)
        out = list(natural)
        for _ in range(sum(natural) - room):
            i = max((k for k in range(len(out)) if out[k] > least[k]), key=lambda k: out[k])
            out[i] -= 1
        return out, least, True


def _kind(header: str) -> Kind:
    return "id" if header in WHOLE_COLUMNS else "ids" if header in ID_LIST_COLUMNS else "text"


def _flat(t: TableData, cells: list[tuple[str, ...]]) -> _Layout:
    return _Layout(tuple(_Col(h, _kind(h)) for h in t.headers), tuple(_Row(r) for r in cells))


def _grouped(flat: _Layout) -> _Layout | None:
    """The first column as heading rows (`analytics-enterprise-na`, then its stages under it)
    when its values come in runs: the repeated column a narrow terminal cannot afford."""
    if len(flat.cols) < 3 or flat.cols[0].kind != "id":
        return None
    runs = [list(g) for _, g in groupby(flat.rows, key=lambda r: r.cells[0])]
    if len(flat.rows) < GROUP_RUN * len(runs):
        return None
    first, second = flat.cols[0], flat.cols[1]
    cols = (_Col(f"{first.header}\n{second.header}", second.kind), *flat.cols[2:])
    rows: list[_Row] = []
    for n, run in enumerate(runs):
        rows.append(_Row((run[0].cells[0],) + ("",) * (len(cols) - 1), heading=True))
        last = len(run) - 1
        rows.extend(
            _Row(r.cells[1:], end_section=k == last and n < len(runs) - 1)
            for k, r in enumerate(run)
        )
    return _Layout(cols, tuple(rows), indent=True)


def _stacked(layout: _Layout) -> _Layout:
    """Neighbouring id columns as one, a value a line (customer over journey over stage): as
    wide as the widest of them rather than all of them side by side."""
    spans: list[list[int]] = []
    for i, col in enumerate(layout.cols):
        if spans and col.kind == "id" and layout.cols[spans[-1][-1]].kind == "id":
            spans[-1].append(i)
        else:
            spans.append([i])
    if len(spans) == len(layout.cols):
        return layout
    cols = tuple(
        _Col("\n".join(layout.cols[i].header for i in s), layout.cols[s[0]].kind) for s in spans
    )
    rows = tuple(
        _Row(
            tuple(r.cells[s[0]] if r.heading else "\n".join(r.cells[i] for i in s) for s in spans),
            r.heading,
            r.end_section,
        )
        for r in layout.rows
    )
    return _Layout(cols, rows, layout.indent)


def _records(flat: _Layout) -> _Layout:
    """The last resort, as psql's expanded display: a block of `header  value` lines a row."""
    rows: list[_Row] = []
    for n, r in enumerate(flat.rows):
        last = len(r.cells) - 1
        rows.extend(
            _Row((c.header, v), end_section=k == last and n < len(flat.rows) - 1, kind=c.kind)
            for k, (c, v) in enumerate(zip(flat.cols, r.cells, strict=True))
        )
    return _Layout((_Col("", "id"), _Col("", "text")), tuple(rows), relaxed=True, records=True)


def to_rich(t: TableData, width: int) -> Group:
    """The table in the first layout that fits `width` columns without cutting an id or a header
    word: as it is; the first column as heading rows; neighbouring id columns stacked; prose
    folding inside long words; one block a row."""
    rows, more = t.shown_rows()
    notes = [t.note] if t.note else []
    if more:
        notes.append(f"... and {more} more (all of them with --format csv or json)")
    cells = [tuple(_cell(t, i, c) for i, c in enumerate(row)) for row in rows]
    flat = _flat(t, cells)
    grouped = _grouped(flat)
    stacked = _stacked(grouped or flat)
    candidates = [flat, grouped, stacked, replace(stacked, relaxed=True)]
    for layout in candidates:
        if layout is None:
            continue
        widths, least, fits = layout.widths(width)
        if fits:
            break
    else:
        layout = _records(flat)
        widths, least, _ = layout.widths(width)
    table = Table(show_header=not layout.records)
    for i, col in enumerate(layout.cols):
        table.add_column(
            Text("\n".join(layout.header_lines(i))),
            width=None if widths is None else widths[i],
            min_width=least[i] if widths is None else None,
            no_wrap=col.kind == "id",
            overflow="fold",
        )
    for row in layout.rows:
        texts = []
        for i, col in enumerate(layout.cols):
            text = "\n".join(layout.cell_lines(i, row))
            kind = row.kind if row.kind and i > 0 else col.kind
            whole = row.heading or kind == "id"
            texts.append(
                Text(text, style="bold" if row.heading else "", no_wrap=True if whole else None)
            )
        table.add_row(*texts, end_section=row.end_section)
    # Title and notes are lines of their own, wrapped at the terminal rather than at the table
    # (a narrow table would break its title into short lines), and never padded with spaces.
    # Text, not str: a str title, header or note would be read as rich markup.
    parts: list[RenderableType] = [Text(safe_text(t.title), style="table.title"), table]
    parts.extend(Text(safe_text(n), style="table.caption") for n in notes)
    return Group(*parts)


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
            console.print(to_rich(t, console.width))
        else:
            console.print(safe_text(f"{t.title}: {t.empty}"), markup=False)
            if t.note:
                console.print(safe_text(t.note), markup=False)
