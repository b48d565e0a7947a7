"""report.json (PRODUCT §5), also what `report --format json` prints."""

from __future__ import annotations

from typing import Any

from journeyctl.events.timestamps import format_instant
from journeyctl.history.compare import CATEGORIES
from journeyctl.output.jsonout import dumps
from journeyctl.reports.model import SCHEMA_VERSION, Report


def report_json(r: Report) -> dict[str, Any]:
    """The §5 object; `run_at`, `customers`, `at_risk`, per-journey `changes` counts and `by`
    (the --by breakdowns) are additions."""
    return {
        "schema_version": SCHEMA_VERSION,
        "as_of": format_instant(r.as_of),
        "previous_as_of": format_instant(r.previous_as_of)
        if r.previous_as_of is not None
        else None,
        "run_at": format_instant(r.run_at),
        "customers": r.customers,
        "at_risk": r.at_risk,
        "journeys": [
            {
                "id": j.id,
                "version": j.version,
                "not_started": j.not_started,
                "stages": [
                    {
                        "id": s.id,
                        "customers": s.customers,
                        "at_risk": s.at_risk,
                        "overdue_milestones": s.overdue_milestones,
                    }
                    for s in j.stages
                ],
                "changes": {k: j.changes[k] for k in CATEGORIES},
            }
            for j in r.journeys
        ],
        "unmatched": r.unmatched,
        "changes": {k: list(r.changes[k]) for k in CATEGORIES},
        "by": {
            b.attribute: [
                {
                    "value": row.value,
                    "customers": row.customers,
                    "at_risk": row.at_risk,
                    "changes": {k: row.changes[k] for k in CATEGORIES},
                }
                for row in b.rows
            ]
            for b in r.breakdowns
        },
    }


def render_json(r: Report) -> str:
    return dumps(report_json(r))
