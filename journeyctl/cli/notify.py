"""The notification options of `report` (PRODUCT §10) and what they print; the work is in
journeyctl.notify."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from journeyctl.config import Config
from journeyctl.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from journeyctl.engine.placement import PlaceResult
    from journeyctl.notify import Rule

NoNotify = Annotated[
    bool, typer.Option("--no-notify", help="Send and record no notification this run")
]
NotifyDryRun = Annotated[
    bool,
    typer.Option(
        "--notify-dry-run",
        help="Print the notifications to stdout instead of sending them; nothing is recorded",
    ),
]
NotifyOnly = Annotated[
    str | None,
    typer.Option(
        "--notify", metavar="NAME", help="Run only this [[notify]] rule of journeyctl.toml"
    ),
]


def notify_rules(
    config: Config, only: str | None, no_notify: bool, dry_run: bool
) -> tuple[tuple[Rule, ...], tuple[str, ...]]:
    """The rules to run and the names of every configured rule, checked before anything is placed
    (an unset `${NAME}` or a bad key is exit 2 now, not after minutes of placing)."""
    from journeyctl.notify.config import parse_rules, rule_name, select_rules

    if no_notify:
        if dry_run or only is not None:
            raise UsageError("--no-notify cannot be combined with --notify or --notify-dry-run")
        return (), ()
    raw = config.extra.get("notify")
    text = None
    if raw is not None and config.path is not None:
        with (
            contextlib.suppress(OSError, UnicodeDecodeError),
            open(config.path, encoding="utf-8") as fh,
        ):
            text = fh.read()  # only for line numbers in messages
    rules = parse_rules(raw, config.path or "journeyctl.toml", os.environ, text, only)
    names = tuple(rule_name(r) for r in raw) if isinstance(raw, list) else ()
    return select_rules(rules, only, names), names


def report_page(files: Sequence[str]) -> str | None:
    """The report's page, named in messages that list only the first customers."""
    for f in files:
        if f.endswith(".html"):
            return os.path.abspath(f)
    return None


def send_notifications(
    rules: Sequence[Rule],
    known: Sequence[str],
    result: PlaceResult,
    changes: dict[str, tuple[str, ...]],
    *,
    db: str,
    files: Sequence[str],
    wait: float,
    dry_run: bool,
    quiet: bool,
    notes: Console,
) -> str | None:
    """Run the notifications after the report is stored; the §10 failure line, or None."""
    from journeyctl.notify import notify_report, readable

    if not rules:
        if dry_run and not quiet:
            notes.print("notify dry run: no [[notify]] rule in journeyctl.toml", markup=False)
        return None
    run = notify_report(
        result,
        changes,
        rules,
        db=db,
        report_path=report_page(files),
        dry_run=dry_run,
        known_rules=known,
        wait=wait,
    )
    for rule, ids in run.unroutable.items():
        notes.print(
            f"warning: notify rule {rule!r}: {len(ids)} customer(s) have no usable recipient "
            f"(first: {', '.join(ids[:5])}); set default_to or to",
            markup=False,
        )
    if run.delivery is None:
        by_name = {r.name: r for r in rules}
        for m in run.messages:
            sys.stdout.write(readable(m, by_name[m.rule].destination) + "\n")
        if not quiet:
            notes.print(f"notify dry run: {len(run.messages)} message(s), none sent", markup=False)
        return None
    d = run.delivery
    if not quiet:
        counts = [
            f"{d.count(s)} {label}"
            for s, label in (
                ("sent", "sent"),
                ("already", "recorded before"),
                ("failed", "failed"),
                ("given_up", "given up"),
            )
            if d.count(s)
        ]
        notes.print("notifications: " + (", ".join(counts) or "nothing to send"), markup=False)
    return d.summary()
