"""Typed values as the text values of PRODUCT §2/§3 (the rules of §8).

Strings stay as they are, integers become decimal digits, decimals their exact digits, floats the
shortest text that reads back as the same float (Python's `repr`), booleans `true`/`false`, dates
`YYYY-MM-DD`, timestamps the UTC instant as §4 writes it; null and NaN become empty values. The
same rules apply to Arrow columns (Parquet, Arrow IPC, databases, DataFrames) and to Python values
(JSON Lines, SQLite), so the same events give the same text whatever their source.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from journeyctl.events.timestamps import MICROS, format_instant

_UNITS = {"s": MICROS, "ms": 1000, "us": 1, "ns": 1}
_EPOCH_DATE = dt.date(1970, 1, 1)


def is_nested(t: pa.DataType) -> bool:
    """Lists, structs, maps and unions: values that have no single text form."""
    return bool(pa.types.is_nested(t)) or bool(pa.types.is_union(t))


def is_texty(t: pa.DataType) -> bool:
    return bool(
        pa.types.is_string(t)
        or pa.types.is_large_string(t)
        or (hasattr(pa.types, "is_string_view") and pa.types.is_string_view(t))
    )


def timestamp_micros(arr: pa.Array) -> npt.NDArray[np.int64]:
    """A timestamp array as int64 microseconds since the epoch, UTC (nulls as 0).

    A zone only says how the instant is shown, so values without one are read as UTC; digits
    beyond microseconds are ignored (floored, as §3 does for text)."""
    unit = arr.type.unit
    raw: npt.NDArray[np.int64] = np.asarray(
        arr.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64
    )
    return raw // 1000 if unit == "ns" else raw * _UNITS[unit]


def date_micros(arr: pa.Array) -> npt.NDArray[np.int64]:
    days = arr.cast(pa.date32()).cast(pa.int32()).fill_null(0).to_numpy(zero_copy_only=False)
    out: npt.NDArray[np.int64] = np.asarray(days, dtype=np.int64) * (86400 * MICROS)
    return out


def _by_unique(arr: pa.Array, fmt: Callable[[object], str]) -> pa.Array:
    """Format each distinct value once (floats and instants repeat a lot in event logs)."""
    enc = pc.dictionary_encode(arr)
    values = enc.dictionary.to_pylist()
    texts = pa.array([fmt(v) for v in values], pa.string())
    return texts.take(enc.indices)


def _float_text(v: object) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return repr(float(v))  # type: ignore[arg-type]


def _float32_text(v: object) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    # the shortest text that reads back as the same float32 (repr of the widened double is not)
    return str(np.float32(v))  # type: ignore[arg-type]


def arrow_text(arr: pa.Array) -> pa.Array:
    """One Arrow column (not nested) as text, nulls as "" (a string or dictionary array)."""
    if isinstance(arr.type, pa.ExtensionType):  # e.g. PostgreSQL numeric: text in storage
        arr = arr.storage
    t = arr.type
    if pa.types.is_dictionary(t):
        if is_texty(t.value_type) and arr.null_count == 0 and arr.dictionary.null_count == 0:
            return arr  # the usual Parquet string column: kept as codes
        return arrow_text(arr.dictionary_decode())
    if pa.types.is_null(t):
        return pa.array([""] * len(arr), pa.string())
    if is_texty(t):
        out = arr.cast(pa.string())
    elif pa.types.is_floating(t):
        fmt = _float32_text if t.bit_width < 64 else _float_text
        out = _by_unique(arr, fmt)
    elif pa.types.is_timestamp(t):
        nulls = arr.is_null().to_numpy(zero_copy_only=False)
        micros = pa.array(timestamp_micros(arr), pa.int64(), mask=nulls)
        out = _by_unique(micros, lambda v: "" if v is None else format_instant(int(v)))  # type: ignore[call-overload]
    elif pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t):
        out = arr.cast(pa.binary()).cast(pa.string())  # invalid UTF-8 raises ArrowInvalid
    else:  # integers, decimals, booleans, dates, times: Arrow's text is §8's
        out = arr.cast(pa.string())
    return out.fill_null("") if out.null_count else out


def python_text(v: object) -> str | None:
    """A Python value (from JSON or a database driver) as text; None for a nested value."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return _float_text(v)
    if isinstance(v, decimal.Decimal):
        return "" if v.is_nan() else format(v, "f")
    if isinstance(v, dt.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=dt.UTC)
        delta = v - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        return format_instant((delta.days * 86400 + delta.seconds) * MICROS + delta.microseconds)
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, bytes | bytearray | memoryview):
        return bytes(v).decode("utf-8", errors="replace")
    if isinstance(v, list | dict | tuple):
        return None
    return str(v)
