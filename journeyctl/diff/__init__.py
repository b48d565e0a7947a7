"""`journeyctl diff` as a library: load two sides, diff them structurally, replay the impact."""

from __future__ import annotations

from journeyctl.diff.compare import DiffResult, ReplayInput, SideProblem, compare, read_replay_input
from journeyctl.diff.impact import COUNT_NAMES, Impact
from journeyctl.diff.sides import WORKING_TREE, Side, load_side
from journeyctl.diff.structural import Change, JourneyDiff, diff_journeys

__all__ = [
    "COUNT_NAMES",
    "WORKING_TREE",
    "Change",
    "DiffResult",
    "Impact",
    "JourneyDiff",
    "ReplayInput",
    "Side",
    "SideProblem",
    "compare",
    "diff_journeys",
    "load_side",
    "read_replay_input",
]
