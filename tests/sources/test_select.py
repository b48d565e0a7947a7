"""Which sources a command reads: files, --sql/--db-url, [source] in journeyctl.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeyctl.config import load_config
from journeyctl.errors import UsageError
from journeyctl.events.sources import SqlQuery
from journeyctl.events.sources.select import event_sources


def test_files_then_the_query() -> None:
    got = event_sources(["a.csv"], sql="SELECT 1", db_url="sqlite:///e.db")
    assert got == ["a.csv", SqlQuery("sqlite:///e.db", "SELECT 1")]


def test_options_beat_the_config() -> None:
    got = event_sources([], sql="SELECT 2", config_url="duckdb:///x.db", config_query="SELECT 1")
    assert got == [SqlQuery("duckdb:///x.db", "SELECT 2")]
    got = event_sources([], db_url="sqlite:///e.db", config_url="x", config_query="SELECT 1")
    assert got == [SqlQuery("sqlite:///e.db", "SELECT 1")]


def test_the_config_query_alone_only_without_files() -> None:
    assert event_sources([], config_url="sqlite:///e.db", config_query="Q") == [
        SqlQuery("sqlite:///e.db", "Q")
    ]
    assert event_sources(["a.csv"], config_url="sqlite:///e.db", config_query="Q") == ["a.csv"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sql": "SELECT 1"}, "--sql needs a database"),
        ({"db_url": "sqlite:///e.db"}, "--db-url needs a query"),
        ({}, "no events given"),
    ],
)
def test_usage_errors(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        event_sources([], **kwargs)


def test_config_source_table(tmp_path: Path) -> None:
    path = tmp_path / "journeyctl.toml"
    path.write_text('[source]\nurl = "postgresql://u:${PW}@h/db"\nquery = "SELECT * FROM e"\n')
    cfg = load_config(str(path))
    assert (cfg.source_url, cfg.source_query) == ("postgresql://u:${PW}@h/db", "SELECT * FROM e")
    path.write_text('source = "x"\n')
    with pytest.raises(UsageError, match="`source` must be a table"):
        load_config(str(path))


def test_a_query_repr_hides_the_password() -> None:
    assert "s3cret" not in repr(SqlQuery("postgresql://u:s3cret@h/db", "SELECT 1"))
