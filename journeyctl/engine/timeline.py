"""One customer's timeline (`show`): its events and moves in time order, and the filters that cut
a long one down (`--since`, `--moves-only`, `--last`) while counting what they hide."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from journeyctl.engine.replay import Move
from journeyctl.events.model import Event
from journeyctl.events.timestamps import format_instant


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """An event, or a move (a change of stage or status), at its instant."""

    at: int
    event: Event | None = None
    move: Move | None = None

    @property
    def is_move(self) -> bool:
        return self.move is not None


def build_timeline(events: Sequence[Event], moves: Sequence[Move]) -> list[TimelineEntry]:
    """Events and moves in time order: a move right after the event that caused it (the last
    event at its instant), a move caused by time alone before the events of its instant."""
    items: list[tuple[int, int, TimelineEntry]] = [
        (e.ts, 2 * i, TimelineEntry(e.ts, event=e)) for i, e in enumerate(events)
    ]
    pos = {e.ts: 2 * i for i, e in enumerate(events)}  # last event index at each instant
    for m in moves:
        order = pos.get(m.at, -1) + 1 if m.trigger != "time" else -1
        items.append((m.at, order, TimelineEntry(m.at, move=m)))
    items.sort(key=lambda x: (x[0], x[1]))
    return [x[2] for x in items]


@dataclass(frozen=True, slots=True)
class TimelineFilter:
    """What of the timeline to show: entries at or after `since`, only moves, the last `last`.
    Applied in that order; the default shows everything."""

    since: int | None = None
    moves_only: bool = False
    last: int | None = None  # at least 1


@dataclass(frozen=True, slots=True)
class Timeline:
    """The timeline entries shown, and how many each filter hid."""

    entries: tuple[TimelineEntry, ...]
    total: int  # entries before filtering
    since: int | None = None
    hidden_since: int = 0  # before --since
    hidden_moves_only: int = 0  # events left out by --moves-only
    hidden_last: int = 0  # earlier than the last N

    @property
    def hidden(self) -> int:
        return self.hidden_since + self.hidden_moves_only + self.hidden_last

    def hidden_note(self) -> str | None:
        """One line saying what the filters hid (None when nothing is hidden)."""
        if not self.hidden:
            return None
        parts = []
        if self.hidden_since and self.since is not None:
            parts.append(f"{self.hidden_since} before {format_instant(self.since)} (--since)")
        if self.hidden_moves_only:
            parts.append(f"{self.hidden_moves_only} events (--moves-only)")
        if self.hidden_last:
            parts.append(f"{self.hidden_last} earlier (--last)")
        return f"{self.hidden} of {self.total} timeline entries hidden: {', '.join(parts)}"


def filter_timeline(entries: Sequence[TimelineEntry], f: TimelineFilter) -> Timeline:
    """The entries `f` keeps, counting those each of its filters hides."""
    kept = list(entries)
    since_n = moves_n = last_n = 0
    if f.since is not None:
        after = [e for e in kept if e.at >= f.since]
        since_n, kept = len(kept) - len(after), after
    if f.moves_only:
        moves = [e for e in kept if e.is_move]
        moves_n, kept = len(kept) - len(moves), moves
    if f.last is not None and len(kept) > f.last:
        last_n, kept = len(kept) - f.last, kept[len(kept) - f.last :]
    return Timeline(tuple(kept), len(entries), f.since, since_n, moves_n, last_n)
