"""What a snapshot holds: frozen values, independent of SQLite and of the CLI."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from journeyctl.definitions.model import SEVERITY_RANK
from journeyctl.engine.replay import MilestoneStatus, Move

UNMATCHED = "unmatched"  # the status stored for a customer that matches no journey


@dataclass(frozen=True, slots=True)
class StageRecord:
    id: str
    terminal: bool


@dataclass(frozen=True, slots=True)
class JourneyRecord:
    """A journey definition as it was when the snapshot was taken."""

    id: str
    version: int
    file: str
    content_hash: str | None  # sha256 of the definition file's bytes
    stages: tuple[StageRecord, ...]  # file order

    def stage_index(self, stage_id: str) -> int | None:
        for i, s in enumerate(self.stages):
            if s.id == stage_id:
                return i
        return None

    def is_terminal(self, stage_id: str) -> bool:
        return any(s.id == stage_id and s.terminal for s in self.stages)


@dataclass(frozen=True, slots=True)
class InputRecord:
    name: str
    size: int


@dataclass(frozen=True, slots=True)
class RiskRecord:
    id: str
    severity: str
    title: str
    builtin: bool


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    """One customer's placement in a snapshot; `journey` is None for an unmatched customer."""

    customer_id: str
    journey: str | None
    journey_version: int | None
    stage: str | None
    status: str  # not_started | active | churned | completed | unmatched
    entered_at: int | None
    risk_level: str
    risks: tuple[RiskRecord, ...]
    milestones: tuple[MilestoneStatus, ...]
    moves: tuple[Move, ...]
    attributes: Mapping[str, str]

    @property
    def at_risk(self) -> bool:
        return SEVERITY_RANK.get(self.risk_level, 0) >= SEVERITY_RANK["medium"]


@dataclass(frozen=True, slots=True)
class Snapshot:
    as_of: int  # microseconds since the epoch, UTC
    run_at: int
    journeys: tuple[JourneyRecord, ...]  # in the order they were loaded (file order)
    inputs: tuple[InputRecord, ...]
    customers: tuple[CustomerRecord, ...]  # sorted by customer_id; unmatched ones included

    def journey(self, journey_id: str) -> JourneyRecord | None:
        for j in self.journeys:
            if j.id == journey_id:
                return j
        return None


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    """A snapshot as `journeyctl history` lists it."""

    as_of: int
    run_at: int
    tool_version: str
    journeys: tuple[JourneyRecord, ...]
    inputs: tuple[InputRecord, ...]
    customers: int
    at_risk: int
    unmatched: int


@dataclass(frozen=True, slots=True)
class TrendRow:
    """Customers of one (journey, stage) in one snapshot; stage None = not started."""

    as_of: int
    journey: str | None
    stage: str | None
    customers: int
    at_risk: int


@dataclass(frozen=True, slots=True)
class CustomerHistoryRow:
    """One customer in one snapshot; `present` is False when the snapshot does not list it."""

    as_of: int
    present: bool
    journey: str | None
    journey_version: int | None
    stage: str | None
    status: str | None
    risk_level: str | None
    risks: tuple[str, ...]
