"""docs/sources.md shows real output: its console blocks run on the sample in every format.

The directory each block runs in holds the sample's twins (`events.parquet`, `events.arrow`,
`events.jsonl.gz`, written by `python -m journeyctl.events.convert`), a dataset partitioned by
month (`lake/`), a SQLite and a DuckDB database of the sample, a CSV named `.parquet`, and the
page's labelled files. Refresh after a deliberate change with
`JOURNEYCTL_UPDATE_DOCS=1 python -m pytest tests/sources/test_sources_docs.py`.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from journeyctl.events.convert import convert
from tests.test_docs import CONSOLE, LABELLED, UPDATE, run_console_block, sections

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "sources.md"
SAMPLE = ROOT / "sample_journeys" / "events.csv"


def sample_text() -> pa.Table:
    header = SAMPLE.open().readline().strip().split(",")
    return pacsv.read_csv(
        SAMPLE,
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()),
            strings_can_be_null=False,
            null_values=[],
        ),
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("sources-docs")
    (d / "sample_journeys").symlink_to(ROOT / "sample_journeys")
    for name in ("events.parquet", "events.arrow", "events.jsonl.gz"):
        convert(str(SAMPLE), str(d / name))
    table = sample_text()
    months = pc.utf8_slice_codeunits(table.column("timestamp"), 0, 7)
    for month in sorted(set(months.to_pylist())):
        part = d / "lake" / f"month={month}"
        part.mkdir(parents=True)
        pq.write_table(table.filter(pc.equal(months, month)), part / "part-0.parquet")
    con = sqlite3.connect(d / "events.db")
    names = table.schema.names
    con.execute(f"CREATE TABLE events ({', '.join(names)})")
    con.executemany(
        f"INSERT INTO events VALUES ({', '.join('?' * len(names))})",
        zip(*(table.column(n).to_pylist() for n in names), strict=True),
    )
    con.commit()
    con.close()
    db = duckdb.connect(str(d / "events.duckdb"))
    db.register("sample", table)
    db.execute("CREATE TABLE events AS SELECT * FROM sample")
    db.close()
    (d / "fake.parquet").write_bytes(SAMPLE.read_bytes()[:2000])
    return d


def test_sources_page_examples_are_real(files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = PAGE.read_text("utf-8")
    new_text = text
    mismatches = []
    monkeypatch.chdir(files)
    for start, end in sections(text):
        section = text[start:end]
        for m in LABELLED.finditer(section):
            (files / m.group(1)).write_text(m.group(2), encoding="utf-8")
        for m in CONSOLE.finditer(section):
            actual = run_console_block(m.group(1), files)
            if actual != m.group(1):
                mismatches.append(
                    f"{section.splitlines()[0]}\n--- docs\n{m.group(1)}--- real\n{actual}"
                )
                new_text = new_text.replace(m.group(0), f"```console\n{actual}```", 1)
    if UPDATE and new_text != text:
        PAGE.write_text(new_text, encoding="utf-8")
        return
    assert not mismatches, "docs/sources.md differs from the real output:\n\n" + "\n".join(
        mismatches
    )


def test_the_twins_give_the_csv_output(files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.helpers import run

    monkeypatch.chdir(files)
    outs = {
        name: run("place", name, "-j", "sample_journeys", "--format", "json").stdout
        for name in (str(SAMPLE), "events.parquet", "events.arrow", "events.jsonl.gz")
    }
    assert len(set(outs.values())) == 1, list(outs)
    assert os.path.getsize(files / "events.parquet") < SAMPLE.stat().st_size / 5
