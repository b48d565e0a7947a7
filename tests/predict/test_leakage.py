"""No leakage: appending any events after a cutoff never changes the features at that cutoff, and
a run with --as-of T on a log with later events scores exactly as the log cut at T."""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from journeyctl.definitions.load import load_journeys, require_valid
from journeyctl.definitions.model import JourneySet
from journeyctl.engine.placement import event_attributes
from journeyctl.events.ingest import EventLog, read_events
from journeyctl.predict.columns import EventColumns
from journeyctl.predict.features import FeatureBuilder
from journeyctl.predict.history import customer_history
from journeyctl.predict.spec import build_spec
from journeyctl.predict.target import parse_target
from tests.helpers import run
from tests.predict.synth import HEADER, JOURNEY

DAY = 86_400
BASE = 1_735_689_600  # 2025-01-01T00:00:00Z
NAMES = ["signed", "kickoff", "login", "feature_used", "ticket", "cancelled", "renewal_opened"]


def _row(cid: str, sec: int, name: str, plan: str, feature: str, priority: str) -> str:
    from datetime import UTC, datetime

    ts = datetime.fromtimestamp(BASE + sec, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{cid},{ts},{name},{plan},NA,{feature},{priority}\n"


event = st.tuples(
    st.sampled_from(["a", "b", "c", "d"]),
    st.integers(0, 200 * DAY),
    st.sampled_from(NAMES),
    st.sampled_from(["pro", "basic", ""]),
    st.sampled_from(["x", "y", "z", ""]),
    st.sampled_from(["P1", "P2", ""]),
)


def _log(rows: list[tuple[str, int, str, str, str, str]], d: Path, name: str) -> EventLog:
    p = d / name
    p.write_text(HEADER + "".join(_row(*r) for r in rows))
    return read_events([str(p)])


def _features(js: JourneySet, log: EventLog, t: int, spec_log: EventLog) -> dict[str, list[float]]:
    target = parse_target("churned", js)
    spec_cols = EventColumns(spec_log, spec_log.max_ts or 0)
    spec = build_spec(js, spec_cols, None)
    cols = EventColumns(log, max(log.max_ts or 0, t))
    rows, states = [], []
    for i in range(cols.n_customers):
        evs = cols.events(i)
        if evs[0].ts > t:
            continue
        upto = [e for e in evs if e.ts <= t]
        hist = customer_history(
            js, evs, [t, cols.as_of], lambda k, u=upto: event_attributes(u), target
        )
        rows.append(i)
        states.append(hist.states[0])
    x = FeatureBuilder(spec, cols, None).matrix(t, np.array(rows, np.int64), states)
    # NaN (no value) as None, so that equal rows compare equal
    return {cols.ids[i]: [None if v != v else v for v in x[r].tolist()] for r, i in enumerate(rows)}


@settings(max_examples=25)
@given(
    st.lists(event, min_size=1, max_size=25),
    st.lists(event, max_size=25),
    st.integers(0, 200 * DAY),
)
def test_events_after_a_cutoff_never_change_its_features(
    base: list[tuple[str, int, str, str, str, str]],
    extra: list[tuple[str, int, str, str, str, str]],
    cut: int,
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "j.yaml").write_text(JOURNEY)
        js = require_valid(load_journeys([str(d / "j.yaml")]))
        t = (BASE + cut) * 1_000_000
        before = [r for r in base if r[1] <= cut]
        after = [
            (c if i % 3 else "new", cut + 1 + s % (60 * DAY), *rest)
            for i, (c, s, *rest) in enumerate(extra)
        ]
        log_a = _log(base, d, "a.csv")
        log_b = _log(base + after, d, "b.csv")  # type: ignore[arg-type]
        a = _features(js, log_a, t, log_a)
        b = _features(js, log_b, t, log_a)
        assert a == b
        assert len(a) == len({r[0] for r in before})


def test_as_of_gives_the_same_scores_as_the_log_cut_there(demo: Path, tmp_path: Path) -> None:
    lines = (demo / "events.csv").read_text().splitlines(keepends=True)
    cut = "2025-12-20T00:00:00Z"
    kept = [ln for ln in lines[1:] if ln.split(",")[1] <= cut]
    assert 0 < len(kept) < len(lines) - 1
    rng = random.Random(5)
    later = [
        f"c{rng.randrange(400):04d},2026-01-{rng.randint(1, 28):02d}T10:00:00Z,"
        f"{rng.choice(['login', 'cancelled', 'signed', 'renewal_opened'])},pro,NA,,\n"
        for _ in range(200)
    ]
    (tmp_path / "cut.csv").write_text(lines[0] + "".join(kept))
    (tmp_path / "full.csv").write_text(lines[0] + "".join(lines[1:]) + "".join(later))
    j = str(demo / "j")
    a = run("predict", str(tmp_path / "cut.csv"), "-j", j, "-f", "json", "--as-of", cut)
    b = run("predict", str(tmp_path / "full.csv"), "-j", j, "-f", "json", "--as-of", cut)
    assert a.exit_code == 0, a.stderr
    assert b.exit_code == 0, b.stderr
    assert a.stdout == b.stdout
    assert json.loads(a.stdout)["customers"]
