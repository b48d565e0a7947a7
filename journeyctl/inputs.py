"""The values the CLI collects from its options and hands to the library: light on purpose (no
numpy, no engine), so that command modules can import them at start-up."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from journeyctl.errors import UsageError

if TYPE_CHECKING:
    from journeyctl.definitions.model import JourneySet
    from journeyctl.engine.placement import CustomerPlacement
    from journeyctl.events.sources import EventSource, Format

__all__ = ["Counts", "EventInputs", "Filters"]


@dataclass(frozen=True, slots=True)
class EventInputs:
    """Where the events come from and how to read them: the event options of every command that
    reads events (`place`, `show`, `report`, `predict`, `diff --events`), collected once."""

    sources: tuple[EventSource, ...]  # files (any format of §8), SQL queries, in-memory tables
    columns: Mapping[str, str] = field(default_factory=dict)  # canonical name -> column
    accounts: EventSource | None = None  # accounts table: one row per customer
    as_of: str | None = None  # None (the latest event), `now`, or an ISO instant
    skip_bad_rows: bool = False
    rejects: str | None = None  # write every rejected row to this CSV
    memory_limit: int | None = None  # bytes; None: decide from the memory available
    force: bool = False  # outputs may overwrite an input or a file journeyctl did not make
    input_format: Format | None = None  # --input-format: overrides the files' suffixes

    def __post_init__(self) -> None:
        if sum(1 for s in self.sources if s == "-") > 1:
            raise UsageError("stdin (-) can be given only once")


@dataclass(frozen=True, slots=True)
class Filters:
    """Which placed customers to show (`--journey`, `--stage`, `--at-risk`)."""

    journeys: Sequence[str] = ()
    stages: Sequence[str] = ()
    at_risk: bool = False

    @property
    def none(self) -> bool:
        return not (self.journeys or self.stages or self.at_risk)

    def check(self, journeys: JourneySet) -> None:
        """A UsageError (with the nearest id) for a `--journey` or `--stage` that no journey
        loaded has: such a filter shows nobody, which reads as "no one at risk"."""
        from journeyctl.checks import check_filters

        check_filters(journeys.journeys, self.journeys, self.stages)

    def keep(self, c: CustomerPlacement) -> bool:
        return (
            (not self.journeys or c.journey.id in self.journeys)
            and (not self.stages or (c.stage is not None and c.stage.id in self.stages))
            and (not self.at_risk or c.at_risk)
        )


@dataclass(frozen=True, slots=True)
class Counts:
    """What `place --fail-on` reads: every placed customer's risk level when at risk, and counts."""

    risk_levels: list[str]
    unmatched: int
    bad_rows: int
    warnings: int = 0  # the data checks' warnings (PRODUCT §4)
