"""Semantic rules of `journeyctl validate`.

Each rule is a small generator named after its rule id (`unknown_stage` is `unknown-stage` in
`registry`), whose docstring is its documentation in `docs/rules.md`; it reads the loaded model and
yields problems with positions. `RULES` pairs each with its registry entry, in the order they run.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from journeyctl.definitions import registry
from journeyctl.definitions.model import (
    Catalog,
    Condition,
    EventCond,
    InactiveCond,
    Journey,
    LatestCond,
    MilestonesCond,
    Source,
    iter_conditions,
)
from journeyctl.definitions.registry import RuleInfo
from journeyctl.definitions.values import values_equal
from journeyctl.errors import Problem


@dataclass(frozen=True, slots=True)
class RuleContext:
    journeys: tuple[Journey, ...]
    catalog: Catalog | None  # `--catalog`: every journey's catalog
    # without --catalog, each journeys directory's own catalog (absolute directory -> catalog)
    dir_catalogs: Mapping[str, Catalog] = field(default_factory=dict)

    def catalog_for(self, j: Journey) -> Catalog | None:
        """The catalog that `j`'s names are checked against: `--catalog`, else the one in the
        journey file's own directory (PRODUCT §1: at most one catalog per journeys directory)."""
        if self.catalog is not None:
            return self.catalog
        return self.dir_catalogs.get(os.path.dirname(os.path.abspath(j.file)))


Rule = Callable[[RuleContext], Iterator[Problem]]


def _p(rule: RuleInfo, src: Source, message: str, hint: str | None = None) -> Problem:
    return rule.at(src.file, src.line, src.col, message, hint)


def _suggest(name: str, options: list[str]) -> str:
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    if close:
        return f"did you mean `{close[0]}`?"
    unique = list(dict.fromkeys(options))
    return "known: " + ", ".join(unique[:12]) if unique else "none are defined"


def _conditions(j: Journey) -> Iterator[tuple[str, Condition]]:
    """Every top-level condition of a journey with a label saying where it is."""
    for s in j.stages:
        if s.enter_when is not None:
            yield f"stage:{s.id}", s.enter_when
        for m in s.milestones:
            yield f"milestone:{s.id}", m.when
    for t in j.transitions:
        yield f"transition:{t.from_stage}", t.when
    for r in j.risks:
        yield "risk", r.when


def duplicate_journey_id(ctx: RuleContext) -> Iterator[Problem]:
    """`duplicate-journey-id`: two files define the same journey id (ids are unique across files)."""
    first: dict[str, Journey] = {}
    for j in ctx.journeys:
        if j.id in first:
            other = first[j.id]
            yield _p(
                registry.DUPLICATE_JOURNEY_ID,
                j.source,
                f"journey id {j.id!r} is already defined in {other.file}:{other.source.line}",
                "give each journey a unique `journey:` id",
            )
        else:
            first[j.id] = j


def duplicate_id(ctx: RuleContext) -> Iterator[Problem]:
    """`duplicate-id`: a stage, milestone, risk or KPI id is used twice within one journey."""
    for j in ctx.journeys:
        for kind, items in (
            ("stage", [(s.id, s.source) for s in j.stages]),
            ("milestone", [(m.id, m.source) for s in j.stages for m in s.milestones]),
            ("risk", [(r.id, r.source) for r in j.risks]),
            ("KPI", [(k.id, k.source) for k in j.kpis]),
        ):
            seen: dict[str, Source] = {}
            for ident, src in items:
                if ident in seen:
                    yield _p(
                        registry.DUPLICATE_ID,
                        src,
                        f"{kind} id {ident!r} is already used at line {seen[ident].line}",
                        f"{kind} ids must be unique within a journey",
                    )
                else:
                    seen[ident] = src


def unknown_stage(ctx: RuleContext) -> Iterator[Problem]:
    """`unknown-stage`: a transition or a risk's `stages` names a stage the journey does not have."""
    for j in ctx.journeys:
        ids = [s.id for s in j.stages]
        for t in j.transitions:
            for end, name in (("from", t.from_stage), ("to", t.to_stage)):
                if name == "*" and end == "from":
                    continue
                if name not in ids:
                    yield _p(
                        registry.UNKNOWN_STAGE,
                        t.from_source if end == "from" else t.to_source,
                        f"transition {end} unknown stage {name!r}",
                        _suggest(name, ids),
                    )
        for r in j.risks:
            for name in r.stages or ():
                if name not in ids:
                    yield _p(
                        registry.UNKNOWN_STAGE,
                        r.source,
                        f"risk {r.id!r} names unknown stage {name!r}",
                        _suggest(name, ids),
                    )


def unknown_milestone(ctx: RuleContext) -> Iterator[Problem]:
    """`unknown-milestone`: a `{milestones: [...]}` condition names a milestone that does not exist."""
    for j in ctx.journeys:
        ids = [m.id for s in j.stages for m in s.milestones]
        for _, cond in _conditions(j):
            for c in iter_conditions(cond):
                if isinstance(c, MilestonesCond):
                    for m in c.ids:
                        if m not in ids:
                            yield _p(
                                registry.UNKNOWN_MILESTONE,
                                c.source,
                                f"unknown milestone {m!r}",
                                _suggest(m, ids),
                            )


def milestone_order(ctx: RuleContext) -> Iterator[Problem]:
    """`milestone-order` (warning): a condition refers to a milestone of a stage the customer
    cannot have been in yet when the condition is checked, so it can only hold after a regression."""
    for j in ctx.journeys:
        owner = {m.id: i for i, s in enumerate(j.stages) for m in s.milestones}
        index = {s.id: i for i, s in enumerate(j.stages)}
        for label, cond in _conditions(j):
            kind, _, stage = label.partition(":")
            if kind == "stage":
                latest = index[stage] - 1  # progression into S is checked from stages before S
            elif kind in ("milestone", "transition") and stage in index:
                latest = index[stage]
            else:
                continue
            for c in iter_conditions(cond):
                if not isinstance(c, MilestonesCond):
                    continue
                for m in c.ids:
                    if m in owner and owner[m] > latest:
                        yield _p(
                            registry.MILESTONE_ORDER,
                            c.source,
                            f"milestone {m!r} belongs to stage {j.stages[owner[m]].id!r}, which a "
                            "customer cannot have reached when this is checked",
                            "refer to milestones of earlier stages",
                        )


def unreachable_stage(ctx: RuleContext) -> Iterator[Problem]:
    """`unreachable-stage`: a stage has no `enter_when` and no transition leads to it."""
    for j in ctx.journeys:
        targets = {t.to_stage for t in j.transitions}
        for s in j.stages:
            if s.enter_when is None and s.id not in targets:
                yield _p(
                    registry.UNREACHABLE_STAGE,
                    s.source,
                    f"no customer can ever enter stage {s.id!r}",
                    "give it an `enter_when`, or a transition `to:` it",
                )


def self_transition(ctx: RuleContext) -> Iterator[Problem]:
    """`self-transition`: a transition goes from a stage to that same stage."""
    for j in ctx.journeys:
        for t in j.transitions:
            if t.from_stage == t.to_stage:
                yield _p(
                    registry.SELF_TRANSITION,
                    t.to_source,
                    f"transition from {t.from_stage!r} to itself never applies",
                    "a transition never moves a customer to the stage it is already in",
                )


def terminal_milestones(ctx: RuleContext) -> Iterator[Problem]:
    """`terminal-milestones` (warning): a terminal stage has milestones; they are never useful."""
    for j in ctx.journeys:
        for s in j.stages:
            if s.terminal and s.milestones:
                yield _p(
                    registry.TERMINAL_MILESTONES,
                    s.milestones[0].source,
                    f"terminal stage {s.id!r} has milestones",
                    "remove them",
                )


def _could_overlap(a: Journey, b: Journey) -> bool:
    bk = {k.key: k.values for k in b.segment}
    for k in a.segment:
        if k.key in bk and not any(values_equal(x, y) for x in k.values for y in bk[k.key]):
            return False
    return True


BUILTIN_RISKS = ("overdue_milestone", "stalled")


def reserved_risk_id(ctx: RuleContext) -> Iterator[Problem]:
    """`reserved-risk-id`: a listed risk uses the id of a built-in risk (`overdue_milestone`,
    `stalled`), so reports could not tell them apart."""
    for j in ctx.journeys:
        for r in j.risks:
            if r.id in BUILTIN_RISKS:
                yield _p(
                    registry.RESERVED_RISK_ID,
                    r.source,
                    f"risk id {r.id!r} is the id of a built-in risk",
                    "choose another id, e.g. " + r.id + "_custom",
                )


def segment_overlap(ctx: RuleContext) -> Iterator[Problem]:
    """`segment-overlap`: two journeys could match the same customer with the same number of
    segment keys and the same priority, so which one the customer follows would be arbitrary."""
    js = ctx.journeys
    for i, b in enumerate(js):
        for a in js[:i]:
            if a.id == b.id:
                continue
            if (
                len(a.segment) == len(b.segment)
                and a.priority == b.priority
                and _could_overlap(a, b)
            ):
                yield _p(
                    registry.SEGMENT_OVERLAP,
                    b.source,
                    f"journeys {a.id!r} ({a.file}) and {b.id!r} can match the same customer with "
                    f"{len(a.segment)} segment key(s) and priority {a.priority}",
                    "make the segments disjoint, add a key to one, or set a different `priority`",
                )


def _catalog_uses(ctx: RuleContext) -> Iterator[tuple[Catalog, Source, str, list[str]]]:
    """Each event name a journey with a catalog reads, with the properties that condition reads
    from it, and the catalog they are checked against."""
    for j in ctx.journeys:
        cat = ctx.catalog_for(j)
        if cat is None:
            continue
        for src, ev, props in _journey_uses(j):
            yield cat, src, ev, props


def _journey_uses(j: Journey) -> Iterator[tuple[Source, str, list[str]]]:
    """Each event name `j` reads, with the properties that condition reads from it."""
    for _, cond in _conditions(j):
        for c in iter_conditions(cond):
            if not isinstance(c, EventCond | LatestCond | InactiveCond):
                continue
            props = [k for k, _ in c.where] if not isinstance(c, InactiveCond) else []
            if isinstance(c, EventCond) and c.distinct:
                props.append(c.distinct)
            for ev in c.events:
                yield c.source, ev, props
    for k in j.kpis:
        props = [p for p, _ in k.where] + ([k.property] if k.property else [])
        for ev in k.events:
            yield k.source, ev, props


def kpi_property(ctx: RuleContext) -> Iterator[Problem]:
    """`kpi-property`: a `mean` or `latest` KPI without the `property` whose numbers it reads."""
    for j in ctx.journeys:
        for k in j.kpis:
            if k.kind != "count" and k.property is None:
                yield _p(
                    registry.KPI_PROPERTY,
                    k.source,
                    f"KPI {k.id!r} ({k.kind}) needs a `property` to read numbers from",
                    f"e.g. {k.kind}: {{event: {k.events[0]}, property: score}}",
                )


def kpi_unused_property(ctx: RuleContext) -> Iterator[Problem]:
    """`kpi-unused-property` (warning): a `count` KPI names a `property`, which counting ignores."""
    for j in ctx.journeys:
        for k in j.kpis:
            if k.kind == "count" and k.property is not None:
                yield _p(
                    registry.KPI_UNUSED_PROPERTY,
                    k.source,
                    f"KPI {k.id!r} counts events; its `property` {k.property!r} is not used",
                    "remove `property`, or use `mean` or `latest`",
                )


def unknown_event(ctx: RuleContext) -> Iterator[Problem]:
    """`unknown-event` (warning): with an event catalog, an event name it does not list."""
    for cat, src, ev, _ in _catalog_uses(ctx):
        if cat.event(ev) is None:
            names = [e.name for e in cat.events]
            close = difflib.get_close_matches(ev, names, n=1, cutoff=0.6)
            hint = f"did you mean `{close[0]}`?" if close else "add it to the catalog"
            yield _p(
                registry.UNKNOWN_EVENT,
                src,
                f"event {ev!r} is not in the catalog ({cat.file})",
                hint,
            )


def unknown_property(ctx: RuleContext) -> Iterator[Problem]:
    """`unknown-property` (warning): with an event catalog, a `where`, `distinct` or KPI `property`
    that the catalog does not list for that event."""
    for cat, src, ev, props in _catalog_uses(ctx):
        known = cat.event(ev)
        if known is None:
            continue  # unknown-event already says so
        plist = [n for n, _ in known.properties]
        for prop in props:
            if prop not in plist:
                near = difflib.get_close_matches(prop, plist, n=1, cutoff=0.6)
                hint = f"did you mean `{near[0]}`?" if near else f"add it to {ev!r} in the catalog"
                yield _p(
                    registry.UNKNOWN_PROPERTY,
                    src,
                    f"event {ev!r} has no property {prop!r} in the catalog",
                    hint,
                )


# Each semantic rule with its registry entry, in the order they run.
RULES: tuple[tuple[RuleInfo, Rule], ...] = (
    (registry.DUPLICATE_JOURNEY_ID, duplicate_journey_id),
    (registry.DUPLICATE_ID, duplicate_id),
    (registry.UNKNOWN_STAGE, unknown_stage),
    (registry.UNKNOWN_MILESTONE, unknown_milestone),
    (registry.MILESTONE_ORDER, milestone_order),
    (registry.UNREACHABLE_STAGE, unreachable_stage),
    (registry.SELF_TRANSITION, self_transition),
    (registry.TERMINAL_MILESTONES, terminal_milestones),
    (registry.RESERVED_RISK_ID, reserved_risk_id),
    (registry.SEGMENT_OVERLAP, segment_overlap),
    (registry.KPI_PROPERTY, kpi_property),
    (registry.KPI_UNUSED_PROPERTY, kpi_unused_property),
    (registry.UNKNOWN_EVENT, unknown_event),
    (registry.UNKNOWN_PROPERTY, unknown_property),
)


def run_rules(ctx: RuleContext, *, skip: frozenset[str] = frozenset()) -> list[Problem]:
    """Every problem the semantic rules find; the rules in `skip` (ids) are not run at all."""
    return [p for info, rule in RULES if info.id not in skip for p in rule(ctx)]
