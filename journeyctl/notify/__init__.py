"""Notifications from `report` (PRODUCT §10): rules, selection, messages, senders, delivery.

The library call `notify_report` runs after the snapshot and the report files are stored; the CLI
only chooses the rules (`--notify NAME`), the mode (`--no-notify`, `--notify-dry-run`) and prints.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from journeyctl.config import DEFAULT_WAIT
from journeyctl.engine.placement import PlaceResult
from journeyctl.events.timestamps import now_instant
from journeyctl.history.snapshot import snapshot_of
from journeyctl.history.store import HistoryStore
from journeyctl.notify.config import NotifyConfigError, Rule, parse_rules, select_rules
from journeyctl.notify.deliver import RETRY_DELAYS, Delivery, deliver
from journeyctl.notify.message import Message, readable, render
from journeyctl.notify.select import select
from journeyctl.notify.send import Sender, make_sender

__all__ = [
    "Delivery",
    "Message",
    "NotifyConfigError",
    "NotifyRun",
    "Rule",
    "notify_report",
    "parse_rules",
    "readable",
    "select_rules",
]


@dataclass(frozen=True, slots=True)
class NotifyRun:
    messages: tuple[Message, ...]  # this run's messages (sent or not)
    unroutable: Mapping[str, tuple[str, ...]]  # rule -> customers without a recipient
    delivery: Delivery | None  # None for a dry run


def notify_report(
    result: PlaceResult,
    changes: Mapping[str, tuple[str, ...]],
    rules: Sequence[Rule],
    *,
    db: str,
    report_path: str | None,
    dry_run: bool = False,
    known_rules: Collection[str] | None = None,
    wait: float = DEFAULT_WAIT,
    send: Sender | None = None,
    delays: Sequence[float] = RETRY_DELAYS,
    now: Callable[[], int] = now_instant,
) -> NotifyRun:
    """Build the messages of `rules` for the placement just stored with its `changes` (§5), and
    (unless `dry_run`) deliver and record them in the history database `db`."""
    current = snapshot_of(result, (), {}, 0)
    activities = {c.customer_id: c.next_activities for c in result.customers}
    with HistoryStore.open(db, wait=wait) as store:
        previous = store.previous(result.as_of)
        sel = select(rules, current, previous, changes, activities)
        messages = tuple(render(b, report_path) for b in sel.batches)
        if dry_run:
            return NotifyRun(messages, sel.unroutable, None)
        delivery = deliver(
            store,
            rules,
            messages,
            send=send or make_sender(),
            now=now,
            known_rules=known_rules,
            delays=delays,
        )
    return NotifyRun(messages, sel.unroutable, delivery)
