"""`diff` as a library call: two loaded sides (and optionally events) in, one `DiffResult` out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from journeyctl.diff.impact import Impact, replay_impact
from journeyctl.diff.sides import Side, side_journeys
from journeyctl.diff.structural import JourneyDiff, diff_journeys, renamed_journeys
from journeyctl.errors import Problem
from journeyctl.events.ingest import EventLog, read_accounts
from journeyctl.events.sources import EventSource, Format
from journeyctl.pipeline import load_events, parse_as_of, resolve_as_of


@dataclass(frozen=True, slots=True)
class SideProblem:
    side: str  # base | head
    problem: Problem


@dataclass(frozen=True, slots=True)
class ReplayInput:
    """The events both sides replay, with the as-of instant and the accounts."""

    log: EventLog
    as_of: int
    accounts: Mapping[str, Mapping[str, str]] | None


@dataclass(frozen=True, slots=True)
class DiffResult:
    base: Side
    head: Side
    journeys: tuple[JourneyDiff, ...]
    invalid: tuple[SideProblem, ...]
    impact: Impact | None
    impact_note: str | None  # why impact is None although events were given

    @property
    def has_errors(self) -> bool:
        return any(p.problem.severity == "error" for p in self.invalid)

    @property
    def version_not_bumped(self) -> tuple[JourneyDiff, ...]:
        return tuple(d for d in self.journeys if d.version_not_bumped)


def read_replay_input(
    events: Sequence[EventSource],
    *,
    input_format: Format | None = None,
    columns: Mapping[str, str] | None = None,
    accounts: EventSource | None = None,
    as_of: str | None = None,
    skip_bad_rows: bool = False,
    rejects: str | None = None,
) -> ReplayInput:
    """Read the events (and accounts) once for both sides; as-of as `place` resolves it."""
    log = load_events(
        events,
        columns or {},
        skip_bad_rows=skip_bad_rows,
        rejects=rejects,
        input_format=input_format,
    )
    acc = read_accounts(accounts, columns) if accounts is not None else None
    instant = resolve_as_of(parse_as_of(as_of), log)
    return ReplayInput(log, instant, acc)


def compare(base: Side, head: Side, replay: ReplayInput | None = None) -> DiffResult:
    """The structural diff, the problems of both sides and, with `replay`, the impact.

    The impact needs both sides replayable: when a side has errors it is None and
    `impact_note` says why (the problems are in `invalid`).
    """
    journeys = tuple(diff_journeys(base.load.documents, head.load.documents))
    invalid = tuple(
        [SideProblem("base", p) for p in base.load.problems]
        + [SideProblem("head", p) for p in head.load.problems]
    )
    impact: Impact | None = None
    note: str | None = None
    if replay is not None:
        bj, hj = side_journeys(base), side_journeys(head)
        broken = [
            f"{role} ({s.label})"
            for role, s, js in (("base", base, bj), ("head", head, hj))
            if js is None
        ]
        if bj is None or hj is None:
            note = (
                "impact not computed: the definitions on the "
                + " and ".join(broken)
                + (" side have" if len(broken) == 1 else " sides have")
                + " errors (listed under invalid)"
            )
        else:
            impact = replay_impact(
                bj, hj, replay.log, replay.as_of, replay.accounts, renamed_journeys(journeys)
            )
    return DiffResult(base, head, journeys, invalid, impact, note)
