"""Which journey a customer follows: attributes and segment matching (docs/place.md, Segments)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from journeyctl.definitions.model import Journey
from journeyctl.definitions.values import text_equals
from journeyctl.events.ingest import Event


def segment_keys(journeys: Iterable[Journey]) -> list[str]:
    keys: list[str] = []
    for j in journeys:
        for k in j.segment:
            if k.key not in keys:
                keys.append(k.key)
    return keys


def event_attributes(events: Sequence[Event]) -> dict[str, str]:
    """The latest non-empty value of each property column in the customer's events."""
    attrs: dict[str, str] = {}
    for ev in reversed(events):
        for k, v in ev.props.items():
            if v != "" and k not in attrs:
                attrs[k] = v
    return attrs


def match_journey(journeys: Sequence[Journey], attrs: Mapping[str, str]) -> Journey | None:
    """The journey whose segment matches with the most keys, then the higher priority."""
    best: Journey | None = None
    best_key: tuple[int, int] | None = None
    for j in journeys:
        ok = True
        for k in j.segment:
            v = attrs.get(k.key, "")
            if v == "" or not any(text_equals(v, x) for x in k.values):
                ok = False
                break
        if not ok:
            continue
        key = (len(j.segment), j.priority)
        if best_key is None or key > best_key:
            best, best_key = j, key
    return best
