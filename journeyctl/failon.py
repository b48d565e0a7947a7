"""`--fail-on` conditions: `NAME>N` on a count, `NAME:LEVEL` on the risk level of counted customers."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from journeyctl.definitions.model import SEVERITY_RANK
from journeyctl.errors import UsageError

_COND = re.compile(r"^([A-Za-z_-]+)(?:>([0-9]+)|:([a-z]+))?$")


@dataclass(frozen=True, slots=True)
class FailOn:
    text: str
    name: str
    threshold: int | None  # NAME>N
    level: str | None  # NAME:LEVEL
    flag: bool = False  # bare NAME (e.g. `invalid`)


def parse_fail_on(
    items: Iterable[str],
    counts: Sequence[str],
    levels: Sequence[str] = (),
    flags: Sequence[str] = (),
) -> list[FailOn]:
    """Parse comma-separated or repeated conditions; unknown names are a usage error."""
    out: list[FailOn] = []
    valid = [f"{c}>N" for c in counts] + [f"{c}:LEVEL" for c in levels] + list(flags)
    for item in items:
        for part in item.split(","):
            part = part.strip()
            if not part:
                continue
            m = _COND.match(part)
            if m is None:
                raise UsageError(f"bad --fail-on {part!r}", hint="valid: " + ", ".join(valid))
            name = m.group(1).replace("-", "_")
            if m.group(2) is not None and name in counts:
                out.append(FailOn(part, name, int(m.group(2)), None))
            elif m.group(3) is not None and name in levels:
                if m.group(3) not in SEVERITY_RANK or m.group(3) == "none":
                    raise UsageError(
                        f"bad level in --fail-on {part!r}",
                        hint="levels: low, medium, high, critical",
                    )
                out.append(FailOn(part, name, None, m.group(3)))
            elif m.group(2) is None and m.group(3) is None and name in flags:
                out.append(FailOn(part, name, None, None, True))
            else:
                raise UsageError(
                    f"unknown --fail-on condition {part!r}" + _nearest(name, m, counts, levels),
                    hint="valid: " + ", ".join(valid),
                )
    return out


def _nearest(name: str, m: re.Match[str], counts: Sequence[str], levels: Sequence[str]) -> str:
    """`; did you mean newly_at_risk:high?` for `new-at-risk:high`, in the condition's own form."""
    known = list(levels) if m.group(3) is not None else list(counts)
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if not close:
        return ""
    tail = f":{m.group(3)}" if m.group(3) is not None else f">{m.group(2)}" if m.group(2) else ""
    return f"; did you mean {close[0]}{tail}?"


def evaluate(
    conds: Sequence[FailOn],
    counts: Mapping[str, int],
    levels: Mapping[str, Sequence[str]] | None = None,
    flags: Mapping[str, bool] | None = None,
) -> list[str]:
    """The conditions that are met, as their text."""
    met = []
    for c in conds:
        if c.flag:
            if (flags or {}).get(c.name):
                met.append(c.text)
        elif c.threshold is not None:
            if counts.get(c.name, 0) > c.threshold:
                met.append(c.text)
        elif c.level is not None:
            want = SEVERITY_RANK[c.level]
            if any(SEVERITY_RANK.get(lv, 0) >= want for lv in (levels or {}).get(c.name, ())):
                met.append(c.text)
    return met
