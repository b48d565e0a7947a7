"""The commands a person or a pre-commit hook runs often start without the heavy libraries.

Behavioural, not timed: a subprocess runs the command and reports which modules it loaded. The
timings are in docs/architecture.md (`python -X importtime`, repeated runs)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# pydantic: typer converts option values through pydantic adapters, which cost these commands
# more than typer itself (cli/lazy.py converts plain strings without them)
HEAVY = ("numba", "numpy", "pandas", "sklearn", "lightgbm", "plotly", "pyarrow", "pydantic")

PROBE = """
import json, sys
sys.argv = ["journeyctl", *sys.argv[1:]]
from journeyctl.cli import app
try:
    app()
except SystemExit:
    pass
sys.stderr.write("\\nLOADED " + json.dumps(sorted(m for m in {heavy} if m in sys.modules)) + "\\n")
"""


def loaded(*args: str) -> tuple[list[str], subprocess.CompletedProcess[str]]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    line = proc.stderr.rsplit("LOADED ", 1)[1]
    return json.loads(line), proc


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("validate", "sample_journeys"),
        # options given: their string values are converted without pydantic too
        ("validate", "--format", "text", "--journeys", "sample_journeys", "--strict"),
        ("schema",),
        ("place", "--help"),
        ("analyze", "--help"),
    ],
    ids=["help", "validate", "validate-options", "schema", "place-help", "analyze-help"],
)
def test_fast_commands_load_no_heavy_library(args: tuple[str, ...]) -> None:
    modules, proc = loaded(*args)
    assert modules == [], f"journeyctl {' '.join(args)} loaded {modules}"
    assert proc.returncode == 0, proc.stderr  # and it did its job
    assert "Usage" in proc.stdout or "5 files checked" in proc.stderr or '"$schema"' in proc.stdout


def test_the_probe_sees_heavy_libraries_when_a_command_needs_them() -> None:
    # guards the test above: a probe that never saw numpy would pass for the wrong reason
    modules, proc = loaded("place", "sample_journeys/events.csv", "-j", "sample_journeys", "-q")
    assert "numpy" in modules, proc.stderr
