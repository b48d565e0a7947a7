"""Targets (`churned`, `stage:ID`, `event:NAME`), horizons and the cutoff instants."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from journeyctl.checks import did_you_mean
from journeyctl.definitions.model import Journey, JourneySet
from journeyctl.durations import Duration, parse_duration
from journeyctl.errors import UsageError
from journeyctl.events.timestamps import parse_instant

TargetKind = Literal["churned", "stage", "event"]


@dataclass(frozen=True, slots=True)
class Target:
    kind: TargetKind
    value: str  # the stage id or event name; "" for churned
    text: str  # as given

    def stage_ids(self, journey: Journey | None) -> frozenset[str]:
        """The stages of `journey` whose entry is the target (none for event targets)."""
        if journey is None or self.kind == "event":
            return frozenset()
        if self.kind == "churned":
            return frozenset(s.id for s in journey.stages if s.outcome == "churned")
        return frozenset(s.id for s in journey.stages if s.id == self.value)


def parse_target(text: str, journeys: JourneySet) -> Target:
    if text == "churned":
        if not any(s.outcome == "churned" for j in journeys.journeys for s in j.stages):
            raise UsageError(
                "--target churned: no journey has a stage with `outcome: churned`",
                hint="add one, or use --target stage:ID or event:NAME",
            )
        return Target("churned", "", text)
    kind, sep, value = text.partition(":")
    if sep and value and kind == "event":
        return Target("event", value, text)
    if sep and value and kind == "stage":
        target = Target("stage", value, text)
        ids = sorted({s.id for j in journeys.journeys for s in j.stages})
        if value not in ids:
            raise no_such_target(
                target,
                f"no journey has a stage {value!r}",
                ids,
                f"stages: {', '.join(ids) or '(none)'}",
            )
        return target
    raise UsageError(
        f"bad --target {text!r}",
        hint="use churned, stage:ID (e.g. stage:renewal) or event:NAME (e.g. event:renewal_signed)",
    )


def no_such_target(target: Target, what: str, known: Collection[str], otherwise: str) -> UsageError:
    """`--target stage:ID` or `event:NAME` naming nothing that exists: `what` says so, and the
    hint is the nearest known id or name (`did you mean stage:renewal?`), else `otherwise`."""
    near = did_you_mean(target.value, known)
    return UsageError(
        f"--target {target.text}: {what}",
        hint=f"did you mean {target.kind}:{near}?" if near else otherwise,
    )


def parse_horizon(text: str) -> Duration:
    d = parse_duration(text)
    if d is None:
        raise UsageError(f"bad --horizon {text!r}", hint="use a duration such as 90d, 12w or 720h")
    return d


@dataclass(frozen=True, slots=True)
class CutoffPlan:
    """The labelled cutoffs, ascending; every one has its whole horizon at or before as-of."""

    labelled: tuple[int, ...]
    horizon: Duration
    as_of: int


def plan_cutoffs(spec: str | None, horizon: Duration, as_of: int, first_event: int) -> CutoffPlan:
    """`spec` is a spacing (default 30d: stepping back from as-of minus the horizon to the first
    event) or a comma-separated list of instants (those past as-of minus the horizon are dropped)."""
    last = as_of - horizon.micros
    text = spec or "30d"
    step = parse_duration(text)
    if step is not None:
        out: list[int] = []
        t = last
        while t >= first_event:
            out.append(t)
            t -= step.micros
        return CutoffPlan(tuple(sorted(out)), horizon, as_of)
    instants: list[int] = []
    for part in text.split(","):
        ts = parse_instant(part.strip())
        if ts is None:
            raise UsageError(
                f"bad --cutoffs {spec!r}: {part.strip()!r} is neither a duration nor an instant",
                hint="use a spacing such as 30d, or instants: 2025-01-01,2025-02-01",
            )
        instants.append(ts)
    return CutoffPlan(tuple(sorted({t for t in instants if t <= last})), horizon, as_of)
