"""Typer option declarations shared by the commands that read events."""

from __future__ import annotations

from typing import Annotated

import typer

from journeyctl.cli.common import JOURNEYS_HELP

Events = Annotated[
    list[str], typer.Argument(help="Event CSV files (.csv, .csv.gz, or - for stdin)")
]
Journeys = Annotated[list[str] | None, typer.Option("--journeys", "-j", help=JOURNEYS_HELP)]
Catalog = Annotated[str | None, typer.Option("--catalog", help="Event catalog kept elsewhere")]
Accounts = Annotated[
    str | None, typer.Option("--accounts", help="Accounts CSV: one row per customer")
]
Columns = Annotated[
    list[str] | None, typer.Option("--column", help="Map a column: customer_id=AccountId")
]
AsOf = Annotated[
    str | None, typer.Option("--as-of", help="`now` or an ISO instant; default: latest event")
]
SkipBad = Annotated[
    bool, typer.Option("--skip-bad-rows", help="Skip bad rows (counted) instead of stopping")
]
Rejects = Annotated[
    str | None, typer.Option("--rejects", help="Write every rejected row to this CSV")
]
Format = Annotated[str | None, typer.Option("--format", "-f", help="table, json, csv or markdown")]
FailOnOpt = Annotated[
    list[str] | None, typer.Option("--fail-on", help="Exit 1 when met, e.g. at_risk:high")
]
NoColor = Annotated[bool, typer.Option("--no-color", help="No colour")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Only results; no progress or notes")]
MaxFileSize = Annotated[
    int | None, typer.Option("--max-file-size", help="Journey file limit, bytes")
]
