"""Journeys with thousands of stages are placed in time linear in the events (issue 14, item 10).

A 10,000-stage journey took 279 s for 71k events: every check after every event evaluated every
stage's `enter_when` over the whole window. Now a condition that can only become true when one of
its events arrives (counts without `within`, and all/any of them) is read again only after such an
event; the rest are read at every check as before. The count of condition evaluations is the
measure here, not the clock: it does not depend on the machine's load."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from journeyctl.engine import replay as replay_module
from tests.helpers import run_json

STAGES = 2_000
CUSTOMERS = 5
EVENTS = 60  # per customer: one e0, then logins no stage reads, then e1500


def _journey(path: Path, stages: int, extra: str = "") -> None:
    lines = ["journey: big", "version: 1", "stages:"]
    for i in range(stages):
        lines += [f"  - id: s{i}", f"    enter_when: {{event: e{i}}}"]
    path.write_text("\n".join(lines) + "\n" + extra)


def _events(path: Path) -> None:
    rows = ["customer_id,timestamp,event"]
    for c in range(CUSTOMERS):
        for k in range(EVENTS):
            name = "e0" if k == 0 else ("e1500" if k == EVENTS - 1 else "login")
            rows.append(f"c{c},2026-01-01T00:{k // 60:02d}:{k % 60:02d}Z,{name}")
    path.write_text("\n".join(rows) + "\n")


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls = [0]
    real = replay_module.holds

    def counting(*args: Any) -> bool:
        calls[0] += 1
        return real(*args)

    monkeypatch.setattr(replay_module, "holds", counting)
    return calls


def test_thousands_of_stages_cost_what_the_events_touch(tmp_path: Path, counted: list[int]) -> None:
    (tmp_path / "j").mkdir()
    _journey(tmp_path / "j" / "big.yaml", STAGES)
    _events(tmp_path / "ev.csv")
    out = run_json("place", str(tmp_path / "ev.csv"), "-j", str(tmp_path / "j"), "-f", "json")
    # the placement is right: every customer skipped to s1500 with its last event
    assert [c["stage"] for c in out["customers"]] == ["s1500"] * CUSTOMERS
    # before: about STAGES evaluations per event (600k here); now one or two per event that a
    # stage reads, and none for the logins
    assert counted[0] <= 4 * CUSTOMERS, counted[0]


def test_conditions_that_read_the_clock_are_still_read_at_every_check(
    tmp_path: Path, counted: list[int]
) -> None:
    # `within` can turn a condition false by time alone, so it is never skipped: the last stage
    # is read after every event (and its placement is the same as before the change)
    extra = "  - id: late\n    enter_when: {event: login, at_least: 50, within: 1h}\n"
    (tmp_path / "j").mkdir()
    _journey(tmp_path / "j" / "big.yaml", 100, extra)
    _events(tmp_path / "ev.csv")
    out = run_json("place", str(tmp_path / "ev.csv"), "-j", str(tmp_path / "j"), "-f", "json")
    assert [c["stage"] for c in out["customers"]] == ["late"] * CUSTOMERS
    assert counted[0] >= 50 * CUSTOMERS
