"""The structural diff on parsed documents: paths, kinds, values, lines (PRODUCT §4)."""

from __future__ import annotations

from typing import Any

import pytest

from journeyctl.definitions.yamlio import YamlDocument, load_yaml_bytes
from journeyctl.diff.structural import JourneyDiff, diff_journeys, lcs_pairs
from tests.diff import cases
from tests.diff.cases import edit, line_of


def doc(text: str, file: str = "journeys/demo.yaml") -> YamlDocument:
    loaded = load_yaml_bytes(text.encode(), file)
    assert isinstance(loaded, YamlDocument), loaded
    return loaded


def one(base: str, head: str) -> JourneyDiff:
    (d,) = diff_journeys([doc(base)], [doc(head)])
    return d


def changes(d: JourneyDiff) -> list[dict[str, Any]]:
    return [
        {"path": c.path, "kind": c.kind, "base": c.base, "head": c.head, "line": c.line}
        for c in d.changes
    ]


def test_due_shortened() -> None:
    d = one(cases.BASE, cases.DUE_SHORTENED)
    assert (d.id, d.change, d.renamed_from, d.file) == (
        "demo",
        "changed",
        None,
        "journeys/demo.yaml",
    )
    assert changes(d) == [
        {
            "path": "stages.onboarding.milestones.kickoff.due",
            "kind": "changed",
            "base": "10d",
            "head": "5d",
            "line": line_of(cases.DUE_SHORTENED, "due: 5d"),
        }
    ]
    assert (d.version.base, d.version.head, d.version.bumped) == (1, 1, False)
    assert d.version_not_bumped


def test_stage_inserted_moves_nothing_after_it() -> None:
    d = one(cases.BASE, cases.INSERTED)
    assert changes(d) == [
        {
            "path": "stages.activated",
            "kind": "added",
            "base": None,
            "head": {"id": "activated", "enter_when": {"event": "activated"}},
            "line": line_of(cases.INSERTED, "id: activated"),
        }
    ]


def test_stage_reorder_is_moved_with_positions() -> None:
    d = one(cases.BASE, cases.REORDERED)
    assert changes(d) == [
        {
            "path": "stages.adoption",
            "kind": "moved",
            "base": 1,
            "head": 2,
            "line": line_of(cases.REORDERED, "id: adoption"),
        }
    ]


def test_stage_removed_has_the_base_line() -> None:
    d = one(cases.BASE, cases.STAGE_REMOVED)
    assert changes(d) == [
        {
            "path": "stages.renewal",
            "kind": "removed",
            "base": {"id": "renewal", "enter_when": {"event": "renewal_opened"}},
            "head": None,
            "line": line_of(cases.BASE, "id: renewal"),
        }
    ]
    # On the head side it is shown at the nearest node that still exists: `stages:`.
    assert d.changes[0].head_line == line_of(cases.STAGE_REMOVED, "stages:")


def test_new_transition_is_added_by_index() -> None:
    d = one(cases.BASE, cases.REGRESSION)
    assert changes(d) == [
        {
            "path": "transitions[1]",
            "kind": "added",
            "base": None,
            "head": {"from": "renewal", "to": "adoption", "when": {"event": "pushback"}},
            "line": line_of(cases.REGRESSION, "from: renewal"),
        }
    ]


def test_segment_value_compares_as_a_whole() -> None:
    d = one(cases.BASE, cases.NARROWED)
    assert changes(d) == [
        {
            "path": "segment.region",
            "kind": "changed",
            "base": ["NA", "EMEA"],
            "head": "NA",
            "line": line_of(cases.NARROWED, "region: NA"),
        }
    ]


def test_condition_compares_as_a_whole() -> None:
    head = edit(cases.BASE, "when: {event: cancelled}", "when: {event: [cancelled, lost]}")
    assert changes(one(cases.BASE, head)) == [
        {
            "path": "transitions[0].when",
            "kind": "changed",
            "base": {"event": "cancelled"},
            "head": {"event": ["cancelled", "lost"]},
            "line": line_of(head, "lost"),
        }
    ]


def test_risk_and_milestone_fields_by_id() -> None:
    head = edit(cases.BASE, "severity: high", "severity: critical")
    head = edit(head, "        due: 10d\n", "        due: 10d\n        title: Kickoff held\n")
    assert changes(one(cases.BASE, head)) == [
        {
            "path": "stages.onboarding.milestones.kickoff.title",
            "kind": "added",
            "base": None,
            "head": "Kickoff held",
            "line": line_of(head, "title: Kickoff held"),
        },
        {
            "path": "risks.unhappy.severity",
            "kind": "changed",
            "base": "high",
            "head": "critical",
            "line": line_of(head, "severity: critical"),
        },
    ]


def test_top_level_key_removed_and_transition_replaced() -> None:
    head = edit(cases.BASE, "title: Demo\n", "")
    head = edit(head, '  - from: "*"\n', "  - from: adoption\n")
    assert changes(one(cases.BASE, head)) == [
        {
            "path": "transitions[0].from",
            "kind": "changed",
            "base": "*",
            "head": "adoption",
            "line": line_of(head, "from: adoption"),
        },
        {
            "path": "title",
            "kind": "removed",
            "base": "Demo",
            "head": None,
            "line": line_of(cases.BASE, "title: Demo"),
        },
    ]


def test_reformat_comments_and_key_order_are_no_change() -> None:
    d = one(cases.BASE, cases.REFORMATTED)
    assert (d.change, d.changes, d.version.bumped) == ("unchanged", (), False)
    assert not d.version_not_bumped


def test_types_matter_but_not_spelling() -> None:
    # `1` and `1.0` and `true` are different values; "10d" quoted or not is the same.
    head = edit(cases.BASE, "version: 1\n", "version: 1\npriority: 1\n")
    base = edit(cases.BASE, "version: 1\n", "version: 1\npriority: 1.0\n")
    assert [c.path for c in one(base, head).changes] == ["priority"]
    assert one(cases.BASE, edit(cases.BASE, "due: 10d", 'due: "10d"')).change == "unchanged"


def test_rename_is_same_content_under_a_new_id() -> None:
    d = one(cases.BASE, cases.RENAMED)
    assert (d.id, d.change, d.renamed_from, d.changes) == ("demo-renamed", "renamed", "demo", ())
    assert not d.version_not_bumped


def test_rename_with_a_version_bump_is_still_a_rename() -> None:
    head = edit(cases.RENAMED, "version: 1", "version: 2")
    d = one(cases.BASE, head)
    assert (d.change, d.version.bumped) == ("renamed", True)


def test_new_id_with_other_content_is_added_and_removed() -> None:
    head = edit(cases.RENAMED, "due: 10d", "due: 9d")
    ds = diff_journeys([doc(cases.BASE)], [doc(head, "journeys/other.yaml")])
    assert [(d.id, d.change, d.file, d.version.bumped) for d in ds] == [
        ("demo", "removed", "journeys/demo.yaml", None),
        ("demo-renamed", "added", "journeys/other.yaml", None),
    ]
    assert ds[0].version.base == 1 and ds[0].version.head is None


@pytest.mark.parametrize(
    ("head_version", "bumped", "flagged"),
    [("2", True, False), ("1", False, True), ("0", False, True)],
)
def test_version_bumped(head_version: str, bumped: bool, flagged: bool) -> None:
    head = edit(cases.DUE_SHORTENED, "version: 1", f"version: {head_version}")
    d = one(cases.BASE, head)
    assert (d.version.bumped, d.version_not_bumped) == (bumped, flagged)
    assert d.version.line == line_of(head, "version:")


def test_version_only_change_is_changed_without_changes() -> None:
    d = one(cases.BASE, edit(cases.BASE, "version: 1", "version: 2"))
    assert (d.change, d.changes, d.version.bumped, d.version_not_bumped) == (
        "changed",
        (),
        True,
        False,
    )


def test_swap_and_move_use_a_longest_common_subsequence() -> None:
    assert lcs_pairs(list("abcd"), list("xabcd")) == [(0, 1), (1, 2), (2, 3), (3, 4)]
    assert lcs_pairs(list("abcd"), list("acbd")) == [(0, 0), (2, 1), (3, 3)]
    head = edit(
        cases.BASE,
        "  - id: onboarding\n",
        "  - id: churned\n    terminal: true\n    outcome: churned\n  - id: onboarding\n",
    )
    head = edit(
        head,
        "  - id: churned\n    terminal: true\n    outcome: churned\ntransitions",
        "transitions",
    )
    assert changes(one(cases.BASE, head)) == [
        {
            "path": "stages.churned",
            "kind": "moved",
            "base": 3,
            "head": 0,
            "line": line_of(head, "id: churned"),
        }
    ]


def test_moved_stage_with_a_changed_field_reports_both() -> None:
    head = edit(
        cases.REORDERED, "enter_when: {event: renewal_opened}", "enter_when: {event: renew}"
    )
    assert [(c.path, c.kind) for c in one(cases.BASE, head).changes] == [
        ("stages.renewal.enter_when", "changed"),
        ("stages.adoption", "moved"),
    ]


def test_duplicate_ids_fall_back_to_index_alignment() -> None:
    base = edit(cases.BASE, "  - id: renewal\n", "  - id: adoption\n")
    head = edit(base, "enter_when: {event: renewal_opened}", "enter_when: {event: renew}")
    assert [(c.path, c.kind) for c in one(base, head).changes] == [
        ("stages[2].enter_when", "changed")
    ]


def test_journeys_sorted_by_id_and_unparseable_ids_ignored() -> None:
    other = edit(cases.BASE, "journey: demo\n", "journey: alpha\n")
    odd = edit(cases.BASE, "journey: demo\n", "journey: [x]\n")
    ds = diff_journeys([doc(cases.BASE), doc(odd, "j/odd.yaml")], [doc(cases.BASE), doc(other)])
    assert [(d.id, d.change) for d in ds] == [("alpha", "added"), ("demo", "unchanged")]


def test_odd_keys_are_quoted_in_paths() -> None:
    head = edit(cases.BASE, "  plan: pro\n", '  plan: pro\n  "a.b\\nc": x\n')
    assert [c.path for c in one(cases.BASE, head).changes] == ['segment."a.b\\nc"']
