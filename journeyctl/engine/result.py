"""What placing a customer produces: the values both engines return (`engine.placement.place`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from journeyctl.definitions.model import SEVERITY_RANK, Journey, Stage
from journeyctl.engine.replay import MilestoneStatus, Move, ReplayResult

Known = Callable[[str, str], tuple[str, ...] | None]
"""(event, property) -> the catalog's known values of that property, None when it lists none."""


def no_catalog(event: str, prop: str) -> tuple[str, ...] | None:
    return None


@dataclass(frozen=True, slots=True)
class ActiveRisk:
    id: str
    severity: str
    title: str
    builtin: bool


@dataclass(frozen=True, slots=True)
class Adoption:
    milestone: str
    property: str
    used: tuple[str, ...]
    unused: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CustomerPlacement:
    customer_id: str
    journey: Journey
    attributes: Mapping[str, str]
    stage: Stage | None
    status: str  # not_started | active | churned | completed
    entered_at: int | None
    milestones: tuple[MilestoneStatus, ...]
    risks: tuple[ActiveRisk, ...]
    risk_level: str
    moves: tuple[Move, ...]
    next_activities: tuple[str, ...]
    adoption: tuple[Adoption, ...]
    replay: ReplayResult

    @property
    def at_risk(self) -> bool:
        return SEVERITY_RANK[self.risk_level] >= SEVERITY_RANK["medium"]

    @property
    def regressions(self) -> tuple[Move, ...]:
        return tuple(m for m in self.moves if m.direction == "backward")


@dataclass(frozen=True, slots=True)
class Summary:
    customers: int
    events: int
    ignored_after_as_of: int
    unmatched: int
    bad_rows: int


@dataclass(frozen=True, slots=True)
class PlaceResult:
    as_of: int
    journeys: tuple[Journey, ...]
    customers: tuple[CustomerPlacement, ...]  # sorted by customer_id
    unmatched: tuple[str, ...]
    unmatched_attributes: Mapping[str, Mapping[str, str]]
    summary: Summary
