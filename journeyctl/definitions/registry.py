"""Every rule of `journeyctl validate`, as data: id, default severity, phase and summary.

This module is the only place a rule id is written. Emitters make their problems through the rule's
value (`SCHEMA.at(file, line, col, message, hint)`), so a problem can only carry a registered id and
its default severity; `docs/rules.md` and the tests read `ALL`; `journeyctl.toml` may turn a rule
off or change its level (`RuleSettings`), as yamllint's configuration does.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from journeyctl.errors import Problem, Severity

# The order in which validation runs (docs/rules.md, "How validation runs").
Phase = Literal["reading", "classifying", "schema", "building", "semantic"]


@dataclass(frozen=True, slots=True)
class RuleInfo:
    id: str
    severity: Severity  # the default; journeyctl.toml may change it
    phase: Phase
    summary: str

    def at(self, file: str, line: int, col: int, message: str, hint: str | None = None) -> Problem:
        """A problem of this rule, at its default severity."""
        return Problem(file, line, col, self.severity, self.id, message, hint)


def _r(id: str, severity: Severity, phase: Phase, summary: str) -> RuleInfo:
    return RuleInfo(id, severity, phase, summary)


UNREADABLE = _r("unreadable", "error", "reading", "a catalog of a diff side cannot be read")
NOT_A_FILE = _r(
    "not-a-file",
    "error",
    "reading",
    "a `*.yaml` name in a journeys directory is not a readable regular file",
)
FILE_TOO_LARGE = _r("file-too-large", "error", "reading", "the file is over the size limit")
ENCODING = _r("encoding", "error", "reading", "the file is not UTF-8 text")
EMPTY_FILE = _r("empty-file", "error", "reading", "the file holds no YAML document")
YAML_SYNTAX = _r("yaml-syntax", "error", "reading", "the file is not valid YAML")
YAML_NUMBER = _r("yaml-number", "error", "reading", "a number has more than 4300 digits")
MULTIPLE_DOCUMENTS = _r(
    "multiple-documents", "error", "reading", "the file holds more than one YAML document"
)
YAML_TYPE = _r("yaml-type", "error", "reading", "an explicit tag or a complex key")
YAML_TOO_COMPLEX = _r(
    "yaml-too-complex", "error", "reading", "aliases expand the file past the node limit"
)
YAML_TOO_DEEP = _r("yaml-too-deep", "error", "reading", "the YAML is nested too deeply")
NOT_A_MAPPING = _r("not-a-mapping", "error", "classifying", "the file is a list or a scalar")
UNKNOWN_FILE = _r(
    "unknown-file", "error", "classifying", "a YAML file that is neither a journey nor a catalog"
)
MULTIPLE_CATALOGS = _r(
    "multiple-catalogs", "error", "classifying", "a second event catalog in one directory"
)
CATALOG = _r("catalog", "error", "classifying", "the event catalog is malformed")
SCHEMA = _r("schema", "error", "schema", "the journey does not match the JSON Schema")
CONDITION_FORM = _r(
    "condition-form", "error", "building", "a condition has no form, two forms or a stray modifier"
)
BAD_MATCHER = _r("bad-matcher", "error", "building", "a matcher value is null, .nan or nested")
DURATION_TOO_LONG = _r(
    "duration-too-long", "error", "building", "a duration is longer than the supported 300 years"
)
TERMINAL_OUTCOME = _r("terminal-outcome", "error", "building", "a terminal stage has no `outcome`")
OUTCOME_NOT_TERMINAL = _r(
    "outcome-not-terminal", "error", "building", "a stage with an `outcome` is not terminal"
)
DUPLICATE_JOURNEY_ID = _r(
    "duplicate-journey-id", "error", "semantic", "two files define the same journey id"
)
DUPLICATE_ID = _r(
    "duplicate-id", "error", "semantic", "a stage, milestone or risk id is used twice"
)
UNKNOWN_STAGE = _r("unknown-stage", "error", "semantic", "a stage id that does not exist")
UNKNOWN_MILESTONE = _r(
    "unknown-milestone", "error", "semantic", "a milestone id that does not exist"
)
MILESTONE_ORDER = _r(
    "milestone-order", "warning", "semantic", "a milestone of a stage not reached yet"
)
UNREACHABLE_STAGE = _r(
    "unreachable-stage", "error", "semantic", "no customer can ever enter the stage"
)
SELF_TRANSITION = _r("self-transition", "error", "semantic", "a transition from a stage to itself")
TERMINAL_MILESTONES = _r(
    "terminal-milestones", "warning", "semantic", "a terminal stage has milestones"
)
RESERVED_RISK_ID = _r(
    "reserved-risk-id", "error", "semantic", "a risk uses the id of a built-in risk"
)
SEGMENT_OVERLAP = _r(
    "segment-overlap", "error", "semantic", "two journeys can match the same customer equally"
)
UNKNOWN_EVENT = _r("unknown-event", "warning", "semantic", "an event the catalog does not list")
UNKNOWN_PROPERTY = _r(
    "unknown-property", "warning", "semantic", "an event property the catalog does not list"
)

# In the order of docs/rules.md: by phase, then as each phase meets them.
ALL: tuple[RuleInfo, ...] = (
    UNREADABLE,
    NOT_A_FILE,
    FILE_TOO_LARGE,
    ENCODING,
    EMPTY_FILE,
    YAML_SYNTAX,
    YAML_NUMBER,
    MULTIPLE_DOCUMENTS,
    YAML_TYPE,
    YAML_TOO_COMPLEX,
    YAML_TOO_DEEP,
    NOT_A_MAPPING,
    UNKNOWN_FILE,
    MULTIPLE_CATALOGS,
    CATALOG,
    SCHEMA,
    CONDITION_FORM,
    BAD_MATCHER,
    DURATION_TOO_LONG,
    TERMINAL_OUTCOME,
    OUTCOME_NOT_TERMINAL,
    DUPLICATE_JOURNEY_ID,
    DUPLICATE_ID,
    UNKNOWN_STAGE,
    UNKNOWN_MILESTONE,
    MILESTONE_ORDER,
    UNREACHABLE_STAGE,
    SELF_TRANSITION,
    TERMINAL_MILESTONES,
    RESERVED_RISK_ID,
    SEGMENT_OVERLAP,
    UNKNOWN_EVENT,
    UNKNOWN_PROPERTY,
)

BY_ID: dict[str, RuleInfo] = {r.id: r for r in ALL}

# Rules a user may turn off or make a warning: a journey that breaks one of them still places
# correctly. Every other rule guards what the model or the engine relies on (a file that parses,
# a schema-valid journey, unique ids, stages and milestones that exist), so relaxing it would let
# a command run without a journey, or crash.
RELAXABLE: frozenset[str] = frozenset(
    r.id
    for r in (
        MILESTONE_ORDER,
        UNREACHABLE_STAGE,
        SELF_TRANSITION,
        TERMINAL_MILESTONES,
        RESERVED_RISK_ID,
        SEGMENT_OVERLAP,
        UNKNOWN_EVENT,
        UNKNOWN_PROPERTY,
    )
)


def suggest_rule(name: str) -> str:
    """A hint for an unknown rule id: the nearest known id, or where the list is."""
    close = difflib.get_close_matches(name, list(BY_ID), n=1, cutoff=0.6)
    if close:
        return f"did you mean `{close[0]}`?"
    return "the rule ids are listed in docs/rules.md"


@dataclass(frozen=True, slots=True)
class RuleSettings:
    """The user's choices (journeyctl.toml `[validate]`): rules turned off, levels changed."""

    disable: frozenset[str] = frozenset()
    severity: tuple[tuple[str, Severity], ...] = ()  # (rule id, level), the last one wins

    def apply(self, problems: Iterable[Problem]) -> list[Problem]:
        """The problems that remain, each at the level the user chose for its rule."""
        levels = dict(self.severity)
        out: list[Problem] = []
        for p in problems:
            if p.rule in self.disable:
                continue
            level = levels.get(p.rule)
            if level is not None and level != p.severity:
                p = Problem(p.file, p.line, p.col, level, p.rule, p.message, p.hint)
            out.append(p)
        return out
