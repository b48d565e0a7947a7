"""`journeyctl predict EVENTS...`."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated

import typer

from journeyctl.cli import options as o
from journeyctl.cli.common import (
    check_format,
    err_console,
    get_config,
    handle_errors,
    load_valid_journeys,
)
from journeyctl.cli.common import out_console as out
from journeyctl.cli.datawarnings import print_warnings
from journeyctl.cli.place import columns_of
from journeyctl.definitions.model import JourneySet
from journeyctl.engine.placement import CustomerPlacement
from journeyctl.errors import UsageError
from journeyctl.events.ingest import read_accounts
from journeyctl.events.timestamps import format_instant
from journeyctl.output import place as place_render
from journeyctl.output import predict as render
from journeyctl.output.files import csv_text
from journeyctl.output.show import ShowData, show_csv, show_json, show_tables
from journeyctl.output.tables import to_markdown, to_rich
from journeyctl.pipeline import PlaceRun, describe_bad_rows, load_events, parse_as_of, resolve_as_of
from journeyctl.predict.dataset import Progress
from journeyctl.predict.modelio import SavedModel, load_model, save_model
from journeyctl.predict.run import Prediction, predict_placed, run_predict
from journeyctl.predict.target import parse_horizon, parse_target

FORMATS = ("table", "json", "csv", "markdown")


@contextmanager
def _progress(show: bool) -> Iterator[Progress | None]:
    if not show:
        yield None
        return
    from rich.progress import Progress as Bar

    with Bar(console=err_console(), transient=True) as bar:
        task = bar.add_task("replaying customers", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


@handle_errors
def predict(
    events: o.Events,
    journeys: o.Journeys = None,
    catalog: o.Catalog = None,
    accounts: o.Accounts = None,
    column: o.Columns = None,
    as_of: o.AsOf = None,
    skip_bad_rows: o.SkipBad = False,
    rejects: o.Rejects = None,
    fmt: o.Format = None,
    target: Annotated[
        str, typer.Option("--target", help="churned, stage:ID or event:NAME")
    ] = "churned",
    horizon: Annotated[
        str, typer.Option("--horizon", help="Predict the target within this duration")
    ] = "90d",
    cutoffs: Annotated[
        str | None,
        typer.Option(
            "--cutoffs",
            help="Spacing of the past cutoffs (default 30d) or a comma list of instants",
        ),
    ] = None,
    save_model_path: Annotated[
        str | None, typer.Option("--save-model", help="Write the model (JSON) to this file")
    ] = None,
    max_file_size: o.MaxFileSize = None,
    no_color: o.NoColor = False,
    quiet: o.Quiet = False,
) -> None:
    """Learn from the log who will churn, renew or reach any target within a horizon; backtest
    it out of time; score every customer with the reasons."""
    fmt = check_format(fmt, FORMATS, "predict")
    config = get_config()
    mapping = columns_of(column, config)
    if events.count("-") > 1:
        raise UsageError("stdin (-) can be given only once")
    js = load_valid_journeys(journeys, config, catalog, max_file_size, quiet)
    parse_target(target, js)
    parse_horizon(horizon)
    instant_opt = parse_as_of(as_of)
    log = load_events(events, mapping, skip_bad_rows=skip_bad_rows, rejects=rejects)
    if log.bad_rows and not quiet:
        con = err_console(no_color)
        n = len(log.bad_rows)
        con.print(f"warning: skipped {n} bad row{'s' if n != 1 else ''}", markup=False)
        for line in describe_bad_rows(log.bad_rows):
            con.print("  " + line, markup=False)
    acc_path = accounts or config.accounts
    acc = read_accounts(acc_path, mapping) if acc_path else None
    instant = resolve_as_of(instant_opt, log)
    with _progress(not quiet and sys.stderr.isatty()) as progress:
        result = run_predict(
            js,
            log,
            instant,
            target=target,
            horizon=horizon,
            cutoffs=cutoffs,
            accounts=acc,
            progress=progress,
        )
    print_warnings(result.warnings, quiet)
    if save_model_path:
        save_model(save_model_path, result.model_document)
    if fmt == "json":
        for piece in render.iter_json(result):
            sys.stdout.write(piece)
    elif fmt == "csv":
        sys.stdout.write(render.render_csv(result))
    elif fmt == "markdown":
        sys.stdout.write(to_markdown(render.predict_tables(result)))
    else:
        con = out(no_color)
        for t in render.predict_tables(result):
            if t.rows:
                con.print(to_rich(t))
            else:
                con.print(f"{t.title}: {t.empty}", markup=False)
        if not quiet:
            con.print(render.summary_line(result), markup=False)


# -- `place --model FILE` and `show --model FILE` ---------------------------------------------
def _predictions(model_path: str, run: PlaceRun) -> tuple[SavedModel, dict[str, Prediction | None]]:
    js = JourneySet(run.result.journeys, None)
    saved = load_model(model_path, js)
    return saved, predict_placed(saved, run.result, run.log, run.accounts)


def place_with_model(
    model_path: str,
    fmt: str,
    run: PlaceRun,
    shown: Sequence[CustomerPlacement],
    no_color: bool,
    quiet: bool,
) -> None:
    """`place` output with each customer's prediction from a saved model."""
    saved, preds = _predictions(model_path, run)
    result = run.result
    ids = {c.customer_id for c in shown}
    if fmt == "json":
        data = render.add_predictions(place_render.place_json(result, shown), preds)
        data["prediction_target"] = {"target": saved.target.text, "horizon": saved.horizon.text}
        data["unmatched_predictions"] = {
            cid: render.prediction_json(preds.get(cid)) for cid in result.unmatched
        }
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return
    if fmt == "csv":
        sys.stdout.write(
            render.add_prediction_column(place_render.render_csv(result, shown), preds)
        )
        return
    tables = place_render.place_tables(result, shown, run.accounts)
    mine = {cid: p for cid, p in preds.items() if cid in ids}
    tables.append(render.predictions_table(mine, saved.target.text, saved.horizon.text))
    if fmt == "markdown":
        sys.stdout.write(to_markdown(tables))
        return
    con = out(no_color)
    for t in tables:
        con.print(to_rich(t)) if t.rows else con.print(f"{t.title}: {t.empty}", markup=False)
    if not quiet:
        con.print(place_render.summary_line(result), markup=False)


def show_with_model(
    model_path: str, fmt: str, run: PlaceRun, data: ShowData, no_color: bool
) -> None:
    """`show` output with the customer's prediction from a saved model."""
    saved, preds = _predictions(model_path, run)
    p = preds.get(data.customer.customer_id)
    if fmt == "json":
        obj = json.loads(show_json(data))
        obj["prediction"] = render.prediction_json(p)
        obj["prediction_target"] = {"target": saved.target.text, "horizon": saved.horizon.text}
        sys.stdout.write(json.dumps(obj, indent=2, ensure_ascii=False) + "\n")
        return
    if fmt == "csv":
        extra = [
            [
                format_instant(data.as_of),
                "prediction",
                saved.target.text,
                None,
                None,
                None,
                json.dumps(render.prediction_json(p), ensure_ascii=False),
            ]
        ]
        sys.stdout.write(show_csv(data) + csv_text(("x",) * 7, extra).split("\n", 1)[1])
        return
    tables = [
        *show_tables(data),
        render.prediction_detail_table(p, saved.target.text, saved.horizon.text),
    ]
    if fmt == "markdown":
        sys.stdout.write(to_markdown(tables))
        return
    con = out(no_color)
    for t in tables:
        con.print(to_rich(t)) if t.rows else con.print(f"{t.title}: {t.empty}", markup=False)
