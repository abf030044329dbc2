"""Command groups whose subcommands come from a table and load only when used."""

from __future__ import annotations

import importlib
from typing import Any

import click

#: Where the `incident` group keeps the global `--actor` in the click context's `meta`.
ACTOR_KEY = "incident_beads.actor"


class TableGroup(click.Group):
    """A click group whose subcommands are listed as "name" -> "module:attribute".

    Other modules add a subcommand by adding one line to the table, e.g.
    `POSTMORTEM_COMMANDS["draft"] = "knowledge_cmds:draft"`.
    """

    def __init__(self, *args: Any, table: dict[str, str],
                 summaries: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.table = table
        # name -> one-line summary, so that `--help` lists the commands without importing them.
        self.summaries = summaries or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every subcommand name, from the table and any added directly."""
        return sorted(set(self.table) | set(self.commands))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the subcommands, importing only those with no summary on record."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max((len(name) for name in names), default=0)
        rows = []
        for name in names:
            if name in self.summaries and name not in self.commands:
                # A stand-in shortens the summary exactly as click shortens the real help.
                rows.append((name, click.Command(name, help=self.summaries[name])
                             .get_short_help_str(limit)))
                continue
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Import the subcommand's module only now, when it is used."""
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        target = self.table.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        module = importlib.import_module(f"incident_beads.cli.{module_name}")
        command: click.Command = getattr(module, attr)
        from incident_beads.cli._completion import add_id_completion

        return add_id_completion(command)
