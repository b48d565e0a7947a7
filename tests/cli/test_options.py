"""The event options are declared once and reach every command that reads events."""

from __future__ import annotations

import re

import pytest
import typer

from journeyctl.cli import app
from tests.helpers import run

EVENT_OPTIONS = ("--accounts", "--column", "--as-of", "--skip-bad-rows", "--rejects")


@pytest.mark.parametrize("command", ["place", "show", "report", "predict", "diff"])
def test_every_event_command_offers_the_event_options(command: str) -> None:
    res = run(command, "--help")
    assert res.exit_code == 0
    for option in EVENT_OPTIONS:
        assert option in res.stdout, f"{command} --help lacks {option}"
    assert ("--memory-limit" in res.stdout) == (command == "place")


@pytest.mark.parametrize("command", ["place", "show", "report", "predict"])
def test_stdin_twice_is_a_usage_error_everywhere(command: str) -> None:
    args = [command, "c-1", "-", "-"] if command == "show" else [command, "-", "-"]
    res = run(*args, "-j", "sample_journeys")
    assert res.exit_code == 2
    assert "stdin (-) can be given only once" in res.stderr


def test_diff_events_twice_from_stdin_is_a_usage_error() -> None:
    res = run("diff", "sample_journeys", "sample_journeys", "--events", "-", "--events", "-")
    assert res.exit_code == 2
    assert "stdin (-) can be given only once" in res.stderr


@pytest.mark.parametrize(
    ("command", "valid"),
    [
        ("place", "table, json, csv, markdown"),
        ("report", "table, json, markdown"),
        ("history", "table, json, csv, markdown"),
        ("diff", "table, text, markdown, json, github"),
    ],
)
def test_an_unknown_format_lists_the_renderers(command: str, valid: str) -> None:
    args = {"place": ["place", "x.csv"], "report": ["report", "x.csv"], "history": ["history"]}
    res = run(*args.get(command, ["diff", "sample_journeys"]), "--format", "yaml")
    assert res.exit_code == 2
    assert f"unknown format 'yaml'; use one of: {valid}" in res.stderr


def test_bad_memory_limit_is_a_usage_error() -> None:
    res = run("place", "sample_journeys/events.csv", "-j", "sample_journeys", "--memory-limit", "x")
    assert res.exit_code == 2
    assert "bad --memory-limit 'x'" in res.stderr


# every option naming a file a command writes, which --force lets overwrite
OUTPUT_OPTIONS = ("--rejects", "--output", "--db", "--out", "--save-model")


@pytest.mark.parametrize("command", ["place", "show", "report", "predict", "analyze", "diff"])
def test_force_names_the_command_s_own_outputs_only(command: str) -> None:
    """`show --help` listed --save-model, --db and --out under --force (issue 15)."""
    cmd = typer.main.get_command(app).commands[command]  # type: ignore[attr-defined]
    offered = {opt for p in cmd.params for opt in p.opts}
    force = next(p.help for p in cmd.params if "--force" in p.opts)
    named = set(re.findall(r"--[a-z-]+", force))
    assert named <= offered, f"{command}: --force names {named - offered}, which it lacks"
    assert named == offered & set(OUTPUT_OPTIONS), force
    assert run(command, "--help").exit_code == 0
