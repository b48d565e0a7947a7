"""Data checks (PRODUCT §4): what in the journeys the input can never satisfy, because that is
how a typo looks.

`validate` checks the journeys alone; these checks compare them with the events actually given:
an event name a condition uses that occurs nowhere in the input, a property (segment key, `where`,
`distinct`) that is neither an events nor an accounts column, input event names a catalog does not
list, and customers that match no journey only because of letter case. Each finding is a
`DataWarning` value; the commands print them on stderr and list them under `warnings` in their JSON.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from journeyctl.definitions.model import (
    Condition,
    EventCond,
    InactiveCond,
    Journey,
    JourneySet,
    LatestCond,
    MatcherValue,
    Source,
    iter_conditions,
)
from journeyctl.definitions.values import text_equals
from journeyctl.engine.placement import PlaceResult
from journeyctl.errors import UsageError
from journeyctl.events.ingest import EventLog

EVENT_NOT_IN_INPUT = "event-not-in-input"
COLUMN_NOT_IN_INPUT = "column-not-in-input"
UNCATALOGUED_EVENTS = "uncatalogued-events"
CASE_NEAR_MISS = "case-near-miss"
LISTED = 10  # names and customers listed in one warning; the count says how many in all


@dataclass(frozen=True, slots=True)
class DataWarning:
    check: str  # one of the ids above
    message: str
    hint: str | None = None
    source: Source | None = None  # where the journeys say it, when one place does

    def text(self) -> str:
        """One line (and an indented hint), like a `validate` problem in `text` format."""
        where = f"{self.source}: " if self.source is not None else ""
        line = f"{where}warning {self.check}: {self.message}\n"
        return line + (f"  hint: {self.hint}\n" if self.hint else "")

    def as_json(self) -> dict[str, Any]:
        src = self.source
        return {
            "check": self.check,
            "message": self.message,
            "hint": self.hint,
            "file": src.file if src is not None else None,
            "line": src.line if src is not None else None,
            "col": src.col if src is not None else None,
        }


@dataclass(frozen=True, slots=True)
class Use:
    """One place a journey names an event or a property."""

    journey: str
    where: str  # e.g. "stage onboarding enter_when"
    source: Source


def _conditions(j: Journey) -> Iterator[tuple[str, Condition]]:
    for s in j.stages:
        if s.enter_when is not None:
            yield f"stage {s.id} enter_when", s.enter_when
        for m in s.milestones:
            yield f"milestone {m.id}", m.when
    for k, t in enumerate(j.transitions):
        yield f"transitions[{k}] ({t.from_stage} -> {t.to_stage})", t.when
    for r in j.risks:
        yield f"risk {r.id}", r.when


def used_events(journeys: Iterable[Journey]) -> dict[str, list[Use]]:
    """Event name -> every place a condition, milestone, transition, risk or KPI names it."""
    out: dict[str, list[Use]] = {}
    for j in journeys:
        for where, cond in _conditions(j):
            for c in iter_conditions(cond):
                if isinstance(c, EventCond | LatestCond | InactiveCond):
                    for name in c.events:
                        out.setdefault(name, []).append(Use(j.id, where, c.source))
        for kpi in j.kpis:
            for name in kpi.events:
                out.setdefault(name, []).append(Use(j.id, f"kpi {kpi.id}", kpi.source))
    return out


def used_properties(journeys: Iterable[Journey]) -> dict[str, list[Use]]:
    """Property name -> every segment key, `where`, `distinct` and KPI property that reads it."""
    out: dict[str, list[Use]] = {}
    for j in journeys:
        for key in j.segment:
            out.setdefault(key.key, []).append(Use(j.id, "segment", key.source))
        for where, cond in _conditions(j):
            for c in iter_conditions(cond):
                if isinstance(c, EventCond | LatestCond):
                    for prop, _ in c.where:
                        out.setdefault(prop, []).append(Use(j.id, f"{where} where", c.source))
                if isinstance(c, EventCond) and c.distinct is not None:
                    out.setdefault(c.distinct, []).append(Use(j.id, f"{where} distinct", c.source))
        for kpi in j.kpis:
            for prop, _ in kpi.where:
                out.setdefault(prop, []).append(Use(j.id, f"kpi {kpi.id} where", kpi.source))
            if kpi.property is not None:
                out.setdefault(kpi.property, []).append(
                    Use(j.id, f"kpi {kpi.id} property", kpi.source)
                )
    return out


def did_you_mean(name: str, known: Collection[str]) -> str | None:
    """The known name closest to `name`: equal but for letter case first, else the nearest."""
    folded = [k for k in known if k.casefold() == name.casefold()]
    if folded:
        return sorted(folded)[0]
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.75)
    return close[0] if close else None


def require_known(what: str, given: Iterable[str], known: Sequence[str], where: str = "") -> None:
    """The one rule for an option naming ids (`--journey`, `--stage`, `--by`): a name that is not
    `known` is a UsageError (exit 2), because a filter that can match nothing gives empty results
    that read as good news. The hint is the nearest known name, else every known one."""
    have = set(known)
    for name in given:
        if name in have:
            continue
        near = did_you_mean(name, have)
        listed = ", ".join(dict.fromkeys(known)) or "(none)"
        raise UsageError(
            f"unknown {what} {name!r}{where}",
            hint=f"did you mean {near}?" if near else f"known {what}s: {listed}",
        )


def check_filters(
    journeys: Sequence[Journey], journey_ids: Sequence[str] = (), stage_ids: Sequence[str] = ()
) -> None:
    """`--journey` and `--stage` against the journeys loaded: each id must name a journey, and
    each stage a stage of one of the journeys chosen (all of them without `--journey`)."""
    require_known("journey", journey_ids, [j.id for j in journeys])
    chosen = [j for j in journeys if not journey_ids or j.id in journey_ids]
    where = f" in journey {', '.join(journey_ids)}" if journey_ids else ""
    require_known("stage", stage_ids, [s.id for j in chosen for s in j.stages], where)


def _places(uses: Sequence[Use]) -> str:
    shown = [f"{u.journey} {u.where}" for u in uses[:3]]
    more = f" and {len(uses) - 3} more" if len(uses) > 3 else ""
    return ", ".join(shown) + more


def check_input(
    journeys: JourneySet,
    event_names: Collection[str],
    event_columns: Collection[str],
    account_columns: Collection[str] | None = None,
) -> list[DataWarning]:
    """The warnings for journeys read against an input with these event names and columns
    (`account_columns`: the --accounts file's columns, None without one)."""
    out: list[DataWarning] = []
    for name, uses in sorted(used_events(journeys.journeys).items()):
        if name in event_names:
            continue
        near = did_you_mean(name, event_names)
        out.append(
            DataWarning(
                EVENT_NOT_IN_INPUT,
                f"event {name!r} ({_places(uses)}) occurs nowhere in the input: "
                "conditions on it never hold",
                f"did you mean {near!r}?"
                if near
                else "check the name against the event column of the input",
                uses[0].source,
            )
        )
    columns = set(event_columns) | set(account_columns or ())
    for prop, uses in sorted(used_properties(journeys.journeys).items()):
        if prop in columns:
            continue
        near = did_you_mean(prop, columns)
        where = "the events" + (" nor of --accounts" if account_columns is not None else "")
        out.append(
            DataWarning(
                COLUMN_NOT_IN_INPUT,
                f"property {prop!r} ({_places(uses)}) is not a column of {where}: "
                "it is always empty",
                f"did you mean {near!r}?"
                if near
                else "add the column to the input (or --accounts), or fix the name",
                uses[0].source,
            )
        )
    catalog = journeys.catalog
    if catalog is not None:
        listed = {e.name for e in catalog.events}
        extra = sorted(n for n in event_names if n not in listed)
        if extra:
            first = ", ".join(extra[:LISTED]) + (", ..." if len(extra) > LISTED else "")
            out.append(
                DataWarning(
                    UNCATALOGUED_EVENTS,
                    f"{len(extra)} event name{'s' if len(extra) != 1 else ''} in the input "
                    f"{'are' if len(extra) != 1 else 'is'} not in the catalog {catalog.file}: "
                    f"{first}",
                    "add them to the catalog, or check the export for renamed events",
                )
            )
    return out


# -- customers unmatched only because of letter case ----------------------------------------


def _folded_equals(text: str, value: MatcherValue) -> bool:
    return text.casefold() == str(value).casefold() if isinstance(value, str) else False


@dataclass(frozen=True, slots=True)
class NearMiss:
    """A journey the customer would follow if letter case did not matter."""

    customer_id: str
    journey: str
    mismatches: tuple[tuple[str, str, str], ...]  # (key, the customer's value, the journey's)

    def text(self) -> str:
        diffs = ", ".join(f"{k} {have!r} is not {want!r}" for k, have, want in self.mismatches)
        return f"{diffs} (journey {self.journey}): letter case differs"


def case_near_miss(
    journeys: Sequence[Journey], customer_id: str, attrs: Mapping[str, str]
) -> NearMiss | None:
    """The most specific journey whose segment matches `attrs` when letter case is ignored, for
    a customer that matches none (so at least one key differs only in case)."""
    best: tuple[tuple[int, int], NearMiss] | None = None
    for j in journeys:
        diffs: list[tuple[str, str, str]] = []
        for k in j.segment:
            v = attrs.get(k.key, "")
            if v == "":
                break
            if any(text_equals(v, x) for x in k.values):
                continue
            folded = [x for x in k.values if _folded_equals(v, x)]
            if not folded:
                break
            diffs.append((k.key, v, str(folded[0])))
        else:
            if diffs:
                rank = (len(j.segment), j.priority)
                if best is None or rank > best[0]:
                    best = (rank, NearMiss(customer_id, j.id, tuple(diffs)))
    return best[1] if best is not None else None


def case_near_misses(
    journeys: Sequence[Journey],
    unmatched: Sequence[str],
    attributes: Mapping[str, Mapping[str, str]],
) -> list[NearMiss]:
    out = []
    for cid in unmatched:
        miss = case_near_miss(journeys, cid, attributes.get(cid, {}))
        if miss is not None:
            out.append(miss)
    return out


def near_miss_warning(misses: Sequence[NearMiss], unmatched: int) -> DataWarning | None:
    """The unmatched customers' warning: those that match no journey only because of case."""
    if not misses:
        return None
    shown = "; ".join(f"{m.customer_id}: {m.text()}" for m in misses[:LISTED])
    more = f"; and {len(misses) - LISTED} more" if len(misses) > LISTED else ""
    n = len(misses)
    return DataWarning(
        CASE_NEAR_MISS,
        f"{n} unmatched customer{'s' if n != 1 else ''} (of {unmatched}) "
        f"match{'es' if n == 1 else ''} a journey but for letter case: {shown}{more}",
        "segment values compare exactly: fix the values in the input, or list both spellings "
        "in the segment",
    )


def warnings_json(warnings: Iterable[DataWarning]) -> list[dict[str, Any]]:
    return [w.as_json() for w in warnings]


# more of one kind than this on stderr are one line: a partial export or another product's log
# misses dozens of names at once, and a screen of them would hide the one typo that matters
ONE_BY_ONE = 3
_WHAT = {EVENT_NOT_IN_INPUT: "event names", COLUMN_NOT_IN_INPUT: "properties"}
_NEVER = {
    EVENT_NOT_IN_INPUT: "the journeys use occur nowhere in the input",
    COLUMN_NOT_IN_INPUT: "the journeys read are no column of the input",
}


def condensed(warnings: Sequence[DataWarning]) -> list[DataWarning]:
    """The warnings for a person to read: a kind with more than ONE_BY_ONE of them in one line
    (the JSON keeps every one)."""
    out: list[DataWarning] = []
    for kind in (EVENT_NOT_IN_INPUT, COLUMN_NOT_IN_INPUT):
        group = [w for w in warnings if w.check == kind]
        if len(group) <= ONE_BY_ONE:
            out += group
            continue
        names = [w.message.split("'")[1] for w in group]
        first = ", ".join(names[:LISTED]) + (", ..." if len(names) > LISTED else "")
        out.append(
            DataWarning(
                kind,
                f"{len(group)} {_WHAT[kind]} {_NEVER[kind]}: {first}",
                "is this the whole export? --format json lists each under `warnings`, with "
                "where the journeys use it and the nearest name in the input",
            )
        )
    out += [w for w in warnings if w.check not in _WHAT]
    return out


def render_text(warnings: Sequence[DataWarning]) -> str:
    return "".join(w.text() for w in condensed(warnings))


def account_columns(accounts: Mapping[str, Mapping[str, str]] | None) -> set[str] | None:
    """The --accounts columns as read (a column empty in every row holds nothing: left out)."""
    if accounts is None:
        return None
    cols: set[str] = set()
    for attrs in accounts.values():
        cols.update(attrs)
    return cols


def check_run(
    journeys: JourneySet,
    event_names: Collection[str],
    event_columns: Collection[str],
    accounts: Mapping[str, Mapping[str, str]] | None,
    misses: Sequence[NearMiss],
    unmatched: int,
) -> list[DataWarning]:
    """Every data check of one run: the input against the journeys, then the unmatched customers
    that match a journey but for letter case (`misses`, sorted by customer id)."""
    out = check_input(journeys, event_names, event_columns, account_columns(accounts))
    warning = near_miss_warning(misses, unmatched)
    if warning is not None:
        out.append(warning)
    return out


def check_placement(
    journeys: JourneySet,
    log: EventLog,
    accounts: Mapping[str, Mapping[str, str]] | None,
    result: PlaceResult,
) -> list[DataWarning]:
    """`check_run` for a placement of the whole log in memory."""
    misses = case_near_misses(result.journeys, result.unmatched, result.unmatched_attributes)
    return check_run(
        journeys, log.table.event.values, log.columns, accounts, misses, len(result.unmatched)
    )
