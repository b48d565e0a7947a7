"""The command class every journeyctl command uses: `--help` names each positional argument by its
metavar alone.

This typer labels an argument by its Python type even when it has a metavar (`CUSTOMER <str>`,
`EVENTS <list[str]>`) and writes a required one as `{CUSTOMER}` on the usage line; people read
`CUSTOMER` and `[EVENTS]...`, as in the docs. An argument without a metavar keeps typer's label,
so the test that no `--help` shows a type label finds it."""

from __future__ import annotations

from typing import Any

from typer.core import TyperCommand


class Command(TyperCommand):
    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for p in self.get_params(ctx):
            if p.param_type_name == "argument" and p.metavar:
                name = p.metavar if p.required else f"[{p.metavar}]"
                pieces.append(name + ("..." if p.nargs != 1 else ""))
            else:
                pieces.extend(p.get_usage_pieces(ctx))
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        args: list[tuple[str, str]] = []
        opts: list[tuple[str, str]] = []
        for p in self.get_params(ctx):
            record = p.get_help_record(ctx)
            if record is None:
                continue
            if p.param_type_name == "argument":
                args.append((p.metavar, record[1]) if p.metavar else record)
            elif p.param_type_name == "option":
                opts.append(record)
        for title, rows in (("Arguments", args), ("Options", opts)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)
