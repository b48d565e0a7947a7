"""`report` as a library call: snapshot, store, compare, build and write the three files."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from journeyctl import __version__
from journeyctl.analytics import analyze
from journeyctl.analytics.kpis import KpiValues
from journeyctl.checks import DataWarning, require_known
from journeyctl.config import DEFAULT_WAIT
from journeyctl.engine.placement import PlaceResult
from journeyctl.events.table import EventTable
from journeyctl.events.timestamps import MICROS, now_instant
from journeyctl.fileio import write_atomic_set
from journeyctl.history import HistoryStore, compare, snapshot_of
from journeyctl.history.store import STORED
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
    """report.md, report.json and report.html, replaced together: all three are written before
    any is renamed into place, so a full disk leaves the previous set whole, never a mix."""
    # plotly takes most of a second to import: only when a page is drawn, not for every command.
    from journeyctl.reports.html import render_html

    files = [
        (os.path.join(out_dir, name), text)
        for name, text in (
            ("report.json", render_json(report)),
            ("report.md", render_markdown(report)),
            ("report.html", render_html(report)),
        )
    ]
    write_atomic_set(files)
    return tuple(path for path, _ in files)


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
    warnings: Sequence[DataWarning] = (),
    events: EventTable | KpiValues | None = None,
    attributes: Collection[str] | None = None,
) -> ReportRun:
    """Store the placement as a snapshot in `db`, compare it with the previous one and write the
    report into `out` (default: beside the database). With `events` (the event table placed, or
    its customers' KPI values computed elsewhere, as `analyze` takes them), the report also
    shows how customers travel each journey (`analyze`) and its KPIs per stage.

    With `attributes` (those a customer can have, `PlaceRun.attributes`), a `by` attribute
    outside them is a UsageError before anything is stored: a typo must leave no snapshot."""
    if attributes is not None:
        require_known(
            "attribute", by, sorted(attributes), " (--by): no column of the events or --accounts"
        )
    snap = snapshot_of(result, files, sizes, run_time())
    stored = False
    try:
        with HistoryStore.open(db, wait=wait) as store:
            replaced = store.save(snap, __version__)
            stored = True
            previous = store.previous(snap.as_of)
            trend = store.trend(snap.as_of, trend_snapshots)
        # the analysis carries every journey's KPIs per stage: computed once for both uses
        analysis = analyze(result, events) if events is not None else None
        kpis = {j.id: j.tables.kpis for j in analysis.journeys} if analysis is not None else None
        report = build_report(snap, previous, compare(previous, snap), trend, by, kpis, analysis)
        report = dataclasses.replace(report, warnings=tuple(warnings))
        written = write_files(report, out or default_out_dir(db))
    except KeyboardInterrupt as exc:
        if stored or exc.args == (STORED,):  # say so: the user may expect nothing was stored
            raise KeyboardInterrupt(
                f"the snapshot was stored in {db} before the interrupt; "
                "the report files were not written"
            ) from None
        raise
    return ReportRun(report, replaced, written)
