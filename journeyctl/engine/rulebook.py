"""The placement rules that follow the replay, in one place for both engines.

The reference engine (`engine.reference`) and the compiled one (`engine.fast`) differ only in how
they replay events and evaluate a journey's own risks; what a replay *means* (the status, the
built-in risks `overdue_milestone` and `stalled` with their texts, the risk level, adoption and the
next activities: docs/place.md) is decided here, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from journeyctl.definitions.model import (
    SEVERITY_RANK,
    EventCond,
    Journey,
    Milestone,
    Stage,
    iter_conditions,
)
from journeyctl.engine.replay import ReplayResult
from journeyctl.engine.result import ActiveRisk, Adoption, CustomerPlacement, Known

OVERDUE_ID = "overdue_milestone"
STALLED_ID = "stalled"
BUILTIN_SEVERITY = "medium"


def distinct_condition(milestone: Milestone) -> EventCond | None:
    """The milestone's first `distinct` condition: the one whose values adoption reports."""
    for c in iter_conditions(milestone.when):
        if isinstance(c, EventCond) and c.distinct is not None:
            return c
    return None


@dataclass(frozen=True, slots=True)
class AdoptionRule:
    """A `distinct` milestone: which values of which property its events count."""

    milestone: str
    property: str
    events: tuple[str, ...]
    known: tuple[str, ...]  # every value the catalog lists, in catalog order

    def adoption(self, used: Sequence[str]) -> Adoption:
        """`used`: the customer's distinct non-empty values, sorted."""
        return Adoption(
            self.milestone,
            self.property,
            tuple(used),
            tuple(v for v in self.known if v not in used),
        )


@dataclass(frozen=True, slots=True)
class StageRules:
    stage: Stage
    status: str  # active | churned | completed
    stalled: ActiveRisk | None  # the built-in risk, when the stage has max_duration
    adoption: tuple[AdoptionRule, ...]


def _adoption_rules(stage: Stage, known: Known) -> tuple[AdoptionRule, ...]:
    out = []
    for m in stage.milestones:
        cond = distinct_condition(m)
        if cond is None or cond.distinct is None:
            continue
        values: list[str] = []
        for name in cond.events:
            for v in known(name, cond.distinct) or ():
                if v not in values:
                    values.append(v)
        out.append(AdoptionRule(m.id, cond.distinct, cond.events, tuple(values)))
    return tuple(out)


def _stage_rules(stage: Stage, known: Known) -> StageRules:
    status = "active" if not stage.terminal else (stage.outcome or "completed")
    stalled = None
    if stage.max_duration is not None:
        text = f"In {stage.title or stage.id} longer than {stage.max_duration.text}"
        stalled = ActiveRisk(STALLED_ID, BUILTIN_SEVERITY, text, True)
    return StageRules(stage, status, stalled, _adoption_rules(stage, known))


UsedValues = Callable[[AdoptionRule], Sequence[str]]
"""The customer's distinct non-empty values (sorted) of an adoption rule's property."""


class Rulebook:
    """One journey's rules, prepared once and applied to every customer's replay."""

    __slots__ = ("journey", "listed", "stages")

    def __init__(self, journey: Journey, known: Known) -> None:
        self.journey = journey
        self.stages = tuple(_stage_rules(s, known) for s in journey.stages)
        # the journey's own risks as results, in file order (shared by every customer)
        self.listed = tuple(
            ActiveRisk(r.id, r.severity, r.title or r.id, False) for r in journey.risks
        )

    def is_active(self, res: ReplayResult) -> bool:
        """Risks are evaluated only for a customer in a non-terminal stage."""
        return res.stage is not None and self.stages[res.stage].status == "active"

    def risks(
        self, res: ReplayResult, listed: Sequence[ActiveRisk], as_of: int
    ) -> list[ActiveRisk]:
        """The active risks: the journey's own that hold (`listed`), then the built-ins."""
        if res.stage is None or not self.is_active(res):
            return []
        out = list(listed)
        overdue = [m.id for m in res.milestones if m.status == "overdue"]
        if overdue:
            text = "Milestone overdue: " + ", ".join(overdue)
            out.append(ActiveRisk(OVERDUE_ID, BUILTIN_SEVERITY, text, True))
        rules = self.stages[res.stage]
        max_duration = rules.stage.max_duration
        if (
            rules.stalled is not None
            and max_duration is not None
            and res.entered_at is not None
            and as_of - res.entered_at > max_duration.micros
        ):
            out.append(rules.stalled)
        return out

    def place(
        self,
        customer_id: str,
        attributes: Mapping[str, str],
        res: ReplayResult,
        risks: Sequence[ActiveRisk],
        used: UsedValues,
    ) -> CustomerPlacement:
        """The customer's placement from its replay and its active risks (`risks`)."""
        if res.stage is None:
            return CustomerPlacement(
                customer_id, self.journey, attributes, None, "not_started", res.entered_at,
                res.milestones, (), "none", res.moves, (), (), res,
            )  # fmt: skip
        rules = self.stages[res.stage]
        activities: list[str] = []
        adoption: list[Adoption] = []
        if rules.status == "active":
            activities.extend(rules.stage.activities)
            for rule in rules.adoption:
                a = rule.adoption(used(rule))
                adoption.append(a)
                activities.extend(f"Suggest {v}: not used yet" for v in a.unused)
        return CustomerPlacement(
            customer_id, self.journey, attributes, rules.stage, rules.status, res.entered_at,
            res.milestones, tuple(risks), risk_level(risks), res.moves, tuple(activities),
            tuple(adoption), res,
        )  # fmt: skip


def risk_level(risks: Sequence[ActiveRisk]) -> str:
    """The highest active severity, `none` when no risk is active."""
    return max((r.severity for r in risks), key=SEVERITY_RANK.__getitem__, default="none")
