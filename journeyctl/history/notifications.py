"""The notifications table of the history database (PRODUCT §10): one row per message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from journeyctl.history.store import HistoryStore

SENT, FAILED, GIVEN_UP = "sent", "failed", "given_up"
# While a run sends a message it holds it as `sending`, so that another run at the same time
# neither sends it too nor retries it. A `sending` row older than STALE belongs to a run that
# was killed midway: it is retried like a failed one.
SENDING = "sending"
STATUSES = (SENT, FAILED, GIVEN_UP, SENDING)
STALE = 10 * 60 * 1_000_000  # microseconds; a send takes at most 3 x 10 s plus 3 s of pauses

_COLUMNS = (
    "as_of, rule, recipient, channel, destination, status, attempts, runs, customers, subject, "
    "last_error, updated_at, payload"
)


@dataclass(frozen=True, slots=True)
class NotificationRecord:
    as_of: int
    rule: str
    recipient: str
    channel: str
    destination: str  # scheme://host
    status: str  # sent | failed | given_up
    attempts: int  # sends tried, over every run
    runs: int  # report runs that tried it
    customers: int
    subject: str
    last_error: str | None
    updated_at: int
    payload: str  # the rendered message (no secret)

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.as_of, self.rule, self.recipient)


def _record(r: tuple[Any, ...]) -> NotificationRecord:
    return NotificationRecord(
        int(r[0]),
        str(r[1]),
        str(r[2]),
        str(r[3]),
        str(r[4]),
        str(r[5]),
        int(r[6]),
        int(r[7]),
        int(r[8]),
        str(r[9]),
        None if r[10] is None else str(r[10]),
        int(r[11]),
        str(r[12]),
    )


def get(store: HistoryStore, key: tuple[int, str, str]) -> NotificationRecord | None:
    rows = store.query(
        f"SELECT {_COLUMNS} FROM notifications WHERE as_of = ? AND rule = ? AND recipient = ?", key
    )
    return _record(rows[0]) if rows else None


def failed(store: HistoryStore, now: int) -> list[NotificationRecord]:
    """Messages to retry, oldest as-of first: failed ones, and those a killed run left sending."""
    rows = store.query(
        f"SELECT {_COLUMNS} FROM notifications WHERE status = ? OR (status = ? AND updated_at < ?) "
        "ORDER BY as_of, rule, recipient",
        (FAILED, SENDING, now - STALE),
    )
    return [_record(r) for r in rows]


def claim_retry(store: HistoryStore, rec: NotificationRecord, now: int) -> bool:
    """Take `rec` (as read by `failed`) for a retry: False when another run took it meanwhile."""
    changed = store.execute(
        "UPDATE notifications SET status = ?, updated_at = ? WHERE as_of = ? AND rule = ? "
        "AND recipient = ? AND runs = ? AND (status = ? OR (status = ? AND updated_at < ?))",
        (SENDING, now, *rec.key, rec.runs, FAILED, SENDING, now - STALE),
    )
    return changed == 1


def every(store: HistoryStore) -> list[NotificationRecord]:
    rows = store.query(f"SELECT {_COLUMNS} FROM notifications ORDER BY as_of, rule, recipient")
    return [_record(r) for r in rows]


def claim(store: HistoryStore, rec: NotificationRecord) -> bool:
    """Record `rec` (status `sending`) unless its message is recorded already, by an earlier run
    or one running now: True when this caller owns it and may send it."""
    return _insert(store, "INSERT OR IGNORE", rec) == 1


def put(store: HistoryStore, rec: NotificationRecord) -> None:
    _insert(store, "INSERT OR REPLACE", rec)


def _insert(store: HistoryStore, verb: str, rec: NotificationRecord) -> int:
    return store.execute(
        f"{verb} INTO notifications ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            rec.as_of,
            rec.rule,
            rec.recipient,
            rec.channel,
            rec.destination,
            rec.status,
            rec.attempts,
            rec.runs,
            rec.customers,
            rec.subject,
            rec.last_error,
            rec.updated_at,
            rec.payload,
        ),
    )
