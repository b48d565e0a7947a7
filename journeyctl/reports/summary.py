"""The short summary `journeyctl report` prints on stdout (table or Markdown)."""

from __future__ import annotations

from journeyctl.history.compare import CATEGORIES
from journeyctl.output.tabledata import TableData
from journeyctl.reports.model import Report
from journeyctl.reports.text import TITLES, id_list, instant

SUMMARY_IDS = 5


def summary_line(r: Report) -> str:
    since = (
        f"since {instant(r.previous_as_of)}" if r.previous_as_of is not None else "first snapshot"
    )
    return (
        f"as of {instant(r.as_of)} ({since}): {r.customers} customers, {r.at_risk} at risk, "
        f"{r.unmatched} unmatched"
    )


def changes_table(r: Report) -> TableData:
    rows = []
    for cat in CATEGORIES:
        ids, more = id_list(r.changes[cat], SUMMARY_IDS)
        who = ", ".join(ids) + (f" (+{more})" if more else "")
        rows.append((TITLES[cat], str(len(r.changes[cat])), who))
    return TableData("Changes " + summary_line(r), ("change", "customers", "examples"), tuple(rows))


def breakdown_tables(r: Report) -> list[TableData]:
    """One table per `--by` attribute: customers, at risk and each change, per value."""
    return [
        TableData(
            f"By {b.attribute}",
            (b.attribute, "customers", "at risk", *(TITLES[c].lower() for c in CATEGORIES)),
            tuple(
                (
                    row.value if row.value is not None else "(none)",
                    str(row.customers),
                    str(row.at_risk),
                    *(str(row.changes[c]) for c in CATEGORIES),
                )
                for row in b.rows
            ),
        )
        for b in r.breakdowns
    ]
