"""Hand-made labels for each target form and the cutoff boundaries: the target happens in
(t, t + horizon]; exactly at t it does not count (and a customer already there is left out);
exactly at t + horizon it does."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeyctl.definitions.load import load_journeys, require_valid
from journeyctl.engine.placement import place
from journeyctl.events.ingest import read_events
from journeyctl.events.timestamps import parse_instant
from journeyctl.predict.columns import EventColumns
from journeyctl.predict.dataset import build_examples
from journeyctl.predict.features import FeatureBuilder
from journeyctl.predict.run import states_now
from journeyctl.predict.spec import build_spec
from journeyctl.predict.target import parse_horizon, parse_target, plan_cutoffs
from tests.predict.synth import JOURNEY

T = "2025-03-01T00:00:00Z"  # the one cutoff; horizon 30d ends 2025-03-31T00:00:00Z
EVENTS = """\
customer_id,timestamp,event,plan,region,feature,priority
at_end,2025-01-01T00:00:00Z,signed,pro,NA,,
at_end,2025-03-31T00:00:00Z,cancelled,,,,
at_t,2025-01-01T00:00:00Z,signed,pro,NA,,
at_t,2025-03-01T00:00:00Z,cancelled,,,,
after,2025-01-01T00:00:00Z,signed,pro,NA,,
after,2025-03-31T00:00:01Z,cancelled,,,,
inside,2025-01-01T00:00:00Z,signed,pro,NA,,
inside,2025-03-01T00:00:01Z,cancelled,,,,
renews,2025-01-01T00:00:00Z,signed,basic,EU,,
renews,2025-03-01T00:00:00Z,renewal_opened,,,,
renews,2025-03-31T00:00:00Z,renewal_opened,,,,
early,2025-01-01T00:00:00Z,signed,basic,EU,,
early,2025-03-01T00:00:00Z,renewal_opened,,,,
late,2025-03-02T00:00:00Z,signed,basic,EU,,
late,2025-03-10T00:00:00Z,cancelled,,,,
nojourney,2025-01-01T00:00:00Z,signed,free,EU,,
nojourney,2025-03-10T00:00:00Z,cancelled,,,,
nojourney,2025-03-10T00:00:00Z,renewal_opened,,,,
filler,2025-01-01T00:00:00Z,signed,pro,NA,,
opens_end,2025-01-01T00:00:00Z,signed,pro,NA,,
opens_end,2025-03-31T00:00:00Z,renewal_opened,,,,
opens_after,2025-01-01T00:00:00Z,signed,pro,NA,,
opens_after,2025-03-31T00:00:01Z,renewal_opened,,,,
filler,2025-05-01T00:00:00Z,login,,,,
"""


def _labels(tmp_path: Path, target: str, horizon: str = "30d") -> dict[str, int]:
    (tmp_path / "demo.yaml").write_text(JOURNEY)
    (tmp_path / "events.csv").write_text(EVENTS)
    js = require_valid(load_journeys([str(tmp_path / "demo.yaml")]))
    log = read_events([str(tmp_path / "events.csv")])
    as_of = log.max_ts or 0
    tgt = parse_target(target, js)
    cols = EventColumns(log, as_of)
    plan = plan_cutoffs(T, parse_horizon(horizon), as_of, int(cols.first_ts().min()))
    assert plan.labelled == (parse_instant(T),)
    builder = FeatureBuilder(build_spec(js, cols, None), cols, None)
    now = states_now(place(js, log, as_of), tgt)
    ex = build_examples(js, cols, builder, plan, tgt, None, now)
    return {cols.ids[i]: int(y) for i, y in zip(ex.row_customer, ex.y, strict=True)}


def test_churned_boundaries(tmp_path: Path) -> None:
    got = _labels(tmp_path, "churned")
    assert got["at_end"] == 1  # exactly t + horizon: inside
    assert got["inside"] == 1
    assert got["after"] == 0  # one second past the horizon
    assert "at_t" not in got  # churned exactly at t: already at the target, not an example
    assert "late" not in got  # no event at or before t
    assert got["nojourney"] == 0  # unmatched: never reaches a stage
    assert got["renews"] == 0 and got["filler"] == 0


def test_stage_target(tmp_path: Path) -> None:
    got = _labels(tmp_path, "stage:renewal")
    assert got["opens_end"] == 1  # enters renewal exactly at t + horizon
    assert got["opens_after"] == 0
    # `renews` and `early` entered renewal exactly at t, so they are in it at t: left out
    assert "renews" not in got and "early" not in got
    assert got["at_end"] == 0 and got["nojourney"] == 0


def test_event_target(tmp_path: Path) -> None:
    got = _labels(tmp_path, "event:renewal_opened")
    assert got["renews"] == 1  # at exactly t + horizon; the one at t does not count
    assert got["early"] == 0  # only at exactly t
    assert got["at_t"] == 0  # event targets keep every customer with an event
    assert got["nojourney"] == 1  # events count whatever the journey
    assert got["opens_end"] == 1 and got["opens_after"] == 0


def test_event_target_horizon_window(tmp_path: Path) -> None:
    got = _labels(tmp_path, "event:cancelled", "29d")
    assert got["inside"] == 1 and got["at_end"] == 0


def test_bad_target_and_horizon(tmp_path: Path) -> None:
    js = require_valid(load_journeys([str(_write(tmp_path))]))
    from journeyctl.errors import UsageError

    for bad in ("stage:nope", "churn", "event:", "x:y"):
        with pytest.raises(UsageError):
            parse_target(bad, js)
    for bad in ("90", "0d", "3m"):
        with pytest.raises(UsageError):
            parse_horizon(bad)


def _write(tmp_path: Path) -> Path:
    p = tmp_path / "demo.yaml"
    p.write_text(JOURNEY)
    return p


def test_default_cutoffs_step_back_from_as_of_minus_horizon() -> None:
    day = 86_400_000_000
    h = parse_horizon("90d")
    plan = plan_cutoffs(None, h, 1000 * day, 700 * day)
    assert plan.labelled == tuple(d * day for d in range(700, 911, 30))  # down to the first event
    plan = plan_cutoffs("100d", h, 1000 * day, 700 * day)
    assert plan.labelled == (710 * day, 810 * day, 910 * day)
    # explicit instants past as-of minus the horizon are not labelled
    plan = plan_cutoffs("1970-12-01,1972-09-01", h, 1000 * day, 0)
    assert plan.labelled == (parse_instant("1970-12-01"),)


def test_churned_needs_a_churned_stage(tmp_path: Path) -> None:
    from journeyctl.errors import UsageError

    p = tmp_path / "demo.yaml"
    p.write_text(JOURNEY.replace("outcome: churned", "outcome: completed"))
    js = require_valid(load_journeys([str(p)]))
    with pytest.raises(UsageError, match="outcome: churned"):
        parse_target("churned", js)
