"""Very wide events files are bounded with a clear error (issue 14, item 10).

100k columns took 51 s (the property columns were collected by list membership, quadratic in the
columns); now collecting them is linear and more than 10,000 columns stop at the header."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeyctl.events.ingest import MAX_COLUMNS
from tests.helpers import run

JOURNEY = """\
journey: demo
version: 1
stages:
  - id: onboarding
    enter_when: {event: signed}
"""


def _wide(path: Path, columns: int, rows: int = 5) -> None:
    header = "customer_id,timestamp,event," + ",".join(f"p{i}" for i in range(columns))
    body = "".join(f"c{r},2026-01-0{r + 1}T00:00:00Z,signed" + "," * columns + "\n"
                   for r in range(rows))  # fmt: skip
    path.write_text(header + "\n" + body)


@pytest.fixture
def journeys(tmp_path: Path) -> Path:
    (tmp_path / "j").mkdir()
    (tmp_path / "j" / "demo.yaml").write_text(JOURNEY)
    return tmp_path / "j"


@pytest.mark.parametrize("stream", [[], ["--memory-limit", "1M"]])
def test_too_many_columns_is_a_clear_error(
    tmp_path: Path, journeys: Path, stream: list[str]
) -> None:
    ev = tmp_path / "wide.csv"
    _wide(ev, 100_000)
    res = run("place", str(ev), "-j", str(journeys), *stream)
    assert res.exit_code == 2, res.stderr
    assert "100,003 columns" in res.stderr and f"at most {MAX_COLUMNS:,}" in res.stderr


def test_wide_but_allowed(tmp_path: Path, journeys: Path) -> None:
    ev = tmp_path / "wide.csv"
    _wide(ev, 5_000)
    res = run("place", str(ev), "-j", str(journeys), "-f", "json")
    assert res.exit_code == 0, res.stderr
