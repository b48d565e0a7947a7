"""Every command on every file of the malformed-input corpus: a clear message, the contract's
exit code, never a traceback or an internal error (issue #7)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import run

CORPUS = Path(__file__).parent / "corpus"
YAML_FILES = sorted((CORPUS / "yaml").iterdir())
CSV_FILES = sorted((CORPUS / "csv").iterdir())
GOOD_JOURNEY = """\
journey: demo
version: 1
stages:
  - id: onboarding
    enter_when: {event: login}
  - id: churned
    terminal: true
    outcome: churned
transitions:
  - {from: "*", to: churned, when: {event: cancelled}}
"""
GOOD_EVENTS = "customer_id,timestamp,event,region\n" + "".join(
    f"c{i},2026-01-{1 + i % 28:02d}T00:00:00Z,login,NA\n" for i in range(30)
)


def _assert_clean(res: object, allowed: tuple[int, ...]) -> None:
    out = res.stdout + res.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in out, out
    assert "internal error" not in out, out
    assert res.exit_code in allowed, f"exit {res.exit_code}: {out[-2000:]}"  # type: ignore[attr-defined]


@pytest.fixture
def work(tmp_path: Path) -> Path:
    (tmp_path / "good").mkdir()
    (tmp_path / "good" / "demo.yaml").write_text(GOOD_JOURNEY)
    (tmp_path / "events.csv").write_text(GOOD_EVENTS)
    return tmp_path


@pytest.mark.parametrize("path", YAML_FILES, ids=[p.name for p in YAML_FILES])
def test_yaml_corpus_every_command(work: Path, path: Path) -> None:
    bad = work / "bad"
    bad.mkdir()
    shutil.copy(path, bad / path.name)
    valid = path.name.startswith("bom-valid")
    ev = str(work / "events.csv")
    _assert_clean(run("validate", str(bad), "--format", "text"), (0,) if valid else (1,))
    for fmt in ("json", "github", "table"):
        _assert_clean(run("validate", str(bad), "--format", fmt), (0,) if valid else (1,))
    need = (0,) if valid else (2,)
    _assert_clean(run("place", ev, "-j", str(bad)), need)
    _assert_clean(run("show", "c1", ev, "-j", str(bad)), need)
    _assert_clean(
        run("report", ev, "-j", str(bad), "--db", str(work / "h.db"), "--out", str(work / "r")),
        need,
    )
    _assert_clean(run("predict", ev, "-j", str(bad)), (2,))  # too little history at best
    _assert_clean(run("diff", str(work / "good"), str(bad), "--format", "json"), (0,))
    _assert_clean(
        run("diff", str(work / "good"), str(bad), "--fail-on", "invalid"), (0,) if valid else (1,)
    )


@pytest.mark.parametrize("path", CSV_FILES, ids=[p.name for p in CSV_FILES])
def test_csv_corpus_every_command(work: Path, path: Path) -> None:
    ok = path.name.startswith("ok-")
    need = (0,) if ok else (2,)
    j = str(work / "good")
    _assert_clean(run("place", str(path), "-j", j, "--format", "json"), need)
    _assert_clean(run("show", "c1", str(path), "-j", j), need)
    _assert_clean(
        run("report", str(path), "-j", j, "--db", str(work / "h.db"), "--out", str(work / "r")),
        need,
    )
    _assert_clean(run("predict", str(path), "-j", j), (2,))
    _assert_clean(run("diff", j, j, "--events", str(path)), need)
    if not ok:
        res = run("place", str(path), "-j", j)
        assert str(path.name) in res.stderr, res.stderr  # the message names the file


def test_big_yaml_is_a_quick_finding(work: Path) -> None:
    big = work / "big"
    big.mkdir()
    with (big / "huge.yaml").open("wb") as fh:
        fh.write(b"journey: demo\nversion: 1\nstages:\n")
        fh.write(b"  - {id: s, enter_when: {event: x}}\n" * 1_500_000)  # about 50 MB
    res = run("validate", str(big), "--format", "text")
    _assert_clean(res, (1,))
    assert "file-too-large" in res.stdout


def test_big_csv_field(work: Path) -> None:
    path = work / "wide.csv"
    path.write_text(
        "customer_id,timestamp,event,note\nc1,2026-01-01,login," + "x" * 10_000_000 + "\n"
    )
    _assert_clean(run("place", str(path), "-j", str(work / "good"), "--format", "csv"), (0,))


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["place", "{tmp}/nope.csv", "-j", "{tmp}/good"], 2),
        (["place", "{tmp}/events.csv", "-j", "{tmp}/nope"], 2),
        (["place", "{tmp}", "-j", "{tmp}/good"], 2),
        (["place", "{tmp}/events.csv", "-j", "{tmp}/good", "--as-of", "tomorrow"], 2),
        (["place", "{tmp}/events.csv", "-j", "{tmp}/good", "--column", "id"], 2),
        (["place", "{tmp}/events.csv", "-j", "{tmp}/good", "--format", "xml"], 2),
        (["place", "{tmp}/events.csv", "-j", "{tmp}/good", "--accounts", "{tmp}/nope.csv"], 2),
        (["show", "nobody", "{tmp}/events.csv", "-j", "{tmp}/good"], 2),
        (["validate", "{tmp}/nope"], 2),
        (["report", "{tmp}/events.csv", "-j", "{tmp}/good", "--db", "{tmp}/events.csv/x.db"], 2),
        (
            [
                "report",
                "{tmp}/events.csv",
                "-j",
                "{tmp}/good",
                "--db",
                "{tmp}/h.db",
                "--out",
                "{tmp}/events.csv",
            ],
            2,
        ),
        (["history", "--db", "{tmp}/nope/h.db"], 2),
        (["diff", "{tmp}/nope", "{tmp}/good"], 2),
        (["predict", "{tmp}/events.csv", "-j", "{tmp}/good", "--horizon", "soon"], 2),
    ],
)
def test_bad_options(work: Path, args: list[str], code: int) -> None:
    res = run(*(a.replace("{tmp}", str(work)) for a in args))
    _assert_clean(res, (code,))
