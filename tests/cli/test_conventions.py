"""PRODUCT §4's conventions, through the CLI: version, completion, help, colour, quiet, fail-on."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeyctl import __version__
from journeyctl.cli import COMMANDS as CLI_COMMANDS
from journeyctl.cli import app
from tests.helpers import run, run_json

ROOT = Path(__file__).resolve().parents[2]
EVENTS = "sample_journeys/events.csv"
COMMANDS = list(CLI_COMMANDS)  # the table the group lists and builds from
# typer's labels for a Python type (`<str>`, `<list[str]>`, `<int range>`): a user needs the
# choices or a name (`[table|json]`, `NAME>N`), not the annotation.
PYTHON_TYPE = re.compile(r"<(str|int|float|bool|list\[[a-z]+\]|int range|float range)>")


def help_of(*args: str, columns: int = 80) -> str:
    res = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": str(columns)})
    assert res.exit_code == 0, res.output
    return res.stdout


def test_version_prints_the_version() -> None:
    res = run("--version")
    assert res.exit_code == 0
    assert res.stdout == f"journeyctl {__version__}\n"


def test_shell_completion_is_offered() -> None:
    text = help_of()
    assert "--install-completion" in text
    assert "--show-completion" in text


def _complete(words: str) -> str:
    """What the zsh completion script receives for the command line `words`."""
    env = dict(os.environ, _JOURNEYCTL_COMPLETE="complete_zsh", _TYPER_COMPLETE_ARGS=words)
    code = "import sys; sys.argv[0] = 'journeyctl'; from journeyctl.cli import main; main()"
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_completion_offers_every_command_with_its_help() -> None:
    # the command list is a table (cli/lazy.py), not the built commands: it must still complete
    text = _complete("journeyctl ")
    for name in COMMANDS:
        assert f'"{name}":' in text, text
    assert '"validate":"Check journey files\\\\: schema and semantic rules."' in text
    assert '"place"' not in _complete("journeyctl va")


def test_completion_of_a_command_s_options_builds_that_command() -> None:
    text = _complete("journeyctl validate --")
    assert '"--strict":"Warnings fail too (exit 1)"' in text, text


@pytest.mark.parametrize(
    ("words", "choices"),
    [
        ("journeyctl place --format ", ["table", "json", "csv", "markdown", "parquet"]),
        ("journeyctl show c-1 -f ", ["table", "json", "csv", "markdown"]),
        ("journeyctl predict --format ", ["table", "json", "csv", "markdown"]),
        ("journeyctl history --format ", ["table", "json", "csv", "markdown"]),
        ("journeyctl analyze --format ", ["table", "json", "markdown", "html"]),
        ("journeyctl report --format ", ["table", "json", "markdown"]),
        ("journeyctl validate --format ", ["table", "text", "json", "github"]),
        ("journeyctl diff --format ", ["table", "text", "markdown", "json", "github"]),
        ("journeyctl place --format m", ["markdown"]),
        ("journeyctl place --sort ", ["id", "risk", "days_in_stage"]),
        ("journeyctl place --input-format ", ["csv", "parquet", "jsonl", "arrow"]),
    ],
)
def test_completion_offers_an_option_s_values(words: str, choices: list[str]) -> None:
    """Per PRODUCT §4: each command's formats, and `place --sort`'s orders (issue 15)."""
    text = _complete(words)
    assert re.findall(r'"([a-z_]+)"', text) == choices, text


def test_bash_completion_offers_the_sort_orders() -> None:
    env = dict(
        os.environ,
        _JOURNEYCTL_COMPLETE="complete_bash",
        COMP_WORDS="journeyctl place --sort d",
        COMP_CWORD="3",
    )
    code = "import sys; sys.argv[0] = 'journeyctl'; from journeyctl.cli import main; main()"
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["days_in_stage"]


def test_help_lists_every_command_with_an_uncut_description() -> None:
    text = help_of(columns=80)
    listed = text.split("Commands:", 1)[1]
    for name in COMMANDS:
        assert re.search(rf"^  {name} ", listed, re.MULTILINE), f"--help omits {name}"
    assert {"history", "predict"} <= set(COMMANDS)
    assert "..." not in listed, listed


@pytest.mark.parametrize("command", COMMANDS)
def test_option_help_shows_choices_or_names_not_python_types(command: str) -> None:
    options = help_of(command, columns=200).split("Options:", 1)[-1]
    assert not PYTHON_TYPE.search(options), options


@pytest.mark.parametrize("command", COMMANDS)
def test_help_names_positional_arguments_by_metavar(command: str) -> None:
    """The whole `--help`, arguments included: a name for each (`CUSTOMER`, `EVENTS`), never a
    Python type (`<str>`, `<list[str]>`, `<path>`) nor typer's `...` or `{REQUIRED}` marks; the
    usage line alone keeps `...` after an argument that takes several values, as the docs do."""
    text = help_of(command, columns=200)
    usage, rest = text.split("\n", 1)
    for label in ("<str>", "<list[", "<int>", "<path>", "..."):
        assert label not in rest, f"`{command} --help` shows {label}:\n{text}"
    assert not PYTHON_TYPE.search(text), text
    assert "{" not in usage and "<" not in usage, usage


@pytest.mark.parametrize(
    ("command", "usage", "arguments"),
    [
        ("show", "show [OPTIONS] CUSTOMER [EVENTS]...", ["CUSTOMER", "EVENTS"]),
        ("place", "place [OPTIONS] [EVENTS]...", ["EVENTS"]),
        ("validate", "validate [OPTIONS] [PATHS]...", ["PATHS"]),
        ("diff", "diff [OPTIONS] BASE [HEAD]", ["BASE", "HEAD"]),
    ],
)
def test_help_usage_and_arguments_read_as_in_the_docs(
    command: str, usage: str, arguments: list[str]
) -> None:
    text = help_of(command, columns=200)
    assert text.splitlines()[0].endswith(usage), text.splitlines()[0]
    listed = text.split("Arguments:", 1)[1].split("Options:", 1)[0]
    names = [
        line.split()[0] for line in listed.splitlines() if line.startswith("  ") and line[2] != " "
    ]
    assert names == arguments, listed


@pytest.mark.parametrize(
    ("command", "choices"),
    [
        ("place", "[table|json|csv|markdown|parquet]"),
        ("validate", "[table|text|json|github]"),
        ("diff", "[table|text|markdown|json|github]"),
        ("report", "[table|json|markdown]"),
    ],
)
def test_format_help_lists_the_formats(command: str, choices: str) -> None:
    assert f"-f, --format {choices}" in help_of(command, columns=200)


def test_fail_on_metavar_names_the_condition_forms() -> None:
    assert "--fail-on NAME>N|NAME:LEVEL" in help_of("place", columns=200)


@pytest.mark.parametrize("value", ["-1", str(2**30 + 1)])
@pytest.mark.parametrize("command", ["validate", "place"])
def test_max_file_size_is_bounded(command: str, value: str) -> None:
    args = ["validate", "sample_journeys"] if command == "validate" else ["place", EVENTS]
    res = run(*args, "-j", "sample_journeys", "--max-file-size", value)
    assert res.exit_code == 2
    assert "--max-file-size must be from 1 to" in res.stderr


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """A real process off a terminal (stdout and stderr are pipes), with the environment given."""
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environ.update(PYTHONPATH=str(ROOT), **env)
    return subprocess.run(
        [sys.executable, "-m", "journeyctl", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environ,
        timeout=120,
    )


@pytest.fixture(scope="module")
def broken_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("broken")
    (d / "j.yaml").write_text("id: x\nversion: one\n", encoding="utf-8")
    return d


def test_force_color_colours_off_a_terminal(broken_dir: Path) -> None:
    plain = _cli("validate", "-f", "table", str(broken_dir))
    forced = _cli("validate", "-f", "table", str(broken_dir), FORCE_COLOR="1")
    assert plain.returncode == forced.returncode == 1
    assert "\x1b[" not in plain.stdout + plain.stderr
    assert "\x1b[" in forced.stdout + forced.stderr


@pytest.mark.parametrize(("value", "coloured"), [("", True), ("1", False)])
def test_no_color_counts_only_when_not_empty(broken_dir: Path, value: str, coloured: bool) -> None:
    proc = _cli("validate", "-f", "table", str(broken_dir), FORCE_COLOR="1", NO_COLOR=value)
    assert ("\x1b[" in proc.stdout + proc.stderr) == coloured


def test_no_color_option_wins_over_force_color(broken_dir: Path) -> None:
    proc = _cli("validate", "-f", "table", str(broken_dir), "--no-color", FORCE_COLOR="1")
    assert "\x1b[" not in proc.stdout + proc.stderr


def test_a_met_fail_on_is_said_even_with_quiet(broken_dir: Path) -> None:
    for args in (
        ("place", EVENTS, "-j", "sample_journeys", "--fail-on", "at_risk>0"),
        ("diff", str(broken_dir), "sample_journeys", "--fail-on", "invalid"),
    ):
        res = run(*args, "--quiet", "-f", "json")
        assert res.exit_code == 1, res.stderr
        assert "fail-on met: " in res.stderr, args


RANK = {"none": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
PLACE = ("place", EVENTS, "-j", "sample_journeys", "--accounts", "sample_journeys/accounts.csv")


def _worst_first(c: dict[str, object]) -> tuple[object, ...]:
    arr = float(str(c["attributes"].get("arr") or 0))  # type: ignore[attr-defined]
    return (-RANK[str(c["risk_level"])], -arr, c["customer_id"])


def test_place_sort_risk_limit_lists_the_ten_worst() -> None:
    everyone = run_json(*PLACE, "--at-risk", "-f", "json")["customers"]
    worst = run_json(*PLACE, "--at-risk", "--sort", "risk", "--limit", "10", "-f", "json")
    ids = [c["customer_id"] for c in worst["customers"]]
    expected = [c["customer_id"] for c in sorted(everyone, key=_worst_first)[:10]]
    assert ids == expected
    assert ids != sorted(ids)  # not the id order: the sample's worst are not its first ids


def test_place_sort_days_in_stage_lists_the_longest_first() -> None:
    doc = run_json(*PLACE, "--sort", "days_in_stage", "--limit", "20", "-f", "json")
    days = [c["days_in_stage"] for c in doc["customers"]]
    assert len(days) == 20 and None not in days
    assert days == sorted(days, reverse=True)


def test_place_sort_keeps_its_order_in_csv() -> None:
    res = run(*PLACE, "--at-risk", "--sort", "risk", "--limit", "5", "-f", "csv")
    assert res.exit_code == 0, res.stderr
    levels = [line.split(",")[7] for line in res.stdout.splitlines()[1:]]
    assert [RANK[lv] for lv in levels] == sorted((RANK[lv] for lv in levels), reverse=True)


def test_place_unknown_sort_is_a_usage_error() -> None:
    res = run(*PLACE, "--sort", "arr")
    assert res.exit_code == 2
    assert "unknown --sort 'arr'; use one of: id, risk, days_in_stage" in res.stderr


def test_a_number_option_is_still_checked_by_typer() -> None:
    # cli/lazy.py converts only strings itself; an int goes to typer's own conversion
    res = run("validate", "--max-file-size", "abc", "sample_journeys")
    assert res.exit_code == 2
    assert "Invalid value for '--max-file-size'" in res.stderr
    res = run("validate", "--max-file-size", "2000000", "-q", "sample_journeys")
    assert res.exit_code == 0, res.stderr
