"""Render validation problems as `text`, `json`, `github` or a rich `table`."""

from __future__ import annotations

from rich.table import Table

from journeyctl.errors import Problem
from journeyctl.output.jsonout import dumps


def _one_line(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n")


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


def _gh_escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github(problems: list[Problem]) -> str:
    lines = []
    for p in problems:
        msg = p.message + (f" (hint: {p.hint})" if p.hint else "")
        lines.append(
            f"::{p.severity} file={_gh_escape(p.file, prop=True)},line={p.line},col={p.col},"
            f"title={_gh_escape(p.rule, prop=True)}::{_gh_escape(msg)}"
        )
    return "\n".join(lines) + ("\n" if lines else "")


def render_table(problems: list[Problem]) -> Table:
    table = Table(title="Problems", title_justify="left")
    table.add_column("where", no_wrap=True)
    table.add_column("severity")
    table.add_column("rule")
    table.add_column("message")
    table.add_column("hint", style="dim")
    for p in problems:
        style = "red" if p.severity == "error" else "yellow"
        table.add_row(
            f"{p.file}:{p.line}:{p.col}",
            f"[{style}]{p.severity}[/]",
            p.rule,
            p.message,
            p.hint or "",
        )
    return table


def summary_line(problems: list[Problem], nfiles: int) -> str:
    e = sum(p.severity == "error" for p in problems)
    w = len(problems) - e
    return (
        f"{nfiles} file{'s' if nfiles != 1 else ''} checked: {e} error{'s' if e != 1 else ''}, "
        f"{w} warning{'s' if w != 1 else ''}"
    )
