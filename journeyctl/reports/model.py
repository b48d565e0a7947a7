"""The report: every number and list the renderers show, computed once (renderers never compute)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from journeyctl.analytics.model import Analysis, KpiValue
from journeyctl.checks import DataWarning
from journeyctl.engine.replay import Move
from journeyctl.history.compare import Flow
from journeyctl.history.model import InputRecord, JourneyRecord

SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class StageRow:
    id: str
    terminal: bool
    customers: int
    at_risk: int
    overdue_milestones: int  # milestones (not customers) overdue among the stage's customers


@dataclass(frozen=True, slots=True)
class JourneyRow:
    id: str
    version: int
    not_started: int
    stages: tuple[StageRow, ...]  # file order
    changes: Mapping[str, int]  # category -> customers of this journey (now, else before)
    kpis: tuple[KpiValue, ...] = ()  # the journey's KPIs, for all its customers and per stage


@dataclass(frozen=True, slots=True)
class AtRiskRow:
    customer_id: str
    journey: str
    stage: str | None
    risk_level: str
    reasons: tuple[str, ...]  # risk titles
    days_in_stage: float | None
    newly: bool  # in changes.newly_at_risk


@dataclass(frozen=True, slots=True)
class RegressionRow:
    customer_id: str
    journey: str
    previous_stage: str | None  # in the previous snapshot, when in the same journey
    stage: str | None
    moves: tuple[Move, ...]  # backward moves after the previous as-of


@dataclass(frozen=True, slots=True)
class BreakdownRow:
    value: str | None  # None: the customer has no value for the attribute
    customers: int
    at_risk: int
    changes: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class Breakdown:
    attribute: str
    rows: tuple[BreakdownRow, ...]


@dataclass(frozen=True, slots=True)
class Series:
    """One line of a trend chart: a value per snapshot of `Report.trend_as_of`."""

    journey: str | None  # None: unmatched customers
    stage: str | None  # None: not started (or, for an at-risk series, the whole journey)
    values: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Report:
    as_of: int
    previous_as_of: int | None
    run_at: int
    customers: int  # listed plus unmatched
    at_risk: int
    unmatched: int
    journeys: tuple[JourneyRow, ...]
    changes: Mapping[str, tuple[str, ...]]  # every category, ids sorted
    risk_levels: Mapping[str, str]  # current risk level of every customer present now
    at_risk_rows: tuple[AtRiskRow, ...]
    regressions: tuple[RegressionRow, ...]
    flows: tuple[Flow, ...]
    trend_as_of: tuple[int, ...]  # the last snapshots up to this one, oldest first
    trend_customers: tuple[int, ...]  # all customers, per snapshot
    trend_at_risk: tuple[int, ...]  # all customers at risk, per snapshot
    trend_stages: tuple[Series, ...]  # customers per journey stage (current order first)
    trend_journey_at_risk: tuple[Series, ...]  # customers at risk per journey
    breakdowns: tuple[Breakdown, ...]
    definitions: tuple[JourneyRecord, ...]
    inputs: tuple[InputRecord, ...]
    warnings: tuple[DataWarning, ...] = ()  # the data checks of the run (PRODUCT §4)
    analysis: Analysis | None = None  # how customers travel each journey (analyze, §11)
