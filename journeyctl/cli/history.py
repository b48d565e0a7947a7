"""`journeyctl history`: read the history database. Also the database options `report` shares."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer

from journeyctl.cli import options as o
from journeyctl.cli.common import check_format, err_console, get_config, handle_errors, print_tables
from journeyctl.config import DEFAULT_WAIT, Config, journeys_paths
from journeyctl.errors import UsageError

if TYPE_CHECKING:
    from journeyctl.output.tabledata import TableData

Db = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="FILE",
        help="History database; default: .journeyctl/history.db beside journeyctl.toml",
    ),
]
Wait = Annotated[
    float | None,
    typer.Option(
        "--wait",
        min=0,
        metavar="SECONDS",
        help=f"Seconds to wait for another run's lock on the database (default {DEFAULT_WAIT:g})",
    ),
]


def string_list(config: Config, table: str, key: str) -> list[str]:
    """`[table] key` of journeyctl.toml, a string or a list of strings (the config's check saw to
    that), as a list."""
    value = config.extra.get(table, {}).get(key)
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def shown(path: str) -> str:
    """A path as the user would type it: relative to the current directory when inside it."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def db_path(option: str | None, journeys: list[str] | None, config: Config) -> str:
    """--db, else `db` in journeyctl.toml, else the PRODUCT §5 default."""
    from journeyctl.history import default_db_path

    if option:
        return option
    if config.db:
        return config.db
    return default_db_path(config.path, journeys_paths(journeys, config))


def wait_seconds(option: float | None, config: Config) -> float:
    if option is not None:
        return option
    return DEFAULT_WAIT if config.wait is None else config.wait


def _json(v: HistoryView) -> None:
    from journeyctl.output import history as views

    if v.kind == "customer":
        sys.stdout.write(views.customer_json(v.customer or "", v.rows))
    elif v.kind == "trend":
        sys.stdout.write(views.trend_json(v.rows))
    elif v.kind == "notifications":
        sys.stdout.write(views.notifications_json(v.rows))
    else:
        sys.stdout.write(views.snapshots_json(v.rows))


def _csv(v: HistoryView) -> None:
    from journeyctl.output import history as views

    if v.kind == "customer":
        sys.stdout.write(views.customer_csv(v.rows))
    elif v.kind == "trend":
        sys.stdout.write(views.trend_csv(v.rows))
    elif v.kind == "notifications":
        sys.stdout.write(views.notifications_csv(v.rows))
    else:
        sys.stdout.write(views.snapshots_csv(v.rows))


def _markdown(v: HistoryView) -> None:
    from journeyctl.output.tables import to_markdown

    sys.stdout.write(to_markdown([v.table]))


def _table(v: HistoryView) -> None:
    print_tables([v.table], v.no_color)
    if not v.quiet:
        err_console(v.no_color).print(f"database: {shown(v.path)}", markup=False)


@dataclass(frozen=True, slots=True)
class HistoryView:
    """What the renderers of `history` read: one of the three listings, as rows and a table."""

    kind: str  # snapshots, customer, trend or notifications
    customer: str | None
    rows: Sequence[Any]
    table: TableData
    path: str
    quiet: bool
    no_color: bool


RENDERERS: dict[str, Callable[[HistoryView], None]] = {
    "table": _table,
    "json": _json,
    "csv": _csv,
    "markdown": _markdown,
}
Fmt = Annotated[str | None, o.format_option(RENDERERS)]


@handle_errors
def history(
    db: Db = None,
    journeys: o.Journeys = None,
    customer: Annotated[
        str | None,
        typer.Option("--customer", metavar="ID", help="One customer's placement in every snapshot"),
    ] = None,
    trend: Annotated[
        bool, typer.Option("--trend", help="Customers per stage in every snapshot")
    ] = False,
    check: Annotated[
        bool,
        typer.Option("--check", help="Check the database file for damage (exit 2 if damaged)"),
    ] = False,
    notifications: Annotated[
        bool,
        typer.Option("--notifications", help="The notifications `report` sent or tried to send"),
    ] = False,
    wait: Wait = None,
    fmt: Fmt = None,
    no_color: o.NoColor = False,
    quiet: o.Quiet = False,
) -> None:
    """List the snapshots `journeyctl report` stored, one customer across them, the trend, or the
    notifications it sent."""
    fmt = check_format(fmt, RENDERERS, "history")
    if sum((customer is not None, trend, check, notifications)) > 1:
        raise UsageError("give one of --customer, --trend, --check and --notifications")
    from journeyctl.history import HistoryStore
    from journeyctl.output import history as views

    config = get_config()
    path = db_path(db, journeys, config)
    if check:
        _check(path, wait_seconds(wait, config), quiet)
        return
    rows: Sequence[Any]
    with HistoryStore.open(path, wait=wait_seconds(wait, config), create=False) as store:
        if customer is not None:
            rows = store.customer(customer)
            if not rows:
                raise UsageError(
                    f"unknown customer {customer!r}: no snapshot in {path} lists it",
                    hint="customer ids are case-sensitive; see `journeyctl history --trend`",
                )
            table = views.customer_table(customer, rows)
        elif trend:
            rows = store.trend()
            table = views.trend_table(rows)
        elif notifications:
            from journeyctl.history import notifications as notification_log

            rows = notification_log.every(store)
            table = views.notifications_table(rows)
        else:
            rows = store.snapshots()
            table = views.snapshots_table(rows)
    chosen = (
        ("customer", customer is not None),
        ("trend", trend),
        ("notifications", notifications),
    )
    kind = next((k for k, on in chosen if on), "snapshots")
    RENDERERS[fmt](HistoryView(kind, customer, rows, table, path, quiet, no_color))


def _check(path: str, wait: float, quiet: bool) -> None:
    """SQLite's integrity check and every stored value decoded: `ok`, or exit 2 naming the damage."""
    from journeyctl.history import HistoryStore
    from journeyctl.history.errors import damaged

    with HistoryStore.open(path, wait=wait, create=False) as store:
        problems = store.check(full=True)
        count = len(store.snapshots()) if not problems else 0
    if problems:
        err = damaged(path, f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found")
        err.message = err.message.removesuffix("; nothing was written")
        err.details = problems[:10] + (
            [f"... and {len(problems) - 10} more"] if len(problems) > 10 else []
        )
        raise err
    if not quiet:
        sys.stdout.write(
            f"ok: {path}: {count} snapshot{'s' if count != 1 else ''}, no damage found\n"
        )
