"""Render validation problems as `text`, `json`, `github` or a rich `table`."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from journeyctl.errors import Problem
from journeyctl.output.escape import safe_text, workflow_safe
from journeyctl.output.jsonout import dumps

# A problem quotes its file's text (ids, values): each `text` line stays one inert line
_one_line = safe_text


def render_text(problems: list[Problem]) -> str:
    lines = []
    for p in problems:
        lines.append(
            f"{_one_line(p.file)}:{p.line}:{p.col}: {p.severity} {p.rule}: {_one_line(p.message)}"
        )
        if p.hint:
            lines.append(f"    hint: {_one_line(p.hint)}")
    return "\n".join(lines) + ("\n" if lines else "")


def render_json(problems: list[Problem], files: list[str]) -> str:
    doc = {
        "schema_version": 1,
        "files": files,
        "problems": [
            {
                "file": p.file,
                "line": p.line,
                "col": p.col,
                "severity": p.severity,
                "rule": p.rule,
                "message": p.message,
                "hint": p.hint,
            }
            for p in problems
        ],
    }
    return dumps(doc)


def gh_escape(text: str, *, prop: bool = False) -> str:
    """A value in a GitHub workflow command, encoded as GitHub requires (`%`, CR, LF; `:` and `,`
    in a property too), other control and bidi characters neutralised, so a value can neither
    start another command nor end its own property."""
    text = workflow_safe(text)
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github(problems: list[Problem]) -> str:
    lines = []
    for p in problems:
        msg = p.message + (f" (hint: {p.hint})" if p.hint else "")
        lines.append(
            f"::{p.severity} file={gh_escape(p.file, prop=True)},line={p.line},col={p.col},"
            f"title={gh_escape(p.rule, prop=True)}::{gh_escape(msg)}"
        )
    return "\n".join(lines) + ("\n" if lines else "")


MIN_MESSAGE_WIDTH = 24  # below this the table reads worse than the lines


def render_table(problems: list[Problem], width: int = 160) -> Table | Text:
    """The problems as a table when its ids fit `width` whole beside a readable message, else as
    the text format's lines, coloured (PRODUCT §4: tables never cut an id: at 80 columns the
    table cut rule ids to `dupl…`)."""
    wheres = [safe_text(f"{p.file}:{p.line}:{p.col}") for p in problems]
    fixed = (
        max(map(len, wheres), default=5)
        + len("warning")
        + max((len(p.rule) for p in problems), default=4)
    )
    if fixed + MIN_MESSAGE_WIDTH + 16 > width:  # 16: the borders and padding of five columns
        return _lines(problems)
    table = Table(title="Problems", title_justify="left")
    table.add_column("where", no_wrap=True)
    table.add_column("severity", no_wrap=True)
    table.add_column("rule", no_wrap=True)
    table.add_column("message", overflow="fold")
    table.add_column("hint", style="dim", overflow="fold")
    for p, where in zip(problems, wheres, strict=True):
        table.add_row(
            Text(where),
            Text(p.severity, style=_style(p)),
            Text(safe_text(p.rule)),
            Text(safe_text(p.message)),
            Text(safe_text(p.hint or "")),
        )
    return table


def _style(p: Problem) -> str:
    return "red" if p.severity == "error" else "yellow"


def _lines(problems: list[Problem]) -> Text:
    out = Text()
    for p in problems:
        out.append(f"{_one_line(p.file)}:{p.line}:{p.col}: ")
        out.append(p.severity, style=_style(p))
        out.append(f" {_one_line(p.rule)}: {_one_line(p.message)}\n")
        if p.hint:
            out.append(f"    hint: {_one_line(p.hint)}\n", style="dim")
    out.rstrip()
    return out


def summary_line(problems: list[Problem], nfiles: int) -> str:
    e = sum(p.severity == "error" for p in problems)
    w = len(problems) - e
    return (
        f"{nfiles} file{'s' if nfiles != 1 else ''} checked: {e} error{'s' if e != 1 else ''}, "
        f"{w} warning{'s' if w != 1 else ''}"
    )
