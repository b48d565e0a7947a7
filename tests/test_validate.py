"""`journeyctl validate`: every rule on a failing and a passing file, formats, exit codes, paths.

Each rule case writes a small journeys directory `j/` into a temporary directory (the YAML is
inline below, so a line:col in an expectation can be checked against the text next to it), runs
`journeyctl validate j --format text` from there, and compares the whole output: rule, severity,
exact line:col, message and hint line (the same problems must come out of `--format json`). The
`good` variant is the same file with the problem fixed and must be clean (exit 0, no problems).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from journeyctl.definitions.yamlio import YamlDocument, load_yaml_file
from journeyctl.errors import Problem
from journeyctl.output.problems import render_text
from tests.conftest import ROOT, SAMPLES
from tests.helpers import run


def cli(*args: str) -> Any:
    """Run the CLI in-process; no output may ever carry a Python traceback."""
    res = run(*args)
    assert "Traceback" not in res.stdout + res.stderr, res.stdout + res.stderr
    return res


def write(base: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def problems_of(*args: str, code: int | None = None) -> list[dict[str, Any]]:
    res = cli("validate", *args, "--format", "json")
    if code is not None:
        assert res.exit_code == code, res.stdout + res.stderr
    doc = json.loads(res.stdout)
    return list(doc["problems"])


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def P(
    file: str, line: int, col: int, severity: str, rule: str, message: str, hint: str | None
) -> dict[str, Any]:
    return {
        "file": file,
        "line": line,
        "col": col,
        "severity": severity,
        "rule": rule,
        "message": message,
        "hint": hint,
    }


@dataclass(frozen=True)
class Case:
    id: str
    bad: dict[str, str]  # path -> YAML, written under the test's temporary directory
    fix: list[tuple[str, str, str]]  # (path, old, new): the small edits that make `bad` clean
    expected: str  # `validate j --format text` stdout for `bad`
    args: tuple[str, ...] = field(default=())

    @property
    def text(self) -> str:
        return textwrap.dedent(self.expected).lstrip("\n")

    @property
    def good(self) -> dict[str, str]:
        files = {path: textwrap.dedent(text).lstrip("\n") for path, text in self.bad.items()}
        for path, old, new in self.fix:
            assert files[path].count(old) == 1, f"{self.id}: {old!r} is not unique in {path}"
            files[path] = files[path].replace(old, new)
        return files


PROBLEM_LINE = re.compile(
    r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning) (?P<rule>[a-z-]+): (?P<message>.*)$"
)


def parse_text(text: str) -> list[dict[str, Any]]:
    """The problems of a `--format text` output, as `--format json` would give them."""
    out: list[dict[str, Any]] = []
    for ln in text.splitlines():
        if ln.startswith("    hint: "):
            out[-1]["hint"] = ln.removeprefix("    hint: ")
            continue
        m = PROBLEM_LINE.match(ln)
        assert m, f"not a problem line: {ln!r}"
        out.append({**m.groupdict(), "line": int(m["line"]), "col": int(m["col"]), "hint": None})
    return out


J = "j/demo.yaml"

CASES = [
    # ---- semantic rules (journeyctl/definitions/rules.py) -------------------------------------
    Case(
        "duplicate-journey-id",
        bad={
            "j/a.yaml": """
                journey: alpha
                version: 1
                segment: {product: analytics}
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                """,
            "j/b.yaml": """
                journey: alpha
                version: 1
                segment: {product: crm}
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                """,
        },
        fix=[
            ("j/b.yaml", "journey: alpha", "journey: beta"),
        ],
        expected="""
            j/b.yaml:1:1: error duplicate-journey-id: journey id 'alpha' is already defined in j/a.yaml:1
                hint: give each journey a unique `journey:` id
            """,
    ),
    Case(
        "duplicate-id-stage",
        bad={
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                  - id: onboarding
                    enter_when: {event: kickoff_held}
                """,
        },
        fix=[
            (
                J,
                "    enter_when: {event: deal_closed}\n  - id: onboarding",
                "    enter_when: {event: deal_closed}\n  - id: adoption",
            ),
        ],
        expected="""
            j/demo.yaml:6:5: error duplicate-id: stage id 'onboarding' is already used at line 4
                hint: stage ids must be unique within a journey
            """,
    ),
    Case(
        "duplicate-id-milestone",
        bad={
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                    milestones:
                      - id: kickoff
                        when: {event: kickoff_held}
                  - id: adoption
                    enter_when: {event: login}
                    milestones:
                      - id: kickoff
                        when: {event: feature_used}
                """,
        },
        fix=[
            (
                J,
                "    enter_when: {event: login}\n    milestones:\n      - id: kickoff",
                "    enter_when: {event: login}\n    milestones:\n      - id: first_feature",
            ),
        ],
        expected="""
            j/demo.yaml:12:9: error duplicate-id: milestone id 'kickoff' is already used at line 7
                hint: milestone ids must be unique within a journey
            """,
    ),
    Case(
        "duplicate-id-risk",
        bad={
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                risks:
                  - id: low_usage
                    when: {inactive: login, for: 21d}
                    severity: medium
                  - id: low_usage
                    when: {event: ticket_opened, at_least: 3}
                    severity: high
                """,
        },
        fix=[
            (
                J,
                "    severity: medium\n  - id: low_usage",
                "    severity: medium\n  - id: support_load",
            ),
        ],
        expected="""
            j/demo.yaml:10:5: error duplicate-id: risk id 'low_usage' is already used at line 7
                hint: risk ids must be unique within a journey
            """,
    ),
    Case(
        "unknown-stage-transition-from",
        bad={
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                  - id: renewal
                    enter_when: {event: renewal_opened}
                transitions:
                  - from: renewl
                    to: onboarding
                    when: {event: renewal_pushback}
                """,
        },
        fix=[
            (J, "  - from: renewl", "  - from: renewal"),
        ],
        expected="""
            j/demo.yaml:9:11: error unknown-stage: transition from unknown stage 'renewl'
                hint: did you mean `renewal`?
            """,
    ),
    Case(
        "unknown-stage-transition-to",
        bad={
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                  - id: churned
                    enter_when: {event: contract_cancelled}
                    terminal: true
                    outcome: churned
                transitions:
                  - from: "*"
                    to: churnd
                    when: {event: contract_terminated}
                """,
        },
        fix=[
            (J, "    to: churnd", "    to: churned"),
        ],
        expected="""
            j/demo.yaml:12:9: error unknown-stage: transition to unknown stage 'churnd'
                hint: did you mean `churned`?
            """,
    ),
    Case(
        "unknown-stage-risk",
        bad={
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                  - id: adoption
                    enter_when: {event: login}
                risks:
                  - id: low_usage
                    when: {inactive: login, for: 21d}
                    severity: medium
                    stages: [adoptoin]
                """,
        },
        fix=[
            (J, "    stages: [adoptoin]", "    stages: [adoption]"),
        ],
        expected="""
            j/demo.yaml:9:5: error unknown-stage: risk 'low_usage' names unknown stage 'adoptoin'
                hint: did you mean `adoption`?
            """,
    ),
    Case(
        "unknown-milestone",
        bad={
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                    milestones:
                      - id: kickoff
                        when: {event: kickoff_held}
                  - id: adoption
                    enter_when: {milestones: [kickof]}
                """,
        },
        fix=[
            (
                J,
                "    enter_when: {milestones: [kickof]}",
                "    enter_when: {milestones: [kickoff]}",
            ),
        ],
        expected="""
            j/demo.yaml:10:17: error unknown-milestone: unknown milestone 'kickof'
                hint: did you mean `kickoff`?
            """,
    ),
    Case(
        "milestone-order",
        bad={
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                  - id: adoption
                    enter_when: {milestones: [first_feature]}
                    milestones:
                      - id: first_feature
                        when: {event: feature_used}
                """,
        },
        fix=[
            (J, "  - id: adoption\n    enter_when: {milestones: [first_feature]}\n", ""),
            (
                J,
                "        when: {event: feature_used}",
                "        when: {event: feature_used}\n  - id: adoption\n    enter_when: {milestones: [first_feature]}",
            ),
        ],
        expected="""
            j/demo.yaml:7:17: warning milestone-order: milestone 'first_feature' belongs to stage 'adoption', which a customer cannot have reached when this is checked
                hint: refer to milestones of earlier stages
            """,
    ),
    Case(
        "milestone-order-transition",
        bad={
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                  - id: adoption
                    enter_when: {event: login}
                    milestones:
                      - id: first_feature
                        when: {event: feature_used}
                  - id: escalated
                transitions:
                  - from: onboarding
                    to: escalated
                    when: {milestones: [first_feature]}
                """,
        },
        fix=[
            (J, "  - from: onboarding", "  - from: adoption"),
        ],
        expected="""
            j/demo.yaml:15:11: warning milestone-order: milestone 'first_feature' belongs to stage 'adoption', which a customer cannot have reached when this is checked
                hint: refer to milestones of earlier stages
            """,
    ),
    Case(
        "unreachable-stage",
        bad={
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                  - id: escalated
                    title: Escalated to management
                """,
        },
        fix=[
            (
                J,
                "    title: Escalated to management",
                "    title: Escalated to management\ntransitions:\n  - from: onboarding\n    to: escalated\n    when: {event: ticket_escalated}",
            ),
        ],
        expected="""
            j/demo.yaml:6:5: error unreachable-stage: no customer can ever enter stage 'escalated'
                hint: give it an `enter_when`, or a transition `to:` it
            """,
    ),
    Case(
        "self-transition",
        bad={
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                  - id: renewal
                    enter_when: {event: renewal_opened}
                transitions:
                  - from: renewal
                    to: renewal
                    when: {event: renewal_pushback}
                """,
        },
        fix=[
            (J, "    to: renewal", "    to: onboarding"),
        ],
        expected="""
            j/demo.yaml:10:9: error self-transition: transition from 'renewal' to itself never applies
                hint: a transition never moves a customer to the stage it is already in
            """,
    ),
    Case(
        "terminal-milestones",
        bad={
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                  - id: churned
                    enter_when: {event: contract_cancelled}
                    terminal: true
                    outcome: churned
                    milestones:
                      - id: exit_interview
                        when: {event: exit_interview_held}
                """,
        },
        fix=[
            (
                J,
                "    milestones:\n      - id: exit_interview\n        when: {event: exit_interview_held}\n",
                "",
            ),
        ],
        expected="""
            j/demo.yaml:11:9: warning terminal-milestones: terminal stage 'churned' has milestones
                hint: remove them
            """,
    ),
    Case(
        "reserved-risk-id",
        bad={
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                risks:
                  - id: stalled
                    when: {inactive: login, for: 14d}
                    severity: low
                """,
        },
        fix=[(J, "  - id: stalled\n", "  - id: quiet\n")],
        expected="""
            j/demo.yaml:7:5: error reserved-risk-id: risk id 'stalled' is the id of a built-in risk
                hint: choose another id, e.g. stalled_custom
            """,
    ),
    Case(
        "segment-overlap",
        bad={
            "j/a.yaml": """
                journey: alpha
                version: 1
                segment:
                  product: analytics
                  region: [NA, EMEA]
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                """,
            "j/b.yaml": """
                journey: beta
                version: 1
                segment:
                  product: analytics
                  region: NA
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                """,
        },
        fix=[
            ("j/b.yaml", "  region: NA", "  region: LATAM"),
        ],
        expected="""
            j/b.yaml:1:1: error segment-overlap: journeys 'alpha' (j/a.yaml) and 'beta' can match the same customer with 2 segment key(s) and priority 0
                hint: make the segments disjoint, add a key to one, or set a different `priority`
            """,
    ),
    Case(
        "segment-overlap-different-keys",
        # one key each, but different keys: a customer can have both attributes
        bad={
            "j/a.yaml": """
                journey: alpha
                version: 1
                segment: {product: analytics}
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                """,
            "j/b.yaml": """
                journey: beta
                version: 1
                segment: {region: NA}
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                """,
        },
        fix=[
            ("j/b.yaml", "segment: {region: NA}", "segment: {region: NA}\npriority: 1"),
        ],
        expected="""
            j/b.yaml:1:1: error segment-overlap: journeys 'alpha' (j/a.yaml) and 'beta' can match the same customer with 1 segment key(s) and priority 0
                hint: make the segments disjoint, add a key to one, or set a different `priority`
            """,
    ),
    Case(
        "segment-overlap-numeric-equality",
        # 100 and "100.0" are equal values (PRODUCT §2: the same equality as matchers)
        bad={
            "j/a.yaml": """
                journey: alpha
                version: 1
                segment: {seats: 100}
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                """,
            "j/b.yaml": """
                journey: beta
                version: 1
                segment: {seats: "100.0"}
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                """,
        },
        fix=[
            ("j/b.yaml", 'segment: {seats: "100.0"}', 'segment: {seats: "100.5"}'),
        ],
        expected="""
            j/b.yaml:1:1: error segment-overlap: journeys 'alpha' (j/a.yaml) and 'beta' can match the same customer with 1 segment key(s) and priority 0
                hint: make the segments disjoint, add a key to one, or set a different `priority`
            """,
    ),
    Case(
        "kpi-property-and-duplicate-kpi-id",
        bad={
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                kpis:
                  - id: nps
                    latest: {event: nps_submitted}
                  - id: tickets
                    count: {event: ticket_opened, property: priority}
                  - id: nps
                    mean: {event: nps_submitted, property: score}
                """,
        },
        fix=[
            (
                J,
                "    latest: {event: nps_submitted}",
                "    latest: {event: nps_submitted, property: score}",
            ),
            (
                J,
                "count: {event: ticket_opened, property: priority}",
                "count: {event: ticket_opened}",
            ),
            (J, "  - id: nps\n    mean:", "  - id: mean_nps\n    mean:"),
        ],
        expected="""
            j/demo.yaml:7:5: error kpi-property: KPI 'nps' (latest) needs a `property` to read numbers from
                hint: e.g. latest: {event: nps_submitted, property: score}
            j/demo.yaml:9:5: warning kpi-unused-property: KPI 'tickets' counts events; its `property` 'priority' is not used
                hint: remove `property`, or use `mean` or `latest`
            j/demo.yaml:11:5: error duplicate-id: KPI id 'nps' is already used at line 7
                hint: KPI ids must be unique within a journey
            """,
    ),
    Case(
        "kpi-form",
        bad={
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                kpis:
                  - id: nps
                    title: NPS
                """,
        },
        fix=[(J, "    title: NPS", "    latest: {event: nps_submitted, property: score}")],
        expected="""
            j/demo.yaml:7:5: error kpi-form: kpis[0]: a KPI has exactly one of count, mean, latest (found none)
                hint: e.g. {id: nps, latest: {event: nps_submitted, property: score}}
            """,
    ),
    Case(
        "kpi-catalog-names",
        bad={
            "j/catalog.yaml": """
                events:
                  - name: deal_closed
                  - name: nps_submitted
                    properties:
                      score: {}
                """,
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                kpis:
                  - id: nps
                    latest: {event: nps_submited, property: score}
                  - id: promoters
                    count: {event: nps_submitted, where: {scor: {ge: 9}}}
                """,
        },
        fix=[
            (J, "nps_submited, property", "nps_submitted, property"),
            (J, "{scor: {ge: 9}}", "{score: {ge: 9}}"),
        ],
        expected="""
            j/demo.yaml:7:5: warning unknown-event: event 'nps_submited' is not in the catalog (j/catalog.yaml)
                hint: did you mean `nps_submitted`?
            j/demo.yaml:9:5: warning unknown-property: event 'nps_submitted' has no property 'scor' in the catalog
                hint: did you mean `score`?
            """,
    ),
    Case(
        "unknown-event-and-property-directory-catalog",
        bad={
            "j/catalog.yaml": """
                events:
                  - name: deal_closed
                  - name: login
                  - name: feature_used
                    properties:
                      feature: {values: [dashboards, reports, alerts]}
                """,
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closd}
                  - id: adoption
                    enter_when: {event: feature_used, distinct: featur, at_least: 3}
                risks:
                  - id: low_usage
                    when: {inactive: [login, logn], for: 21d}
                    severity: medium
                  - id: pro_plan
                    when: {latest: feature_used, where: {plan: pro}}
                    severity: low
                """,
        },
        fix=[
            (
                "j/catalog.yaml",
                "      feature: {values: [dashboards, reports, alerts]}",
                "      feature: {values: [dashboards, reports, alerts]}\n      plan: {}",
            ),
            (J, "    enter_when: {event: deal_closd}", "    enter_when: {event: deal_closed}"),
            (
                J,
                "    enter_when: {event: feature_used, distinct: featur, at_least: 3}",
                "    enter_when: {event: feature_used, distinct: feature, at_least: 3}",
            ),
            (
                J,
                "    when: {inactive: [login, logn], for: 21d}",
                "    when: {inactive: [login], for: 21d}",
            ),
        ],
        expected="""
            j/demo.yaml:5:17: warning unknown-event: event 'deal_closd' is not in the catalog (j/catalog.yaml)
                hint: did you mean `deal_closed`?
            j/demo.yaml:7:17: warning unknown-property: event 'feature_used' has no property 'featur' in the catalog
                hint: did you mean `feature`?
            j/demo.yaml:10:11: warning unknown-event: event 'logn' is not in the catalog (j/catalog.yaml)
                hint: did you mean `login`?
            j/demo.yaml:13:11: warning unknown-property: event 'feature_used' has no property 'plan' in the catalog
                hint: add it to 'feature_used' in the catalog
            """,
    ),
    Case(
        "unknown-event-catalog-option",
        bad={
            "elsewhere/events.yaml": """
                events:
                  - name: deal_closed
                  - name: ticket_opened
                    properties:
                      priority: {values: [P1, P2, P3]}
                """,
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                risks:
                  - id: support_load
                    when: {event: ticket_open, where: {priority: P1}, at_least: 3}
                    severity: high
                """,
        },
        fix=[
            (
                J,
                "    when: {event: ticket_open, where: {priority: P1}, at_least: 3}",
                "    when: {event: ticket_opened, where: {priority: P1}, at_least: 3}",
            ),
        ],
        expected="""
            j/demo.yaml:8:11: warning unknown-event: event 'ticket_open' is not in the catalog (elsewhere/events.yaml)
                hint: did you mean `ticket_opened`?
            """,
        args=("--catalog", "elsewhere/events.yaml"),
    ),
    # ---- parse-level rules (journeyctl/definitions/parse.py) ----------------------------------
    Case(
        "condition-form-none",
        bad={
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {where: {plan: pro}}
                """,
        },
        fix=[
            (
                J,
                "    enter_when: {where: {plan: pro}}",
                "    enter_when: {event: deal_closed, where: {plan: pro}}",
            ),
        ],
        expected="""
            j/demo.yaml:5:17: error condition-form: stages[0].enter_when: a condition needs one of event, latest, inactive, milestones, all, any, not
                hint: e.g. {event: login} or {milestones: [kickoff]}
            """,
    ),
    Case(
        "condition-form-two",
        bad={
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                    milestones:
                      - id: kickoff
                        when: {event: kickoff_held}
                  - id: adoption
                    enter_when:
                      event: login
                      milestones: [kickoff]
                """,
        },
        fix=[
            (
                J,
                "      event: login\n      milestones: [kickoff]",
                "      all:\n        - event: login\n        - milestones: [kickoff]",
            ),
        ],
        expected="""
            j/demo.yaml:11:7: error condition-form: stages[1].enter_when: a condition has exactly one form, found event and milestones
                hint: combine several with {all: [...]} or {any: [...]}
            """,
    ),
    Case(
        "condition-form-modifier",
        bad={
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                risks:
                  - id: low_usage
                    when: {inactive: login, for: 21d, at_least: 2}
                    severity: medium
                """,
        },
        fix=[
            (
                J,
                "    when: {inactive: login, for: 21d, at_least: 2}",
                "    when: {inactive: login, for: 21d}",
            ),
        ],
        expected="""
            j/demo.yaml:8:39: error condition-form: risks[0].when: `at_least` does not go with `inactive`
                hint: `inactive` takes for
            """,
    ),
    Case(
        "condition-form-modifier-milestones",
        bad={
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                    milestones:
                      - id: kickoff
                        when: {event: kickoff_held}
                  - id: adoption
                    enter_when: {milestones: [kickoff], within: 7d}
                """,
        },
        fix=[
            (
                J,
                "    enter_when: {milestones: [kickoff], within: 7d}",
                "    enter_when: {milestones: [kickoff]}",
            ),
        ],
        expected="""
            j/demo.yaml:10:41: error condition-form: stages[1].enter_when: `within` does not go with `milestones`
                hint: `milestones` takes nothing else
            """,
    ),
    Case(
        "bad-matcher-nan",
        bad={
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                risks:
                  - id: poor_sentiment
                    when: {latest: nps_submitted, where: {score: .nan}}
                    severity: high
                """,
        },
        fix=[
            (
                J,
                "    when: {latest: nps_submitted, where: {score: .nan}}",
                "    when: {latest: nps_submitted, where: {score: {exists: false}}}",
            ),
        ],
        expected="""
            j/demo.yaml:8:50: error bad-matcher: risks[0].when.where.score: null and .nan are not valid matcher values
                hint: to match a missing value use {exists: false}
            """,
    ),
    Case(
        "bad-matcher-nan-in-list",
        bad={
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed, where: {plan: {in: [pro, .NaN]}}}
                """,
        },
        fix=[
            (
                J,
                "    enter_when: {event: deal_closed, where: {plan: {in: [pro, .NaN]}}}",
                '    enter_when: {event: deal_closed, where: {plan: {in: [pro, "NaN"]}}}',
            ),
        ],
        expected="""
            j/demo.yaml:5:63: error bad-matcher: stages[0].enter_when.where.plan.in[1]: null and .nan are not valid matcher values
                hint: to match a missing value use {exists: false}
            """,
    ),
    Case(
        "bad-matcher-null",
        # null is caught by the schema before the `bad-matcher` rule can see it
        bad={
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed, where: {plan: null}}
                """,
        },
        fix=[
            (
                J,
                "    enter_when: {event: deal_closed, where: {plan: null}}",
                '    enter_when: {event: deal_closed, where: {plan: "null"}}',
            ),
        ],
        expected="""
            j/demo.yaml:5:52: error schema: stages[0].enter_when.where.plan: expected a string or a number or true or false or a list or a mapping, got null
                hint: null is not a value here; to match a missing value use {exists: false}
            """,
    ),
    Case(
        "outcome-not-terminal",
        bad={
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                  - id: renewed
                    enter_when: {event: contract_renewed}
                    outcome: completed
                """,
        },
        fix=[
            (
                J,
                "    enter_when: {event: contract_renewed}",
                "    enter_when: {event: contract_renewed}\n    terminal: true",
            ),
        ],
        expected="""
            j/demo.yaml:8:5: error outcome-not-terminal: stage 'renewed' has an outcome but is not terminal
                hint: add `terminal: true`, or remove `outcome`
            """,
    ),
    Case(
        "terminal-outcome",
        # the schema's if/then requires `outcome` on a terminal stage, so the finding is a
        # schema one (parse.py's `terminal-outcome` rule never gets to run)
        bad={
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                  - id: churned
                    enter_when: {event: contract_cancelled}
                    terminal: true
                """,
        },
        fix=[
            (J, "    terminal: true", "    terminal: true\n    outcome: churned"),
        ],
        expected="""
            j/demo.yaml:6:5: error schema: stages[1]: missing required key `outcome`
                hint: add `outcome:` here (churned or completed; terminal stages need one)
            """,
    ),
    # ---- schema errors (journeyctl/definitions/schema.py) -------------------------------------
    Case(
        "schema-unknown-key",
        bad={
            J: """
                journey: demo
                titel: Demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                    max_duraton: 45d
                """,
        },
        fix=[
            (J, "titel: Demo", "title: Demo"),
            (J, "    max_duraton: 45d", "    max_duration: 45d"),
        ],
        expected="""
            j/demo.yaml:2:1: error schema: (top level): unknown key `titel`
                hint: did you mean `title`?
            j/demo.yaml:7:5: error schema: stages[0]: unknown key `max_duraton`
                hint: did you mean `max_duration`?
            """,
    ),
    Case(
        "schema-bad-duration",
        bad={
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                    milestones:
                      - id: kickoff
                        when: {event: kickoff_held}
                        due: 7 days
                """,
        },
        fix=[
            (J, "        due: 7 days", "        due: 7d"),
        ],
        expected="""
            j/demo.yaml:9:14: error schema: stages[0].milestones[0].due: "7 days" is not a duration
                hint: use e.g. 7d, 12h, 2w
            """,
    ),
    Case(
        "schema-bad-id",
        bad={
            J: """
                journey: Demo Journey
                version: 1
                stages:
                  - id: On-Boarding
                    enter_when: {event: deal_closed}
                """,
        },
        fix=[
            (J, "journey: Demo Journey", "journey: demo-journey"),
            (J, "  - id: On-Boarding", "  - id: on-boarding"),
        ],
        expected="""
            j/demo.yaml:1:10: error schema: journey: "Demo Journey" is not a valid id
                hint: use lowercase letters, digits, - and _, starting with a letter or digit
            j/demo.yaml:4:9: error schema: stages[0].id: "On-Boarding" is not a valid id
                hint: use lowercase letters, digits, - and _, starting with a letter or digit
            """,
    ),
    Case(
        "schema-bad-severity",
        bad={
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                risks:
                  - id: low_usage
                    when: {inactive: login, for: 21d}
                    severity: hgh
                """,
        },
        fix=[
            (J, "    severity: hgh", "    severity: high"),
        ],
        expected="""
            j/demo.yaml:9:15: error schema: risks[0].severity: "hgh" is not one of "low", "medium", "high", "critical"
                hint: did you mean high?
            """,
    ),
    Case(
        "schema-wrong-type",
        bad={
            J: """
                journey: demo
                version: "4"
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                    activities: Hold the kickoff call
                """,
        },
        fix=[
            (J, 'version: "4"', "version: 4"),
            (J, "    activities: Hold the kickoff call", "    activities: [Hold the kickoff call]"),
        ],
        expected="""
            j/demo.yaml:2:10: error schema: version: expected a whole number, got a string
                hint: write it as a whole number
            j/demo.yaml:6:17: error schema: stages[0].activities: expected a list, got a string
                hint: write it as a list
            """,
    ),
    Case(
        "schema-inactive-without-for",
        bad={
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                risks:
                  - id: low_usage
                    when: {inactive: login}
                    severity: medium
                """,
        },
        fix=[
            (J, "    when: {inactive: login}", "    when: {inactive: login, for: 21d}"),
        ],
        expected="""
            j/demo.yaml:8:12: error schema: risks[0].when: `inactive` needs `for`
                hint: `inactive` and `for` go together, e.g. {inactive: login, for: 21d}
            """,
    ),
    Case(
        "schema-missing-required",
        bad={
            J: """
                journey: demo
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                """,
        },
        fix=[
            (J, "journey: demo", "journey: demo\nversion: 1"),
        ],
        expected="""
            j/demo.yaml:1:1: error schema: (top level): missing required key `version`
                hint: add `version:` here (an integer you bump when you change the journey, e.g. 1)
            """,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule_bad_file(case: Case, in_tmp: Path) -> None:
    write(in_tmp, case.bad)
    res = cli("validate", "j", *case.args, "--format", "text")
    assert res.stdout == case.text
    errors = any(p["severity"] == "error" for p in parse_text(case.text))
    assert res.exit_code == (1 if errors else 0)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule_bad_file_json(case: Case, in_tmp: Path) -> None:
    write(in_tmp, case.bad)
    assert problems_of("j", *case.args) == parse_text(case.text)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule_good_file(case: Case, in_tmp: Path) -> None:
    write(in_tmp, case.good)
    assert problems_of("j", *case.args, code=0) == []


def test_every_rule_in_rules_py_has_a_case() -> None:
    from journeyctl.definitions import rules

    rule_ids = {info.id for info, _ in rules.RULES}
    covered = {p["rule"] for c in CASES for p in parse_text(c.text)}
    assert rule_ids - covered == set()


# ---- rule behaviour beyond the basic cases ---------------------------------------------------


def test_warnings_only_exit_0_and_strict_exit_1(in_tmp: Path) -> None:
    case = next(c for c in CASES if c.id == "milestone-order")
    write(in_tmp, case.bad)
    assert cli("validate", "j", "--format", "text").exit_code == 0
    res = cli("validate", "j", "--format", "text", "--strict")
    assert res.exit_code == 1
    assert "warning milestone-order" in res.stdout


def test_strict_with_a_clean_file_exits_0(in_tmp: Path) -> None:
    write(in_tmp, next(c for c in CASES if c.id == "milestone-order").good)
    assert cli("validate", "j", "--strict").exit_code == 0


def test_no_catalog_means_no_catalog_warnings(in_tmp: Path) -> None:
    case = next(c for c in CASES if c.id == "unknown-event-and-property-directory-catalog")
    write(in_tmp, {J: case.bad[J]})
    assert problems_of("j", code=0) == []


def test_catalog_option_wins_over_directory_catalog(in_tmp: Path) -> None:
    write(
        in_tmp,
        {
            "j/catalog.yaml": "events:\n  - name: deal_closed\n",
            "elsewhere/events.yaml": "events:\n  - name: signed_up\n",
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: signed_up}
                """,
        },
    )
    assert problems_of("j", "--catalog", "elsewhere/events.yaml", code=0) == []


def test_two_catalogs_in_one_directory(in_tmp: Path) -> None:
    write(
        in_tmp,
        {
            "j/catalog.yaml": "events:\n  - name: deal_closed\n",
            "j/more-events.yaml": "events:\n  - name: login\n",
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                """,
        },
    )
    assert problems_of("j", code=1) == [
        P(
            "j/more-events.yaml",
            1,
            1,
            "error",
            "multiple-catalogs",
            "a second event catalog in this directory (first: j/catalog.yaml)",
            "keep one catalog per journeys directory",
        )
    ]


def test_each_directory_uses_its_own_catalog(in_tmp: Path) -> None:
    write(
        in_tmp,
        {
            "one/catalog.yaml": "events:\n  - name: signed_up\n",
            "one/j.yaml": """
                journey: one
                version: 1
                segment: {region: EMEA}
                stages:
                  - id: onboarding
                    enter_when: {event: signed_up}
                """,
            "two/catalog.yaml": "events:\n  - name: deal_closed\n",
            "two/j.yaml": """
                journey: two
                version: 1
                segment: {region: NA}
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                """,
        },
    )
    assert problems_of("one", "two", code=0) == []
    # each journey is still checked against its own directory's catalog, not the other's
    (in_tmp / "two" / "j.yaml").write_text(
        (in_tmp / "two" / "j.yaml").read_text().replace("deal_closed", "signed_up")
    )
    found = problems_of("one", "two", code=0)
    assert [p["rule"] for p in found] == ["unknown-event"], found
    assert "two/catalog.yaml" in found[0]["message"]


def test_unknown_file_in_a_journeys_directory(in_tmp: Path) -> None:
    write(
        in_tmp,
        {
            "j/notes.yml": "owner: cs-ops\nreviewed: 2026-01-01\n",
            "j/README.md": "not YAML, not read\n",
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                """,
        },
    )
    res = cli("validate", "j", "--format", "json")
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    assert doc["files"] == ["j/demo.yaml", "j/notes.yml"]
    assert doc["problems"] == [
        P(
            "j/notes.yml",
            1,
            1,
            "error",
            "unknown-file",
            "neither a journey (`journey:` key) nor an event catalog (`events:` key)",
            "move other YAML files out of the journeys directory",
        )
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- onboarding\n- adoption\n", "file holds a list, not a mapping"),
        ("just a string\n", "file holds a single value, not a mapping"),
    ],
)
def test_not_a_mapping(in_tmp: Path, text: str, message: str) -> None:
    write(in_tmp, {J: text})
    (problem,) = problems_of("j", code=1)
    assert (problem["rule"], problem["line"], problem["col"]) == ("not-a-mapping", 1, 1)
    assert problem["message"] == message


@pytest.mark.parametrize(
    ("raw", "rule", "line", "col"),
    [
        (b"journey: demo\nversion: 1\nversion: 2\n", "yaml-syntax", 3, 1),
        (b"journey: demo\nstages:\n\t- id: a\n", "yaml-syntax", 3, 1),
        (b"journey: demo\ntitle: caf\xe9\n", "encoding", 2, 11),
        ("journey: demo\n".encode("utf-16"), "encoding", 1, 1),
        (b"", "empty-file", 1, 1),
        (b"# only a comment\n", "empty-file", 1, 1),
        (b"journey: a\n---\njourney: b\n", "multiple-documents", 1, 1),
        (b"journey: !!python/name:os.system\n", "yaml-type", 1, 10),
    ],
    ids=["duplicate-key", "tab", "latin-1", "utf-16", "empty", "comment-only", "two-docs", "tag"],
)
def test_file_level_findings_are_exit_1(
    in_tmp: Path, raw: bytes, rule: str, line: int, col: int
) -> None:
    (in_tmp / "j").mkdir()
    (in_tmp / J).write_bytes(raw)
    (problem,) = problems_of("j", code=1)
    assert (problem["file"], problem["rule"], problem["line"], problem["col"]) == (
        J,
        rule,
        line,
        col,
    )
    assert problem["severity"] == "error"


def test_file_too_large_and_max_file_size(in_tmp: Path) -> None:
    write(
        in_tmp,
        {
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                """
        },
    )
    with open(in_tmp / J, "a", encoding="utf-8") as fh:
        fh.write("# padding to make the file larger than a megabyte\n" * 25_000)
    size = (in_tmp / J).stat().st_size
    assert size > 1_000_000
    (problem,) = problems_of("j", code=1)
    assert problem == P(
        J,
        1,
        1,
        "error",
        "file-too-large",
        f"file is {size:,} bytes, over the 1,000,000-byte limit; it was not parsed",
        "split the file, or raise the limit with --max-file-size",
    )
    assert problems_of("j", "--max-file-size", "2000000", code=0) == []
    (problem,) = problems_of("j", "--max-file-size", "100", code=1)
    assert problem["rule"] == "file-too-large"


def test_an_events_log_given_as_journeys_is_named_as_such() -> None:
    """`-j events.csv` (a slip for the events argument) was told to raise --max-file-size."""
    res = cli("place", "sample_journeys/events.csv", "-j", "sample_journeys/events.csv")
    assert res.exit_code == 2
    assert "file-too-large" in res.stderr
    assert "does not look like a journey file (*.yaml): check the path given to -j" in res.stderr
    assert "--max-file-size" not in res.stderr


@pytest.mark.skipif(not os.path.exists("/proc/self/mem"), reason="needs Linux /proc")
def test_unreadable_file_is_exit_2() -> None:
    # PRODUCT §4: "a path that does not exist or cannot be read" is exit 2, not a finding
    res = cli("validate", "/proc/self/mem")
    assert res.exit_code == 2
    assert res.stdout == ""
    assert "/proc/self/mem" in res.stderr


# ---- formats ---------------------------------------------------------------------------------

FORMAT_JOURNEY = """
    journey: demo
    version: 1
    stages:
      - id: onboarding
        enter_when: {event: deal_closed}
      - id: adoption
        enter_when: {milestones: [first_feature]}
        milestones:
          - id: first_feature
            when: {event: feature_used}
    transitions:
      - from: adoptoin
        to: onboarding
        when: {event: downgraded}
      - from: onboarding
        to: adoption
        when: {event: "a,b:c"}
    """


@pytest.fixture
def format_dir(in_tmp: Path) -> Path:
    write(in_tmp, {J: FORMAT_JOURNEY})
    return in_tmp


def test_format_text(format_dir: Path) -> None:
    res = cli("validate", "j", "--format", "text")
    assert res.exit_code == 1
    assert res.stdout == (
        "j/demo.yaml:7:17: warning milestone-order: milestone 'first_feature' belongs to stage "
        "'adoption', which a customer cannot have reached when this is checked\n"
        "    hint: refer to milestones of earlier stages\n"
        "j/demo.yaml:12:11: error unknown-stage: transition from unknown stage 'adoptoin'\n"
        "    hint: did you mean `adoption`?\n"
    )
    assert res.stderr == "1 file checked: 1 error, 1 warning\n"


def test_format_text_is_the_default_off_a_terminal(format_dir: Path) -> None:
    assert cli("validate", "j").stdout == cli("validate", "j", "--format", "text").stdout


def test_format_text_without_hint_has_no_hint_line() -> None:
    problems = [
        Problem("a.yaml", 2, 10, "error", "schema", "version: expected a whole number", None),
        Problem("a.yaml", 3, 1, "warning", "milestone-order", "a warning", "a hint"),
    ]
    assert render_text(problems) == (
        "a.yaml:2:10: error schema: version: expected a whole number\n"
        "a.yaml:3:1: warning milestone-order: a warning\n"
        "    hint: a hint\n"
    )
    assert render_text([]) == ""


def test_quiet_drops_the_summary(format_dir: Path) -> None:
    res = cli("validate", "j", "--format", "text", "--quiet")
    assert res.exit_code == 1
    assert res.stderr == ""
    assert res.stdout.startswith("j/demo.yaml:7:17: warning milestone-order")


def test_format_json(format_dir: Path) -> None:
    res = cli("validate", "j", "--format", "json")
    assert res.exit_code == 1
    assert res.stderr == ""
    assert json.loads(res.stdout) == {
        "schema_version": 1,
        "files": ["j/demo.yaml"],
        "problems": [
            P(
                J,
                7,
                17,
                "warning",
                "milestone-order",
                "milestone 'first_feature' belongs to stage 'adoption', which a customer cannot "
                "have reached when this is checked",
                "refer to milestones of earlier stages",
            ),
            P(
                J,
                12,
                11,
                "error",
                "unknown-stage",
                "transition from unknown stage 'adoptoin'",
                "did you mean `adoption`?",
            ),
        ],
    }


def test_format_json_clean(in_tmp: Path) -> None:
    write(in_tmp, next(c for c in CASES if c.id == "milestone-order").good)
    res = cli("validate", "j", "--format", "json")
    assert res.exit_code == 0
    assert json.loads(res.stdout) == {
        "schema_version": 1,
        "files": ["j/demo.yaml"],
        "problems": [],
    }


def test_format_github(format_dir: Path) -> None:
    res = cli("validate", "j", "--format", "github")
    assert res.exit_code == 1
    assert res.stderr == ""
    assert res.stdout.splitlines() == [
        "::warning file=j/demo.yaml,line=7,col=17,title=milestone-order::milestone "
        "'first_feature' belongs to stage 'adoption', which a customer cannot have reached "
        "when this is checked (hint: refer to milestones of earlier stages)",
        "::error file=j/demo.yaml,line=12,col=11,title=unknown-stage::transition from unknown "
        "stage 'adoptoin' (hint: did you mean `adoption`?)",
    ]


def test_format_github_escapes_properties(in_tmp: Path) -> None:
    name = "j/a,b:c.yaml"
    write(in_tmp, {name: "journey: demo\nversion: 1\nstages: []\n"})
    res = cli("validate", name, "--format", "github")
    assert res.stdout == (
        "::error file=j/a%2Cb%3Ac.yaml,line=3,col=9,title=schema::stages: must not be empty "
        "(hint: give at least one item, or remove the key)\n"
    )


def test_format_table(format_dir: Path) -> None:
    res = cli("validate", "j", "--format", "table")
    assert res.exit_code == 1
    out = res.stdout
    assert "Problems" in out
    for cell in (
        "j/demo.yaml:7:17",
        "j/demo.yaml:12:11",
        "warning",
        "error",
        "milestone-order",
        "unknown-stage",
        "did you mean `adoption`?",
    ):
        assert cell in out
    assert "\x1b[" not in out  # no colour off a terminal (and NO_COLOR is set)
    assert res.stderr == "1 file checked: 1 error, 1 warning\n"


def test_format_table_clean_prints_no_table(in_tmp: Path) -> None:
    write(in_tmp, next(c for c in CASES if c.id == "milestone-order").good)
    res = cli("validate", "j", "--format", "table")
    assert res.exit_code == 0
    assert res.stdout == ""
    assert res.stderr == "1 file checked: 0 errors, 0 warnings\n"


# ---- exit codes ------------------------------------------------------------------------------


def test_clean_exit_0(in_tmp: Path) -> None:
    write(in_tmp, next(c for c in CASES if c.id == "unreachable-stage").good)
    res = cli("validate", "j", "--format", "text")
    assert (res.exit_code, res.stdout) == (0, "")


def test_errors_exit_1(format_dir: Path) -> None:
    assert cli("validate", "j", "--format", "text").exit_code == 1


def test_nonexistent_path_exit_2(in_tmp: Path) -> None:
    res = cli("validate", "no-such-dir")
    assert res.exit_code == 2
    assert res.stdout == ""
    assert "no-such-dir: no such file or directory" in res.stderr


def test_nonexistent_path_beside_a_bad_file_exit_2(format_dir: Path) -> None:
    assert cli("validate", "j", "missing.yaml").exit_code == 2


def test_glob_matching_nothing_exit_2(in_tmp: Path) -> None:
    res = cli("validate", "j/*.yaml")
    assert res.exit_code == 2
    assert "no file matches 'j/*.yaml'" in res.stderr


@pytest.mark.parametrize("fmt", ["xml", "csv", "markdown", "TEXT"])
def test_unknown_format_exit_2(format_dir: Path, fmt: str) -> None:
    res = cli("validate", "j", "--format", fmt)
    assert res.exit_code == 2
    assert res.stdout == ""
    assert f"unknown format {fmt!r}; use one of: table, text, json, github" in res.stderr


def test_no_path_and_no_journeys_directory_exit_2(in_tmp: Path) -> None:
    res = cli("validate")
    assert res.exit_code == 2
    assert "journeys: no such file or directory" in res.stderr


def test_default_journeys_directory(in_tmp: Path) -> None:
    write(in_tmp, {"journeys/demo.yaml": FORMAT_JOURNEY})
    res = cli("validate", "--format", "json")
    assert res.exit_code == 1
    assert json.loads(res.stdout)["files"] == ["journeys/demo.yaml"]


# ---- paths: directories, globs, several paths ------------------------------------------------

TWO_GOOD = {
    "j/a.yaml": """
        journey: alpha
        version: 1
        segment: {region: NA}
        stages:
          - id: onboarding
            enter_when: {event: deal_closed}
        """,
    "j/b.yml": """
        journey: beta
        version: 1
        segment: {region: EMEA}
        stages:
          - id: onboarding
            enter_when: {event: deal_closed}
        """,
    "j/nested/c.yaml": "this: is not read (directories are read non-recursively)\n",
    "j/notes.txt": "not YAML\n",
}


def files_of(*args: str) -> list[str]:
    res = cli("validate", *args, "--format", "json")
    assert res.exit_code == 0, res.stdout + res.stderr
    return list(json.loads(res.stdout)["files"])


def test_directory_reads_yaml_and_yml_non_recursively(in_tmp: Path) -> None:
    write(in_tmp, TWO_GOOD)
    assert files_of("j") == ["j/a.yaml", "j/b.yml"]


def test_glob(in_tmp: Path) -> None:
    write(in_tmp, TWO_GOOD)
    assert files_of("j/*.yaml") == ["j/a.yaml"]
    assert files_of("j/*.y*ml") == ["j/a.yaml", "j/b.yml"]


def test_several_paths_keep_their_order_and_are_deduplicated(in_tmp: Path) -> None:
    write(in_tmp, TWO_GOOD)
    assert files_of("j/b.yml", "j/a.yaml", "j/b.yml", "j") == ["j/b.yml", "j/a.yaml"]


def test_journeys_option_is_the_same_as_paths(in_tmp: Path) -> None:
    write(in_tmp, TWO_GOOD)
    assert files_of("-j", "j/a.yaml", "--journeys", "j/b.yml") == ["j/a.yaml", "j/b.yml"]


def test_problems_across_files_are_sorted_by_file_then_position(in_tmp: Path) -> None:
    write(
        in_tmp,
        {
            "j/b.yaml": "journey: beta\nversion: x\nstages: []\n",
            "j/a.yaml": "journey: alpha\nstages: []\n",
        },
    )
    got = [(p["file"], p["line"], p["col"]) for p in problems_of("j", code=1)]
    assert got == sorted(got)
    assert [f for f, _, _ in got] == ["j/a.yaml", "j/a.yaml", "j/b.yaml", "j/b.yaml"]


def test_known_ids_hint_lists_each_id_once(in_tmp: Path) -> None:
    write(
        in_tmp,
        {
            J: """
                journey: demo
                version: 1
                stages:
                  - id: onboarding
                    enter_when: {event: deal_closed}
                    milestones:
                      - id: kickoff
                        when: {event: kickoff_held}
                      - id: kickoff
                        when: {event: kickoff_recap_sent}
                  - id: adoption
                    enter_when: {milestones: [health_check]}
                """
        },
    )
    (hint,) = [p["hint"] for p in problems_of("j", code=1) if p["rule"] == "unknown-milestone"]
    assert hint == "known: kickoff"


# ---- golden: the full text output for a file with many problems --------------------------------

GOLDEN = ROOT / "tests" / "golden"


def test_golden_many_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pins `validate --format text` for tests/golden/validate_many_errors.yaml.

    Regenerate with `UPDATE_GOLDEN=1 python -m pytest tests/test_validate.py -k golden`, then
    read the diff: every message must still be right per PRODUCT.md.
    """
    monkeypatch.chdir(ROOT)
    res = cli("validate", "tests/golden/validate_many_errors.yaml", "--format", "text")
    pinned = GOLDEN / "validate_many_errors.txt"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        pinned.write_text(res.stdout, encoding="utf-8", newline="")
    assert res.exit_code == 1
    assert res.stdout == pinned.read_text(encoding="utf-8")
    heads = [ln for ln in res.stdout.splitlines() if not ln.startswith("    hint: ")]
    errors = sum(": error " in ln for ln in heads)
    warnings = sum(": warning " in ln for ln in heads)
    assert errors + warnings == len(heads) >= 12
    assert res.stderr == f"1 file checked: {errors} errors, {warnings} warnings\n"


# ---- the shipped samples and the schema ------------------------------------------------------


def test_sample_journeys_are_clean() -> None:
    res = cli("validate", str(SAMPLES), "--format", "json", "--strict")
    assert res.exit_code == 0, res.stdout
    doc = json.loads(res.stdout)
    assert doc["problems"] == []
    assert len(doc["files"]) >= 2


def test_schema_command_prints_the_schema_file() -> None:
    res = cli("schema")
    assert res.exit_code == 0
    printed = json.loads(res.stdout)
    shipped = json.loads((ROOT / "schemas" / "journey.schema.json").read_text(encoding="utf-8"))
    assert printed == shipped
    Draft202012Validator.check_schema(printed)


def test_sample_journeys_match_the_printed_schema() -> None:
    validator = Draft202012Validator(json.loads(cli("schema").stdout))
    checked = 0
    for path in sorted(SAMPLES.glob("*.yaml")):
        doc = load_yaml_file(str(path))
        assert isinstance(doc, YamlDocument), doc
        if "journey" in doc.data:
            assert list(validator.iter_errors(doc.data)) == [], path
            checked += 1
    assert checked >= 2


# ---- no traceback, whatever the input --------------------------------------------------------

NASTY_INPUTS: list[tuple[str, bytes]] = [
    ("binary", bytes(range(256))),
    ("nul", b"journey: demo\x00\n"),
    ("bom", b"\xef\xbb\xbfjourney: demo\nversion: 1\nstages: [{id: a, enter_when: {event: x}}]\n"),
    ("python-tag", b"journey: !!python/object/apply:os.system ['true']\n"),
    ("complex-key", b"? [a, b]\n: 1\n"),
    ("huge-decimal", b"journey: demo\nversion: " + b"9" * 5000 + b"\n"),
    ("stages-not-list", b"journey: demo\nversion: 1\nstages: {id: a}\n"),
    ("condition-list", b"journey: demo\nversion: 1\nstages: [{id: a, enter_when: [x]}]\n"),
    (
        "matcher-two-ops",
        b"journey: d\nversion: 1\nstages: [{id: a, enter_when: {event: x, where: {p: {gt: 1, lt: 2}}}}]\n",
    ),
    ("events-not-list", b"events: 5\n"),
    (
        "catalog-bad-items",
        b"events: [5, {name: 3}, {name: a, properties: 5}, {name: b, x: 1}]\nextra: 1\n",
    ),
    (
        "crlf",
        b"journey: demo\r\nversion: 1\r\nstages:\r\n  - id: a\r\n    enter_when: {event: x}\r\n",
    ),
]


@pytest.mark.parametrize(("name", "raw"), NASTY_INPUTS, ids=[n for n, _ in NASTY_INPUTS])
@pytest.mark.parametrize("fmt", ["text", "json", "github", "table"])
def test_no_traceback_and_no_internal_error(in_tmp: Path, name: str, raw: bytes, fmt: str) -> None:
    (in_tmp / "bad.yaml").write_bytes(raw)
    res = cli("validate", "bad.yaml", "--format", fmt)
    assert res.exit_code in (0, 1), res.stdout + res.stderr
    assert "internal error" not in res.stderr


SLOW_INPUTS: list[tuple[str, bytes]] = [
    ("deep-list", b"[" * 3000 + b"]" * 3000),
    (
        "alias-bomb",
        b"a: &a [x, x, x, x, x, x, x, x, x]\n"
        + b"".join(
            b"%c: &%c [%s]\n" % (98 + i, 98 + i, b", ".join([b"*%c" % (97 + i)] * 9))
            for i in range(8)
        ),
    ),
]


@pytest.mark.parametrize(("name", "raw"), SLOW_INPUTS, ids=[n for n, _ in SLOW_INPUTS])
def test_no_traceback_on_expensive_inputs(in_tmp: Path, name: str, raw: bytes) -> None:
    (in_tmp / "bad.yaml").write_bytes(raw)
    res = cli("validate", "bad.yaml", "--format", "text")
    assert res.exit_code == 1, res.stdout + res.stderr
    assert res.stdout.startswith("bad.yaml:1:1: error yaml-too-")


# Inputs that once ended in "internal error ... This is a bug" (exit 3) instead of a finding.
CRASHERS: list[tuple[str, bytes, str]] = [
    ("bool-tag", b"journey: !!bool maybe\n", "KeyError in ruamel's bool constructor"),
    ("yaml-1.3", b"%YAML 1.3\n---\njourney: demo\n", "AssertionError on an unknown %YAML version"),
    ("empty-float-tag", b"journey: demo\nversion: !!float\n", "IndexError on an empty !!float"),
    ("empty-int-tag", b"journey: demo\nversion: !!int ''\n", "IndexError on an empty !!int"),
    ("omap-scalar", b"journey: !!omap x\n", "AttributeError on !!omap/!!set on a scalar"),
    ("empty-complex-key", b"? : :\n", "TypeError: unhashable CommentedMap key"),
    (
        "huge-hex-int",
        b"journey: 0x" + b"f" * 5000 + b"\nversion: 1\nstages: [{id: a, enter_when: {event: x}}]\n",
        "json.dumps of a >4300-digit int in the schema message",
    ),
    (
        "lone-surrogate-key",
        b'journey: demo\nversion: 1\n"\\ud800": 1\nstages: [{id: a, enter_when: {event: x}}]\n',
        "UnicodeEncodeError writing a lone surrogate from an escaped key",
    ),
]


@pytest.mark.parametrize(("name", "raw", "why"), CRASHERS, ids=[n for n, _, _ in CRASHERS])
@pytest.mark.parametrize("fmt", ["text", "json", "github", "table"])
def test_user_input_never_internal_error(
    in_tmp: Path, name: str, raw: bytes, why: str, fmt: str
) -> None:
    (in_tmp / "bad.yaml").write_bytes(raw)
    res = cli("validate", "bad.yaml", "--format", fmt)
    assert res.exit_code == 1, f"{why}: {res.stderr}"
    assert "internal error" not in res.stderr
    assert "bad.yaml" in res.stdout


def test_text_format_is_one_line_per_problem(in_tmp: Path) -> None:
    (in_tmp / "bad.yaml").write_text(
        'journey: demo\nversion: 1\n"a\\nb": 1\nstages: [{id: a, enter_when: {event: x}}]\n'
    )
    res = cli("validate", "bad.yaml", "--format", "text")
    assert res.exit_code == 1
    lines = res.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("bad.yaml:3:1: error schema: ")
    assert lines[1].startswith("    hint: ")
    # json keeps the message as it is
    (problem,) = problems_of("bad.yaml")
    assert "a\nb" in problem["message"]


def test_no_python_warning_on_stderr(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(
        "journey: demo\nversion: 1\nstages:\n"
        "  - id: a\n    enter_when: &c {event: x}\n"
        "  - id: b\n    enter_when: &c {event: y}\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", "from journeyctl.cli import main; main()", "validate", str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Warning" not in proc.stderr, proc.stderr


HINTLESS_BEFORE = {
    "missing-key": "journey: demo\nstages:\n  - id: a\n    enter_when: {event: x}\n",
    "wrong-type": "journey: demo\nversion: '1'\nstages: [{id: a, enter_when: {event: x}}]\n",
    "enum": "journey: d\nversion: 1\nstages: [{id: a, enter_when: {event: x}}]\n"
    "risks: [{id: r, when: {event: x}, severity: urgent}]\n",
    "unknown-milestone": "journey: d\nversion: 1\nstages: [{id: a, enter_when: {milestones: [zzz]}}]\n",
    "unknown-stage": "journey: d\nversion: 1\nstages: [{id: a, enter_when: {event: x}}]\n"
    "transitions: [{from: a, to: zzz, when: {event: y}}]\n",
    "catalog-properties": "events:\n  - name: login\n    properties: 5\n",
}


@pytest.mark.parametrize("name", list(HINTLESS_BEFORE))
def test_every_problem_has_a_hint(in_tmp: Path, name: str) -> None:
    # PRODUCT §4: "every problem with `file:line:col`, a rule id and a hint"
    (in_tmp / "bad.yaml").write_text(HINTLESS_BEFORE[name], encoding="utf-8")
    problems = problems_of("bad.yaml", code=1)
    assert problems
    assert all(p["hint"] for p in problems), problems
