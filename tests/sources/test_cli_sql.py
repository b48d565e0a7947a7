"""`--sql` / `--db-url` through the CLI: output, errors, and a password that never shows (§8).

The PostgreSQL tests use the real server of the `postgres` fixture; every output, message and
file the commands write (stdout, stderr, the report files, the history database, rejects) is
searched for the password.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.helpers import run
from tests.sources.conftest import PASSWORD, Postgres

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_journeys"
J = ("-j", str(SAMPLES))
AS_OF = ("--as-of", "2025-12-31T00:00:00Z")


def sample_rows() -> tuple[list[str], list[list[str]]]:
    lines = (SAMPLES / "events.csv").read_text().splitlines()
    header = lines[0].split(",")
    return header, [ln.split(",") for ln in lines[1:]]  # the sample has no quoted cells


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "events.db"
    header, rows = sample_rows()
    con = sqlite3.connect(path)
    con.execute(f"CREATE TABLE events ({', '.join(header)})")
    con.executemany(f"INSERT INTO events VALUES ({', '.join('?' * len(header))})", rows)
    con.commit()
    con.close()
    return path


def test_sqlite_query_gives_the_csv_output(sample_db: Path) -> None:
    want = run("place", str(SAMPLES / "events.csv"), *J, *AS_OF, "-f", "json")
    got = run(
        "place", *J, *AS_OF, "-f", "json",
        "--db-url", f"sqlite:///{sample_db}", "--sql", "SELECT * FROM events ORDER BY rowid",
    )  # fmt: skip
    assert got.exit_code == 0, got.stderr
    assert got.stdout == want.stdout


def test_config_source_is_read_without_files(
    sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "journeyctl.toml").write_text(
        f'journeys = "{SAMPLES}"\n[source]\nurl = "sqlite:///{sample_db}"\n'
        'query = "SELECT * FROM events ORDER BY rowid"\n'
    )
    monkeypatch.chdir(tmp_path)
    got = run("place", *AS_OF, "-f", "json")
    assert got.exit_code == 0, got.stderr
    assert json.loads(got.stdout)["summary"]["events"] == 48604


def test_files_and_a_query_mixed(sample_db: Path) -> None:
    got = run(
        "place", str(SAMPLES / "events.csv"), *J, *AS_OF, "-f", "json",
        "--db-url", f"sqlite:///{sample_db}", "--sql", "SELECT * FROM events LIMIT 10",
    )  # fmt: skip
    assert got.exit_code == 0, got.stderr
    assert json.loads(got.stdout)["summary"]["events"] == 48604 + 10


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sql", "SELECT 1"], "error: --sql needs a database"),
        (["--db-url", "sqlite:///x.db"], "error: --db-url needs a query"),
        ([], "error: no events given"),
        (["--db-url", "mysql://h/db", "--sql", "SELECT 1"], "unknown database"),
        (["--db-url", "postgresql://u:${NOPE_UNSET}@h/db", "--sql", "SELECT 1"],
         "the environment variable NOPE_UNSET is not set"),
        (["x.csv", "--input-format", "xml"], "bad --input-format 'xml'"),
    ],
)  # fmt: skip
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    res = run("place", *J, *args)
    assert res.exit_code == 2
    assert message in res.stderr


def _everything(res: object, *dirs: Path) -> str:
    """stdout, stderr and every file under `dirs`, as text (bytes decoded loosely)."""
    parts = [getattr(res, "stdout", ""), getattr(res, "stderr", "")]
    for d in dirs:
        for f in sorted(d.rglob("*")):
            if f.is_file():
                parts.append(f.read_bytes().decode("latin-1"))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def pg_events(postgres: Postgres) -> Postgres:
    header, rows = sample_rows()
    postgres.psql(
        "DROP TABLE IF EXISTS sample; CREATE TABLE sample (id serial, "
        + ", ".join(f"{h} text" for h in header)
        + "); GRANT SELECT ON sample TO analyst;"
    )
    values = ",".join(
        "(" + ",".join("'" + c.replace("'", "''") + "'" for c in r) + ")" for r in rows[:2000]
    )
    postgres.psql(f"INSERT INTO sample ({', '.join(header)}) VALUES {values}")
    return postgres


def test_postgresql_report_never_shows_the_password(
    pg_events: Postgres, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JC_TEST_PGPASSWORD", PASSWORD)
    url = pg_events.url("${JC_TEST_PGPASSWORD}")
    query = "SELECT customer_id, timestamp, event, product, size, region FROM sample ORDER BY id"
    db, out = tmp_path / "hist" / "h.db", tmp_path / "out"
    res = run("report", *J, "--db-url", url, "--sql", query, "--db", str(db), "--out", str(out))
    assert res.exit_code in (0, 1), res.stderr
    assert db.exists() and (out / "report.json").exists()
    text = _everything(res, tmp_path)
    assert PASSWORD not in text
    assert f"postgresql://127.0.0.1/{pg_events.db}" in text  # the source, named without secrets
    placed = run("place", *J, "--db-url", url, "--sql", query, "-f", "json")
    assert placed.exit_code == 0, placed.stderr
    assert PASSWORD not in _everything(placed)
    assert json.loads(placed.stdout)["summary"]["events"] == 2000


def test_postgresql_errors_exit_2_without_the_password(pg_events: Postgres, tmp_path: Path) -> None:
    cases = [
        (pg_events.url("wrong-" + PASSWORD), "SELECT 1", "password authentication failed"),
        (pg_events.url(), "SELECT * FROM nope", 'relation "nope" does not exist'),
        (pg_events.url(), "SELEC 1", 'syntax error at or near "SELEC"'),
        (f"postgresql://analyst:{PASSWORD}@127.0.0.1:1/db", "SELECT 1", "Connection refused"),
    ]
    for url, query, message in cases:
        res = run("place", *J, "--db-url", url, "--sql", query, "--rejects", str(tmp_path / "r"))
        assert res.exit_code == 2, (query, res.stderr)
        assert message in " ".join(res.stderr.split())  # messages wrap at 160 columns
        assert "Traceback" not in res.stderr
        assert PASSWORD not in _everything(res, tmp_path)


def test_postgresql_bad_rows_are_named_query_row_n(pg_events: Postgres, tmp_path: Path) -> None:
    query = (
        "SELECT customer_id, CASE WHEN id = 3 THEN 'soon' ELSE timestamp END AS timestamp, event "
        "FROM sample ORDER BY id LIMIT 5"
    )
    rejects = tmp_path / "rejects.csv"
    res = run(
        "place", *J, "--db-url", pg_events.url(), "--sql", query, "--skip-bad-rows",
        "--rejects", str(rejects), "-f", "json",
    )  # fmt: skip
    assert res.exit_code == 0, res.stderr
    assert "query:row 3: unparseable timestamp 'soon'" in res.stderr
    assert rejects.read_text().splitlines()[1].startswith("query,3,unparseable timestamp 'soon'")


def test_output_file_is_the_stdout(tmp_path: Path) -> None:
    out = tmp_path / "place.json"
    res = run("place", str(SAMPLES / "events.csv"), *J, *AS_OF, "-f", "json", "-o", str(out))
    assert res.exit_code == 0 and res.stdout == ""
    assert (
        out.read_text()
        == run("place", str(SAMPLES / "events.csv"), *J, *AS_OF, "-f", "json").stdout
    )
    assert [p.name for p in tmp_path.iterdir()] == ["place.json"]  # no temporary file left
    bad = run("place", str(SAMPLES / "events.csv"), *J, "-o", str(tmp_path / "no" / "dir" / "x"))
    assert bad.exit_code == 2
    assert "cannot write" in bad.stderr


def test_parquet_tables(tmp_path: Path) -> None:
    res = run("place", str(SAMPLES / "events.csv"), *J, *AS_OF, "-f", "parquet")
    assert res.exit_code == 2
    assert "--format parquet writes four tables: give --output DIR" in res.stderr
    out = tmp_path / "tables"
    res = run("place", str(SAMPLES / "events.csv"), *J, *AS_OF, "-f", "parquet", "-o", str(out))
    assert res.exit_code == 0, res.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "customers.parquet", "milestones.parquet", "moves.parquet", "risks.parquet"
    ]  # fmt: skip
    customers = pq.read_table(out / "customers.parquet")
    doc = json.loads(run("place", str(SAMPLES / "events.csv"), *J, *AS_OF, "-f", "json").stdout)
    assert customers.num_rows == doc["summary"]["customers"]
    assert str(customers.schema.field("entered_at").type) == "timestamp[us, tz=UTC]"
    assert pq.read_table(out / "moves.parquet").num_rows == sum(
        len(c["moves"]) for c in doc["customers"]
    )
