"""Events from a SQL query: PostgreSQL, SQLite and DuckDB (`--sql` / `--db-url`, PRODUCT §8).

Database access, chosen for Arrow results (no per-row Python work on large queries):
- PostgreSQL: the ADBC driver (`adbc-driver-postgresql`, libpq underneath, ships its own
  libpq in the wheel): it reads results with the binary COPY protocol straight into Arrow, with
  the server's types (timestamptz, numeric, boolean, date) kept.
- DuckDB: duckdb's own Arrow result.
- SQLite: the standard library's `sqlite3`; SQLite has no column types to keep (each value has
  its own), so values are converted one by one, as the Python value SQLite returns.

A password never leaves this module: URLs are shown as `scheme://host/db`, and the database's
own messages are scrubbed of the URL and the password before they are raised.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Mapping
from urllib.parse import unquote

from journeyctl.errors import InputError, UsageError
from journeyctl.events.sources.rows import TextColumns
from journeyctl.events.sources.typed import Loaded
from journeyctl.events.sources.urls import (
    CONNECT_TIMEOUT,
    QUERY_NAME,
    SCHEMES,
    SqlQuery,
    db_error,
    expand_url,
    shown_url,
)


def _file_of(url: str, scheme: str) -> str:
    """The database file of `sqlite:///PATH` / `duckdb:///PATH` (`sqlite:////abs/path`)."""
    rest = url.split("://", 1)[1]
    if not rest.startswith("/"):
        raise UsageError(
            f"bad --db-url {shown_url(url)!r}: write {scheme}:///PATH (three slashes)",
            hint=f"e.g. {scheme}:///events.db, or {scheme}:////var/data/events.db",
        )
    path = unquote(rest[1:].split("?")[0])
    if not os.path.isfile(path):
        raise InputError(f"{shown_url(url)}: no such database file: {path}")
    return path


def read_sql(source: SqlQuery, env: Mapping[str, str] | None = None) -> Loaded:
    url = expand_url(source.url, env)
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in SCHEMES:
        raise UsageError(
            f"bad --db-url {shown_url(url)!r}: unknown database",
            hint="use postgresql://USER:${PASSWORD}@HOST/DB, sqlite:///PATH or duckdb:///PATH",
        )
    if not source.query.strip():
        raise UsageError("--sql is empty", hint="give the query that returns the events")
    if scheme == "sqlite":
        return _sqlite(url, source.query)
    if scheme == "duckdb":
        return _duckdb(url, source.query)
    return _postgresql(url, source.query)


def _sqlite(url: str, query: str) -> Loaded:
    path = _file_of(url, "sqlite")
    try:
        # read-only: a query never changes the events, and a mistyped path is no new database
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise db_error(url, exc, "cannot open the database") from None
    try:
        cur = con.execute(query)
        names = [d[0] for d in cur.description or ()]
        dup = next((n for n in names if names.count(n) > 1), None)
        if dup is not None:
            raise InputError(f"{QUERY_NAME}: duplicate column name {dup!r}", hint="alias one")
        cols = TextColumns(names)
        while batch := cur.fetchmany(10_000):
            for row in batch:
                cols.add_values(names, row)
    except sqlite3.Error as exc:
        raise db_error(url, exc, "the query failed") from None
    finally:
        con.close()
    return cols.loaded(QUERY_NAME)


def _duckdb(url: str, query: str) -> Loaded:
    import duckdb  # imported on use: only DuckDB users pay for loading it

    path = _file_of(url, "duckdb")
    try:
        con = duckdb.connect(path, read_only=True)
    except duckdb.Error as exc:
        raise db_error(url, exc, "cannot open the database") from None
    try:
        rel = con.sql(query)
        if rel is None:
            raise InputError(
                f"{shown_url(url)}: the query returns no rows (not a SELECT?)",
                hint="--sql takes a query that returns the events",
            )
        # duckdb 2 names it to_arrow_table; 1.x arrow()
        fetch = getattr(rel, "to_arrow_table", None) or rel.arrow
        table = fetch()
    except duckdb.Error as exc:
        raise db_error(url, exc, "the query failed") from None
    finally:
        con.close()
    return Loaded(table, QUERY_NAME)


def _postgresql(url: str, query: str) -> Loaded:
    import adbc_driver_manager
    import adbc_driver_postgresql.dbapi as pg

    uri = "postgresql" + url[url.index("://") :]  # libpq takes both spellings; be explicit
    if "connect_timeout=" not in uri:
        uri += ("&" if "?" in uri else "?") + f"connect_timeout={CONNECT_TIMEOUT}"
    try:
        con = pg.connect(uri)
    except adbc_driver_manager.Error as exc:
        raise db_error(url, exc, "cannot connect") from None
    try:
        with con.cursor() as cur:
            cur.execute(query)
            table = cur.fetch_arrow_table()
    except adbc_driver_manager.Error as exc:
        raise db_error(url, exc, "the query failed") from None
    finally:
        con.close()
    return Loaded(table, QUERY_NAME)
