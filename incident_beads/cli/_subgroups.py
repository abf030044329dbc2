"""Command groups whose subcommands come from a table and load only when used."""

from __future__ import annotations

import importlib
from typing import Any

import click


class TableGroup(click.Group):
    """A click group whose subcommands are listed as "name" -> "module:attribute".

    Other modules add a subcommand by adding one line to the table, e.g.
    `POSTMORTEM_COMMANDS["draft"] = "knowledge_cmds:draft"`.
    """

    def __init__(self, *args: Any, table: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.table = table

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every subcommand name, from the table and any added directly."""
        return sorted(set(self.table) | set(self.commands))

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
