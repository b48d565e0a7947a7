"""Turn a placement into the snapshot that the history database stores."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from journeyctl.definitions.model import Journey
from journeyctl.engine.placement import CustomerPlacement, PlaceResult
from journeyctl.history.model import (
    UNMATCHED,
    CustomerRecord,
    InputRecord,
    JourneyRecord,
    RiskRecord,
    Snapshot,
    StageRecord,
)


def file_hash(path: str) -> str | None:
    """sha256 of the file's bytes, or None when it cannot be read."""
    try:
        with open(path, "rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest()
    except OSError:
        return None


def journey_record(j: Journey) -> JourneyRecord:
    return JourneyRecord(
        j.id,
        j.version,
        j.file,
        file_hash(j.file),
        tuple(StageRecord(s.id, s.terminal) for s in j.stages),
    )


def customer_record(c: CustomerPlacement) -> CustomerRecord:
    return CustomerRecord(
        customer_id=c.customer_id,
        journey=c.journey.id,
        journey_version=c.journey.version,
        stage=c.stage.id if c.stage is not None else None,
        status=c.status,
        entered_at=c.entered_at,
        risk_level=c.risk_level,
        risks=tuple(RiskRecord(r.id, r.severity, r.title, r.builtin) for r in c.risks),
        milestones=c.milestones,
        moves=c.moves,
        attributes=dict(c.attributes),
    )


def unmatched_record(customer_id: str, attributes: Mapping[str, str]) -> CustomerRecord:
    return CustomerRecord(
        customer_id, None, None, None, UNMATCHED, None, "none", (), (), (), dict(attributes)
    )


def snapshot_of(
    result: PlaceResult, files: Sequence[str], sizes: Mapping[str, int], run_at: int
) -> Snapshot:
    """The snapshot of a placement: definitions, inputs and every customer (unmatched too)."""
    customers = [customer_record(c) for c in result.customers]
    customers += [
        unmatched_record(cid, result.unmatched_attributes.get(cid, {})) for cid in result.unmatched
    ]
    customers.sort(key=lambda c: c.customer_id)
    return Snapshot(
        as_of=result.as_of,
        run_at=run_at,
        journeys=tuple(journey_record(j) for j in result.journeys),
        inputs=tuple(InputRecord(f, sizes.get(f, 0)) for f in files),
        customers=tuple(customers),
    )
