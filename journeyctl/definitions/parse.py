"""Build the definition model from schema-valid YAML data.

The JSON Schema checks shapes; this module checks what the schema cannot say clearly (exactly
one form per condition, which modifiers go with which form) and builds the frozen model.
"""

from __future__ import annotations

import math
from typing import Any

from journeyctl.definitions import limits, registry
from journeyctl.definitions.model import (
    AllCond,
    AnyCond,
    Catalog,
    CatalogEvent,
    Condition,
    EventCond,
    InactiveCond,
    Journey,
    LatestCond,
    Matcher,
    MatcherValue,
    Milestone,
    MilestonesCond,
    NotCond,
    Risk,
    SegmentKey,
    Source,
    Stage,
    Transition,
)
from journeyctl.definitions.registry import RuleInfo
from journeyctl.definitions.yamlio import Path, YamlDocument
from journeyctl.durations import Duration, duration_seconds
from journeyctl.errors import Problem

FORMS = ("event", "latest", "inactive", "milestones", "all", "any", "not")
MODIFIERS: dict[str, frozenset[str]] = {
    "event": frozenset({"where", "at_least", "distinct", "within"}),
    "latest": frozenset({"where", "within"}),
    "inactive": frozenset({"for"}),
    "milestones": frozenset(),
    "all": frozenset(),
    "any": frozenset(),
    "not": frozenset(),
}


def dotted(path: Path) -> str:
    out = ""
    for p in path:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += f".{p}" if out else p
    return out or "(top level)"


class _Builder:
    def __init__(self, doc: YamlDocument, problems: list[Problem]):
        self.doc = doc
        self.problems = problems
        self.ok = True

    def src(self, path: Path) -> Source:
        line, col = self.doc.position(path)
        return Source(self.doc.file, line, col)

    def error(
        self, path: Path, rule: RuleInfo, message: str, hint: str | None, *, key: bool = False
    ) -> None:
        line, col = self.doc.position(path, key=key)
        self.problems.append(rule.at(self.doc.file, line, col, message, hint))
        self.ok = False

    def duration(self, value: Any, path: Path) -> Duration | None:
        if value is None:
            return None
        text = str(value)
        seconds = duration_seconds(text)
        if seconds is None:
            self.error(
                path,
                registry.SCHEMA,
                f"{dotted(path)}: {value!r} is not a duration",
                "use a positive whole number and h, d or w, e.g. 7d, 12h, 2w",
            )
            return None
        # bounded here rather than by parse_duration's cap of 10**6 units: every instant a
        # duration reaches must stay within the supported years (1900-2199), whatever the unit
        if seconds > limits.MAX_DURATION_SECONDS:
            self.error(
                path,
                registry.DURATION_TOO_LONG,
                f"{dotted(path)}: {text} is longer than {limits.MAX_DURATION_TEXT}, "
                "the longest supported duration",
                f"use at most {limits.MAX_DURATION_DAYS}d; instants must stay within the years "
                f"{limits.MIN_YEAR}-{limits.MAX_YEAR}",
            )
            return None
        return Duration(text, seconds)

    def names(self, value: Any) -> tuple[str, ...]:
        return tuple(str(v) for v in value) if isinstance(value, list) else (str(value),)

    def matcher_value(self, value: Any, path: Path) -> MatcherValue | None:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            self.error(
                path,
                registry.BAD_MATCHER,
                f"{dotted(path)}: null and .nan are not valid matcher values",
                "to match a missing value use {exists: false}",
            )
            return None
        if isinstance(value, dict | list):
            self.error(path, registry.BAD_MATCHER, f"{dotted(path)}: expected a single value", None)
            return None
        return value  # type: ignore[no-any-return]

    def matcher(self, value: Any, path: Path) -> Matcher:
        if isinstance(value, list):
            vals = [self.matcher_value(v, (*path, i)) for i, v in enumerate(value)]
            return Matcher("in", tuple(v for v in vals if v is not None))
        if isinstance(value, dict):
            ((op, operand),) = value.items()
            if op in ("in", "not_in"):
                vals = [self.matcher_value(v, (*path, op, i)) for i, v in enumerate(operand)]
                return Matcher(op, tuple(v for v in vals if v is not None))
            if op == "exists":
                return Matcher("exists", (bool(operand),))
            v = self.matcher_value(operand, (*path, op))
            return Matcher(op, (v,) if v is not None else ())
        v = self.matcher_value(value, path)
        return Matcher("eq", (v,) if v is not None else ())

    def where(self, value: Any, path: Path) -> tuple[tuple[str, Matcher], ...]:
        if not value:
            return ()
        return tuple((str(k), self.matcher(v, (*path, k))) for k, v in value.items())

    def condition(self, value: dict[str, Any], path: Path) -> Condition:
        src = self.src(path)
        forms = [k for k in FORMS if k in value]
        if len(forms) != 1:
            if not forms:
                self.error(
                    path,
                    registry.CONDITION_FORM,
                    f"{dotted(path)}: a condition needs one of {', '.join(FORMS)}",
                    "e.g. {event: login} or {milestones: [kickoff]}",
                )
            else:
                self.error(
                    path,
                    registry.CONDITION_FORM,
                    f"{dotted(path)}: a condition has exactly one form, found {' and '.join(forms)}",
                    "combine several with {all: [...]} or {any: [...]}",
                )
            return MilestonesCond((), src)
        form = forms[0]
        for key in value:
            if key != form and key not in MODIFIERS[form]:
                allowed = ", ".join(sorted(MODIFIERS[form])) or "nothing else"
                self.error(
                    (*path, key),
                    registry.CONDITION_FORM,
                    f"{dotted(path)}: `{key}` does not go with `{form}`",
                    f"`{form}` takes {allowed}",
                    key=True,
                )
        if form == "event":
            distinct = value.get("distinct")
            return EventCond(
                self.names(value["event"]),
                self.where(value.get("where"), (*path, "where")),
                int(value.get("at_least", 1)),
                str(distinct) if distinct is not None else None,
                self.duration(value.get("within"), (*path, "within")),
                src,
            )
        if form == "latest":
            return LatestCond(
                self.names(value["latest"]),
                self.where(value.get("where"), (*path, "where")),
                self.duration(value.get("within"), (*path, "within")),
                src,
            )
        if form == "inactive":
            period = self.duration(value.get("for"), (*path, "for"))
            return InactiveCond(self.names(value["inactive"]), period or Duration("1h", 3600), src)
        if form == "milestones":
            return MilestonesCond(tuple(str(m) for m in value["milestones"]), src)
        if form == "not":
            return NotCond(self.condition(value["not"], (*path, "not")), src)
        items = tuple(self.condition(c, (*path, form, i)) for i, c in enumerate(value[form]))
        return AllCond(items, src) if form == "all" else AnyCond(items, src)

    def journey(self) -> Journey:
        d = self.doc.data
        stages = []
        for i, s in enumerate(d["stages"]):
            sp: Path = ("stages", i)
            milestones = tuple(
                Milestone(
                    str(m["id"]),
                    m.get("title"),
                    self.condition(m["when"], (*sp, "milestones", k, "when")),
                    self.duration(m.get("due"), (*sp, "milestones", k, "due")),
                    self.src((*sp, "milestones", k)),
                )
                for k, m in enumerate(s.get("milestones") or [])
            )
            terminal = bool(s.get("terminal", False))
            outcome = s.get("outcome")
            if outcome is not None and not terminal:
                self.error(
                    (*sp, "outcome"),
                    registry.OUTCOME_NOT_TERMINAL,
                    f"stage {s['id']!r} has an outcome but is not terminal",
                    "add `terminal: true`, or remove `outcome`",
                    key=True,
                )
            if terminal and outcome is None:
                self.error(
                    sp,
                    registry.TERMINAL_OUTCOME,
                    f"terminal stage {s['id']!r} needs `outcome: churned` or `outcome: completed`",
                    None,
                )
            enter = s.get("enter_when")
            stages.append(
                Stage(
                    str(s["id"]),
                    s.get("title"),
                    self.condition(enter, (*sp, "enter_when")) if enter is not None else None,
                    self.duration(s.get("max_duration"), (*sp, "max_duration")),
                    milestones,
                    tuple(str(a) for a in s.get("activities") or []),
                    terminal,
                    outcome,
                    self.src(sp),
                )
            )
        transitions = tuple(
            Transition(
                str(t["from"]),
                str(t["to"]),
                self.condition(t["when"], ("transitions", i, "when")),
                self.src(("transitions", i)),
                self.src(("transitions", i, "from")),
                self.src(("transitions", i, "to")),
            )
            for i, t in enumerate(d.get("transitions") or [])
        )
        risks = tuple(
            Risk(
                str(r["id"]),
                r.get("title"),
                self.condition(r["when"], ("risks", i, "when")),
                r["severity"],
                tuple(str(x) for x in r["stages"]) if r.get("stages") else None,
                self.src(("risks", i)),
            )
            for i, r in enumerate(d.get("risks") or [])
        )
        segment = []
        for key, val in (d.get("segment") or {}).items():
            sp2: Path = ("segment", key)
            raw = val if isinstance(val, list) else [val]
            vals = [self.matcher_value(v, sp2) for v in raw]
            segment.append(
                SegmentKey(str(key), tuple(v for v in vals if v is not None), self.src(sp2))
            )
        return Journey(
            id=str(d["journey"]),
            title=d.get("title"),
            version=int(d["version"]),
            owner=d.get("owner"),
            segment=tuple(segment),
            priority=int(d.get("priority", 0)),
            stages=tuple(stages),
            transitions=transitions,
            risks=risks,
            file=self.doc.file,
            source=self.src(()),
        )


def build_journey(doc: YamlDocument, problems: list[Problem]) -> Journey | None:
    """Build a Journey from a schema-valid document; None when its conditions are malformed."""
    b = _Builder(doc, problems)
    journey = b.journey()
    return journey if b.ok else None


def build_for_rules(doc: YamlDocument, problems: list[Problem]) -> Journey:
    """Build a Journey for the semantic rules only, even when parts are malformed: a malformed
    condition becomes one no rule reads, a malformed duration is left out."""
    return _Builder(doc, problems).journey()


def build_catalog(doc: YamlDocument, problems: list[Problem]) -> Catalog | None:
    """Build the event catalog (`events:` list) from a document; problems for bad shapes."""
    b = _Builder(doc, problems)
    events_data = doc.data.get("events")
    if not isinstance(events_data, list):
        b.error(
            ("events",),
            registry.CATALOG,
            "catalog `events` must be a list of events",
            "each item is {name: EVENT, properties: {...}}",
        )
        return None
    extra = [k for k in doc.data if k != "events"]
    for k in extra:
        b.error(
            (k,),
            registry.CATALOG,
            f"unknown catalog key {k!r}",
            "a catalog holds only `events:`",
            key=True,
        )
    events = []
    for i, e in enumerate(events_data):
        path: Path = ("events", i)
        if isinstance(e, str):
            events.append(CatalogEvent(e, None, (), b.src(path)))
            continue
        if not isinstance(e, dict) or not isinstance(e.get("name"), str):
            b.error(path, registry.CATALOG, "a catalog event needs a `name`", "e.g. {name: login}")
            continue
        for k in e:
            if k not in ("name", "description", "properties"):
                b.error(
                    (*path, k),
                    registry.CATALOG,
                    f"unknown catalog event key {k!r}",
                    "an event has name, description and properties",
                    key=True,
                )
        props: list[tuple[str, tuple[str, ...] | None]] = []
        raw_props = e.get("properties") or {}
        if isinstance(raw_props, list):
            raw_props = {str(p): None for p in raw_props}
        if not isinstance(raw_props, dict):
            b.error(
                (*path, "properties"),
                registry.CATALOG,
                "`properties` must be a mapping",
                "e.g. properties: {feature: {values: [dashboards, reports]}}",
            )
            raw_props = {}
        for pname, spec in raw_props.items():
            values: tuple[str, ...] | None = None
            if isinstance(spec, dict) and isinstance(spec.get("values"), list):
                values = tuple(str(v) for v in spec["values"])
            props.append((str(pname), values))
        desc = e.get("description")
        events.append(
            CatalogEvent(
                e["name"], str(desc) if desc is not None else None, tuple(props), b.src(path)
            )
        )
    return Catalog(tuple(events), doc.file) if b.ok else None
