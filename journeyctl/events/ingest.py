"""Read event CSVs (PRODUCT §3) into per-customer, time-ordered event lists.

Cells are used exactly as written (no trimming, no missing-value parsing): `NA` is a region.
Rows that cannot be used are collected as bad rows with file, physical line and reason; whole-file
problems (encoding, NUL bytes, quoting, header) stop with an InputError naming file and line.
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from journeyctl.errors import InputError, UsageError
from journeyctl.events.timestamps import parse_instant

REQUIRED = ("customer_id", "timestamp", "event")
csv.field_size_limit(2**31 - 1)


@dataclass(frozen=True, slots=True)
class Event:
    ts: int  # microseconds since the epoch, UTC
    name: str
    props: Mapping[str, str]  # property columns as written; "" when empty
    seq: int  # input position across all files, for stable ties


@dataclass(frozen=True, slots=True)
class BadRow:
    file: str
    line: int
    reason: str
    cells: tuple[str, ...]


@dataclass(slots=True)
class EventLog:
    """Every valid event, grouped by customer and sorted by (timestamp, input position)."""

    customers: dict[str, list[Event]]
    columns: tuple[str, ...]
    rows: int
    bad_rows: list[BadRow]
    files: list[str]
    sizes: dict[str, int] = field(default_factory=dict)

    @property
    def max_ts(self) -> int | None:
        return max((evs[-1].ts for evs in self.customers.values() if evs), default=None)


def parse_column_mappings(items: Iterable[str]) -> dict[str, str]:
    """`customer_id=AccountId` pairs into {required name: CSV column}."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, column = item.partition("=")
        if not sep or not column or name not in REQUIRED:
            raise UsageError(
                f"bad --column {item!r}",
                hint=f"use NAME=COLUMN with NAME one of {', '.join(REQUIRED)}, "
                "e.g. --column customer_id=AccountId",
            )
        out[name] = column
    return out


def _read_bytes(path: str) -> bytes:
    try:
        if path == "-":
            raw = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as fh:
                raw = fh.read()
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not an events file") from None
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise InputError(f"{path}: not a valid gzip file: {exc}") from None
    return raw


def decode_csv_text(raw: bytes, path: str) -> str:
    """UTF-8 (BOM allowed) text of a CSV, or InputError naming the line of the first bad byte."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            f"{path}:1: file is UTF-16; events files must be UTF-8",
            hint="re-export the file as UTF-8",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{path}:{line}: not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
            hint="re-export the file as UTF-8",
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        line = text[:nul].count("\n") + 1
        raise InputError(f"{path}:{line}: contains a NUL byte: this is not a text CSV file")
    return text.removeprefix("\ufeff")


def iter_csv(text: str, path: str) -> Iterable[tuple[int, list[str]]]:
    """(first physical line, cells) for each non-blank record, header included."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 1
    try:
        for row in reader:
            start = line
            line = reader.line_num + 1
            if not row:
                continue
            yield start, row
    except csv.Error as exc:
        raise InputError(
            f"{path}:{line}: invalid CSV: {exc}", hint="check the quoting near this line"
        ) from None


def read_header(header: list[str], path: str, mapping: Mapping[str, str]) -> dict[str, int]:
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        if name in seen:
            raise InputError(
                f"{path}:1: duplicate column name {name!r}", hint="rename one of the columns"
            )
        seen[name] = i
    missing = [
        f"{req} (column {mapping[req]!r})" if req in mapping else req
        for req in REQUIRED
        if mapping.get(req, req) not in seen
    ]
    if missing:
        raise InputError(
            f"{path}:1: missing required column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}",
            details=[f"columns found: {', '.join(header) or '(none)'}"],
            hint="map other names with --column customer_id=AccountId (or [columns] in journeyctl.toml)",
        )
    return seen


def read_events(paths: list[str], mapping: Mapping[str, str] | None = None) -> EventLog:
    """Read every events file; bad rows are collected, whole-file problems raise InputError."""
    mapping = dict(mapping or {})
    customers: dict[str, list[Event]] = {}
    columns: list[str] = []
    bad: list[BadRow] = []
    sizes: dict[str, int] = {}
    seq = 0
    rows = 0
    for path in paths:
        raw = _read_bytes(path)
        sizes[path] = len(raw)
        text = decode_csv_text(raw, path)
        records = iter(iter_csv(text, path))
        first = next(records, None)
        if first is None:
            raise InputError(
                f"{path}:1: empty file: no header row",
                hint="the first line names the columns: customer_id,timestamp,event,...",
            )
        index = read_header(first[1], path, mapping)
        header = first[1]
        ci, ti, ei = (index[mapping.get(r, r)] for r in REQUIRED)
        prop_cols = [(n, i) for n, i in index.items() if i not in (ci, ti, ei)]
        for n, _ in prop_cols:
            if n not in columns:
                columns.append(n)
        width = len(header)
        for line, row in records:
            if len(row) != width:
                bad.append(
                    BadRow(path, line, f"expected {width} fields, found {len(row)}", tuple(row))
                )
                continue
            cid, ts_text, name = row[ci], row[ti], row[ei]
            reason = None
            for label, cell in (("customer_id", cid), ("timestamp", ts_text), ("event", name)):
                if not cell.strip():
                    reason = f"missing {label}"
                    break
            ts = None
            if reason is None:
                ts = parse_instant(ts_text)
                if ts is None:
                    reason = f"unparseable timestamp {ts_text[:60]!r}"
            if reason is not None or ts is None:
                bad.append(BadRow(path, line, reason or "bad row", tuple(row)))
                continue
            props = {n: row[i] for n, i in prop_cols}
            customers.setdefault(cid, []).append(Event(ts, name, props, seq))
            seq += 1
            rows += 1
    for evs in customers.values():
        evs.sort(key=lambda e: (e.ts, e.seq))
    return EventLog(customers, tuple(columns), rows, bad, list(paths), sizes)


def read_accounts(path: str, mapping: Mapping[str, str] | None = None) -> dict[str, dict[str, str]]:
    """customer id -> non-empty attributes, from an accounts CSV (one row per customer)."""
    mapping = dict(mapping or {})
    text = decode_csv_text(_read_bytes(path), path)
    records = iter(iter_csv(text, path))
    first = next(records, None)
    if first is None:
        raise InputError(f"{path}:1: empty accounts file: no header row")
    header = first[1]
    id_col = mapping.get("customer_id", "customer_id")
    if len(set(header)) != len(header):
        dup = next(h for h in header if header.count(h) > 1)
        raise InputError(f"{path}:1: duplicate column name {dup!r}")
    if id_col not in header:
        raise InputError(
            f"{path}:1: accounts file has no {id_col!r} column",
            details=[f"columns found: {', '.join(header)}"],
        )
    ci = header.index(id_col)
    out: dict[str, dict[str, str]] = {}
    first_line: dict[str, int] = {}
    for line, row in records:
        if len(row) != len(header):
            raise InputError(f"{path}:{line}: expected {len(header)} fields, found {len(row)}")
        cid = row[ci]
        if not cid.strip():
            raise InputError(f"{path}:{line}: missing {id_col}")
        if cid in out:
            raise InputError(
                f"{path}:{line}: customer {cid!r} is listed twice (first at line "
                f"{first_line[cid]})",
                hint="keep one row per customer",
            )
        first_line[cid] = line
        out[cid] = {
            h: v for i, (h, v) in enumerate(zip(header, row, strict=True)) if i != ci and v != ""
        }
    return out
