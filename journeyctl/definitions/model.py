"""The journey definition model: immutable values that remember where they came from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from journeyctl.durations import Duration

MatcherValue = str | int | float | bool
Severity = Literal["low", "medium", "high", "critical"]
SEVERITY_RANK: dict[str, int] = {"none": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}


@dataclass(frozen=True, slots=True)
class Source:
    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class Matcher:
    """`op` is one of eq ne lt le gt ge in not_in exists; `values` holds its operand(s)."""

    op: str
    values: tuple[MatcherValue, ...]


@dataclass(frozen=True, slots=True)
class EventCond:
    events: tuple[str, ...]
    where: tuple[tuple[str, Matcher], ...]
    at_least: int
    distinct: str | None
    within: Duration | None
    source: Source


@dataclass(frozen=True, slots=True)
class LatestCond:
    events: tuple[str, ...]
    where: tuple[tuple[str, Matcher], ...]
    within: Duration | None
    source: Source


@dataclass(frozen=True, slots=True)
class InactiveCond:
    events: tuple[str, ...]
    period: Duration
    source: Source


@dataclass(frozen=True, slots=True)
class MilestonesCond:
    ids: tuple[str, ...]
    source: Source


@dataclass(frozen=True, slots=True)
class AllCond:
    items: tuple[Condition, ...]
    source: Source


@dataclass(frozen=True, slots=True)
class AnyCond:
    items: tuple[Condition, ...]
    source: Source


@dataclass(frozen=True, slots=True)
class NotCond:
    item: Condition
    source: Source


Condition = EventCond | LatestCond | InactiveCond | MilestonesCond | AllCond | AnyCond | NotCond


@dataclass(frozen=True, slots=True)
class Milestone:
    id: str
    title: str | None
    when: Condition
    due: Duration | None
    source: Source


@dataclass(frozen=True, slots=True)
class Stage:
    id: str
    title: str | None
    enter_when: Condition | None
    max_duration: Duration | None
    milestones: tuple[Milestone, ...]
    activities: tuple[str, ...]
    terminal: bool
    outcome: Literal["churned", "completed"] | None
    source: Source


@dataclass(frozen=True, slots=True)
class Transition:
    from_stage: str  # a stage id or "*"
    to_stage: str
    when: Condition
    source: Source
    # where the `from` and `to` values are, so a rule about one of them points at it
    from_source: Source
    to_source: Source


@dataclass(frozen=True, slots=True)
class Risk:
    id: str
    title: str | None
    when: Condition
    severity: Severity
    stages: tuple[str, ...] | None
    source: Source


@dataclass(frozen=True, slots=True)
class SegmentKey:
    key: str
    values: tuple[MatcherValue, ...]
    source: Source


@dataclass(frozen=True, slots=True)
class Journey:
    id: str
    title: str | None
    version: int
    owner: str | None
    segment: tuple[SegmentKey, ...]
    priority: int
    stages: tuple[Stage, ...]
    transitions: tuple[Transition, ...]
    risks: tuple[Risk, ...]
    file: str
    source: Source

    def stage_index(self, stage_id: str) -> int:
        for i, s in enumerate(self.stages):
            if s.id == stage_id:
                return i
        raise KeyError(stage_id)

    def stage(self, stage_id: str) -> Stage:
        return self.stages[self.stage_index(stage_id)]


@dataclass(frozen=True, slots=True)
class CatalogEvent:
    name: str
    description: str | None
    properties: tuple[tuple[str, tuple[str, ...] | None], ...]  # name -> known values
    source: Source

    def property_values(self, prop: str) -> tuple[str, ...] | None:
        for name, values in self.properties:
            if name == prop:
                return values
        return None


@dataclass(frozen=True, slots=True)
class Catalog:
    events: tuple[CatalogEvent, ...]
    file: str

    def event(self, name: str) -> CatalogEvent | None:
        for e in self.events:
            if e.name == name:
                return e
        return None


@dataclass(frozen=True, slots=True)
class JourneySet:
    """Every journey loaded from the journeys paths, with the catalog if there is one."""

    journeys: tuple[Journey, ...]
    catalog: Catalog | None

    def journey(self, journey_id: str) -> Journey | None:
        for j in self.journeys:
            if j.id == journey_id:
                return j
        return None


def iter_conditions(cond: Condition) -> list[Condition]:
    """`cond` and every condition nested in it, depth first."""
    out: list[Condition] = [cond]
    if isinstance(cond, AllCond | AnyCond):
        for c in cond.items:
            out.extend(iter_conditions(c))
    elif isinstance(cond, NotCond):
        out.extend(iter_conditions(cond.item))
    return out
