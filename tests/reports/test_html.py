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
# a long id with hyphens, where a browser would otherwise break the line
LONG_ID = "acct-2f0c9a7e-5b1d-4c2a-9e8f-0123456789ab-enterprise-emea"
STAY_COLOR = "rgba(160,170,180,0.35)"
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
        # and one with a long id, new and at risk: in the changes and at-risk tables
        fh.write(f"{LONG_ID},2026-01-03T09:00:00Z,signed,pro,\n")
        fh.write(f"{LONG_ID},2026-01-03T09:00:00Z,kickoff,,\n")
        fh.write(f"{LONG_ID},2026-01-15T09:00:00Z,nps,,2\n")
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
            page.wait_for_selector("#flows-1 .main-svg")
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
    assert set(by_id) == {
        "stages-0",
        "stages-1",
        "trend-0",
        "trend-1",
        "trend-at-risk",
        "flows-0",  # one flow chart per journey
        "flows-1",
    }
    for d in drawn:
        assert d["svgs"] >= 1, d
        assert d["width"] <= d["panel"], d  # the chart fits its panel
    assert by_id["stages-1"]["bars"] > 0
    assert by_id["trend-1"]["lines"] > 0 and by_id["trend-at-risk"]["lines"] > 0
    assert by_id["flows-1"]["links"] > 0
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


def test_ids_whole_one_flow_chart_per_journey_axis_labels_apart(page_file: Path) -> None:
    """At a narrow width: no customer id is broken across lines; each journey has its own flow
    chart, with the customers who stayed hidden until asked for; no two axis labels overlap."""
    exe = chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 520, "height": 900})
            page.goto(page_file.as_uri())
            page.wait_for_load_state("load")
            page.wait_for_selector("#flows-1 .main-svg")
            page.wait_for_timeout(300)
            broken = page.evaluate(
                """(longId) => Array.from(document.querySelectorAll('td, span'))
                    .filter(e => e.children.length === 0 && e.textContent.includes(longId))
                    .map(e => { const r = document.createRange(); r.selectNodeContents(e);
                                return r.getClientRects().length; })""",
                LONG_ID,
            )
            overlaps = page.evaluate(
                """() => Array.from(document.querySelectorAll('.plotly-graph-div')).map(d => {
                    const count = (sel) => {
                        const b = Array.from(d.querySelectorAll(sel))
                            .map(t => t.getBoundingClientRect()).filter(r => r.width > 0);
                        let n = 0;
                        for (let i = 0; i < b.length; i++) for (let j = i + 1; j < b.length; j++)
                            if (b[i].left < b[j].right - 1 && b[j].left < b[i].right - 1 &&
                                b[i].top < b[j].bottom - 1 && b[j].top < b[i].bottom - 1) n++;
                        return n;
                    };
                    return [d.id, count('.xtick text') + count('.ytick text')];
                })"""
            )
            links = page.evaluate("() => document.getElementById('flows-1').data[0].link.color")
            page.get_by_text("with customers who stayed").nth(1).click()
            page.wait_for_timeout(300)
            all_links = page.evaluate("() => document.getElementById('flows-1').data[0].link.color")
        finally:
            browser.close()
    assert len(broken) >= 2, "the long id is in the changes and in the at-risk table"
    assert broken == [1] * len(broken), "a customer id broke across lines"
    assert [o for o in overlaps if o[1]] == []
    assert links and STAY_COLOR not in links  # stayed bands are off by default...
    assert STAY_COLOR in all_links and len(all_links) > len(links)  # ...and a click away
