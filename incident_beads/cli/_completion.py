"""Shell completion of issue ids: every `..._id` argument completes from the store."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # loaded when a shell asks for completions, not by every command
    from click.shell_completion import CompletionItem

#: Arguments whose values are issue ids, by the name the command gives them.
ID_ARGUMENTS = ("incident_id", "incident_ids", "issue_id", "issue_ids", "hotfix_id")


def complete_ids(ctx: click.Context, param: click.Parameter,
                 incomplete: str) -> list[CompletionItem]:
    """The store's ids starting with what was typed, open ones first, each with its title."""
    from click.shell_completion import CompletionItem

    from incident_beads.beads.fileio import find_root
    from incident_beads.beads.store import BeadsStore
    from incident_beads.config import load_config

    try:
        # During completion no callback has run: the -C value is still only a parameter.
        root = find_root(Path(ctx.find_root().params.get("repo") or "."))
        store = BeadsStore(root, config=load_config(root).beads)
        if not store.persistent:
            return []
        rows = store.summaries(include_closed=True)
    except Exception:  # completion must never print a traceback into the shell
        return []
    rows.sort(key=lambda r: r["status"] == "closed")
    return [CompletionItem(r["id"], help=r["title"]) for r in rows
            if str(r["id"]).startswith(incomplete)]


def add_id_completion(command: click.Command) -> click.Command:
    """Give every id argument of `command` (and of a plain group's subcommands) completion."""
    for param in command.params:
        if isinstance(param, click.Argument) and param.name in ID_ARGUMENTS \
                and param._custom_shell_complete is None:
            # click keeps `shell_complete=` here; setting it once on load saves every
            # command module a decorator argument.
            param._custom_shell_complete = complete_ids
    if isinstance(command, click.Group) and not hasattr(command, "table"):
        for sub in command.commands.values():
            add_id_completion(sub)
    return command
