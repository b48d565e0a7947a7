"""`journeyctl show CUSTOMER EVENTS...`."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from journeyctl.checks import case_near_miss
from journeyctl.cli import options as o
from journeyctl.cli.common import check_format, handle_errors
from journeyctl.cli.common import out_console as out
from journeyctl.cli.place import run_for_cli
from journeyctl.engine.explain import next_moves, risk_reasons
from journeyctl.errors import UsageError
from journeyctl.events.timestamps import format_instant
from journeyctl.output.show import ShowData, show_csv, show_json, show_tables
from journeyctl.output.tables import to_markdown, to_rich

FORMATS = ("table", "json", "csv", "markdown")


@handle_errors
def show(
    customer: Annotated[str, typer.Argument(help="Customer id")],
    events: o.Events,
    journeys: o.Journeys = None,
    catalog: o.Catalog = None,
    accounts: o.Accounts = None,
    column: o.Columns = None,
    as_of: o.AsOf = None,
    skip_bad_rows: o.SkipBad = False,
    rejects: o.Rejects = None,
    fmt: o.Format = None,
    max_file_size: o.MaxFileSize = None,
    no_color: o.NoColor = False,
    quiet: o.Quiet = False,
    model: Annotated[
        str | None, typer.Option("--model", help="Add the prediction (predict --save-model)")
    ] = None,
) -> None:
    """One customer's timeline: events, moves, milestones, risks and next activities, explained."""
    fmt = check_format(fmt, FORMATS, "show")
    run = run_for_cli(
        events,
        journeys,
        catalog,
        accounts,
        column,
        as_of,
        skip_bad_rows,
        rejects,
        max_file_size,
        quiet,
        no_color,
    )
    result = run.result
    warnings_doc = [w.as_json() for w in run.warnings]
    if customer in result.unmatched:
        attrs = dict(sorted(result.unmatched_attributes.get(customer, {}).items()))
        miss = case_near_miss(result.journeys, customer, attrs)
        if fmt == "json":
            sys.stdout.write(
                json.dumps(
                    {
                        "schema_version": 1,
                        "as_of": format_instant(result.as_of),
                        "customer_id": customer,
                        "journey": None,
                        "stage": None,
                        "status": "unmatched",
                        "attributes": attrs,
                        "near_miss": miss.text() if miss is not None else None,
                        "warnings": warnings_doc,
                    },
                    indent=2,
                    ensure_ascii=False,
                )
                + "\n"
            )
        else:
            sys.stdout.write(
                f"{customer}: matches no journey's segment (unmatched)\n"
                f"attributes: {', '.join(f'{k}={v}' for k, v in attrs.items()) or 'none'}\n"
            )
            if miss is not None:
                sys.stdout.write(f"hint: {miss.text()}\n")
        return
    c = next((x for x in result.customers if x.customer_id == customer), None)
    if c is None:
        raise UsageError(
            f"unknown customer {customer!r}: no event at or before the as-of instant",
            hint="check the id (it is case-sensitive) and --as-of",
        )
    evs = [e for e in run.log.customers[customer] if e.ts <= result.as_of]
    rep = c.replay
    data = ShowData(
        c,
        evs,
        result.as_of,
        next_moves(
            c.journey, c, evs, result.as_of, rep.window_start, rep.window_begin, rep.attempts
        ),
        risk_reasons(c.journey, c, evs, result.as_of, rep.attempts),
    )
    if model:  # the prediction from a saved model (journeyctl predict --save-model)
        from journeyctl.cli.predict import show_with_model

        show_with_model(model, fmt, run, data, no_color)
    elif fmt == "json":
        doc = json.loads(show_json(data))
        doc["warnings"] = warnings_doc
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        sys.stdout.write(show_csv(data))
    elif fmt == "markdown":
        sys.stdout.write(to_markdown(show_tables(data)))
    else:
        con = out(no_color)
        for t in show_tables(data):
            if t.rows:
                con.print(to_rich(t))
            else:
                con.print(f"{t.title}: {t.empty}", markup=False)
