"""Write an events CSV as Parquet, JSON Lines or Arrow IPC, with the same text values.

    python -m journeyctl.events.convert sample_journeys/events.csv events.parquet

The format follows the output's suffix (`.parquet`, `.jsonl`, `.jsonl.gz`, `.arrow`). Every
column is written as text exactly as the CSV has it, so `journeyctl place` gives byte-identical
output on either file (the sample twins of docs/sources.md; the benchmark's Parquet log). The CSV
is read in blocks, so a log larger than memory converts too.
"""

from __future__ import annotations

import argparse
import gzip
import sys

import orjson
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from journeyctl.events.sources import format_of

BLOCK = 1 << 24


def _batches(path: str) -> pa.RecordBatchReader:
    with open(path, "rb") as fh:
        header = pacsv.read_csv(
            pa.BufferReader(fh.readline()),
            read_options=pacsv.ReadOptions(autogenerate_column_names=False),
        ).schema.names
    return pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(block_size=BLOCK),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            null_values=[],
        ),
    )


def convert(src: str, dest: str) -> int:
    """Write `src` (an events CSV) to `dest` in the format of its suffix; returns the rows."""
    reader = _batches(src)
    fmt = format_of(dest)
    rows = 0
    if fmt == "parquet":
        with pq.ParquetWriter(dest, reader.schema) as w:
            for batch in reader:
                w.write_batch(batch)
                rows += batch.num_rows
    elif fmt == "arrow":
        with ipc.new_file(dest, reader.schema) as w:
            for batch in reader:
                w.write_batch(batch)
                rows += batch.num_rows
    elif fmt == "jsonl":
        opener = gzip.open if dest.endswith(".gz") else open
        with opener(dest, "wb") as out:
            for batch in reader:
                for row in batch.to_pylist():
                    out.write(orjson.dumps(row) + b"\n")
                rows += batch.num_rows
    else:
        raise SystemExit(f"{dest}: name it .parquet, .jsonl, .jsonl.gz or .arrow")
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m journeyctl.events.convert",
        description="Write an events CSV as Parquet, JSON Lines or Arrow (same text values).",
    )
    ap.add_argument("csv", help="the events CSV")
    ap.add_argument("out", nargs="+", help="output files: .parquet, .jsonl, .jsonl.gz, .arrow")
    args = ap.parse_args(argv)
    for dest in args.out:
        rows = convert(args.csv, dest)
        print(f"{dest}: {rows} events", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
