"""Hand-computed placement scenarios: each folder under scenarios/ is one case (see its README).

Every scenario runs under both engines: they must give the same answer (docs/architecture.md)."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from tests.engines import ENGINES, force_engine
from tests.helpers import run, subset_mismatches

SCENARIOS = sorted(p for p in (Path(__file__).parent / "scenarios").iterdir() if p.is_dir())


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_scenario(case: Path, engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ran = force_engine(monkeypatch, engine)
    args = ["place", str(case / "events.csv"), "-j", str(case / "journeys"), "--format", "json"]
    if (case / "accounts.csv").exists():
        args += ["--accounts", str(case / "accounts.csv")]
    if (case / "args.txt").exists():
        args += shlex.split((case / "args.txt").read_text())
    res = run(*args)
    assert res.exit_code == 0, res.stderr + res.stdout
    assert ran == [engine]
    actual = json.loads(res.stdout)
    expected = json.loads((case / "expected.json").read_text())
    problems = subset_mismatches(expected, actual)
    assert not problems, "\n".join(problems)
