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


def parse_duration(text: str) -> Duration | None:
    """Return the Duration for `text`, or None when it is not a valid duration."""
    m = _DURATION.match(text)
    if m is None:
        return None
    n = int(m.group(1))
    if n > 10**6:
        return None
    return Duration(text, n * _UNIT_SECONDS[m.group(2)])
