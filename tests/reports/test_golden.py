"""report.md and report.json on the hand-made scenario, byte for byte.

Regenerate after an intended change with `JOURNEYCTL_UPDATE_GOLDEN=1 pytest tests/reports/test_golden.py`
and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import run
from tests.history import scenario

GOLDEN = Path(__file__).resolve().parent.parent / "golden"


@pytest.mark.parametrize("name", ["report.md", "report.json"])
def test_golden(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scenario.write(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1768867200")  # the run time shown: 2026-01-20
    for args in (scenario.first_args("h.db", "out"), scenario.second_args("h.db", "out")):
        res = run(*args, "--by", "plan")
        assert res.exit_code == 0, res.stderr
    actual = (tmp_path / "out" / name).read_text(encoding="utf-8")
    golden = GOLDEN / name
    if os.environ.get("JOURNEYCTL_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8")
