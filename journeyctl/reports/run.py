"""`report` as a library call: snapshot, store, compare, build and write the three files."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from journeyctl import __version__
from journeyctl.config import DEFAULT_WAIT
from journeyctl.engine.placement import PlaceResult
from journeyctl.events.timestamps import MICROS, now_instant
from journeyctl.fileio import write_atomic
from journeyctl.history import HistoryStore, compare, snapshot_of
from journeyctl.reports.build import build_report
from journeyctl.reports.jsondoc import render_json
from journeyctl.reports.markdown import render_markdown
from journeyctl.reports.model import Report

TREND_SNAPSHOTS = 12
OUT_DIR_NAME = "journeyctl-report"


@dataclass(frozen=True, slots=True)
class ReportRun:
    report: Report
    replaced: bool  # a snapshot with the same as-of was replaced
    files: tuple[str, ...]  # the paths written


def default_out_dir(db: str) -> str:
    """PRODUCT §5: `journeyctl-report/` beside the history database."""
    return os.path.join(os.path.dirname(os.path.abspath(db)), OUT_DIR_NAME)


def run_time() -> int:
    """Now, or $SOURCE_DATE_EPOCH (the reproducible-builds convention) for byte-identical output."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return int(epoch) * MICROS
    return now_instant()


def write_files(report: Report, out_dir: str) -> tuple[str, ...]:
    """report.md, report.json and report.html, each replaced atomically."""
    # plotly takes most of a second to import: only when a page is drawn, not for every command.
    from journeyctl.reports.html import render_html

    written = []
    for name, text in (
        ("report.json", render_json(report)),
        ("report.md", render_markdown(report)),
        ("report.html", render_html(report)),
    ):
        path = os.path.join(out_dir, name)
        write_atomic(path, text)
        written.append(path)
    return tuple(written)


def run_report(
    result: PlaceResult,
    files: Sequence[str],
    sizes: Mapping[str, int],
    *,
    db: str,
    out: str | None = None,
    wait: float = DEFAULT_WAIT,
    by: Sequence[str] = (),
    trend_snapshots: int = TREND_SNAPSHOTS,
) -> ReportRun:
    """Store the placement as a snapshot in `db`, compare it with the previous one and write the
    report into `out` (default: beside the database)."""
    snap = snapshot_of(result, files, sizes, run_time())
    with HistoryStore.open(db, wait=wait) as store:
        replaced = store.save(snap, __version__)
        previous = store.previous(snap.as_of)
        trend = store.trend(snap.as_of, trend_snapshots)
    report = build_report(snap, previous, compare(previous, snap), trend, by)
    written = write_files(report, out or default_out_dir(db))
    return ReportRun(report, replaced, written)
