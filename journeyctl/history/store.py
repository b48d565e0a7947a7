"""The history database: SQLite, one write transaction per snapshot.

Concurrency and crashes: the database keeps SQLite's rollback journal, and every write starts
with `BEGIN IMMEDIATE`, so a second writer waits for the first (up to `wait` seconds, SQLite's busy
timeout) and then fails with `HistoryLockedError`; a process killed midway leaves a hot journal
that the next connection rolls back, so the previous state is intact. A rollback journal (not WAL)
also lets a reader who may not write the directory, such as `history` run by another user, read.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from types import TracebackType

from journeyctl.config import DEFAULT_WAIT
from journeyctl.definitions.model import SEVERITY_RANK
from journeyctl.history import codec, migrations
from journeyctl.history.errors import HistoryError, HistoryVersionError, translate
from journeyctl.history.model import (
    CustomerHistoryRow,
    CustomerRecord,
    InputRecord,
    JourneyRecord,
    Snapshot,
    SnapshotInfo,
    TrendRow,
)

# Test hook: "MARKER[:SECONDS]" makes `save` stop halfway through its transaction, create MARKER
# and wait until MARKER is deleted (at most SECONDS), so tests can kill the process mid-write or
# hold the lock while a second process tries to write.
PAUSE_ENV = "JOURNEYCTL_TEST_PAUSE_IN_WRITE"

_AT_RISK_LEVELS = tuple(k for k, v in SEVERITY_RANK.items() if v >= SEVERITY_RANK["medium"])
_AT_RISK_SQL = "SUM(risk_level IN ({}))".format(", ".join(f"'{lv}'" for lv in _AT_RISK_LEVELS))


class HistoryStore:
    """An open history database. Use `HistoryStore.open(...)` as a context manager."""

    def __init__(self, conn: sqlite3.Connection, path: str, wait: float) -> None:
        self._conn = conn
        self.path = path
        self.wait = wait

    # -- opening ----------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str, *, wait: float = DEFAULT_WAIT, create: bool = True) -> HistoryStore:
        """Open (and when needed create or migrate) the database at `path`."""
        if not create and not os.path.isfile(path):
            raise HistoryError(
                f"no history database at {path}",
                hint="run `journeyctl report` first, or point --db at the database",
            )
        if create:
            try:
                os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            except OSError as exc:
                raise HistoryError(
                    f"cannot create the directory of the history database {path}: {exc.strerror}",
                    hint="check the permissions, or choose another place with --db",
                ) from None
        try:
            conn = sqlite3.connect(path, timeout=wait, isolation_level=None)
        except sqlite3.Error as exc:
            raise translate(exc, path, wait) from None
        store = cls(conn, path, wait)
        try:
            with store._guard("open"):
                conn.execute("PRAGMA foreign_keys = ON")
                store._prepare()
        except BaseException:
            conn.close()
            raise
        return store

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextlib.contextmanager
    def _guard(self, doing: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            err = translate(exc, self.path, self.wait)
            if doing == "open" and "read-only" in err.message:
                err.message = f"the history database {self.path} is read-only: cannot upgrade it"
            raise err from None

    def _version(self) -> tuple[int, int]:
        version = int(self._conn.execute("PRAGMA user_version").fetchone()[0])
        app = int(self._conn.execute("PRAGMA application_id").fetchone()[0])
        return version, app

    def _check(self, version: int, app: int) -> None:
        if app not in (0, migrations.APPLICATION_ID):
            raise HistoryVersionError(
                f"{self.path} is not a journeyctl history database",
                hint="point --db at another file; journeyctl never overwrites a file it did not make",
            )
        if version > migrations.SCHEMA_VERSION:
            raise HistoryVersionError(
                f"the history database {self.path} was made by a newer journeyctl "
                f"(schema version {version}; this one knows up to {migrations.SCHEMA_VERSION})",
                hint="upgrade journeyctl, or use another --db",
            )
        if version == 0:
            tables = self._conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
            ).fetchone()[0]
            if tables:
                raise HistoryVersionError(
                    f"{self.path} is not a journeyctl history database (it holds other tables)",
                    hint="point --db at another file; journeyctl never overwrites a file it did not make",
                )

    def _prepare(self) -> None:
        version, app = self._version()
        self._check(version, app)
        if version == migrations.SCHEMA_VERSION:
            return
        with self._write():
            version, app = self._version()  # another process may have migrated meanwhile
            self._check(version, app)
            migrations.apply(self._conn, version)

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken up front so a second writer waits rather than deadlocks."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            if self._conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    # -- writing ----------------------------------------------------------------------------
    def save(self, snap: Snapshot, tool_version: str) -> bool:
        """Store `snap`, replacing a snapshot with the same as-of; True when one was replaced."""
        pause = os.environ.get(PAUSE_ENV)
        if pause:
            # Spill pages to the file as they are written, so a kill leaves a hot journal.
            self._conn.execute("PRAGMA cache_size = 1")
        with self._guard("store the snapshot"), self._write() as conn:
            row = conn.execute("SELECT id FROM snapshots WHERE as_of = ?", (snap.as_of,)).fetchone()
            if row is not None:
                for table in ("placements", "snapshot_inputs", "snapshot_journeys", "snapshots"):
                    col = "id" if table == "snapshots" else "snapshot_id"
                    conn.execute(f"DELETE FROM {table} WHERE {col} = ?", (row[0],))
            cur = conn.execute(
                "INSERT INTO snapshots (as_of, run_at, tool_version) VALUES (?, ?, ?)",
                (snap.as_of, snap.run_at, tool_version),
            )
            sid = cur.lastrowid
            conn.executemany(
                "INSERT INTO snapshot_journeys VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (sid, i, j.id, j.version, j.file, j.content_hash, codec.stages_json(j.stages))
                    for i, j in enumerate(snap.journeys)
                ],
            )
            conn.executemany(
                "INSERT INTO snapshot_inputs VALUES (?, ?, ?, ?)",
                [(sid, i, f.name, f.size) for i, f in enumerate(snap.inputs)],
            )
            rows = [_placement_row(sid, c) for c in snap.customers]
            half = len(rows) // 2
            self._insert_placements(rows[:half])
            if pause:
                _pause_for_tests(pause)
            self._insert_placements(rows[half:])
        return row is not None

    def _insert_placements(self, rows: Sequence[tuple[object, ...]]) -> None:
        self._conn.executemany(
            "INSERT INTO placements (snapshot_id, customer_id, journey, journey_version, stage, "
            "status, entered_at, risk_level, risks, milestones, moves, attributes) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    # -- reading ----------------------------------------------------------------------------
    def _snapshot_id(self, sql: str, args: tuple[object, ...]) -> tuple[int, int, int] | None:
        row = self._conn.execute(sql, args).fetchone()
        return (int(row[0]), int(row[1]), int(row[2])) if row is not None else None

    def load(self, as_of: int) -> Snapshot | None:
        """The snapshot taken at exactly `as_of`."""
        with self._guard("read"):
            found = self._snapshot_id(
                "SELECT id, as_of, run_at FROM snapshots WHERE as_of = ?", (as_of,)
            )
            return self._load(*found) if found else None

    def previous(self, as_of: int) -> Snapshot | None:
        """The snapshot with the greatest as-of strictly before `as_of` (PRODUCT §5)."""
        with self._guard("read"):
            found = self._snapshot_id(
                "SELECT id, as_of, run_at FROM snapshots WHERE as_of < ? "
                "ORDER BY as_of DESC LIMIT 1",
                (as_of,),
            )
            return self._load(*found) if found else None

    def _journeys(self, sid: int) -> tuple[JourneyRecord, ...]:
        return tuple(
            JourneyRecord(r[0], int(r[1]), r[2], r[3], codec.stages_from(r[4]))
            for r in self._conn.execute(
                "SELECT journey, version, file, content_hash, stages FROM snapshot_journeys "
                "WHERE snapshot_id = ? ORDER BY position",
                (sid,),
            )
        )

    def _inputs(self, sid: int) -> tuple[InputRecord, ...]:
        return tuple(
            InputRecord(r[0], int(r[1]))
            for r in self._conn.execute(
                "SELECT name, size FROM snapshot_inputs WHERE snapshot_id = ? ORDER BY position",
                (sid,),
            )
        )

    def _load(self, sid: int, as_of: int, run_at: int) -> Snapshot:
        customers = tuple(
            CustomerRecord(
                customer_id=r[0],
                journey=r[1],
                journey_version=r[2],
                stage=r[3],
                status=r[4],
                entered_at=r[5],
                risk_level=r[6],
                risks=codec.risks_from(r[7]),
                milestones=codec.milestones_from(r[8]),
                moves=codec.moves_from(r[9]),
                attributes=codec.attributes_from(r[10]),
            )
            for r in self._conn.execute(
                "SELECT customer_id, journey, journey_version, stage, status, entered_at, "
                "risk_level, risks, milestones, moves, attributes FROM placements "
                "WHERE snapshot_id = ? ORDER BY customer_id",
                (sid,),
            )
        )
        return Snapshot(as_of, run_at, self._journeys(sid), self._inputs(sid), customers)

    def snapshots(self) -> list[SnapshotInfo]:
        """Every snapshot, oldest as-of first, with its counts."""
        with self._guard("read"):
            counts = {
                int(r[0]): (int(r[1]), int(r[2] or 0), int(r[3] or 0))
                for r in self._conn.execute(
                    f"SELECT snapshot_id, COUNT(*), {_AT_RISK_SQL}, SUM(journey IS NULL) "
                    "FROM placements GROUP BY snapshot_id"
                )
            }
            out = []
            for sid, as_of, run_at, tool in self._conn.execute(
                "SELECT id, as_of, run_at, tool_version FROM snapshots ORDER BY as_of"
            ).fetchall():
                n, risky, unmatched = counts.get(sid, (0, 0, 0))
                out.append(
                    SnapshotInfo(
                        as_of,
                        run_at,
                        tool,
                        self._journeys(sid),
                        self._inputs(sid),
                        n,
                        risky,
                        unmatched,
                    )
                )
            return out

    def trend(self, up_to: int | None = None, limit: int | None = None) -> list[TrendRow]:
        """Customers per (journey, stage) in the last `limit` snapshots at or before `up_to`."""
        with self._guard("read"):
            chosen = self._conn.execute(
                "SELECT id, as_of FROM snapshots WHERE as_of <= ? ORDER BY as_of DESC LIMIT ?",
                (up_to if up_to is not None else 2**62, limit if limit is not None else -1),
            ).fetchall()
            out: list[TrendRow] = []
            for sid, as_of in reversed(chosen):
                order = {j.id: (i, j) for i, j in enumerate(self._journeys(sid))}
                rows = self._conn.execute(
                    f"SELECT journey, stage, COUNT(*), {_AT_RISK_SQL} FROM placements "
                    "WHERE snapshot_id = ? GROUP BY journey, stage",
                    (sid,),
                ).fetchall()
                rows.sort(key=lambda r: _trend_key(order, r[0], r[1]))
                out.extend(TrendRow(as_of, r[0], r[1], int(r[2]), int(r[3] or 0)) for r in rows)
            return out

    def customer(self, customer_id: str) -> list[CustomerHistoryRow]:
        """The customer in every snapshot (absent ones too); empty when no snapshot lists it."""
        with self._guard("read"):
            rows = self._conn.execute(
                "SELECT s.as_of, p.customer_id IS NOT NULL, p.journey, p.journey_version, "
                "p.stage, p.status, p.risk_level, p.risks FROM snapshots s LEFT JOIN placements p "
                "ON p.snapshot_id = s.id AND p.customer_id = ? ORDER BY s.as_of",
                (customer_id,),
            ).fetchall()
        if not any(r[1] for r in rows):
            return []
        return [
            CustomerHistoryRow(
                r[0],
                bool(r[1]),
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                tuple(x.id for x in codec.risks_from(r[7])) if r[1] else (),
            )
            for r in rows
        ]


def _trend_key(
    order: dict[str, tuple[int, JourneyRecord]], journey: str | None, stage: str | None
) -> tuple[int, int, str, int, str]:
    if journey is None:
        return (2, 0, "", 0, "")
    if journey not in order:
        return (1, 0, journey, 0, stage or "")
    pos, rec = order[journey]
    if stage is None:
        return (0, pos, journey, -1, "")
    idx = rec.stage_index(stage)
    return (0, pos, journey, idx if idx is not None else len(rec.stages), stage)


def _placement_row(sid: int | None, c: CustomerRecord) -> tuple[object, ...]:
    return (
        sid,
        c.customer_id,
        c.journey,
        c.journey_version,
        c.stage,
        c.status,
        c.entered_at,
        c.risk_level,
        codec.risks_json(c.risks),
        codec.milestones_json(c.milestones),
        codec.moves_json(c.moves),
        codec.attributes_json(c.attributes),
    )


def _pause_for_tests(spec: str) -> None:
    """Create the marker file, then hold (the transaction open) until a test deletes it."""
    marker, _, seconds = spec.partition(":")
    with open(marker, "w", encoding="utf-8") as fh:
        fh.write(str(os.getpid()))
    end = time.monotonic() + float(seconds or 60)
    while os.path.exists(marker) and time.monotonic() < end:
        time.sleep(0.05)
