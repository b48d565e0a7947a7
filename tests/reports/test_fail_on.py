"""`report --fail-on`: every form and exit code on the hand-made scenario (PRODUCT §4).

In the scenario's second snapshot every change list holds 1 to 3 customers; the newly at risk are
ar1 (high) and nm1 (medium); the regressed r1 and r2 are not at risk.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from journeyctl.history.compare import CATEGORIES
from tests.helpers import run
from tests.history import scenario


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("failon")
    scenario.write(root)
    return root


@pytest.fixture(autouse=True)
def _in_workdir(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(workdir)
    if not (workdir / "h.db").exists():
        assert run(*scenario.first_args("h.db", "out")).exit_code == 0


def second(*fail_on: str) -> tuple[int, str]:
    args = [*scenario.second_args("h.db", "out")]
    for f in fail_on:
        args += ["--fail-on", f]
    res = run(*args)
    return res.exit_code, res.stderr


@pytest.mark.parametrize("name", CATEGORIES)
def test_every_change_list_count(name: str) -> None:
    n = len(scenario.EXPECTED_CHANGES[name])
    code, err = second(f"{name}>{n - 1}")
    assert code == 1, err
    assert f"fail-on met: {name}>{n - 1}" in err
    code, err = second(f"{name}>{n}")
    assert code == 0, err
    assert "fail-on met" not in err


@pytest.mark.parametrize(
    ("cond", "code"),
    [
        ("newly_at_risk:high", 1),  # ar1
        ("newly_at_risk:critical", 0),
        ("newly-at-risk:medium", 1),  # `-` and `_` are the same
        ("newly_at_risk:low", 1),
        ("regressed:medium", 0),  # r1 and r2 are regressed but not at risk
        ("progressed:low", 0),
        ("regressed>5,churned>2", 1),  # comma-separated: churned has 3
        ("regressed>5, churned>3", 0),
    ],
)
def test_forms(cond: str, code: int) -> None:
    got, err = second(cond)
    assert got == code, err


def test_repeated_and_quiet() -> None:
    res = run(
        *scenario.second_args("h.db", "out"),
        "--fail-on",
        "progressed>5",
        "--fail-on",
        "completed>0",
        "--quiet",
    )
    assert res.exit_code == 1
    assert res.stdout == ""
    # The one line cron mails: printed even with --quiet.
    assert res.stderr == "fail-on met: completed>0\n"


@pytest.mark.parametrize(
    ("cond", "message"),
    [
        ("new-at-risk:high", "unknown --fail-on condition 'new-at-risk:high'"),  # the name
        ("regressions>0", "unknown --fail-on condition 'regressions>0'"),
        ("vanished:high", "unknown --fail-on condition 'vanished:high'"),
        ("newly_at_risk>x", "bad --fail-on 'newly_at_risk>x'"),
        ("newly_at_risk:extreme", "bad level in --fail-on 'newly_at_risk:extreme'"),
    ],
)
def test_bad_conditions_are_usage_errors(cond: str, message: str) -> None:
    code, err = second(cond)
    assert code == 2
    assert message in err
    if "unknown" in message:
        assert "newly_at_risk>N" in err and "newly_at_risk:LEVEL" in err  # the valid ones
        assert "switched_journey>N" in err


def test_an_unknown_name_gets_the_nearest_in_its_own_form() -> None:
    # PRODUCT §5's own example says `new-at-risk:high`: the hint was a 22-name list to read
    assert "did you mean newly_at_risk:high?" in second("new-at-risk:high")[1]
    assert "did you mean regressed>0?" in second("regressions>0")[1]


def test_bad_input_wins_over_fail_on(workdir: Path) -> None:
    (workdir / "blocker").write_text("not a directory")
    res = run(*scenario.second_args("h.db", "blocker/out"), "--fail-on", "new>0")
    assert res.exit_code == 2  # the condition holds, but the report could not be written
    assert "cannot write blocker/out/report.json" in res.stderr
