"""What `journeyctl history` shows: snapshots, one customer, or the trend, as JSON, CSV or tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from journeyctl.events.timestamps import format_instant
from journeyctl.history.model import CustomerHistoryRow, SnapshotInfo, TrendRow
from journeyctl.output.files import Cell, csv_text
from journeyctl.output.jsonout import dumps
from journeyctl.output.tabledata import TableData

SCHEMA_VERSION = 1


def _json(obj: dict[str, Any]) -> str:
    return dumps({"schema_version": SCHEMA_VERSION, **obj})


def _journeys_text(s: SnapshotInfo) -> str:
    return ", ".join(f"{j.id} v{j.version}" for j in s.journeys)


# -- snapshots ------------------------------------------------------------------------------
def snapshots_json(rows: Sequence[SnapshotInfo]) -> str:
    return _json(
        {
            "snapshots": [
                {
                    "as_of": format_instant(s.as_of),
                    "run_at": format_instant(s.run_at),
                    "tool_version": s.tool_version,
                    "journeys": [
                        {
                            "id": j.id,
                            "version": j.version,
                            "file": j.file,
                            "content_hash": j.content_hash,
                        }
                        for j in s.journeys
                    ],
                    "inputs": [{"name": i.name, "size": i.size} for i in s.inputs],
                    "customers": s.customers,
                    "at_risk": s.at_risk,
                    "unmatched": s.unmatched,
                }
                for s in rows
            ]
        }
    )


_SNAPSHOT_HEADER = ("as_of", "run_at", "journeys", "customers", "at_risk", "unmatched", "inputs")


def _snapshot_cells(s: SnapshotInfo) -> list[Cell]:
    return [
        format_instant(s.as_of),
        format_instant(s.run_at),
        _journeys_text(s),
        s.customers,
        s.at_risk,
        s.unmatched,
        ", ".join(f"{i.name} ({i.size} bytes)" for i in s.inputs),
    ]


def snapshots_csv(rows: Sequence[SnapshotInfo]) -> str:
    return csv_text(_SNAPSHOT_HEADER, [_snapshot_cells(s) for s in rows])


def snapshots_table(rows: Sequence[SnapshotInfo]) -> TableData:
    """The CSV columns less `inputs` (json and csv have them), to fit a terminal."""
    return TableData(
        "Snapshots",
        ("as of", "run at", "journeys", "customers", "at risk", "unmatched"),
        tuple(tuple(str(c) for c in _snapshot_cells(s)[:-1]) for s in rows),
        empty="no snapshot yet: run `journeyctl report`",
    )


# -- one customer ---------------------------------------------------------------------------
def customer_json(customer_id: str, rows: Sequence[CustomerHistoryRow]) -> str:
    return _json(
        {
            "customer": {
                "customer_id": customer_id,
                "snapshots": [
                    {
                        "as_of": format_instant(r.as_of),
                        "present": r.present,
                        "journey": r.journey,
                        "journey_version": r.journey_version,
                        "stage": r.stage,
                        "status": r.status,
                        "risk_level": r.risk_level,
                        "risks": list(r.risks),
                    }
                    for r in rows
                ],
            }
        }
    )


_CUSTOMER_HEADER = ("as_of", "journey", "journey_version", "stage", "status", "risk_level", "risks")


def _customer_cells(r: CustomerHistoryRow) -> list[Cell]:
    return [
        format_instant(r.as_of),
        r.journey,
        r.journey_version,
        r.stage,
        r.status if r.present else "absent",
        r.risk_level,
        ";".join(r.risks),
    ]


def customer_csv(rows: Sequence[CustomerHistoryRow]) -> str:
    return csv_text(_CUSTOMER_HEADER, [_customer_cells(r) for r in rows])


def customer_table(customer_id: str, rows: Sequence[CustomerHistoryRow]) -> TableData:
    out = []
    for r in rows:
        cells = _customer_cells(r)
        if r.present and r.journey is not None and r.stage is None:
            cells[3] = "(not started)"
        out.append(tuple("" if c is None else str(c) for c in cells))
    return TableData(
        f"Customer {customer_id}",
        ("as of", "journey", "version", "stage", "status", "risk level", "risks"),
        tuple(out),
    )


# -- trend ----------------------------------------------------------------------------------
def trend_json(rows: Sequence[TrendRow]) -> str:
    return _json(
        {
            "trend": [
                {
                    "as_of": format_instant(r.as_of),
                    "journey": r.journey,
                    "stage": r.stage,
                    "customers": r.customers,
                    "at_risk": r.at_risk,
                }
                for r in rows
            ]
        }
    )


def trend_csv(rows: Sequence[TrendRow]) -> str:
    return csv_text(
        ("as_of", "journey", "stage", "customers", "at_risk"),
        [[format_instant(r.as_of), r.journey, r.stage, r.customers, r.at_risk] for r in rows],
    )


def trend_table(rows: Sequence[TrendRow]) -> TableData:
    def stage(r: TrendRow) -> str:
        if r.journey is None:
            return ""
        return r.stage if r.stage is not None else "(not started)"

    return TableData(
        "Customers per stage per snapshot",
        ("as of", "journey", "stage", "customers", "at risk"),
        tuple(
            (
                format_instant(r.as_of),
                r.journey if r.journey is not None else "(unmatched)",
                stage(r),
                str(r.customers),
                str(r.at_risk),
            )
            for r in rows
        ),
        empty="no snapshot yet: run `journeyctl report`",
    )
