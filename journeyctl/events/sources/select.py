"""Which event sources a command reads: its files, plus the SQL query of `--sql` / `--db-url`
or of `[source]` in journeyctl.toml (PRODUCT §8)."""

from __future__ import annotations

from collections.abc import Sequence

from journeyctl.errors import UsageError
from journeyctl.events.sources import EventSource
from journeyctl.events.sources.urls import SqlQuery


def event_sources(
    paths: Sequence[str],
    *,
    sql: str | None = None,
    db_url: str | None = None,
    config_url: str | None = None,
    config_query: str | None = None,
) -> list[EventSource]:
    """The files, then the query. An option beats the config file; the config's query alone is
    used when no file and no option names the events."""
    sources: list[EventSource] = list(paths)
    if paths.count("-") > 1:
        raise UsageError("stdin (-) can be given only once")
    if sql is not None or db_url is not None:
        url = db_url or config_url
        query = sql or config_query
        if url is None:
            raise UsageError(
                "--sql needs a database: give --db-url URL (or [source] url in journeyctl.toml)",
                hint="e.g. --db-url 'postgresql://analyst:${PGPASSWORD}@db.example.com/sales'",
            )
        if query is None:
            raise UsageError(
                "--db-url needs a query: give --sql QUERY (or [source] query in journeyctl.toml)",
                hint="e.g. --sql 'SELECT customer_id, ts AS timestamp, event FROM events ORDER BY ts'",
            )
        sources.append(SqlQuery(url, query))
    elif not paths and config_url and config_query:
        sources.append(SqlQuery(config_url, config_query))
    if not sources:
        raise UsageError(
            "no events given",
            hint="name event files (CSV, Parquet, JSON Lines, Arrow) or a query with --sql and "
            "--db-url",
        )
    return sources
