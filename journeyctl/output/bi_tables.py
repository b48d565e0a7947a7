"""The four tables of PRODUCT §8 for BI tools, as Arrow tables: customers, moves, milestones,
risks. `place --format parquet` writes them; the Python API hands them out as DataFrames.

Columns have real types (timestamps in UTC, integers, floats, booleans, lists), so a BI tool
needs no parsing. Built from the same placement values as the JSON output.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.parquet as pq

from journeyctl.engine.placement import CustomerPlacement
from journeyctl.events.timestamps import days_between
from journeyctl.fileio import OutputError

TS = pa.timestamp("us", tz="UTC")
CUSTOMER_COLUMNS = (
    ("customer_id", pa.string()),
    ("journey", pa.string()),
    ("journey_version", pa.int64()),
    ("stage", pa.string()),
    ("status", pa.string()),
    ("entered_at", TS),
    ("days_in_stage", pa.float64()),
    ("risk_level", pa.string()),
    ("at_risk", pa.bool_()),
    ("next_activities", pa.list_(pa.string())),
)
MOVES_SCHEMA = pa.schema(
    [
        ("customer_id", pa.string()),
        ("at", TS),
        ("from", pa.string()),
        ("to", pa.string()),
        ("direction", pa.string()),
        ("skipped", pa.list_(pa.string())),
        ("trigger", pa.string()),
    ]
)
MILESTONES_SCHEMA = pa.schema(
    [
        ("customer_id", pa.string()),
        ("stage", pa.string()),
        ("milestone", pa.string()),
        ("status", pa.string()),
        ("due_at", TS),
        ("done_at", TS),
    ]
)
RISKS_SCHEMA = pa.schema(
    [
        ("customer_id", pa.string()),
        ("risk", pa.string()),
        ("severity", pa.string()),
        ("title", pa.string()),
    ]
)
TABLE_NAMES = ("customers", "moves", "milestones", "risks")


@dataclass(frozen=True, slots=True)
class BiTables:
    customers: pa.Table
    moves: pa.Table
    milestones: pa.Table
    risks: pa.Table

    def items(self) -> list[tuple[str, pa.Table]]:
        return [(n, getattr(self, n)) for n in TABLE_NAMES]


def attribute_column(name: str) -> str:
    """An attribute's column name; one that would clash with a fixed column is prefixed."""
    fixed = {c for c, _ in CUSTOMER_COLUMNS}
    return f"attribute_{name}" if name in fixed else name


def bi_tables(
    as_of: int,
    shown: Sequence[CustomerPlacement],
    unmatched: Sequence[str],
    unmatched_attributes: Mapping[str, Mapping[str, str]],
) -> BiTables:
    """The four tables for the listed customers (in their order), then the unmatched ones."""
    cust: dict[str, list[object]] = {c: [] for c, _ in CUSTOMER_COLUMNS}
    attrs: list[Mapping[str, str]] = []
    moves: dict[str, list[object]] = {f.name: [] for f in MOVES_SCHEMA}
    miles: dict[str, list[object]] = {f.name: [] for f in MILESTONES_SCHEMA}
    risks: dict[str, list[object]] = {f.name: [] for f in RISKS_SCHEMA}
    for c in shown:
        stage = c.stage.id if c.stage is not None else None
        row = (
            c.customer_id,
            c.journey.id,
            c.journey.version,
            stage,
            c.status,
            c.entered_at,
            days_between(c.entered_at, as_of) if c.entered_at is not None else None,
            c.risk_level,
            c.at_risk,
            list(c.next_activities),
        )
        for (name, _), value in zip(CUSTOMER_COLUMNS, row, strict=True):
            cust[name].append(value)
        attrs.append(c.attributes)
        for m in c.moves:
            for k, v in zip(
                MOVES_SCHEMA.names,
                (
                    c.customer_id,
                    m.at,
                    m.from_stage,
                    m.to_stage,
                    m.direction,
                    list(m.skipped),
                    m.trigger,
                ),
                strict=True,
            ):
                moves[k].append(v)
        for ms in c.milestones:
            for k, v in zip(
                MILESTONES_SCHEMA.names,
                (c.customer_id, stage, ms.id, ms.status, ms.due_at, ms.done_at),
                strict=True,
            ):
                miles[k].append(v)
        for r in c.risks:
            for k, v in zip(
                RISKS_SCHEMA.names, (c.customer_id, r.id, r.severity, r.title), strict=True
            ):
                risks[k].append(v)
    for cid in unmatched:
        for name, _ in CUSTOMER_COLUMNS:
            cust[name].append(None)
        cust["customer_id"][-1] = cid
        cust["status"][-1] = "unmatched"
        cust["at_risk"][-1] = False
        cust["next_activities"][-1] = []
        attrs.append(unmatched_attributes.get(cid, {}))
    arrays = [pa.array(cust[n], t) for n, t in CUSTOMER_COLUMNS]
    names = [n for n, _ in CUSTOMER_COLUMNS]
    for key in sorted({k for a in attrs for k in a}):
        names.append(attribute_column(key))
        arrays.append(pa.array([a.get(key) for a in attrs], pa.string()))
    return BiTables(
        pa.Table.from_arrays(arrays, names=names),
        pa.Table.from_pydict(moves, schema=MOVES_SCHEMA),
        pa.Table.from_pydict(miles, schema=MILESTONES_SCHEMA),
        pa.Table.from_pydict(risks, schema=RISKS_SCHEMA),
    )


def write_parquet_dir(directory: str, tables: BiTables) -> list[str]:
    """Write `NAME.parquet` for each table into `directory`, each atomically (temp + rename)."""
    written = []
    try:
        os.makedirs(directory, exist_ok=True)
        for name, table in tables.items():
            path = os.path.join(directory, f"{name}.parquet")
            tmp = os.path.join(directory, f".{name}.parquet.tmp")
            try:
                pq.write_table(table, tmp)
                os.replace(tmp, path)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
            written.append(path)
    except OSError as exc:
        msg = "the disk is full" if exc.errno == 28 else exc.strerror
        raise OutputError(
            f"cannot write {directory}: {msg}", hint="check the directory is writable"
        ) from None
    return written
