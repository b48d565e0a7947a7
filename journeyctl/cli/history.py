"""`journeyctl history`: read the history database. Also the database options `report` shares."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer

from journeyctl.cli import options as o
from journeyctl.cli.common import check_format, err_console, get_config, handle_errors, out_console
from journeyctl.config import Config, journeys_paths
from journeyctl.errors import UsageError
from journeyctl.history import HistoryStore, default_db_path, views
from journeyctl.history import notifications as notification_log
from journeyctl.history.store import DEFAULT_WAIT
from journeyctl.output.tables import to_markdown, to_rich

Db = Annotated[
    str | None,
    typer.Option(
        "--db", help="History database; default: .journeyctl/history.db beside journeyctl.toml"
    ),
]
Wait = Annotated[
    float | None,
    typer.Option(
        "--wait",
        min=0,
        help=f"Seconds to wait for another run's lock on the database (default {DEFAULT_WAIT:g})",
    ),
]


def setting(config: Config, table: str | None, key: str) -> Any:
    """A raw value of journeyctl.toml: top level, or in `[table]`."""
    data: Any = config.extra
    if table is not None:
        data = data.get(table) or {}
        if not isinstance(data, dict):
            raise UsageError(f"{config.path}: `{table}` must be a table")
    return data.get(key)


def string_list(config: Config, table: str | None, key: str) -> list[str]:
    value = setting(config, table, key)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    where = f"[{table}] {key}" if table else key
    raise UsageError(f"{config.path}: `{where}` must be a string or a list of strings")


def shown(path: str) -> str:
    """A path as the user would type it: relative to the current directory when inside it."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def db_path(option: str | None, journeys: list[str] | None, config: Config) -> str:
    """--db, else `db` in journeyctl.toml, else the PRODUCT §5 default."""
    if option:
        return option
    if config.db:
        return config.db
    return default_db_path(config.path, journeys_paths(journeys, config))


def wait_seconds(option: float | None, config: Config) -> float:
    if option is not None:
        return option
    value = setting(config, None, "wait")
    if value is None:
        return DEFAULT_WAIT
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise UsageError(f"{config.path}: `wait` must be a number of seconds")
    return float(value)


FORMATS = ("table", "json", "csv", "markdown")


@handle_errors
def history(
    db: Db = None,
    journeys: o.Journeys = None,
    customer: Annotated[
        str | None, typer.Option("--customer", help="One customer's placement in every snapshot")
    ] = None,
    trend: Annotated[
        bool, typer.Option("--trend", help="Customers per stage in every snapshot")
    ] = False,
    notifications: Annotated[
        bool,
        typer.Option("--notifications", help="The notifications `report` sent or tried to send"),
    ] = False,
    wait: Wait = None,
    fmt: o.Format = None,
    no_color: o.NoColor = False,
    quiet: o.Quiet = False,
) -> None:
    """List the snapshots `journeyctl report` stored, one customer across them, or the trend."""
    fmt = check_format(fmt, FORMATS, "history")
    if sum((customer is not None, trend, notifications)) > 1:
        raise UsageError("give one of --customer, --trend and --notifications")
    config = get_config()
    path = db_path(db, journeys, config)
    with HistoryStore.open(path, wait=wait_seconds(wait, config), create=False) as store:
        if customer is not None:
            rows = store.customer(customer)
            if not rows:
                raise UsageError(
                    f"unknown customer {customer!r}: no snapshot in {path} lists it",
                    hint="customer ids are case-sensitive; see `journeyctl history --trend`",
                )
            text = {
                "json": lambda: views.customer_json(customer, rows),
                "csv": lambda: views.customer_csv(rows),
            }
            table = views.customer_table(customer, rows)
        elif notifications:
            nrows = notification_log.every(store)
            text = {
                "json": lambda: views.notifications_json(nrows),
                "csv": lambda: views.notifications_csv(nrows),
            }
            table = views.notifications_table(nrows)
        elif trend:
            trows = store.trend()
            text = {"json": lambda: views.trend_json(trows), "csv": lambda: views.trend_csv(trows)}
            table = views.trend_table(trows)
        else:
            snaps = store.snapshots()
            text = {
                "json": lambda: views.snapshots_json(snaps),
                "csv": lambda: views.snapshots_csv(snaps),
            }
            table = views.snapshots_table(snaps)
    if fmt in text:
        sys.stdout.write(text[fmt]())
    elif fmt == "markdown":
        sys.stdout.write(to_markdown([table]))
    else:
        con = out_console(no_color)
        if table.rows:
            con.print(to_rich(table))
        else:
            con.print(f"{table.title}: {table.empty}", markup=False)
        if not quiet:
            err_console(no_color).print(f"database: {shown(path)}", markup=False)
