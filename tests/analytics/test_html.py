"""`analyze --format html` in a real headless Chromium: every picture draws, offline, with no
error, and data from the log (a stage reached by a customer whose attribute is markup) stays
text."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import run
from tests.reports.test_html import ARGS, EVIL, chromium

SCENARIOS = Path(__file__).parent / "scenarios"


@pytest.fixture
def page_file(tmp_path: Path) -> Path:
    # the KPI scenario (KPIs per stage) with a region column whose value is a script tag
    case = SCENARIOS / "06-kpis-where-within"
    shutil.copytree(case / "journeys", tmp_path / "journeys")
    lines = (case / "events.csv").read_text().splitlines()
    rows = [lines[0] + ",region"] + [
        ln + ("," + (EVIL if ln.startswith("c1,") else "NA")) for ln in lines[1:]
    ]
    (tmp_path / "events.csv").write_text("\n".join(rows) + "\n")
    out = tmp_path / "analysis.html"
    res = run(
        "analyze",
        str(tmp_path / "events.csv"),
        "-j",
        str(tmp_path / "journeys"),
        "--by",
        "region",
        "--format",
        "html",
        "--output",
        str(out),
    )
    assert res.exit_code == 0, res.stderr
    assert res.stdout == ""
    return out


def test_analyze_html_in_chromium(page_file: Path, tmp_path: Path) -> None:
    exe = chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    html = page_file.read_text(encoding="utf-8")
    assert EVIL not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html  # the page needs none

    console: list[Any] = []
    errors: list[str] = []
    requests: list[str] = []
    dialogs: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: console.append((m.type, m.text)))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))

            def on_dialog(d: Any) -> None:
                dialogs.append(d.message)
                d.dismiss()

            page.on("dialog", on_dialog)
            page.goto(page_file.as_uri())
            page.wait_for_load_state("load")
            page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
            drawn = page.evaluate(
                """() => Object.fromEntries(['funnel', 'variants', 'heatmap', 'kpis'].map(c => [c,
                    Array.from(document.querySelectorAll('svg.' + c)).map(s => ({
                        width: s.getBoundingClientRect().width,
                        height: s.getBoundingClientRect().height,
                        panel: s.closest('.panel').getBoundingClientRect().width,
                        shapes: Array.from(s.querySelectorAll('rect')).filter(
                            r => r.getBoundingClientRect().width > 0).length,
                    }))]))"""
            )
            evil_text = page.get_by_text(EVIL).count()
            shot = tmp_path / "analysis.png"
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()

    # one journey and its two groups (NA, and the customer whose region is markup)
    assert len(drawn["funnel"]) == 3 and len(drawn["variants"]) == 3
    assert len(drawn["heatmap"]) == 3
    assert len(drawn["kpis"]) == 3 * 4  # four KPIs, per stage
    for kind, svgs in drawn.items():
        for s in svgs:
            assert s["height"] > 0 and 0 < s["width"] <= s["panel"], (kind, s)
    assert all(s["shapes"] >= 2 for s in drawn["funnel"])  # reached bars (and now bars)
    assert all(s["shapes"] >= 3 for s in drawn["variants"])  # the designed order, then paths
    assert drawn["heatmap"][0]["shapes"] == 6  # cohorts 2026-01, -02, -03: 3 + 2 + 1 months
    assert [c for c in console if c[0] in ("error", "warning")] == []
    assert errors == []
    assert dialogs == []
    assert evil_text >= 1  # the group's value shows as text
    assert requests == [page_file.as_uri()]  # nothing but the file itself
    assert shot.stat().st_size > 20_000
