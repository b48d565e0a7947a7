"""Snapshot values to and from the JSON columns of the history database."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from journeyctl.engine.replay import MilestoneStatus, Move
from journeyctl.history.model import RiskRecord, StageRecord


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def stages_json(stages: Sequence[StageRecord]) -> str:
    return dumps([{"id": s.id, "terminal": s.terminal} for s in stages])


def stages_from(text: str) -> tuple[StageRecord, ...]:
    return tuple(StageRecord(str(s["id"]), bool(s["terminal"])) for s in json.loads(text))


def risks_json(risks: Sequence[RiskRecord]) -> str:
    return dumps(
        [
            {"id": r.id, "severity": r.severity, "title": r.title, "builtin": r.builtin}
            for r in risks
        ]
    )


def risks_from(text: str) -> tuple[RiskRecord, ...]:
    return tuple(
        RiskRecord(str(r["id"]), str(r["severity"]), str(r["title"]), bool(r.get("builtin")))
        for r in json.loads(text)
    )


def milestones_json(milestones: Sequence[MilestoneStatus]) -> str:
    return dumps(
        [
            {"id": m.id, "status": m.status, "due_at": m.due_at, "done_at": m.done_at}
            for m in milestones
        ]
    )


def milestones_from(text: str) -> tuple[MilestoneStatus, ...]:
    return tuple(
        MilestoneStatus(str(m["id"]), str(m["status"]), m.get("due_at"), m.get("done_at"))
        for m in json.loads(text)
    )


def moves_json(moves: Sequence[Move]) -> str:
    return dumps(
        [
            {
                "at": m.at,
                "from": m.from_stage,
                "to": m.to_stage,
                "direction": m.direction,
                "skipped": list(m.skipped),
                "trigger": m.trigger,
            }
            for m in moves
        ]
    )


def moves_from(text: str) -> tuple[Move, ...]:
    return tuple(
        Move(
            int(m["at"]),
            m.get("from"),
            str(m["to"]),
            str(m["direction"]),
            tuple(str(s) for s in m.get("skipped") or ()),
            str(m["trigger"]),
        )
        for m in json.loads(text)
    )


def attributes_json(attributes: Mapping[str, str]) -> str:
    return dumps(dict(sorted(attributes.items())))


def attributes_from(text: str | None) -> dict[str, str]:
    return {str(k): str(v) for k, v in json.loads(text or "{}").items()}
