"""Durations such as `12h`, `7d`, `2w`."""

from __future__ import annotations

import re
from dataclasses import dataclass

_DURATION = re.compile(r"^([1-9][0-9]*)([hdw])$")
_UNIT_SECONDS = {"h": 3600, "d": 86400, "w": 7 * 86400}


@dataclass(frozen=True, slots=True)
class Duration:
    text: str
    seconds: int

    @property
    def micros(self) -> int:
        return self.seconds * 1_000_000


def duration_seconds(text: str) -> int | None:
    """The length of `text` in seconds, however long; None when it is not a duration."""
    m = _DURATION.match(text)
    if m is None:
        return None
    if len(m.group(1)) > 30:  # far past any bound a caller checks; int() of 4300+ digits fails
        return 10**30
    return int(m.group(1)) * _UNIT_SECONDS[m.group(2)]


def parse_duration(text: str) -> Duration | None:
    """Return the Duration for `text`, or None when it is not a valid duration."""
    m = _DURATION.match(text)
    if m is None:
        return None
    n = int(m.group(1)) if len(m.group(1)) <= 7 else 10**7
    if n > 10**6:
        return None
    return Duration(text, n * _UNIT_SECONDS[m.group(2)])
