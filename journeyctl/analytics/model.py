"""The values `journeyctl analyze` computes (PRODUCT §11), one per table of the output.

Numbers are already rounded as §11 says (shares, rates and KPI values to 4 decimals, days to 1),
so every renderer shows the same figures without rounding them again.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FunnelStage:
    stage: str
    reached: int
    share: float | None
    now: int
    median_days_to_reach: float | None
    p90_days_to_reach: float | None


@dataclass(frozen=True, slots=True)
class Variant:
    path: tuple[str, ...]
    customers: int
    share: float | None


@dataclass(frozen=True, slots=True)
class Paths:
    customers: int  # customers with at least one move: the denominator of the shares
    conforming: int
    conforming_share: float | None
    variants: tuple[Variant, ...]
    other: int


@dataclass(frozen=True, slots=True)
class Skip:
    from_stage: str | None
    to_stage: str
    skipped: tuple[str, ...]
    moves: int


@dataclass(frozen=True, slots=True)
class Regression:
    from_stage: str
    to_stage: str
    trigger: str
    moves: int


@dataclass(frozen=True, slots=True)
class Stall:
    stage: str
    now: int
    ever: int


@dataclass(frozen=True, slots=True)
class MilestoneStats:
    stage: str
    milestone: str
    attempts: int
    done: int
    late: int
    missed: int
    overdue: int
    pending: int
    on_time_rate: float | None


@dataclass(frozen=True, slots=True)
class Cohort:
    cohort: str  # YYYY-MM of the first move, UTC
    customers: int
    reached: tuple[tuple[str, int], ...]  # every stage in file order
    churned: int
    retention: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class KpiStage:
    stage: str
    value: float | None
    n: int


@dataclass(frozen=True, slots=True)
class KpiValue:
    id: str
    title: str
    kind: str  # count | mean | latest
    value: float | None
    n: int
    stages: tuple[KpiStage, ...]


@dataclass(frozen=True, slots=True)
class Tables:
    """Every §11 table over one set of customers of one journey."""

    customers: int
    not_started: int
    funnel: tuple[FunnelStage, ...]
    paths: Paths
    skips: tuple[Skip, ...]
    regressions: tuple[Regression, ...]
    stalls: tuple[Stall, ...]
    milestones: tuple[MilestoneStats, ...]
    cohorts: tuple[Cohort, ...]
    kpis: tuple[KpiValue, ...]


@dataclass(frozen=True, slots=True)
class Group:
    value: str  # the attribute's value, or NO_VALUE
    tables: Tables


@dataclass(frozen=True, slots=True)
class JourneyAnalysis:
    id: str
    title: str | None
    version: int
    stages: tuple[str, ...]  # the designed order, for renderers that compare paths with it
    tables: Tables
    groups: tuple[Group, ...]  # with --by, one per value of the attribute


@dataclass(frozen=True, slots=True)
class Analysis:
    as_of: int
    by: str | None
    journeys: tuple[JourneyAnalysis, ...]


NO_VALUE = "(none)"
