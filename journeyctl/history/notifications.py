"""The notifications table of the history database (PRODUCT §10): one row per message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from journeyctl.history.store import HistoryStore

SENT, FAILED, GIVEN_UP = "sent", "failed", "given_up"
STATUSES = (SENT, FAILED, GIVEN_UP)

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


def failed(store: HistoryStore) -> list[NotificationRecord]:
    """Messages to retry, oldest as-of first."""
    rows = store.query(
        f"SELECT {_COLUMNS} FROM notifications WHERE status = ? ORDER BY as_of, rule, recipient",
        (FAILED,),
    )
    return [_record(r) for r in rows]


def every(store: HistoryStore) -> list[NotificationRecord]:
    rows = store.query(f"SELECT {_COLUMNS} FROM notifications ORDER BY as_of, rule, recipient")
    return [_record(r) for r in rows]


def put(store: HistoryStore, rec: NotificationRecord) -> None:
    store.execute(
        f"INSERT OR REPLACE INTO notifications ({_COLUMNS}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
