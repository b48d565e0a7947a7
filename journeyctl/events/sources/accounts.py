"""An accounts table from any source of §8 (one row per customer, typed values as text)."""

from __future__ import annotations

from journeyctl.errors import InputError
from journeyctl.events.sources import EventSource
from journeyctl.events.sources.read import load
from journeyctl.events.sources.text import arrow_text, is_nested


def typed_accounts(source: EventSource, id_column: str) -> dict[str, dict[str, str]]:
    loaded = load(source)
    table = loaded.table
    names = table.schema.names
    if id_column not in names and "customer_id" in names:
        id_column = "customer_id"  # the --column mapping was meant for the events
    if id_column not in names:
        raise InputError(
            f"{loaded.name}: accounts table has no {id_column!r} column",
            details=[f"columns found: {', '.join(names)}"],
        )
    dup = next((n for n in names if names.count(n) > 1), None)
    if dup is not None:
        raise InputError(f"{loaded.name}: duplicate column name {dup!r}")
    kept = [f.name for f in table.schema if not is_nested(f.type) and f.name not in loaded.nested]
    texts = {
        n: [v or "" for c in table.column(n).chunks for v in arrow_text(c).to_pylist()]
        for n in kept
    }
    out: dict[str, dict[str, str]] = {}
    first: dict[str, int] = {}
    for i, cid in enumerate(texts[id_column]):
        row = i + 1 if loaded.lines is None else int(loaded.lines[i])
        where = f"{loaded.name}:{'row ' if loaded.unit == 'row' else ''}{row}"
        if not cid.strip():
            raise InputError(f"{where}: missing {id_column}")
        if cid in out:
            raise InputError(
                f"{where}: customer {cid!r} is listed twice (first at {first[cid]})",
                hint="keep one row per customer",
            )
        first[cid] = row
        out[cid] = {n: texts[n][i] for n in kept if n != id_column and texts[n][i] != ""}
    return out
