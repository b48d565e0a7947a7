"""Render a `DiffResult`: the §4 JSON object, plain text, GitHub annotations and tables."""

from __future__ import annotations

import os
from typing import Any

from journeyctl.diff.compare import DiffResult, SideProblem
from journeyctl.diff.impact import Impact
from journeyctl.diff.structural import Change, JourneyDiff
from journeyctl.events.timestamps import format_instant
from journeyctl.output.escape import safe_text
from journeyctl.output.jsonout import dumps_exact, inline
from journeyctl.output.problems import gh_escape
from journeyctl.output.problems import render_text as render_problems_text
from journeyctl.output.tabledata import TableData
from journeyctl.output.tables import md_escape, to_markdown

MAX_CELL = 100


# -- JSON -----------------------------------------------------------------------------------------
def change_json(c: Change) -> dict[str, Any]:
    return {"path": c.path, "kind": c.kind, "base": c.base, "head": c.head, "line": c.line}


def journey_json(d: JourneyDiff) -> dict[str, Any]:
    v = d.version
    return {
        "id": d.id,
        "change": d.change,
        "renamed_from": d.renamed_from,
        "file": d.file,
        "version": {"base": v.base, "head": v.head, "bumped": v.bumped},
        "changes": [change_json(c) for c in d.changes],
    }


def problem_json(sp: SideProblem) -> dict[str, Any]:
    p = sp.problem
    return {
        "side": sp.side,
        "file": p.file,
        "line": p.line,
        "col": p.col,
        "severity": p.severity,
        "rule": p.rule,
        "message": p.message,
        "hint": p.hint,
    }


def impact_json(impact: Impact) -> dict[str, Any]:
    out: dict[str, Any] = {
        "customers": impact.customers,
        "as_of": format_instant(impact.as_of),
        "matrix": [
            {
                "from_journey": m.from_journey,
                "from_stage": m.from_stage,
                "to_journey": m.to_journey,
                "to_stage": m.to_stage,
                "customers": m.customers,
            }
            for m in impact.matrix
        ],
    }
    for c in impact.counts:
        out[c.name] = {"count": c.count, "examples": list(c.examples)}
    return out


def diff_json(result: DiffResult) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "base": result.base.label,
        "head": result.head.label,
        "journeys": [journey_json(d) for d in result.journeys],
        "invalid": [problem_json(p) for p in result.invalid],
        "impact": impact_json(result.impact) if result.impact is not None else None,
        "impact_note": result.impact_note,
        "warnings": [w.as_json() for w in result.warnings],
    }


def render_json(result: DiffResult) -> str:
    return dumps_exact(diff_json(result))


# -- shared wording -------------------------------------------------------------------------------
def value_text(value: Any, limit: int | None = None) -> str:
    text = inline(value)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def change_text(c: Change, limit: int | None = None) -> str:
    if c.kind == "moved":
        return f"{c.path} moved: position {c.base} -> {c.head}"
    if c.kind == "added":
        return f"{c.path} added: {value_text(c.head, limit)}"
    if c.kind == "removed":
        return f"{c.path} removed: {value_text(c.base, limit)}"
    return f"{c.path} changed: {value_text(c.base, limit)} -> {value_text(c.head, limit)}"


def version_text(d: JourneyDiff) -> str:
    v = d.version
    if v.base is None and v.head is None:
        return ""
    if v.base is None or v.head is None:
        return f"version {v.head if v.base is None else v.base}"
    text = f"version {v.base}" if v.base == v.head else f"version {v.base} -> {v.head}"
    return text + (", not bumped" if d.version_not_bumped else "")


def journey_text(d: JourneyDiff) -> str:
    what = f"renamed from {d.renamed_from}" if d.change == "renamed" else d.change
    version = version_text(d)
    return f"{d.file}: {d.id} {what}" + (f" ({version})" if version else "")


def summary_line(result: DiffResult) -> str:
    kinds = ("changed", "added", "removed", "renamed", "unchanged")
    counts = {k: sum(d.change == k for d in result.journeys) for k in kinds}
    n = len(result.journeys)
    text = f"{n} journey{'s' if n != 1 else ''}: " + ", ".join(f"{counts[k]} {k}" for k in kinds)
    errors = sum(p.problem.severity == "error" for p in result.invalid)
    warnings = len(result.invalid) - errors
    text += f"; {errors} error{'s' if errors != 1 else ''}, "
    text += f"{warnings} warning{'s' if warnings != 1 else ''}"
    nb = len(result.version_not_bumped)
    if nb:
        text += f"; {nb} version{'s' if nb != 1 else ''} not bumped"
    return text


def side_label(result: DiffResult, side: str) -> str:
    s = result.base if side == "base" else result.head
    return f"{side} ({s.label})"


def count_text(impact: Impact, name: str) -> str:
    c = impact.count(name)
    more = ", ..." if c.count > len(c.examples) else ""
    return f"{c.count}" + (f" ({', '.join(c.examples)}{more})" if c.count else "")


def cell_text(journey: str | None, stage: str | None) -> str:
    if journey is None:
        return "(unmatched)"
    return f"{journey}/{stage if stage is not None else '(not started)'}"


# -- text -----------------------------------------------------------------------------------------
def render_text(result: DiffResult) -> str:
    lines = [f"diff {result.base.label} -> {result.head.label}: {summary_line(result)}"]
    for d in result.journeys:
        if d.change == "unchanged":
            continue
        lines.append(journey_text(d))
        for c in d.changes:
            where = f"{d.file}:{c.line}" + (" (base)" if c.kind == "removed" else "")
            lines.append(f"  {where}: {change_text(c)}")
    unchanged = [d.id for d in result.journeys if d.change == "unchanged"]
    if unchanged:
        lines.append("unchanged: " + ", ".join(unchanged))
    for side in ("base", "head"):
        problems = [sp.problem for sp in result.invalid if sp.side == side]
        if problems:
            # The lines themselves are exactly `validate --format text`'s.
            lines.append(f"problems on the {side_label(result, side)} side:")
            lines.extend(render_problems_text(problems).splitlines())
    if result.impact_note:
        lines.append(result.impact_note)
    impact = result.impact
    if impact is not None:
        lines.append(
            f"impact on {impact.customers} customers as of {format_instant(impact.as_of)}:"
        )
        for count in impact.counts:
            lines.append(f"  {count.name}: {count_text(impact, count.name)}")
        lines.append("  matrix (base -> head: customers):")
        lines.extend(f"    {n}" for n in _unchanged_note(impact))
        for m in impact.matrix:
            if m.unchanged:
                continue
            lines.append(
                f"    {cell_text(m.from_journey, m.from_stage)} -> "
                f"{cell_text(m.to_journey, m.to_stage)}: {m.customers}"
            )
    # Each entry is one line: a line feed in an id must not start a line of its own (it could
    # forge a `::error` workflow command where CI reads this output)
    return "\n".join(safe_text(line) for line in lines) + "\n"


# -- GitHub workflow commands ---------------------------------------------------------------------


def _gh_file(path: str) -> str:
    """Annotations need a path relative to the workspace: an absolute path (from journeyctl.toml)
    is made relative to the current directory when it lies below it."""
    if os.path.isabs(path):
        rel = os.path.relpath(path)
        if not rel.startswith(os.pardir):
            return rel.replace(os.sep, "/")
    return path


def _command(level: str, title: str, message: str, file: str | None = None, **pos: int) -> str:
    props = [f"file={gh_escape(_gh_file(file), prop=True)}"] if file is not None else []
    props += [f"{k}={v}" for k, v in pos.items()]
    props.append(f"title={gh_escape(title, prop=True)}")
    return f"::{level} {','.join(props)}::{gh_escape(message)}"


def render_github(result: DiffResult) -> str:
    """Notices on the head side's changed lines, warnings for versions not bumped, errors for
    invalid definitions (a base-side problem names its file in the message: its lines are the
    base revision's), and one notice with the impact."""
    lines: list[str] = []
    for d in result.journeys:
        if d.change == "added":
            lines.append(
                _command("notice", f"journey {d.id} added", journey_text(d), d.file, line=1)
            )
        elif d.change == "removed":
            lines.append(_command("notice", f"journey {d.id} removed", journey_text(d)))
        elif d.change == "renamed":
            lines.append(
                _command("notice", f"journey {d.id} renamed", journey_text(d), d.file, line=1)
            )
        for c in d.changes:
            lines.append(
                _command(
                    "notice", f"{d.id}: {c.path} {c.kind}", change_text(c), d.file, line=c.head_line
                )
            )
        if d.version_not_bumped:
            lines.append(
                _command(
                    "warning",
                    f"{d.id}: version not bumped",
                    f"{d.id} changed but its version is still {d.version.head}: bump `version`",
                    d.file,
                    line=d.version.line or 1,
                )
            )
    for sp in result.invalid:
        p = sp.problem
        msg = p.message + (f" (hint: {p.hint})" if p.hint else "")
        if sp.side == "head":
            lines.append(_command(p.severity, p.rule, msg, p.file, line=p.line, col=p.col))
        else:
            where = f"{side_label(result, 'base')}: {p.file}:{p.line}:{p.col}: "
            lines.append(_command(p.severity, f"{p.rule} (base)", where + msg))
    if result.impact_note:
        lines.append(_command("warning", "journeyctl diff impact", result.impact_note))
    if result.impact is not None:
        imp = result.impact
        counts = ", ".join(f"{c.name} {c.count}" for c in imp.counts)
        lines.append(
            _command(
                "notice",
                "journeyctl diff impact",
                f"{imp.customers} customers as of {format_instant(imp.as_of)}: {counts}",
            )
        )
    return "\n".join(lines) + ("\n" if lines else "")


# -- tables (rich table and Markdown) -------------------------------------------------------------
def _version_cell(d: JourneyDiff) -> str:
    return version_text(d).removeprefix("version ")


def diff_tables(result: DiffResult) -> list[TableData]:
    journeys = TableData(
        "Journeys",
        ("journey", "change", "version", "file", "changes"),
        tuple(
            (
                d.id if d.renamed_from is None else f"{d.id} (was {d.renamed_from})",
                d.change,
                _version_cell(d),
                d.file,
                str(len(d.changes)),
            )
            for d in result.journeys
        ),
        "no journeys on either side",
    )
    changes = TableData(
        "Changes",
        ("journey", "line", "path", "kind", "base", "head"),
        tuple(
            (
                d.id,
                f"{c.line} (base)" if c.kind == "removed" else str(c.line),
                c.path,
                c.kind,
                value_text(c.base, MAX_CELL) if c.kind != "added" else "",
                value_text(c.head, MAX_CELL) if c.kind != "removed" else "",
            )
            for d in result.journeys
            for c in d.changes
        ),
        "no structural change",
    )
    tables = [journeys, changes]
    if result.invalid:
        tables.append(
            TableData(
                "Problems in the definitions",
                ("side", "where", "severity", "rule", "message", "hint"),
                tuple(
                    (
                        side_label(result, sp.side),
                        f"{sp.problem.file}:{sp.problem.line}:{sp.problem.col}",
                        sp.problem.severity,
                        sp.problem.rule,
                        sp.problem.message,
                        sp.problem.hint or "",
                    )
                    for sp in result.invalid
                ),
            )
        )
    imp = result.impact
    if imp is not None:
        tables.append(
            TableData(
                f"Impact on {imp.customers} customers as of {format_instant(imp.as_of)}",
                ("count", "customers", "examples"),
                tuple((c.name, str(c.count), ", ".join(c.examples)) for c in imp.counts),
            )
        )
        tables.append(
            TableData(
                "Stage-to-stage matrix (base -> head)",
                ("from journey", "from stage", "to journey", "to stage", "customers"),
                tuple(
                    (
                        m.from_journey or "(unmatched)",
                        _stage_cell(m.from_journey, m.from_stage),
                        m.to_journey or "(unmatched)",
                        _stage_cell(m.to_journey, m.to_stage),
                        str(m.customers),
                    )
                    for m in imp.matrix
                    if not m.unchanged
                ),
                "no customer changed stage" if imp.matrix else "no customers",
                note=next(iter(_unchanged_note(imp)), None),
            )
        )
    return tables


def _unchanged_note(imp: Impact) -> list[str]:
    """The pairs where nothing moved are left out of the text and table matrices (JSON keeps
    them): a line says how many customers they hold."""
    same = sum(m.customers for m in imp.matrix if m.unchanged)
    if not same:
        return []
    return [
        f"{same} customer{'s' if same != 1 else ''} in the same stage on both sides (not listed)"
    ]


def _stage_cell(journey: str | None, stage: str | None) -> str:
    if journey is None:
        return ""
    return stage if stage is not None else "(not started)"


def render_markdown(result: DiffResult) -> str:
    """A pull-request comment: every value from the data is escaped."""
    head = (
        f"**journeyctl diff** {md_escape(result.base.label)} → {md_escape(result.head.label)}: "
        f"{md_escape(summary_line(result))}\n"
    )
    notes = "".join(f"\n> {md_escape(n)}\n" for n in result_notes(result))
    return head + notes + "\n" + to_markdown(diff_tables(result))


def result_notes(result: DiffResult) -> list[str]:
    """Notes about the sides and the impact, for the formats that show them inline."""
    notes = [*result.base.notes, *result.head.notes]
    if result.impact_note:
        notes.append(result.impact_note)
    return notes
