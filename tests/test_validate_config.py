"""`validate` as a user configures and attacks it: journeyctl.toml `[validate]` rule levels,
unknown config keys, non-regular entries in a journeys directory, out-of-range numbers, and the
semantic checks of a file that also has schema errors. Everything runs through the CLI."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path
from typing import Any

import pytest

from journeyctl.definitions import limits, registry
from journeyctl.definitions.schema import validator
from tests.helpers import run

JOURNEY = """\
journey: demo
version: 1
stages:
  - id: onboarding
    enter_when: {event: deal_closed}
  - id: escalated
transitions:
  - from: onboarding
    to: onboarding
    when: {event: kickoff_rescheduled}
"""

EVENTS = "customer_id,timestamp,event\nc1,2026-03-01T10:00:00Z,deal_closed\n"


def cli(*args: str) -> Any:
    res = run(*args)
    assert "Traceback" not in res.stdout + res.stderr, res.stdout + res.stderr
    return res


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "journeys").mkdir()
    (tmp_path / "journeys" / "demo.yaml").write_text(JOURNEY)
    return tmp_path


def config(base: Path, text: str) -> None:
    (base / "journeyctl.toml").write_text(textwrap.dedent(text))


# ---- [validate] disable / warn / error --------------------------------------------------------


def test_without_config_both_rules_are_errors(project: Path) -> None:
    res = cli("validate", "-f", "text")
    assert res.exit_code == 1
    assert res.stdout == (
        "journeys/demo.yaml:6:5: error unreachable-stage: no customer can ever enter stage "
        "'escalated'\n"
        "    hint: give it an `enter_when`, or a transition `to:` it\n"
        "journeys/demo.yaml:9:9: error self-transition: transition from 'onboarding' to itself "
        "never applies\n"
        "    hint: a transition never moves a customer to the stage it is already in\n"
    )


def test_disable_and_warn(project: Path) -> None:
    config(
        project,
        """\
        [validate]
        disable = ["self-transition"]
        warn = ["unreachable-stage"]
        """,
    )
    res = cli("validate", "-f", "json")
    assert res.exit_code == 0, res.stdout + res.stderr
    problems = json.loads(res.stdout)["problems"]
    assert [(p["rule"], p["severity"]) for p in problems] == [("unreachable-stage", "warning")]
    assert cli("validate", "--strict").exit_code == 1


def test_diff_reports_problems_at_the_configured_levels(project: Path) -> None:
    # `diff` reports invalid definitions like `validate`: with the same [validate] settings
    config(project, '[validate]\ndisable = ["self-transition"]\nwarn = ["unreachable-stage"]\n')
    res = cli("diff", "journeys", "journeys", "-f", "json", "--fail-on", "invalid")
    assert res.exit_code == 0, res.stdout + res.stderr
    invalid = json.loads(res.stdout)["invalid"]
    assert {(p["rule"], p["severity"]) for p in invalid} == {("unreachable-stage", "warning")}


def test_a_warning_made_an_error_fails(project: Path) -> None:
    (project / "journeys" / "demo.yaml").write_text(
        JOURNEY.replace(
            "  - id: escalated\n", "  - id: escalated\n    enter_when: {event: x}\n"
        ).replace("    to: onboarding\n", "    to: escalated\n")
        + "  - from: escalated\n    to: onboarding\n"
        "    when: {milestones: [later]}\n" + ""
    )
    res = cli("validate", "-f", "text")
    # `later` is no milestone: an error by default, and it cannot be relaxed
    assert "error unknown-milestone" in res.stdout
    config(project, '[validate]\nwarn = ["unknown-milestone"]\n')
    res = cli("validate")
    assert res.exit_code == 2
    message = " ".join(res.stderr.split())  # the console wraps long lines
    assert "rule `unknown-milestone` cannot be turned off or made a warning" in message


def test_error_level_for_a_warning_rule(project: Path) -> None:
    (project / "journeys" / "demo.yaml").write_text(
        "journey: demo\nversion: 1\nstages:\n"
        "  - id: a\n    enter_when: {milestones: [m]}\n"
        "  - id: b\n    enter_when: {event: x}\n    milestones:\n"
        "      - id: m\n        when: {event: y}\n"
    )
    res = cli("validate", "-f", "text")
    assert res.exit_code == 0 and "warning milestone-order" in res.stdout
    config(project, '[validate]\nerror = ["milestone-order"]\n')
    res = cli("validate", "-f", "text")
    assert res.exit_code == 1 and "error milestone-order" in res.stdout


def test_disabled_rule_applies_to_every_command(project: Path) -> None:
    (project / "events.csv").write_text(EVENTS)
    assert cli("place", "events.csv").exit_code == 2
    config(project, '[validate]\ndisable = ["self-transition", "unreachable-stage"]\n')
    res = cli("place", "events.csv", "-f", "json")
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["customers"][0]["stage"] == "onboarding"


def test_unknown_rule_id_is_a_config_error(project: Path) -> None:
    config(project, 'journeys = "journeys"\n\n[validate]\ndisable = ["self-transiton"]\n')
    res = cli("validate")
    assert res.exit_code == 2
    assert "journeyctl.toml:4: [validate] disable: unknown rule id `self-transiton`" in res.stderr
    assert "did you mean `self-transition`?" in res.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[validate]\ndisable = "self-transition"\n', "must be a list of rule ids"),
        (
            '[validate]\ndisable = ["self-transition"]\nwarn = ["self-transition"]\n',
            "rule `self-transition` is already in `disable`",
        ),
        ('[validate]\ndisable = ["schema"]\n', "rule `schema` cannot be turned off"),
    ],
)
def test_bad_validate_table(project: Path, text: str, message: str) -> None:
    config(project, text)
    res = cli("validate")
    assert res.exit_code == 2 and message in res.stderr


# ---- unknown keys in journeyctl.toml (issue 15 item 9) ----------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "hint"),
    [
        ('jouneys = "journeys"\n', "journeyctl.toml:1: unknown key `jouneys`", "`journeys`"),
        (
            'db = "h.db"\n\n[validat]\nwarn = []\n',
            "journeyctl.toml:3: unknown key `validat`",
            "`validate`",
        ),
        (
            '[report]\nby = ["region"]\nfail_ob = ["churned>0"]\n',
            "journeyctl.toml:3: unknown key [report] `fail_ob`",
            "`fail_on`",
        ),
        (
            "[validate]\ndisabel = []\n",
            "journeyctl.toml:2: unknown key [validate] `disabel`",
            "`disable`",
        ),
    ],
)
def test_unknown_config_key(project: Path, text: str, expected: str, hint: str) -> None:
    config(project, text)
    res = cli("validate")
    assert res.exit_code == 2
    assert expected in res.stderr and f"did you mean {hint}?" in res.stderr


@pytest.mark.parametrize("command", ["validate", "place"])
def test_an_unknown_cluster_key_is_named_with_its_table_and_line(
    project: Path, command: str
) -> None:
    """`[cluster]` keys are checked like every other table's, by every command (issue 15)."""
    config(project, 'db = "h.db"\n\n[cluster]\nadress = "tcp://scheduler:8786"\n')
    (project / "e.csv").write_text(EVENTS)
    res = cli(*(["validate"] if command == "validate" else ["place", "e.csv"]))
    assert res.exit_code == 2
    assert "journeyctl.toml:4: unknown key [cluster] `adress`" in res.stderr
    assert "did you mean `address`?" in res.stderr


def test_cluster_timeout_in_the_config_is_an_unknown_key_naming_the_option(project: Path) -> None:
    """docs/cluster.md has the timeout as `--cluster-timeout` only: `timeout =` would be ignored."""
    config(project, '[cluster]\naddress = "local:1"\ntimeout = 30\n')
    res = cli("validate")
    assert res.exit_code == 2
    assert "journeyctl.toml:3: unknown key [cluster] `timeout`" in res.stderr
    assert "--cluster-timeout" in res.stderr and "valid keys: address" in res.stderr


def test_an_unknown_notify_key_suggests_the_nearest(project: Path) -> None:
    config(
        project,
        """\
        [[notify]]
        name = "cs"
        on = ["churned"]
        chanel = "slack"
        url = "https://hooks.slack.com/services/T/B/X"
        """,
    )
    (project / "e.csv").write_text(EVENTS)
    res = cli("report", "e.csv", "--db", "h.db", "--out", "out")
    assert res.exit_code == 2
    assert "journeyctl.toml:4: [[notify]] 'cs': `chanel` is not a notify key" in res.stderr
    assert "did you mean `channel`?" in res.stderr


def test_known_config_keys_are_accepted(project: Path) -> None:
    config(
        project,
        """\
        journeys = "journeys"
        max_file_size = 2000000
        wait = 5
        db = "h.db"
        out = "out"

        [columns]
        customer_id = "AccountId"

        [report]
        by = ["region"]

        [validate]
        disable = ["self-transition", "unreachable-stage"]
        """,
    )
    assert cli("validate").exit_code == 0


# ---- values of the wrong type, [columns] keys, keys after a table (new-user walk) --------------


@pytest.mark.parametrize("command", ["place", "report", "validate"])
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("accounts = 5\n", "journeyctl.toml:1: `accounts` must be a string (a path), not 5"),
        ('db = "h.db"\ncatalog = 5\n', "journeyctl.toml:2: `catalog` must be a string (a path)"),
        ("db = 5\n", "journeyctl.toml:1: `db` must be a string (a path), not 5"),
        ("out = true\n", "journeyctl.toml:1: `out` must be a string (a path), not true"),
        ("journeys = 5\n", "journeyctl.toml:1: `journeys` must be a string (a path) or a list"),
        (
            'wait = "x"\n',
            'journeyctl.toml:1: `wait` must be a number of seconds, 0 or more, not "x"',
        ),
        ("[report]\nby = 3\n", "journeyctl.toml:2: [report] `by` must be a string or a list"),
        ("[cluster]\naddress = 5\n", "journeyctl.toml:2: [cluster] `address` must be a string"),
        ("[columns]\nevent = 1\n", "journeyctl.toml:2: [columns] `event` must be a column name"),
    ],
)
def test_a_value_of_the_wrong_type_is_a_config_error_in_every_command(
    project: Path, command: str, text: str, expected: str
) -> None:
    """These crashed `place` and `report` with exit 3 (a TypeError), and `place` ignored `wait`."""
    config(project, text)
    (project / "e.csv").write_text(EVENTS)
    args = {"place": ["e.csv", "-q"], "report": ["e.csv", "-q", "--out", "o"], "validate": []}
    res = cli(command, *args[command])
    assert res.exit_code == 2, res.stderr
    assert expected in " ".join(res.stderr.split())


def test_every_key_has_its_type_checked(project: Path) -> None:
    """One table of keys and types: a key added to it without a type cannot slip through."""
    from journeyctl.config import KNOWN_KEYS, Kind

    texts = []
    for key, spec in KNOWN_KEYS.items():
        if isinstance(spec, Kind):
            texts.append(f"{key} = {{ a = 1 }}\n")
        elif spec is not None:
            texts += [f"[{key}]\n{name} = {{ a = 1 }}\n" for name in spec]
    assert len(texts) > 10
    for text in texts:
        config(project, text)
        res = cli("validate")
        message = " ".join(res.stderr.split())  # the console wraps long lines
        assert res.exit_code == 2, text
        assert "must be" in message and "not a table" in message, message


def test_a_secret_of_the_wrong_type_is_not_shown(project: Path) -> None:
    config(project, '[source]\nurl = ["postgresql://u:s3cret@h/db"]\n')
    res = cli("validate")
    assert res.exit_code == 2
    assert "journeyctl.toml:2: [source] `url` must be a string (a database URL), not an array" in (
        " ".join(res.stderr.split())
    )
    assert "s3cret" not in res.stderr


@pytest.mark.parametrize("command", ["place", "validate"])
@pytest.mark.parametrize(
    ("key", "nearest"), [("customer", "customer_id"), ("timestmp", "timestamp")]
)
def test_an_unknown_columns_key_is_named_with_the_nearest_required_column(
    project: Path, command: str, key: str, nearest: str
) -> None:
    """`[columns]` keys are the required columns (PRODUCT §3): a typo was `bad --column '...'`
    in `place`, with no file or line, and passed `validate`."""
    config(project, f'journeys = "journeys"\n\n[columns]\n{key} = "AccountId"\n')
    (project / "e.csv").write_text(EVENTS)
    res = cli(command, *(["e.csv", "-q"] if command == "place" else []))
    assert res.exit_code == 2
    assert f"journeyctl.toml:4: unknown key [columns] `{key}`" in res.stderr
    assert f"did you mean `{nearest}`?" in res.stderr
    assert "--column" not in res.stderr


def test_a_top_level_key_after_a_table_says_where_it_goes(project: Path) -> None:
    """TOML puts a key written after `[report]` in [report]: "valid keys: by, fail_on" misled."""
    config(project, '[report]\nby = ["region"]\njourneys = "journeys"\n')
    res = cli("validate")
    assert res.exit_code == 2
    message = " ".join(res.stderr.split())
    assert "journeyctl.toml:3: unknown key [report] `journeys`" in message
    assert "`journeys` is a top-level key: write it before the first [table]" in message
    assert "valid keys" not in message


# ---- journeys directory entries that are not regular files (issue 14 item 3) -------------------


def test_non_regular_entries_are_findings(project: Path) -> None:
    config(project, '[validate]\ndisable = ["self-transition", "unreachable-stage"]\n')
    j = project / "journeys"
    os.symlink("missing.yaml", j / "dangling.yaml")
    os.symlink("loop.yaml", j / "loop.yaml")
    os.mkfifo(j / "pipe.yaml")  # opening it for reading would block: the test would hang
    (j / "folder.yml").mkdir()
    os.symlink(os.devnull, j / "device.yaml")
    res = cli("validate", "-f", "text")
    assert res.exit_code == 1
    lines = [ln for ln in res.stdout.splitlines() if not ln.startswith("    ")]
    assert lines == [
        "journeys/dangling.yaml:1:1: error not-a-file: a dangling symlink (to missing.yaml, "
        "which does not exist)",
        "journeys/device.yaml:1:1: error not-a-file: a device, not a journey file",
        "journeys/folder.yml:1:1: error not-a-file: a directory, not a journey file",
        "journeys/loop.yaml:1:1: error not-a-file: a symlink loop",
        "journeys/pipe.yaml:1:1: error not-a-file: a named pipe (FIFO), not a journey file",
    ]
    assert "6 files checked: 5 errors" in res.stderr


def test_place_refuses_a_dangling_journey(project: Path) -> None:
    config(project, '[validate]\ndisable = ["self-transition", "unreachable-stage"]\n')
    (project / "events.csv").write_text(EVENTS)
    os.symlink("../elsewhere/renewals.yaml", project / "journeys" / "renewals.yaml")
    res = cli("place", "events.csv")
    assert res.exit_code == 2
    assert "renewals.yaml:1:1: error not-a-file: a dangling symlink" in res.stderr


# ---- numbers within range (issue 14 item 5) ---------------------------------------------------

BOUNDED = """\
journey: demo
version: {version}
priority: {priority}
stages:
  - id: onboarding
    enter_when: {{event: deal_closed, at_least: {at_least}}}
    max_duration: {max_duration}
    milestones:
      - id: kickoff
        when: {{event: kickoff, within: {within}}}
        due: {due}
risks:
  - id: quiet
    when: {{inactive: login, for: {for_}}}
    severity: low
"""
OK = {
    "version": limits.MAX_VERSION,
    "priority": limits.MIN_PRIORITY,
    "at_least": limits.MAX_AT_LEAST,
    "max_duration": f"{limits.MAX_DURATION_DAYS}d",
    "within": "15642w",
    "due": "2628000h",
    "for_": "1h",
}


def test_numbers_at_their_bounds_are_valid(project: Path) -> None:
    (project / "journeys" / "demo.yaml").write_text(BOUNDED.format(**OK))
    res = cli("validate", "-f", "text")
    assert res.exit_code == 0, res.stdout


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("version", str(10**20), "2:10: error schema: version: must be at most 2147483647"),
        ("version", str(2**31), "2:10: error schema: version: must be at most 2147483647"),
        ("priority", str(2**63), "3:11: error schema: priority: must be at most 2147483647"),
        ("priority", str(-(2**31) - 1), "3:11: error schema: priority: must be at least"),
        (
            "at_least",
            "1" + "0" * 19,
            "6:48: error schema: stages[0].enter_when.at_least: must be at most 1000000000",
        ),
        (
            "due",
            "1000000w",
            "11:14: error duration-too-long: stages[0].milestones[0].due: 1000000w is longer "
            "than 300 years",
        ),
        ("max_duration", "109501d", "7:19: error duration-too-long: stages[0].max_duration"),
        ("within", "2628001h", "10:40: error duration-too-long: stages[0].milestones[0].when"),
        ("for_", "9" * 30 + "w", "14:34: error duration-too-long: risks[0].when.for"),
    ],
)
def test_out_of_range_numbers_are_findings(
    project: Path, key: str, value: str, expected: str
) -> None:
    (project / "journeys" / "demo.yaml").write_text(BOUNDED.format(**{**OK, key: value}))
    res = cli("validate", "-f", "text")
    assert res.exit_code == 1
    assert "journeys/demo.yaml:" + expected in res.stdout
    (project / "events.csv").write_text(EVENTS)
    res = cli("place", "events.csv", "-f", "json")
    assert res.exit_code == 2, res.stdout  # never exit 3 later
    assert expected in res.stderr


def test_schema_bounds_are_the_limits() -> None:
    schema: Any = validator().schema
    props = schema["properties"]
    assert props["version"]["maximum"] == limits.MAX_VERSION
    assert props["priority"]["minimum"] == limits.MIN_PRIORITY
    assert props["priority"]["maximum"] == limits.MAX_PRIORITY
    assert f'"maximum": {limits.MAX_AT_LEAST}' in json.dumps(schema)


@pytest.mark.parametrize("size", [str(10**30), "0", "-5", str(limits.MAX_FILE_SIZE_LIMIT + 1)])
def test_max_file_size_is_bounded(project: Path, size: str) -> None:
    res = cli("validate", "--max-file-size", size)
    # 0 too: it silently meant the default, which the help's "1 to ..." does not say
    assert res.exit_code == 2
    assert "--max-file-size must be from 1 to" in res.stderr


@pytest.mark.parametrize("cmd", ["place", "diff"])
def test_max_file_size_zero_is_a_usage_error_everywhere(project: Path, cmd: str) -> None:
    args = ["journeys", "journeys"] if cmd == "diff" else ["events.csv"]
    res = cli(cmd, *args, "--max-file-size", "0")
    assert res.exit_code == 2, res.stderr
    assert "--max-file-size must be from 1 to" in res.stderr


def test_max_file_size_in_config_is_bounded(project: Path) -> None:
    config(project, "\nmax_file_size = 100000000000000000000\n")
    res = cli("validate")
    assert res.exit_code == 2
    assert "journeyctl.toml:2: `max_file_size` must be a whole number of bytes" in res.stderr


# ---- transitions: positions, `*`, semantic checks beside schema errors (issue 15 item 8) -------


def test_unquoted_star_gets_a_hint(project: Path) -> None:
    (project / "journeys" / "demo.yaml").write_text(
        JOURNEY.replace("  - from: onboarding\n", "  - from: *\n")
    )
    res = cli("validate", "-f", "text")
    assert res.exit_code == 1
    assert res.stdout.splitlines()[1] == (
        '    hint: a bare `*` starts a YAML alias: quote it, e.g. from: "*"'
    )


def test_semantic_checks_run_beside_schema_errors(project: Path) -> None:
    (project / "journeys" / "demo.yaml").write_text(
        "journey: demo\n"
        "version: 1\n"
        "colour: blue\n"  # an unknown key
        "stages:\n"
        "  - id: onboarding\n"
        "    enter_when: {event: deal_closed, at_least: 0}\n"  # a bad condition
        "    max_duration: 45 days\n"  # a bad duration
        "  - id: renewal\n"
        "    enter_when: {event: renewal_opened}\n"
        "transitions:\n"
        "  - from: renewl\n"
        "    to: onboarding\n"
        "    when: {event: renewal_pushback, within: soon}\n"
    )
    res = cli("validate", "-f", "text")
    heads = [ln.split(": ", 2)[:2] for ln in res.stdout.splitlines() if not ln.startswith(" ")]
    assert heads == [
        ["journeys/demo.yaml:3:1", "error schema"],
        ["journeys/demo.yaml:6:48", "error schema"],
        ["journeys/demo.yaml:7:19", "error schema"],
        ["journeys/demo.yaml:11:11", "error unknown-stage"],
        ["journeys/demo.yaml:13:45", "error schema"],
    ]


def test_a_missing_required_key_still_stops_the_semantic_checks(project: Path) -> None:
    # nothing is invented: without `id` the stage cannot be referred to
    (project / "journeys" / "demo.yaml").write_text(
        JOURNEY.replace("  - id: escalated\n", "  - title: Escalated\n")
    )
    res = cli("validate", "-f", "text")
    assert "missing required key `id`" in res.stdout
    assert "self-transition" not in res.stdout


def test_every_rule_in_the_registry_is_unique() -> None:
    assert len(registry.BY_ID) == len(registry.ALL)
    assert set(registry.BY_ID) >= registry.RELAXABLE
