"""Render one customer's placement with its timeline and explanations (`journeyctl show`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from journeyctl.engine.explain import Explanation
from journeyctl.events.timestamps import format_instant
from journeyctl.output.escape import safe_text
from journeyctl.output.files import Cell, csv_text
from journeyctl.output.jsonout import dumps, inline
from journeyctl.output.place import customer_json, days_in_stage
from journeyctl.output.tabledata import TableData
from journeyctl.pipeline import ShowData, ShownAttributes


def timeline(d: ShowData) -> list[dict[str, Any]]:
    """The timeline's entries shown (the filters applied), as JSON objects."""
    out: list[dict[str, Any]] = []
    for t in d.timeline.entries:
        if t.event is not None:
            e = t.event
            props = {k: v for k, v in e.props.items() if v != ""}
            out.append(
                {"at": format_instant(e.ts), "kind": "event", "event": e.name, "properties": props}
            )
        elif t.move is not None:
            m = t.move
            out.append(
                {
                    "at": format_instant(m.at),
                    "kind": "move",
                    "from": m.from_stage,
                    "to": m.to_stage,
                    "direction": m.direction,
                    "skipped": list(m.skipped),
                    "trigger": m.trigger,
                    "regression": m.direction == "backward",
                }
            )
    return out


def explanation_json(e: Explanation) -> dict[str, Any]:
    return {
        "text": e.text,
        "holds": e.holds,
        "children": [explanation_json(c) for c in e.children],
        "events": [{"at": format_instant(ev.ts), "event": ev.name} for ev in e.events],
    }


def show_obj(d: ShowData) -> dict[str, Any]:
    obj: dict[str, Any] = {"schema_version": 1, "as_of": format_instant(d.as_of)}
    obj.update(customer_json(d.customer, d.as_of))
    obj["attributes"] = dict(d.attributes.values)
    obj["attributes_hidden"] = d.attributes.hidden
    obj["timeline"] = timeline(d)
    obj["timeline_hidden"] = d.timeline.hidden
    obj["warnings"] = [w.as_json() for w in d.warnings]
    obj["next_moves"] = [
        {
            "to": n.target,
            "kind": n.kind,
            "holds": n.explanation.holds,
            "explanation": explanation_json(n.explanation),
        }
        for n in d.next_moves
    ]
    obj["risk_reasons"] = [
        {"risk": rid, "explanation": explanation_json(e)} for rid, e in d.risk_reasons
    ]
    return obj


def show_json(d: ShowData) -> str:
    return dumps(show_obj(d))


def unmatched_json(
    customer: str,
    as_of: int,
    attributes: ShownAttributes,
    near_miss: str | None = None,
    warnings: Sequence[Mapping[str, Any]] = (),
) -> str:
    """`show` of a customer whom no journey's segment matches (`near_miss`: the journey it
    would follow but for letter case)."""
    return dumps(
        {
            "schema_version": 1,
            "as_of": format_instant(as_of),
            "customer_id": customer,
            "journey": None,
            "stage": None,
            "status": "unmatched",
            "attributes": dict(attributes.values),
            "attributes_hidden": attributes.hidden,
            "near_miss": near_miss,
            "warnings": list(warnings),
        }
    )


def unmatched_text(customer: str, attributes: ShownAttributes, near_miss: str | None = None) -> str:
    attrs = ", ".join(f"{k}={v}" for k, v in attributes.values.items()) or "none"
    lines = [f"{customer}: matches no journey's segment (unmatched)", f"attributes: {attrs}"]
    note = attributes.hidden_note()
    if note is not None:
        lines.append(note)
    if near_miss is not None:
        lines.append(f"hint: {near_miss}")
    return "".join(safe_text(line) + "\n" for line in lines)


def _lines(e: Explanation, depth: int = 0) -> list[str]:
    """The explanation as indented lines, each neutralised: the table keeps their line breaks."""
    mark = "yes" if e.holds else "no "
    out = [f"{'  ' * depth}[{mark}] {safe_text(e.text)}"]
    for c in e.children:
        out.extend(_lines(c, depth + 1))
    return out


def show_tables(d: ShowData) -> list[TableData]:
    c = d.customer
    head = [
        ("customer", c.customer_id),
        ("journey", f"{c.journey.id} (v{c.journey.version})"),
        ("stage", c.stage.id if c.stage else "(not started)"),
        ("status", c.status),
        ("entered", format_instant(c.entered_at) if c.entered_at is not None else ""),
        ("days in stage", f"{days_in_stage(c, d.as_of) or 0:.2f}" if c.entered_at else ""),
        ("risk level", c.risk_level),
    ]
    head += [(f"attribute {k}", v) for k, v in d.attributes.values.items()]
    tables = [
        TableData(
            f"Customer {c.customer_id}",
            ("field", "value"),
            tuple(head),
            note=d.attributes.hidden_note(),
        )
    ]
    rows = []
    for item in timeline(d):
        if item["kind"] == "event":
            props = ", ".join(f"{k}={v}" for k, v in item["properties"].items())
            rows.append((item["at"], "event", item["event"], props))
        else:
            label = "REGRESSION" if item["regression"] else "move"
            skipped = f" (skipped {', '.join(item['skipped'])})" if item["skipped"] else ""
            rows.append(
                (
                    item["at"],
                    label,
                    f"{item['from'] or '(start)'} -> {item['to']}{skipped}",
                    f"trigger: {item['trigger']}",
                )
            )
    tables.append(
        TableData(
            "Timeline",
            ("at", "kind", "what", "details"),
            tuple(rows),
            note=d.timeline.hidden_note(),
        )
    )
    tables.append(
        TableData(
            "Milestones",
            ("milestone", "status", "due", "done"),
            tuple(
                (
                    m.id,
                    m.status,
                    format_instant(m.due_at) if m.due_at is not None else "",
                    format_instant(m.done_at) if m.done_at is not None else "",
                )
                for m in c.milestones
            ),
        )
    )
    tables.append(
        TableData(
            "Next moves",
            ("to", "by", "holds", "conditions"),
            tuple(
                (
                    n.target,
                    n.kind,
                    "yes" if n.explanation.holds else "no",
                    "\n".join(_lines(n.explanation)),
                )
                for n in d.next_moves
            ),
            multiline=frozenset({3}),
        )
    )
    tables.append(
        TableData(
            "Active risks",
            ("risk", "severity", "why"),
            tuple(
                (r.id, r.severity, "\n".join(_lines(e)))
                for r, (_, e) in zip(c.risks, d.risk_reasons, strict=True)
            ),
            multiline=frozenset({2}),
        )
    )
    tables.append(
        TableData("Next activities", ("activity",), tuple((a,) for a in c.next_activities))
    )
    return tables


def show_csv(d: ShowData) -> str:
    rows: list[list[Cell]] = []
    for item in timeline(d):
        if item["kind"] == "event":
            rows.append(
                [
                    item["at"],
                    "event",
                    item["event"],
                    None,
                    None,
                    None,
                    inline(item["properties"]),
                ]
            )
        else:
            rows.append(
                [
                    item["at"],
                    "move",
                    item["trigger"],
                    item["from"],
                    item["to"],
                    item["direction"],
                    ";".join(item["skipped"]),
                ]
            )
    return csv_text(("at", "kind", "event_or_trigger", "from", "to", "direction", "details"), rows)
