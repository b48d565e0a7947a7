"""The streaming mode (`--memory-limit`) gives byte for byte the in-memory output.

Partition counts, formats, filters, --limit, --as-of, accounts, bad rows, several files, gzip,
stdin and the CSV corpus (every odd or broken file): same stdout, stderr and exit code."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from journeyctl.definitions.load import load_journeys, require_valid
from journeyctl.engine.placement import PlaceResult
from journeyctl.inputs import EventInputs
from journeyctl.output import place as render
from journeyctl.pipeline import plan_partitions, run_place, run_place_streaming
from tests.helpers import run

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_journeys"
EVENTS = SAMPLE / "events.csv"
CORPUS = sorted((Path(__file__).parent / "corpus" / "csv").iterdir())
STREAM = ("--memory-limit", "1M")  # far below the estimate: always streams, in ~5 partitions


def both(*args: str, input: bytes | None = None) -> tuple[object, object]:
    mem = run(*args, input=input)
    st = run(*args, *STREAM, input=input)
    assert (st.exit_code, st.stdout, st.stderr) == (mem.exit_code, mem.stdout, mem.stderr)
    return mem, st


@pytest.mark.parametrize("fmt", ["json", "csv", "markdown", "table"])
@pytest.mark.parametrize(
    "extra",
    [
        [],
        ["--at-risk"],
        ["--journey", "analytics-smb-emea", "--stage", "self_onboarding"],
        ["--limit", "7"],
        ["--limit", "0"],
        ["--at-risk", "--limit", "500"],
        ["--as-of", "2025-06-01T00:00:00Z"],
        ["--accounts", str(SAMPLE / "accounts.csv")],
        ["--fail-on", "at_risk:high,unmatched>3"],
    ],
)
def test_cli_output_is_identical(fmt: str, extra: list[str]) -> None:
    mem, _ = both("place", str(EVENTS), "-j", str(SAMPLE), "-f", fmt, *extra)
    assert mem.exit_code in (0, 1)  # type: ignore[attr-defined]
    assert mem.stdout  # type: ignore[attr-defined]


@pytest.mark.parametrize("parts", [1, 2, 3, 7, 64])
def test_library_results_match_per_partition_count(parts: int, tmp_path: Path) -> None:
    js = require_valid(load_journeys([str(SAMPLE)]))
    inputs = EventInputs((str(EVENTS),))
    whole = run_place(js, inputs).result
    results: list[PlaceResult] = []
    streamed = run_place_streaming(js, inputs, str(tmp_path), parts, results.append)
    assert len(results) == parts
    customers = sorted((c for r in results for c in r.customers), key=lambda c: c.customer_id)
    assert customers == list(whole.customers)
    assert sorted(u for r in results for u in r.unmatched) == list(whole.unmatched)
    assert streamed.summary == whole.summary
    assert streamed.as_of == whole.as_of
    # partitions hold disjoint customers
    ids = [c.customer_id for r in results for c in r.customers]
    assert len(ids) == len(set(ids))
    assert render.render_json(whole, whole.customers)  # and the document renders


def test_several_files_gzip_and_stdin(tmp_path: Path) -> None:
    lines = EVENTS.read_text().splitlines(keepends=True)
    head, rows = lines[0], lines[1:]
    a, b = tmp_path / "a.csv", tmp_path / "b.csv.gz"
    a.write_text(head + "".join(rows[::2]))
    b.write_bytes(gzip.compress((head + "".join(rows[1::2])).encode()))
    both("place", str(a), str(b), "-j", str(SAMPLE), "-f", "json")
    both("place", "-", str(b), "-j", str(SAMPLE), "-f", "csv", input=a.read_bytes())


def test_bad_rows_skipped_and_rejected_alike(tmp_path: Path) -> None:
    text = EVENTS.read_text().splitlines(keepends=True)
    text.insert(100, "c-x,yesterday,login" + "," * 17 + "\n")
    text.insert(5000, ",2025-01-01T00:00:00Z,login" + "," * 17 + "\n")
    text.insert(9000, "c-y,2025-01-01T00:00:00Z\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("".join(text))
    both("place", str(bad), "-j", str(SAMPLE), "-f", "json")  # exit 2, same message
    both("place", "-", "-j", str(SAMPLE), "--skip-bad-rows", input=bad.read_bytes())
    mem, _ = both("place", str(bad), "-j", str(SAMPLE), "-f", "json", "--skip-bad-rows")
    assert "skipped 3 bad rows" in mem.stderr  # type: ignore[attr-defined]
    run("place", str(bad), "-j", str(SAMPLE), "--skip-bad-rows", "--rejects", str(tmp_path / "m"))
    run(
        "place",
        str(bad),
        "-j",
        str(SAMPLE),
        "--skip-bad-rows",
        "--rejects",
        str(tmp_path / "s"),
        *STREAM,
    )
    assert (tmp_path / "m").read_bytes() == (tmp_path / "s").read_bytes()


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_csv_corpus_alike(path: Path, tmp_path: Path) -> None:
    j = tmp_path / "j"
    j.mkdir()
    (j / "demo.yaml").write_text(
        "journey: demo\nversion: 1\nstages:\n  - id: onboarding\n    enter_when: {event: login}\n"
    )
    both("place", str(path), "-j", str(j), "-f", "json")
    both("place", str(path), "-j", str(j), "-f", "json", "--skip-bad-rows")


def test_temporary_files_are_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    res = run("place", str(EVENTS), "-j", str(SAMPLE), "-f", "json", *STREAM)
    assert res.exit_code == 0
    assert list(tmp_path.iterdir()) == []


def test_full_temporary_disk_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    res = run("place", str(EVENTS), "-j", str(SAMPLE), *STREAM)
    assert res.exit_code == 2
    assert "TMPDIR" in res.stderr
    assert "Traceback" not in res.stderr


def test_plan() -> None:
    assert plan_partitions([str(EVENTS)], 64 << 30) is None  # fits: in memory
    parts = plan_partitions([str(EVENTS)], 1 << 20)
    assert parts is not None and parts >= 2
    assert plan_partitions(["-"], 1 << 30) == 64  # unknown size with a limit: stream
    assert plan_partitions(["-"], None) is None


def test_bad_memory_limit() -> None:
    res = run("place", str(EVENTS), "-j", str(SAMPLE), "--memory-limit", "lots")
    assert res.exit_code == 2
    assert "--memory-limit" in res.stderr


def test_model_needs_memory(tmp_path: Path) -> None:
    res = run("place", str(EVENTS), "-j", str(SAMPLE), "--model", str(tmp_path / "m"), *STREAM)
    assert res.exit_code == 2
    assert "streaming" in res.stderr


def test_mapped_columns(tmp_path: Path) -> None:
    renamed = tmp_path / "renamed.csv"
    text = EVENTS.read_text()
    head, _, rest = text.partition("\n")
    renamed.write_text(
        head.replace("customer_id", "AccountId").replace("timestamp", "When") + "\n" + rest
    )
    for fmt in ("json", "csv"):
        both(
            "place",
            str(renamed),
            "-j",
            str(SAMPLE),
            "--column",
            "customer_id=AccountId",
            "--column",
            "timestamp=When",
            "-f",
            fmt,
        )


def test_full_disk_is_a_clear_error_and_leaves_nothing(tmp_path: Path) -> None:
    """A real full disk: a 600 KB tmpfs as TMPDIR (needs root to mount; skipped otherwise)."""
    import os
    import subprocess
    import sys

    place = [sys.executable, "-m", "journeyctl", "place"]
    small = tmp_path / "small"
    small.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(small)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here: " + mounted.stderr.decode().strip())
    try:
        proc = subprocess.run(
            [*place, str(EVENTS), "-j", str(SAMPLE), "-f", "json", *STREAM],
            capture_output=True,
            env={**os.environ, "TMPDIR": str(small)},
        )
        err = proc.stderr.decode()
        assert proc.returncode == 2, err
        assert "No space left on device" in err and "TMPDIR" in err
        assert "Traceback" not in err
        assert list(small.iterdir()) == []
    finally:
        subprocess.run(["umount", str(small)], check=False)


@pytest.mark.parametrize("kind", ["corrupt", "truncated"])
def test_bad_gzip_is_an_input_error_in_both_modes(kind: str, tmp_path: Path) -> None:
    bad = tmp_path / "events.csv.gz"
    if kind == "corrupt":
        bad.write_bytes(b"\x1f\x8b\x08\x00garbage-not-gzip-data-here")
    else:
        bad.write_bytes(gzip.compress(EVENTS.read_bytes())[:20000])
    mem, _ = both("place", str(bad), "-j", str(SAMPLE), "-f", "json")
    assert mem.exit_code == 2  # type: ignore[attr-defined]
    assert "not a valid gzip file" in mem.stderr  # type: ignore[attr-defined]
