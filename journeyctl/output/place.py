"""Render placements: the §4 JSON object, CSV rows and the three summary tables."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from journeyctl.definitions.model import SEVERITY_RANK
from journeyctl.engine.placement import CustomerPlacement, PlaceResult
from journeyctl.engine.replay import Move
from journeyctl.events.timestamps import days_between, format_instant
from journeyctl.output.files import Cell, csv_text
from journeyctl.output.jsonout import dumps


def _ts(us: int | None) -> str | None:
    return format_instant(us) if us is not None else None


def move_json(m: Move) -> dict[str, Any]:
    return {
        "at": _ts(m.at),
        "from": m.from_stage,
        "to": m.to_stage,
        "direction": m.direction,
        "skipped": list(m.skipped),
        "trigger": m.trigger,
    }


def days_in_stage(c: CustomerPlacement, as_of: int) -> float | None:
    return days_between(c.entered_at, as_of) if c.entered_at is not None else None


def customer_json(c: CustomerPlacement, as_of: int) -> dict[str, Any]:
    return {
        "customer_id": c.customer_id,
        "journey": c.journey.id,
        "journey_version": c.journey.version,
        "stage": c.stage.id if c.stage is not None else None,
        "status": c.status,
        "entered_at": _ts(c.entered_at),
        "days_in_stage": days_in_stage(c, as_of),
        "attributes": dict(sorted(c.attributes.items())),
        "milestones": [
            {"id": m.id, "status": m.status, "due_at": _ts(m.due_at), "done_at": _ts(m.done_at)}
            for m in c.milestones
        ],
        "risks": [{"id": r.id, "severity": r.severity, "title": r.title} for r in c.risks],
        "risk_level": c.risk_level,
        "at_risk": c.at_risk,
        "next_activities": list(c.next_activities),
        "adoption": [
            {
                "milestone": a.milestone,
                "property": a.property,
                "used": list(a.used),
                "unused": list(a.unused),
            }
            for a in c.adoption
        ],
        "moves": [move_json(m) for m in c.moves],
    }


def place_json(result: PlaceResult, shown: Sequence[CustomerPlacement]) -> dict[str, Any]:
    s = result.summary
    return {
        "schema_version": 1,
        "as_of": format_instant(result.as_of),
        "journeys": [{"id": j.id, "version": j.version, "file": j.file} for j in result.journeys],
        "summary": {
            "customers": s.customers,
            "events": s.events,
            "ignored_after_as_of": s.ignored_after_as_of,
            "unmatched": s.unmatched,
            "bad_rows": s.bad_rows,
        },
        "customers": [customer_json(c, result.as_of) for c in shown],
        "unmatched": list(result.unmatched),
    }


def render_json(result: PlaceResult, shown: Sequence[CustomerPlacement]) -> str:
    return dumps(place_json(result, shown))


CSV_HEADER = (
    "customer_id",
    "journey",
    "journey_version",
    "stage",
    "status",
    "entered_at",
    "days_in_stage",
    "risk_level",
    "at_risk",
    "risks",
    "overdue_milestones",
    "regressions",
    "next_activity",
)


def render_csv(
    result: PlaceResult, shown: Sequence[CustomerPlacement], unmatched: Sequence[str] = ()
) -> str:
    """One row per customer; unmatched customers (when given) with status `unmatched`."""
    rows: list[list[Cell]] = [
        [cid, None, None, None, "unmatched", None, None, "none", False, "", "", 0, None]
        for cid in unmatched
    ]
    for c in shown:
        rows.append(
            [
                c.customer_id,
                c.journey.id,
                c.journey.version,
                c.stage.id if c.stage else None,
                c.status,
                _ts(c.entered_at),
                days_in_stage(c, result.as_of),
                c.risk_level,
                c.at_risk,
                ";".join(r.id for r in c.risks),
                ";".join(m.id for m in c.milestones if m.status == "overdue"),
                len(c.regressions),
                c.next_activities[0] if c.next_activities else None,
            ]
        )
    rows.sort(key=lambda r: str(r[0]))
    return csv_text(CSV_HEADER, rows)


@dataclass(frozen=True, slots=True)
class TableData:
    """A renderer-neutral table: a title, headers and rows of strings."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    empty: str = "none"
    cap: int | None = None  # show at most this many rows in tables for people

    def shown_rows(self) -> tuple[tuple[tuple[str, ...], ...], int]:
        """The rows to show and how many were left out."""
        if self.cap is None or len(self.rows) <= self.cap:
            return self.rows, 0
        return self.rows[: self.cap], len(self.rows) - self.cap


TABLE_ROWS = 50  # rows of the regressions and at-risk tables shown to people


def _fmt_days(d: float | None) -> str:
    return "" if d is None else f"{d:.1f}"


def stage_table(result: PlaceResult, shown: Sequence[CustomerPlacement]) -> TableData:
    rows: list[tuple[str, ...]] = []
    total = len(shown) or 1
    for j in result.journeys:
        mine = [c for c in shown if c.journey.id == j.id]
        if not mine:
            continue
        groups: list[tuple[str, list[CustomerPlacement]]] = [
            ("(not started)", [c for c in mine if c.stage is None])
        ] + [
            (s.id, [c for c in mine if c.stage is not None and c.stage.id == s.id])
            for s in j.stages
        ]
        for name, cs in groups:
            if not cs:
                continue
            days = [d for c in cs if (d := days_in_stage(c, result.as_of)) is not None]
            overdue = sum(1 for c in cs for m in c.milestones if m.status == "overdue")
            rows.append(
                (
                    j.id,
                    name,
                    str(len(cs)),
                    f"{100 * len(cs) / total:.1f}%",
                    _fmt_days(statistics.median(days)) if days else "",
                    str(overdue),
                    str(sum(c.at_risk for c in cs)),
                )
            )
    return TableData(
        "Stage status",
        (
            "journey",
            "stage",
            "customers",
            "share",
            "median days in stage",
            "overdue milestones",
            "at risk",
        ),
        tuple(rows),
    )


def regressions_table(result: PlaceResult, shown: Sequence[CustomerPlacement]) -> TableData:
    rows = []
    for c in shown:
        for m in c.regressions:
            rows.append(
                (
                    c.customer_id,
                    c.journey.id,
                    f"{m.from_stage} -> {m.to_stage}",
                    format_instant(m.at),
                    m.trigger,
                )
            )
    rows.sort(key=lambda r: (r[3], r[0]), reverse=True)  # most recent first
    return TableData(
        "Regressions",
        ("customer", "journey", "from -> to", "when", "trigger"),
        tuple(rows),
        cap=TABLE_ROWS,
    )


def _arr(attrs: Mapping[str, str]) -> float:
    try:
        return float(attrs.get("arr", "") or 0)
    except ValueError:
        return 0.0


def at_risk_table(
    result: PlaceResult,
    shown: Sequence[CustomerPlacement],
    accounts: Mapping[str, Mapping[str, str]] | None,
) -> TableData:
    risky = [c for c in shown if c.at_risk]
    risky.sort(key=lambda c: (-SEVERITY_RANK[c.risk_level], -_arr(c.attributes), c.customer_id))
    cols = [k for k in ("arr", "tier") if accounts and any(k in a for a in accounts.values())]
    rows = []
    for c in risky:
        row = [
            c.customer_id,
            c.journey.id,
            c.stage.id if c.stage else "",
            c.risk_level,
            "; ".join(r.title for r in c.risks),
            _fmt_days(days_in_stage(c, result.as_of)),
        ]
        row += [c.attributes.get(k, "") for k in cols]
        rows.append(tuple(row))
    return TableData(
        "At-risk accounts",
        ("customer", "journey", "stage", "level", "reasons", "days in stage", *cols),
        tuple(rows),
        cap=TABLE_ROWS,
    )


def place_tables(
    result: PlaceResult,
    shown: Sequence[CustomerPlacement],
    accounts: Mapping[str, Mapping[str, str]] | None,
) -> list[TableData]:
    return [
        stage_table(result, shown),
        regressions_table(result, shown),
        at_risk_table(result, shown, accounts),
    ]


def summary_line(result: PlaceResult) -> str:
    s = result.summary
    at_risk = sum(c.at_risk for c in result.customers)
    return (
        f"as of {format_instant(result.as_of)}: {s.customers} customers, {at_risk} at risk, "
        f"{s.unmatched} unmatched, {s.events} events, {s.bad_rows} bad rows, "
        f"{s.ignored_after_as_of} after as-of ignored"
    )
