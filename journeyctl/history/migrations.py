"""The history database schema, as a list of migrations keyed by `PRAGMA user_version`.

Every database, new or old, reaches the current schema through the same steps: a new file runs
them all, a file made by an older journeyctl runs the ones it lacks. A step is never edited once
released; a change of schema is a new step.
"""

from __future__ import annotations

import sqlite3

# 'JYCT': marks the file as a journeyctl history database (PRAGMA application_id).
APPLICATION_ID = 0x4A594354

_V1 = (
    """CREATE TABLE snapshots (
        id INTEGER PRIMARY KEY,
        as_of INTEGER NOT NULL UNIQUE,      -- microseconds since the epoch, UTC
        run_at INTEGER NOT NULL,
        tool_version TEXT NOT NULL
    )""",
    """CREATE TABLE snapshot_journeys (
        snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        journey TEXT NOT NULL,
        version INTEGER NOT NULL,
        file TEXT NOT NULL,
        content_hash TEXT,
        stages TEXT NOT NULL,               -- JSON: [{"id", "terminal"}] in file order
        PRIMARY KEY (snapshot_id, position)
    )""",
    """CREATE TABLE snapshot_inputs (
        snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        name TEXT NOT NULL,
        size INTEGER NOT NULL,
        PRIMARY KEY (snapshot_id, position)
    )""",
    """CREATE TABLE placements (
        snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
        customer_id TEXT NOT NULL,
        journey TEXT,                       -- NULL: unmatched
        journey_version INTEGER,
        stage TEXT,                         -- NULL: not started (or unmatched)
        status TEXT NOT NULL,
        entered_at INTEGER,
        risk_level TEXT NOT NULL,
        risks TEXT NOT NULL,                -- JSON
        milestones TEXT NOT NULL,           -- JSON
        moves TEXT NOT NULL,                -- JSON
        PRIMARY KEY (snapshot_id, customer_id)
    )""",
)

# v2: the customer's attributes, so `report --by` can place a customer that vanished since the
# previous snapshot; and an index for `history --customer`.
_V2 = (
    "ALTER TABLE placements ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}'",
    "CREATE INDEX placements_customer ON placements (customer_id)",
)

# v3: the notifications `report` sent or tried to send (PRODUCT §10), one row per message
# (as_of, rule, recipient). `payload` is the rendered message, kept so that a failed one can be
# retried by a later run; it never holds a secret (the destination comes from the config).
_V3 = (
    """CREATE TABLE notifications (
        as_of INTEGER NOT NULL,
        rule TEXT NOT NULL,
        recipient TEXT NOT NULL,
        channel TEXT NOT NULL,
        destination TEXT NOT NULL,          -- scheme://host, never a full URL
        status TEXT NOT NULL,               -- sent | failed | given_up; sending while a run sends it
        attempts INTEGER NOT NULL,
        runs INTEGER NOT NULL,              -- the report runs that tried it
        customers INTEGER NOT NULL,
        subject TEXT NOT NULL,
        last_error TEXT,
        updated_at INTEGER NOT NULL,        -- microseconds since the epoch, UTC
        payload TEXT NOT NULL,
        PRIMARY KEY (as_of, rule, recipient)
    )""",
    "CREATE INDEX notifications_status ON notifications (status)",
)

MIGRATIONS: tuple[tuple[int, tuple[str, ...]], ...] = ((1, _V1), (2, _V2), (3, _V3))
SCHEMA_VERSION = MIGRATIONS[-1][0]


def pending(version: int) -> list[tuple[int, tuple[str, ...]]]:
    return [(v, steps) for v, steps in MIGRATIONS if v > version]


def apply(conn: sqlite3.Connection, version: int) -> None:
    """Run the steps after `version`. The caller holds the write transaction."""
    for v, steps in pending(version):
        for sql in steps:
            conn.execute(sql)
        conn.execute(f"PRAGMA user_version = {int(v)}")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
