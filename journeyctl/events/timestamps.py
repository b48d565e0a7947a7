"""The instants of PRODUCT §3, as integer microseconds since the Unix epoch (UTC)."""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, timedelta

_TS = re.compile(  # ASCII digits only; \Z so a trailing newline is no match
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))?)?\Z",
    re.ASCII,
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROS = 1_000_000
DAY = 86400 * MICROS


def parse_instant(text: str) -> int | None:
    """Microseconds since the epoch for a §3 timestamp, or None when it is not one."""
    m = _TS.match(text)
    if m is None:
        return None
    year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not 1900 <= year <= 2199:
        return None
    hour = int(m.group(4) or 0)
    minute = int(m.group(5) or 0)
    second = int(m.group(6) or 0)
    frac = m.group(7)
    micro = int((frac + "000000")[:6]) if frac else 0
    try:
        dt = datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)
    except ValueError:
        return None
    if m.group(9):
        oh, om = int(m.group(10)), int(m.group(11))
        if oh > 23 or om > 59:
            return None
        offset = timedelta(hours=oh, minutes=om)
        dt = dt - offset if m.group(9) == "+" else dt + offset
    delta = dt - _EPOCH
    return (delta.days * 86400 + delta.seconds) * MICROS + delta.microseconds


@functools.lru_cache(maxsize=1 << 16)
def _date_text(day: int) -> str:
    return (_EPOCH + timedelta(days=day)).strftime("%Y-%m-%d")


@functools.cache
def _times_of_day() -> tuple[str, ...]:
    return tuple(
        f"T{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)
    )


def format_instant(us: int) -> str:
    """UTC ISO 8601 with `Z`; fractional seconds only when present (trailing zeros dropped)."""
    # called for every timestamp of every customer in the JSON output: integer arithmetic and a
    # cached date are several times faster than datetime + strftime
    secs, micro = divmod(us, MICROS)
    day, sod = divmod(secs, 86400)
    base = _date_text(day) + _times_of_day()[sod]
    if micro:
        base += "." + f"{micro:06d}".rstrip("0")
    return base + "Z"


def now_instant() -> int:
    delta = datetime.now(UTC) - _EPOCH
    return (delta.days * 86400 + delta.seconds) * MICROS + delta.microseconds


def days_between(start: int, end: int) -> float:
    """(end - start) in days, exact, rounded half up to 2 decimals."""
    diff = end - start
    # integer arithmetic: hundredths of a day, rounded half up
    q, r = divmod(diff * 100, DAY)
    if 2 * r >= DAY:
        q += 1
    return q / 100
