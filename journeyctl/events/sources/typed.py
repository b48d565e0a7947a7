"""A typed table (any source but CSV) into the engine's columnar event chunk (PRODUCT §8).

The required columns are checked as for CSV, property columns become text by the rules of
`text`, nested property columns are left out with one warning each, and every row that §3 calls
bad is collected with its position (`FILE:row N`, or the line for JSON Lines) and reason.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from journeyctl.errors import InputError
from journeyctl.events.columns import REQUIRED
from journeyctl.events.inputs import Chunk, missing_columns_error
from journeyctl.events.model import BadRow
from journeyctl.events.sources.text import (
    arrow_text,
    date_micros,
    is_nested,
    timestamp_micros,
)
from journeyctl.events.timestamps import format_instant
from journeyctl.events.tsparse import parse_instants

# §3's range: instants from 1900-01-01 to the end of 2199, as microseconds
MIN_TS = -2208988800 * 1_000_000
MAX_TS = 7258118400 * 1_000_000 - 1
_BLANK_RE = r"^[ \t\r\n\f\v]*$"


@dataclass(slots=True)
class Loaded:
    """What a reader found in one source, before the §3 checks."""

    table: pa.Table
    name: str  # how messages name the source: a path, `query`, `dataframe`
    unit: Literal["row", "line"] = "row"
    lines: npt.NDArray[np.int64] | None = None  # row -> line, for JSON Lines
    bad: list[BadRow] = field(default_factory=list)  # rows the reader itself rejected
    nested: list[str] = field(default_factory=list)  # columns of nested values (row readers)
    size: int = 0


def properties_of(loaded: Loaded, required: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """(property columns kept, warnings for the nested ones left out)."""
    kept: list[str] = []
    warnings: list[str] = []
    for f in loaded.table.schema:
        if f.name in required.values():
            continue
        if is_nested(f.type) or f.name in loaded.nested:
            warnings.append(
                f"{loaded.name}: column {f.name!r} holds nested values (lists, structs or maps); "
                "it is left out"
            )
        else:
            kept.append(f.name)
    return kept, warnings


def check_columns(loaded: Loaded, mapping: Mapping[str, str]) -> None:
    names = loaded.table.schema.names
    dup = next((n for n in names if names.count(n) > 1), None)
    if dup is not None:
        raise InputError(f"{loaded.name}: duplicate column name {dup!r}", hint="rename one")
    missing = missing_columns_error(loaded.name, names, mapping)
    if missing is not None:
        raise missing
    for req in REQUIRED:
        col = mapping.get(req, req)
        t = loaded.table.schema.field(col).type
        if is_nested(t) or col in loaded.nested:
            raise InputError(
                f"{loaded.name}: column {col!r} ({req}) holds nested values",
                hint="select a text, number or timestamp column for it",
            )


def _blank(col: pa.ChunkedArray) -> npt.NDArray[np.bool_]:
    """Rows whose text is empty or only whitespace (§3's missing value)."""
    out = []
    for c in col.chunks:
        if pa.types.is_dictionary(c.type):
            blank_values = pc.match_substring_regex(c.dictionary, _BLANK_RE)
            out.append(blank_values.take(c.indices).to_numpy(zero_copy_only=False))
        else:
            out.append(pc.match_substring_regex(c, _BLANK_RE).to_numpy(zero_copy_only=False))
    return np.concatenate(out) if out else np.zeros(0, np.bool_)


def _text(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """A column as text, dictionary-encoded with one dictionary for all chunks (the encoder
    of `ingest` relies on it)."""
    chunks = [arrow_text(c) for c in col.chunks]
    if not chunks:
        return pa.chunked_array([], pa.string())
    if len({c.type for c in chunks}) > 1:
        chunks = [c.dictionary_decode() if pa.types.is_dictionary(c.type) else c for c in chunks]
    out = pa.chunked_array(chunks)
    if not pa.types.is_dictionary(out.type):
        out = pc.dictionary_encode(out)
    return out.unify_dictionaries() if out.num_chunks > 1 else out


def _parse_text(c: pa.Array) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """§3 instants of a text chunk; a dictionary's values are parsed once each."""
    if pa.types.is_dictionary(c.type):
        ts, ok = parse_instants(c.dictionary.cast(pa.string()))
        idx = c.indices.fill_null(0).to_numpy(zero_copy_only=False)
        return ts[idx], ok[idx]
    return parse_instants(c.cast(pa.string()))


def _timestamps(
    col: pa.ChunkedArray,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_], npt.NDArray[np.bool_], pa.ChunkedArray]:
    """(instants, parsed, missing, text) of the timestamp column, by its type (§8)."""
    t = col.type
    n = len(col)
    missing = col.is_null().to_numpy(zero_copy_only=False) if n else np.zeros(0, np.bool_)
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.bool_), missing, col
    if pa.types.is_timestamp(t) or pa.types.is_date(t):
        conv = timestamp_micros if pa.types.is_timestamp(t) else date_micros
        ts = np.concatenate([conv(c) for c in col.chunks])
        ok = ~missing & (ts >= MIN_TS) & (ts <= MAX_TS)
        return ts, ok, missing, col
    # text (or numbers, which §3 cannot parse): kept plain, not dictionary-encoded, since
    # nearly every instant differs
    chunks = [arrow_text(c) for c in col.chunks]
    text = pa.chunked_array(
        [c.dictionary_decode() if pa.types.is_dictionary(c.type) else c for c in chunks]
        if len({c.type for c in chunks}) > 1
        else chunks
    )
    missing = missing | _blank(text)
    # the parser releases the GIL: chunks parse on several threads, as in the CSV fast path
    with ThreadPoolExecutor(max(1, min(os.cpu_count() or 1, 8))) as pool:
        parts = list(pool.map(_parse_text, text.chunks))
    ts = np.concatenate([p[0] for p in parts])
    ok = np.concatenate([p[1] for p in parts])
    return ts, ok & ~missing, missing, text


def _cell(col: pa.ChunkedArray, i: int) -> str:
    """Row i's text (for a bad row's cells; typed instants as §4 writes them)."""
    cell = col.slice(i, 1)
    if pa.types.is_timestamp(cell.type) or pa.types.is_date(cell.type):
        cell = pa.chunked_array([arrow_text(c) for c in cell.chunks])
    v = cell[0].as_py() if len(cell) else None
    return "" if v is None else str(v)


def to_chunk(
    loaded: Loaded, mapping: Mapping[str, str], bad: list[BadRow], warnings: list[str]
) -> Chunk:
    """The valid rows as a chunk; bad rows go to `bad` (in source order), warnings to `warnings`."""
    check_columns(loaded, mapping)
    req = {r: mapping.get(r, r) for r in REQUIRED}
    props, notes = properties_of(loaded, req)
    warnings.extend(notes)
    table = loaded.table
    cid = _text(table.column(req["customer_id"]))
    event = _text(table.column(req["event"]))
    ts, ok, ts_missing, ts_text = _timestamps(table.column(req["timestamp"]))
    cid_missing = _blank(cid)
    ev_missing = _blank(event)
    good = ok & ~cid_missing & ~ev_missing
    texts = {p: _text(table.column(p)) for p in props}
    rejected = np.flatnonzero(~good)
    mine: list[BadRow] = list(loaded.bad)  # the reader's own (lines that are not JSON objects)
    if len(rejected):
        t = table.column(req["timestamp"]).type
        typed_ts = pa.types.is_timestamp(t) or pa.types.is_date(t)
        cols = {req["customer_id"]: cid, req["event"]: event, req["timestamp"]: ts_text, **texts}
        for i in rejected.tolist():
            if cid_missing[i]:
                reason = "missing customer_id"
            elif ts_missing[i]:
                reason = "missing timestamp"
            elif ev_missing[i]:
                reason = "missing event"
            elif typed_ts:
                reason = f"timestamp {format_instant(int(ts[i]))} is outside 1900-2199"
            else:
                reason = f"unparseable timestamp {_cell(ts_text, i)[:60]!r}"
            line = int(loaded.lines[i]) if loaded.lines is not None else i + 1
            cells = tuple(_cell(cols[c], i) if c in cols else "" for c in table.schema.names)
            mine.append(BadRow(loaded.name, line, reason, cells, loaded.unit))
    bad.extend(sorted(mine, key=lambda b: b.line))
    mask = pa.array(good)
    keep = bool(good.all())
    return Chunk(
        int(good.sum()),
        cid if keep else cid.filter(mask),
        event if keep else event.filter(mask),
        ts if keep else ts[good],
        {p: (t if keep else t.filter(mask)) for p, t in texts.items()},
    )
