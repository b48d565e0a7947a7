"""report.html in a real headless Chromium: the charts draw, offline, with no error, and data from
the log (a customer id that is a script tag) shows as text and runs nothing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import run
from tests.history import scenario

CHROMIUM = "/usr/bin/chromium"
EVIL = "<script>alert(1)</script>"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def chromium() -> str:
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed (.ci/run installs Debian's chromium)")
        pytest.skip("chromium is not installed")
    return path


@pytest.fixture
def page_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    scenario.write(tmp_path)
    monkeypatch.chdir(tmp_path)
    with (tmp_path / "base.csv").open("a", encoding="utf-8") as fh:
        # A customer whose id is markup: new, at risk (high) with a reason from the journey.
        fh.write(f"{EVIL},2026-01-03T09:00:00Z,signed,pro,\n")
        fh.write(f"{EVIL},2026-01-03T09:00:00Z,kickoff,,\n")
        fh.write(f"{EVIL},2026-01-15T09:00:00Z,nps,,1\n")
    for args in (scenario.first_args("h.db", "out"), scenario.second_args("h.db", "out")):
        res = run(*args, "--by", "plan")
        assert res.exit_code == 0, res.stderr
    return tmp_path / "out" / "report.html"


def test_report_html_in_chromium(page_file: Path, tmp_path: Path) -> None:
    exe = chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    html = page_file.read_text(encoding="utf-8")
    assert EVIL not in html  # escaped everywhere, in the tables and in the chart data
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html

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
            page.wait_for_selector("#flows .main-svg")
            page.wait_for_timeout(300)
            drawn = page.evaluate(
                """() => Array.from(document.querySelectorAll('.plotly-graph-div')).map(d => ({
                    id: d.id,
                    svgs: d.querySelectorAll('.main-svg').length,
                    bars: d.querySelectorAll('.trace.bars .point path').length,
                    lines: d.querySelectorAll('.scatterlayer .trace path.js-line').length,
                    links: d.querySelectorAll('.sankey-link').length,
                    width: d.getBoundingClientRect().width,
                    panel: d.closest('.panel').getBoundingClientRect().width,
                }))"""
            )
            analysis = page.evaluate(
                """() => Array.from(document.querySelectorAll('#section-analysis ~ section svg'))
                    .map(s => [s.getAttribute('class'), s.getBoundingClientRect().width,
                               s.closest('.panel').getBoundingClientRect().width])"""
            )
            evil_cells = page.locator("td", has_text=EVIL).count()
            bold_in_tables = page.locator("td b").count()
            scripts = page.evaluate(
                "() => Array.from(document.scripts).filter(s => s.text.includes('alert(1)')"
                " && !s.text.includes('Plotly.newPlot')).length"
            )
            shot = tmp_path / "report.png"
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()

    by_id = {d["id"]: d for d in drawn}
    assert set(by_id) == {"stages-0", "stages-1", "trend-0", "trend-1", "trend-at-risk", "flows"}
    for d in drawn:
        assert d["svgs"] >= 1, d
        assert d["width"] <= d["panel"], d  # the chart fits its panel
    assert by_id["stages-1"]["bars"] > 0
    assert by_id["trend-1"]["lines"] > 0 and by_id["trend-at-risk"]["lines"] > 0
    assert by_id["flows"]["links"] > 0
    # the analyze section: per journey (basic, flow) its funnel, paths, cohorts, and the KPIs
    kinds = [k for k, _, _ in analysis]
    assert kinds.count("funnel") == 2 and kinds.count("variants") == 2, kinds
    assert kinds.count("heatmap") == 2 and kinds.count("kpis") == 2, kinds
    assert all(0 < w <= panel for _, w, panel in analysis), analysis
    assert [c for c in console if c[0] in ("error", "warning")] == []
    assert errors == []
    assert dialogs == []  # the customer id did not run
    assert scripts == 0
    assert evil_cells >= 2  # shown as text: in the changes and in the at-risk table
    assert bold_in_tables == 0  # the risk title "Unhappy <b>customer</b>" is text too
    assert requests == [page_file.as_uri()]  # nothing but the file itself: no CDN, no fonts
    assert shot.stat().st_size > 50_000
