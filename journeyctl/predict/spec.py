"""Which features a model uses: chosen once from the log up to as-of, saved with the model.

The spec fixes the feature set (event names, `distinct` properties, property columns and their
levels, journeys, stages, risks); computing features at a cutoff then reads only events up to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from journeyctl.definitions.model import EventCond, JourneySet, iter_conditions
from journeyctl.definitions.values import text_number
from journeyctl.engine.placement import segment_keys
from journeyctl.predict.columns import EventColumns

FEATURE_VERSION = 1
WINDOWS = (7, 30, 90, 365)
NAME_WINDOWS = (7, 30, 90, 365)
MAX_NAMES = 30
MAX_LEVELS = 10
MIN_LEVEL_CUSTOMERS = 5
MAX_PROPERTY_COLUMNS = 20
OTHER = "(other)"
NONE = "(none)"
BUILTIN_RISKS = ("overdue_milestone", "stalled")
RISK_LEVEL = "risk level"

ACTIVITY = (
    *(f"events in last {w} days" for w in WINDOWS),
    "events",
    "active days",
    "active days in last 90 days",
    "days since first event",
    "days since last event",
    "days between first and last event",
    "mean days between active days",
    "days since last event / mean gap",
    "days since last event / days since first event",
    "events per 30 days",
    "recent vs long-run frequency",
    "longest gap in days",
    "days since last event / longest gap",
    "last gap in days",
)
PLACEMENT = (
    "days in stage",
    "milestones pending",
    "milestones overdue",
    "milestones done",
    "milestones late",
    "milestones missed",
    "moves",
    "regressions",
    "skipped stages",
    RISK_LEVEL,
)


@dataclass(frozen=True, slots=True)
class Column:
    """One model column: `group` is the feature shown to users (a categorical's levels share it)."""

    name: str
    group: str
    level: str | None  # the level of a one-hot column


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    event_names: tuple[str, ...]  # per-name features; empty for a log with one event name
    distinct: tuple[tuple[tuple[str, ...], str], ...]  # (event names, property) of `distinct`
    numeric: tuple[str, ...]  # event property columns whose values are numbers
    categorical: tuple[tuple[str, tuple[str, ...]], ...]  # customer attributes and their levels
    accounts: bool  # attributes come from --accounts (else the latest value in the events)
    journeys: tuple[str, ...]
    stages: tuple[str, ...]  # "journey/stage"
    risks: tuple[str, ...]

    def columns(self) -> list[Column]:
        cols = [Column(n, n, None) for n in ACTIVITY]
        for name in self.event_names:
            cols += [
                Column(f"{name} in last {w} days", f"{name} in last {w} days", None)
                for w in NAME_WINDOWS
            ]
            cols.append(Column(f"days since last {name}", f"days since last {name}", None))
        for events, prop in self.distinct:
            g = distinct_name(events, prop)
            cols.append(Column(g, g, None))
        for prop in self.numeric:
            cols += [
                Column(f"latest {prop}", f"latest {prop}", None),
                Column(f"mean {prop}", f"mean {prop}", None),
            ]
        for prop, levels in self.categorical:
            cols += [Column(f"{prop} = {v}", prop, v) for v in (*levels, OTHER)]
        cols += [Column(f"journey = {v}", "journey", v) for v in self.journeys]
        cols += [Column(f"stage = {v}", "stage", v) for v in self.stages]
        cols += [Column(n, n, None) for n in PLACEMENT]
        cols += [Column(f"risk: {r}", f"risk: {r}", None) for r in self.risks]
        return cols

    def used_columns(self) -> set[str]:
        """The event property columns the features read."""
        return {p for _, p in self.distinct} | set(self.numeric) | {p for p, _ in self.categorical}

    def to_json(self) -> dict[str, Any]:
        return {
            "version": FEATURE_VERSION,
            "event_names": list(self.event_names),
            "distinct": [{"events": list(e), "property": p} for e, p in self.distinct],
            "numeric": list(self.numeric),
            "categorical": [{"property": p, "levels": list(v)} for p, v in self.categorical],
            "accounts": self.accounts,
            "journeys": list(self.journeys),
            "stages": list(self.stages),
            "risks": list(self.risks),
        }

    @staticmethod
    def from_json(d: Mapping[str, Any]) -> FeatureSpec:
        return FeatureSpec(
            tuple(d["event_names"]),
            tuple((tuple(x["events"]), x["property"]) for x in d["distinct"]),
            tuple(d["numeric"]),
            tuple((x["property"], tuple(x["levels"])) for x in d["categorical"]),
            bool(d["accounts"]),
            tuple(d["journeys"]),
            tuple(d["stages"]),
            tuple(d["risks"]),
        )


def distinct_name(events: tuple[str, ...], prop: str) -> str:
    return f"distinct {prop} of {'/'.join(events)}"


def _numeric_column(values: tuple[str, ...], counts: np.ndarray[Any, Any]) -> bool:
    """At least 95% of the non-empty cells are numbers, with at least 3 distinct values."""
    if len(values) < 3:
        return False
    ok = np.array([text_number(v) is not None for v in values], bool)
    return bool(counts[ok].sum() >= 0.95 * counts.sum())


def _levels(codes_per_customer: np.ndarray[Any, Any], values: tuple[str, ...]) -> tuple[str, ...]:
    """The most common values (by customers), at most MAX_LEVELS, each held by enough customers."""
    got = codes_per_customer[codes_per_customer >= 0]
    counts = np.bincount(got, minlength=len(values))
    order = sorted(range(len(values)), key=lambda i: (-int(counts[i]), values[i]))
    keep = [values[i] for i in order[:MAX_LEVELS] if counts[i] >= MIN_LEVEL_CUSTOMERS]
    return tuple(sorted(keep))


def build_spec(
    journeys: JourneySet, cols: EventColumns, accounts: Mapping[str, Mapping[str, str]] | None
) -> FeatureSpec:
    """The feature set for this log (events up to as-of) and these journeys."""
    name_counts = np.bincount(cols.name, minlength=len(cols.names))
    names: tuple[str, ...] = ()
    if len(cols.names) > 1:
        order = sorted(range(len(cols.names)), key=lambda i: (-int(name_counts[i]), cols.names[i]))
        names = tuple(sorted(cols.names[i] for i in order[:MAX_NAMES]))
    distinct: list[tuple[tuple[str, ...], str]] = []
    for j in journeys.journeys:
        conds = [s.enter_when for s in j.stages if s.enter_when is not None]
        conds += [m.when for s in j.stages for m in s.milestones]
        conds += [t.when for t in j.transitions] + [r.when for r in j.risks]
        for cond in conds:
            for c in iter_conditions(cond):
                if (
                    isinstance(c, EventCond)
                    and c.distinct
                    and (c.events, c.distinct) not in distinct
                ):
                    distinct.append((c.events, c.distinct))
    numeric: list[str] = []
    categorical: list[tuple[str, tuple[str, ...]]] = []
    keys = set(segment_keys(journeys.journeys))
    for prop in cols.property_names:
        codes, values = cols.prop(prop)
        if not values:
            continue
        counts = np.bincount(codes[codes >= 0], minlength=len(values))
        if _numeric_column(values, counts):
            numeric.append(prop)
        elif accounts is None:
            rows, _ = cols.nonempty_rows(prop)
            pairs = np.unique(cols.cust[rows].astype(np.int64) * len(values) + codes[rows])
            per = np.bincount(pairs // len(values))
            held = per[per > 0]
            constant = held.size > 0 and (held == 1).sum() >= 0.9 * held.size
            if prop in keys or constant:
                levels = _levels(cols.latest(prop, cols.as_of), values)
                if levels:
                    categorical.append((prop, levels))
    if accounts is not None:
        props = sorted({k for a in accounts.values() for k in a})
        for prop in props:
            vals = [accounts.get(cid, {}).get(prop, "") for cid in cols.ids]
            uniq = tuple(sorted(set(vals) - {""}))
            index = {v: i for i, v in enumerate(uniq)}
            per_c = np.array([index.get(v, -1) for v in vals], np.int64)
            levels = _levels(per_c, uniq)
            if levels:
                categorical.append((prop, levels))
    stages = tuple(f"{j.id}/{s.id}" for j in journeys.journeys for s in j.stages)
    risks: list[str] = []
    for j in journeys.journeys:
        for r in j.risks:
            if r.id not in risks:
                risks.append(r.id)
    spec = FeatureSpec(
        names,
        tuple(distinct),
        tuple(numeric[:MAX_PROPERTY_COLUMNS]),
        tuple(categorical[:MAX_PROPERTY_COLUMNS]),
        accounts is not None,
        tuple(j.id for j in journeys.journeys),
        stages,
        tuple(sorted(risks)) + BUILTIN_RISKS,
    )
    cols.keep_only(spec.used_columns() | keys)
    return spec
