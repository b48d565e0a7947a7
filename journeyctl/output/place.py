"""Render placements: the §4 JSON object, CSV rows and the three summary tables."""

from __future__ import annotations

import io
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from journeyctl.definitions.model import SEVERITY_RANK, Journey
from journeyctl.engine.order import worst_first
from journeyctl.engine.placement import CustomerPlacement, PlaceResult, Summary
from journeyctl.engine.replay import Move
from journeyctl.events.timestamps import days_between, format_instant
from journeyctl.output.files import Cell, csv_text
from journeyctl.output.jsonout import dumps, dumps_bytes
from journeyctl.output.tabledata import TableData


def _ts(us: int | None) -> str | None:
    return format_instant(us) if us is not None else None


def move_json(m: Move) -> dict[str, Any]:
    return {
        "at": format_instant(m.at),
        "from": m.from_stage,
        "to": m.to_stage,
        "direction": m.direction,
        "skipped": list(m.skipped),
        "trigger": m.trigger,
    }


def days_in_stage(c: CustomerPlacement, as_of: int) -> float | None:
    return days_between(c.entered_at, as_of) if c.entered_at is not None else None


def customer_json(c: CustomerPlacement, as_of: int) -> dict[str, Any]:
    fmt = format_instant
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
            {
                "id": m.id,
                "status": m.status,
                "due_at": fmt(m.due_at) if m.due_at is not None else None,
                "done_at": fmt(m.done_at) if m.done_at is not None else None,
            }
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


def place_json(
    result: PlaceResult,
    shown: Sequence[CustomerPlacement],
    warnings: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    doc = _place_head(result.as_of, result.journeys, result.summary, result.unmatched, warnings)
    doc["customers"] = [customer_json(c, result.as_of) for c in shown]
    return doc


def _place_head(
    as_of: int,
    journeys: Sequence[Journey],
    s: Summary,
    unmatched: Sequence[str],
    warnings: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "as_of": format_instant(as_of),
        "journeys": [{"id": j.id, "version": j.version, "file": j.file} for j in journeys],
        "summary": {
            "customers": s.customers,
            "events": s.events,
            "ignored_after_as_of": s.ignored_after_as_of,
            "unmatched": s.unmatched,
            "bad_rows": s.bad_rows,
        },
        "customers": [],
        "unmatched": list(unmatched),
        "warnings": list(warnings),  # the data checks (PRODUCT §4)
    }


def customer_fragment(c: CustomerPlacement, as_of: int) -> bytes:
    """One customer's JSON as it appears inside the document's `customers` list."""
    return b"    " + dumps_bytes(customer_json(c, as_of)).replace(b"\n", b"\n    ")


def write_place_json(
    out: IO[bytes],
    as_of: int,
    journeys: Sequence[Journey],
    summary: Summary,
    customers: Iterable[bytes],
    unmatched: Sequence[str],
    warnings: Sequence[Mapping[str, Any]] = (),
) -> None:
    """The §4 document, written customer by customer (`customer_fragment`s, in order).

    Byte for byte what `dumps(place_json(...))` gives, without holding every customer's JSON:
    at 500k customers that is gigabytes."""
    head = dumps(_place_head(as_of, journeys, summary, unmatched, warnings)).encode("utf-8")
    before, _, after = head.partition(b'\n  "customers": [],')
    out.write(before + b'\n  "customers": [')
    first = True
    for frag in customers:
        out.write((b"\n" if first else b",\n") + frag)
        first = False
    out.write((b"]," if first else b"\n  ],") + after)


def render_json(
    result: PlaceResult,
    shown: Sequence[CustomerPlacement],
    warnings: Sequence[Mapping[str, Any]] = (),
) -> str:
    buf = io.BytesIO()
    write_place_json(
        buf,
        result.as_of,
        result.journeys,
        result.summary,
        (customer_fragment(c, result.as_of) for c in shown),
        result.unmatched,
        warnings,
    )
    return buf.getvalue().decode("utf-8")


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


def csv_row(c: CustomerPlacement, as_of: int) -> list[Cell]:
    return [
        c.customer_id,
        c.journey.id,
        c.journey.version,
        c.stage.id if c.stage else None,
        c.status,
        _ts(c.entered_at),
        days_in_stage(c, as_of),
        c.risk_level,
        c.at_risk,
        ";".join(r.id for r in c.risks),
        ";".join(m.id for m in c.milestones if m.status == "overdue"),
        len(c.regressions),
        c.next_activities[0] if c.next_activities else None,
    ]


def unmatched_csv_row(customer_id: str) -> list[Cell]:
    return [customer_id, None, None, None, "unmatched", None, None, "none", False, "", "", 0, None]


def render_csv(
    result: PlaceResult,
    shown: Sequence[CustomerPlacement],
    unmatched: Sequence[str] = (),
    by_id: bool = True,
) -> str:
    """One row per customer; unmatched customers (when given) with status `unmatched`. `by_id`
    False keeps `shown` in its order (`place --sort`) and puts the unmatched customers after."""
    rows = [csv_row(c, result.as_of) for c in shown]
    rows.extend(unmatched_csv_row(cid) for cid in unmatched)
    if by_id:
        rows.sort(key=lambda r: str(r[0]))
    return csv_text(CSV_HEADER, rows)


TABLE_ROWS = 50  # rows of the regressions and at-risk tables shown to people


def _fmt_days(d: float | None) -> str:
    return "" if d is None else f"{d:.1f}"


@dataclass(slots=True)
class _Group:
    customers: int = 0
    overdue: int = 0
    at_risk: int = 0
    days: list[float] = field(default_factory=list)


class PlaceTables:
    """The three summary tables of `place`, accumulated over batches of customers.

    In memory there is one batch; the streaming mode adds one partition at a time, so only the
    per-stage figures and the rows that can still be shown (the first TABLE_ROWS of each capped
    table) are kept, never every customer."""

    def __init__(
        self,
        journeys: Sequence[Journey],
        as_of: int,
        accounts: Mapping[str, Mapping[str, str]] | None,
    ) -> None:
        self.journeys = tuple(journeys)
        self.as_of = as_of
        self.columns = [
            k for k in ("arr", "tier") if accounts and any(k in a for a in accounts.values())
        ]
        self.total = 0
        self.groups: dict[tuple[str, str], _Group] = {}
        # the first TABLE_ROWS so far: (when, customer id, customer, move)
        self.regressions: list[tuple[str, str, CustomerPlacement, Move]] = []
        self.regression_count = 0
        self.risky: list[tuple[tuple[int, float, str], CustomerPlacement]] = []  # same
        self.risky_count = 0

    def add(self, customers: Sequence[CustomerPlacement]) -> None:
        # one pass over every customer (500k at 10M events): rows are formatted only for the
        # TABLE_ROWS that will be shown, at the end
        self.total += len(customers)
        as_of = self.as_of
        groups = self.groups
        regressions = self.regressions
        risky = self.risky
        rank = SEVERITY_RANK
        medium = rank["medium"]
        for c in customers:
            stage = c.stage
            key = (c.journey.id, stage.id if stage is not None else "")
            g = groups.get(key)
            if g is None:
                g = groups[key] = _Group()
            g.customers += 1
            if c.entered_at is not None:
                g.days.append(days_between(c.entered_at, as_of))
            for ms in c.milestones:
                if ms.status == "overdue":
                    g.overdue += 1
            level = rank[c.risk_level]
            if level >= medium:
                g.at_risk += 1
                self.risky_count += 1
                risky.append((worst_first(c), c))
            for m in c.moves:
                if m.direction == "backward":
                    self.regression_count += 1
                    regressions.append((format_instant(m.at), c.customer_id, c, m))
        # most recent first (stable: one customer's regressions at one instant keep their order)
        regressions.sort(key=lambda r: (r[0], r[1]), reverse=True)
        del regressions[TABLE_ROWS:]
        risky.sort(key=lambda r: r[0])
        del risky[TABLE_ROWS:]

    def tables(self) -> list[TableData]:
        return [self.stage_table(), self.regressions_table(), self.at_risk_table()]

    def _risk_row(self, c: CustomerPlacement) -> tuple[str, ...]:
        row = [
            c.customer_id,
            c.journey.id,
            c.stage.id if c.stage else "",
            c.risk_level,
            "; ".join(r.title for r in c.risks),
            _fmt_days(days_in_stage(c, self.as_of)),
        ]
        row += [c.attributes.get(k, "") for k in self.columns]
        return tuple(row)

    def stage_table(self) -> TableData:
        rows: list[tuple[str, ...]] = []
        total = self.total or 1
        for j in self.journeys:
            for stage_id, name in [("", "(not started)")] + [(st.id, st.id) for st in j.stages]:
                g = self.groups.get((j.id, stage_id))
                if g is None:
                    continue
                rows.append(
                    (
                        j.id,
                        name,
                        str(g.customers),
                        f"{100 * g.customers / total:.1f}%",
                        _fmt_days(statistics.median(g.days)) if g.days else "",
                        str(g.overdue),
                        str(g.at_risk),
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

    def regressions_table(self) -> TableData:
        return TableData(
            "Regressions",
            ("customer", "journey", "from -> to", "when", "trigger"),
            tuple(
                (cid, c.journey.id, f"{m.from_stage} -> {m.to_stage}", when, m.trigger)
                for when, cid, c, m in self.regressions
            ),
            cap=TABLE_ROWS,
            omitted=self.regression_count - len(self.regressions),
        )

    def at_risk_table(self) -> TableData:
        return TableData(
            "At-risk accounts",
            ("customer", "journey", "stage", "level", "reasons", "days in stage", *self.columns),
            tuple(self._risk_row(c) for _, c in self.risky),
            cap=TABLE_ROWS,
            omitted=self.risky_count - len(self.risky),
        )


def place_tables(
    result: PlaceResult,
    shown: Sequence[CustomerPlacement],
    accounts: Mapping[str, Mapping[str, str]] | None,
) -> list[TableData]:
    acc = PlaceTables(result.journeys, result.as_of, accounts)
    acc.add(shown)
    return acc.tables()


def summary_line(result: PlaceResult) -> str:
    return summary_text(result.as_of, result.summary, sum(c.at_risk for c in result.customers))


def summary_text(as_of: int, s: Summary, at_risk: int) -> str:
    return (
        f"as of {format_instant(as_of)}: {s.customers} customers, {at_risk} at risk, "
        f"{s.unmatched} unmatched, {s.events} events, {s.bad_rows} bad rows, "
        f"{s.ignored_after_as_of} after as-of ignored"
    )
