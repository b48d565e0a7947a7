"""Terminal escape injection (issue 14, item 4): ESC / OSC sequences, C1 controls, DEL, bidi
overrides, CR and LF in customer ids, event names and property values reach no human-readable
output raw. Each is shown as a visible escape (`\\x1b`, `\\u202e`, `\\n`) instead; JSON and CSV
keep the exact text."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.helpers import run
from tests.test_place_cli import JOURNEY

# A screen clear, an OSC 8 hyperlink, a right-to-left override, a CR/LF that starts a forged
# workflow command, a C1 CSI and DEL: everything a terminal or a CI log would obey.
EVIL = (
    "zz\x1b[2J\x1b]8;;https://evil.example/\x07link\x1b]8;;\x07\u202eevil\rover"
    "\r\n::error file=a::forged\x9b31m\x7f"
)
# The CSV reader reads CRLF inside a quoted cell as LF (a lone CR stays): the id as the tool sees it
AS_READ = EVIL.replace("\r\n", "\n")
RAW = ("\x1b", "\x07", "\x9b", "\x7f", "\r", "\u202e", "\n::error")


def _events() -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["customer_id", "timestamp", "event", "plan", "score", "note"])
    for day, event, plan, score, note in [
        ("01", "signed", "pro", "", EVIL),
        ("02", "kickoff", "", "", ""),
        ("03", "renewal_opened", "", "", ""),
        ("04", "pushback", "", "", ""),
        ("05", "nps", "", "3", ""),
        ("06", "odd" + EVIL, "", "", ""),
    ]:
        w.writerow([EVIL, f"2026-01-{day}T00:00:00Z", event, plan, score, note])
    w.writerow(["b2", "2026-01-02T00:00:00Z", "signed", "pro", "", ""])
    return buf.getvalue()


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    (tmp_path / "j").mkdir()
    (tmp_path / "j" / "demo.yaml").write_text(JOURNEY)
    (tmp_path / "events.csv").write_text(_events(), newline="")
    return tmp_path


def assert_inert(out: str) -> None:
    """Nothing a terminal obeys, no forged line; and the oddity is still visible."""
    for raw in RAW:
        assert raw not in out, f"{raw!r} reached the output"
    assert "x1b" in out and "u202e" in out


def _ev(demo: Path) -> list[str]:
    return [str(demo / "events.csv"), "-j", str(demo / "j")]


def test_the_log_holds_the_attack_as_it_is(demo: Path) -> None:
    """JSON keeps the exact id (it escapes itself): the fixture really carries the attack."""
    res = run("place", *_ev(demo), "--format", "json")
    assert res.exit_code == 0, res.output
    ids = [c["customer_id"] for c in json.loads(res.stdout)["customers"]]
    assert any(i.startswith("zz\x1b[2J") and "\rover" in i and "\n::error" in i for i in ids)


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_place(demo: Path, fmt: str) -> None:
    res = run("place", *_ev(demo), "--format", fmt)
    assert res.exit_code == 0, res.output
    assert_inert(res.stdout)


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_show(demo: Path, fmt: str) -> None:
    res = run("show", EVIL, *_ev(demo), "--format", fmt)
    assert res.exit_code == 0, res.output
    assert_inert(res.stdout)
    assert "oddzz" in res.stdout  # the event name, shown


def test_show_csv_keeps_the_exact_text(demo: Path) -> None:
    res = run("show", EVIL, *_ev(demo), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    odd = [r["event_or_trigger"] for r in rows if r["event_or_trigger"].startswith("odd")]
    assert odd and odd[0].startswith("oddzz\x1b[2J\x1b]8;;") and "\n::error" in odd[0]


def test_show_unmatched_text(demo: Path, tmp_path: Path) -> None:
    ev = tmp_path / "free.csv"
    ev.write_text(
        "customer_id,timestamp,event,plan\n"
        + f'"{EVIL}",2026-01-01T00:00:00Z,signed,"free{EVIL}"\n'.replace("\r\n", "\n"),
        newline="",
    )
    res = run("show", AS_READ, str(ev), "-j", str(demo / "j"))
    assert res.exit_code == 0, res.output
    assert "matches no journey" in res.stdout
    assert res.stdout.count("\n") == 2  # two lines, whatever the id holds
    for raw in RAW:
        assert raw not in res.stdout


def test_unknown_customer_error_message(demo: Path) -> None:
    res = run("show", EVIL + "nobody", *_ev(demo))
    assert res.exit_code == 2
    for raw in RAW:
        assert raw not in res.stderr
    assert "x1b" in res.stderr


def _report(demo: Path, *extra: str) -> str:
    res = run("report", *_ev(demo), "--db", str(demo / "h.db"), "--out", str(demo / "out"), *extra)
    assert res.exit_code == 0, res.output
    return str(res.stdout)


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_report_stdout_and_md(demo: Path, fmt: str) -> None:
    assert_inert(_report(demo, "--format", fmt))
    assert_inert((demo / "out" / "report.md").read_text())


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_history_customer(demo: Path, fmt: str) -> None:
    _report(demo)
    res = run("history", "--db", str(demo / "h.db"), "--customer", EVIL, "--format", fmt)
    assert res.exit_code == 0, res.output
    assert_inert(res.stdout)


# -- diff: the impact lists the customer; its text output feeds CI logs ---------------------------
@pytest.fixture
def sides(demo: Path) -> Path:
    (demo / "head").mkdir()
    (demo / "head" / "demo.yaml").write_text(JOURNEY.replace("lt: 7", "lt: 2"))
    return demo


@pytest.mark.parametrize("fmt", ["text", "table", "markdown"])
def test_diff(sides: Path, fmt: str) -> None:
    d = sides
    res = run(
        "diff", str(d / "j"), str(d / "head"), "--events", str(d / "events.csv"), "--format", fmt
    )
    assert res.exit_code == 0, res.output
    assert_inert(res.stdout)
    if fmt == "text":
        assert all(not line.startswith("::") for line in res.stdout.splitlines())


def test_diff_github_encodes_values(tmp_path: Path) -> None:
    """A definition's text (YAML escapes make any character) cannot end its annotation or start
    another command: `%`, CR, LF per GitHub's rules, and ESC / bidi made visible."""
    (tmp_path / "base").mkdir()
    (tmp_path / "head").mkdir()
    (tmp_path / "base" / "demo.yaml").write_text(JOURNEY)
    evil_yaml = '"100%\\e[2J\\u202e\\r\\n::error file=x::forged"'
    (tmp_path / "head" / "demo.yaml").write_text(JOURNEY.replace('"Book the kickoff"', evil_yaml))
    res = run("diff", str(tmp_path / "base"), str(tmp_path / "head"), "--format", "github")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines and all(line.startswith(("::notice ", "::warning ")) for line in lines)
    assert "\x1b" not in res.stdout and "\u202e" not in res.stdout
    assert "100%25" in res.stdout


def test_predict(tmp_path: Path) -> None:
    from tests.predict.synth import JOURNEY as PJ
    from tests.predict.synth import synth_csv

    (tmp_path / "j").mkdir()
    (tmp_path / "j" / "demo.yaml").write_text(PJ)
    quoted = '"' + AS_READ + '"'
    text = synth_csv().replace("\nc0001,", "\n" + quoted + ",")
    (tmp_path / "ev.csv").write_text(text, newline="")
    for fmt in ("table", "markdown"):
        res = run("predict", str(tmp_path / "ev.csv"), "-j", str(tmp_path / "j"), "-f", fmt)
        assert res.exit_code == 0, res.output
        for raw in RAW:
            assert raw not in res.stdout


# -- the one function -----------------------------------------------------------------------------
def test_safe_text_is_visible_and_idempotent() -> None:
    from journeyctl.output.escape import safe_text

    assert safe_text("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert safe_text("\u202e\u2066\u200f\u061c") == "\\u202e\\u2066\\u200f\\u061c"
    assert safe_text("a\r\nb\tc\x7f\x9b") == "a\\r\\nb\\tc\\x7f\\x9b"
    assert safe_text("a\nb", keep_newlines=True) == "a\nb"
    assert safe_text(safe_text(EVIL)) == safe_text(EVIL)
    assert safe_text("café ünïcode — 日本") == "café ünïcode — 日本"


def test_markdown_escape_neutralises_first() -> None:
    from journeyctl.output.escape import md_escape

    assert md_escape("a\x1b[x]") == "a\\\\x1b\\[x\\]"
    assert "\n" not in md_escape("a\nb")


def test_emoji_codes_in_input_are_shown_as_written(tmp_path: Path) -> None:
    """rich turns `:zzz:` into an emoji unless told not to: an id is shown as it is written."""
    (tmp_path / "j.yaml").write_text(JOURNEY)
    events = tmp_path / "e.csv"
    events.write_text("customer_id,timestamp,event\n:fire:,2026-01-01T00:00:00Z,signed\n")
    res = run("show", ":zzz:", str(events), "-j", str(tmp_path / "j.yaml"))
    assert res.exit_code == 2 and "unknown customer ':zzz:'" in res.stderr
    res = run("show", ":fire:", str(events), "-j", str(tmp_path / "j.yaml"), "-f", "table")
    assert res.exit_code == 0 and ":fire:" in res.stdout
    assert "\U0001f525" not in res.stdout and "\U0001f4a4" not in res.stderr
