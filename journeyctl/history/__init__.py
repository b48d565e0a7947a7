"""The history database of snapshots, and the comparison of a snapshot with the previous one."""

from __future__ import annotations

import os
from collections.abc import Sequence

from journeyctl.history.compare import CATEGORIES, Comparison, compare
from journeyctl.history.model import Snapshot
from journeyctl.history.snapshot import snapshot_of
from journeyctl.history.store import HistoryStore

DB_DIR = ".journeyctl"
DB_NAME = "history.db"

__all__ = [
    "CATEGORIES",
    "Comparison",
    "HistoryStore",
    "Snapshot",
    "compare",
    "default_db_path",
    "snapshot_of",
]


def default_db_path(config_path: str | None, journeys: Sequence[str]) -> str:
    """PRODUCT §5: beside the journeyctl.toml in use, else in the directory holding the first
    journeys path, so a cron job started from another directory finds the same history."""
    if config_path:
        base = os.path.dirname(os.path.abspath(config_path))
    elif journeys:
        base = os.path.dirname(os.path.abspath(journeys[0].rstrip("/\\") or "."))
    else:
        base = os.getcwd()
    return os.path.join(base, DB_DIR, DB_NAME)
