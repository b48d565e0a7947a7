"""The analysis from partitions of whole customers (what `--cluster` computes on its workers)
is the analysis of the whole log: the KPI values per customer, merged by id, are the same."""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np

from journeyctl.analytics import analyze
from journeyctl.analytics.kpis import kpi_values, merge_kpi_values
from journeyctl.definitions.load import load_journeys, require_valid
from journeyctl.events.timestamps import format_instant
from journeyctl.inputs import EventInputs
from journeyctl.pipeline import run_place

SAMPLE = Path(__file__).resolve().parents[2] / "sample_journeys"


def test_partitions_merged_give_the_whole_logs_analysis(tmp_path: Path) -> None:
    js = require_valid(load_journeys([str(SAMPLE)]))
    whole = run_place(js, EventInputs((str(SAMPLE / "events.csv"),)))
    as_of = format_instant(whole.result.as_of)
    header, *lines = (SAMPLE / "events.csv").read_text().splitlines(keepends=True)
    parts = []
    for p in range(3):  # customers split by a hash of their id, rows kept in input order
        mine = [ln for ln in lines if zlib.crc32(ln.split(",", 1)[0].encode()) % 3 == p]
        path = tmp_path / f"part-{p}.csv"
        path.write_text(header + "".join(mine))
        run = run_place(js, EventInputs((str(path),), as_of=as_of))
        parts.append((run.result, kpi_values(run.result, run.log.table)))
    parts.reverse()  # the order partitions come back in does not matter
    merged = merge_kpi_values(parts, whole.result)
    local = kpi_values(whole.result, whole.log.table)
    assert set(merged.journeys) == set(local.journeys) and local.journeys
    for jid, cvs in local.journeys.items():
        for a, b in zip(cvs, merged.journeys[jid], strict=True):
            assert a.kpi == b.kpi
            assert np.array_equal(a.has, b.has)
            assert a.values.tobytes() == b.values.tobytes()  # the same floats, bit for bit
    for by in (None, "region"):
        assert analyze(whole.result, merged, by=by) == analyze(whole.result, whole.log.table, by=by)
