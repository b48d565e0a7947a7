"""Events from a real PostgreSQL server (the `postgres` fixture): typed columns, errors, secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

import journeyctl
from journeyctl.errors import InputError
from journeyctl.events.ingest import read_events
from journeyctl.events.sources import SqlQuery
from tests.helpers import run
from tests.sources.conftest import PASSWORD, Postgres

SAMPLES = Path(__file__).resolve().parents[2] / "sample_journeys"
AS_OF = "2026-02-01T00:00:00Z"


@pytest.fixture(scope="module")
def events_table(postgres: Postgres) -> Postgres:
    postgres.psql(
        "DROP TABLE IF EXISTS ev; CREATE TABLE ev (id serial, customer_id text, "
        "timestamp timestamptz, event text, score numeric(6,2), n int, f float8, ok boolean, "
        "day date, tags text[]); GRANT SELECT ON ev TO analyst; "
        "INSERT INTO ev (customer_id, timestamp, event, score, n, f, ok, day, tags) VALUES "
        "('c1', '2026-01-01 11:00+01', 'e0', 1.50, 3, 0.1, true, '2026-01-02', '{a}'), "
        "('c1', '2026-01-03 10:00+00', 'e1', NULL, NULL, 'NaN', false, NULL, NULL), "
        "('c2', '2026-01-02 00:00+00', 'e0', -2.00, 7, 1e20, NULL, '2026-01-05', '{}'), "
        "('', '2026-01-02 00:00+00', 'e0', NULL, NULL, NULL, NULL, NULL, NULL)"
    )
    return postgres


CSV_TWIN = (
    "customer_id,timestamp,event,score,n,f,ok,day\n"
    "c1,2026-01-01T10:00:00Z,e0,1.50,3,0.1,true,2026-01-02\n"
    "c1,2026-01-03T10:00:00Z,e1,,,,false,\n"
    "c2,2026-01-02T00:00:00Z,e0,-2.00,7,1e+20,,2026-01-05\n"
)
QUERY = (
    "SELECT customer_id, timestamp, event, score, n, f, ok, day, tags FROM ev "
    "WHERE customer_id <> '' ORDER BY id"
)


def test_typed_columns_give_the_csv_output(events_table: Postgres, tmp_path: Path) -> None:
    csv = tmp_path / "twin.csv"
    csv.write_text(CSV_TWIN)
    want = run("place", str(csv), "-j", str(SAMPLES), "--as-of", AS_OF, "--format", "json")
    assert want.exit_code == 0, want.stderr
    js = journeyctl.load_journeys(str(SAMPLES))
    got = journeyctl.place(js, [SqlQuery(events_table.url(), QUERY)], as_of=AS_OF)
    assert got.to_json() == want.stdout
    assert got.input_warnings == [
        "query: column 'tags' holds nested values (lists, structs or maps); it is left out"
    ]


def test_bad_rows_are_named_query_row_n(events_table: Postgres) -> None:
    log = read_events([SqlQuery(events_table.url(), "SELECT * FROM ev ORDER BY id")])
    assert [(b.where, b.reason) for b in log.bad_rows] == [("query:row 4", "missing customer_id")]


@pytest.mark.parametrize(
    ("password", "query", "message"),
    [
        ("wrong-" + PASSWORD, "SELECT 1", 'password authentication failed for user "analyst"'),
        (None, "SELECT * FROM nope", 'relation "nope" does not exist'),
        (None, "SELEC 1", 'syntax error at or near "SELEC"'),
    ],
)
def test_database_errors(
    events_table: Postgres, password: str | None, query: str, message: str
) -> None:
    with pytest.raises(InputError) as err:
        read_events([SqlQuery(events_table.url(password), query)])
    text = "\n".join([err.value.message, *err.value.details, err.value.hint or ""])
    assert message in text
    assert err.value.message.startswith(f"postgresql://127.0.0.1/{events_table.db}: ")
    assert PASSWORD not in text


def test_connection_refused() -> None:
    url = f"postgresql://analyst:{PASSWORD}@127.0.0.1:1/db"
    with pytest.raises(InputError) as err:
        read_events([SqlQuery(url, "SELECT 1")])
    assert "Connection refused" in err.value.message
    assert err.value.message.startswith("postgresql://127.0.0.1/db: cannot connect")
    assert PASSWORD not in repr(err.value.__dict__)
