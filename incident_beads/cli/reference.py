"""Render the command reference (`docs/cli.md`) from the click commands themselves."""

from __future__ import annotations

import click

from incident_beads.cli import cli

HEADER = """# Command reference

Generated from the commands' own help by `python -m incident_beads.cli.reference > docs/cli.md`
(a test keeps it current). Every command takes `--json`; exit codes: 0 done, 1 refused or failed
(one line on stderr), 2 usage error, 3 escalation (STOP and surface to a person).
Shell completion (ids included): `eval "$(_INCIDENT_COMPLETE=bash_source incident)"`, or
`zsh_source` / `fish_source`; see the README.
"""


def render() -> str:
    """The whole reference as markdown, commands in alphabetical order."""
    parts = [HEADER]
    parts.append(_section(None, cli, "incident"))
    return "\n".join(parts).rstrip() + "\n"


def _section(parent: click.Context | None, command: click.Command, path: str) -> str:
    context = click.Context(command, info_name=path.rsplit(" ", 1)[-1], parent=parent,
                            terminal_width=100, max_content_width=100,
                            **command.context_settings)
    help_text = command.get_help(context)
    level = "#" * min(2 + path.count(" "), 4)
    text = f"{level} `{path}`\n\n```text\n{help_text}\n```\n"
    if isinstance(command, click.Group):
        for name in command.list_commands(context):
            sub = command.get_command(context, name)
            if sub is not None and not sub.hidden:
                text += "\n" + _section(context, sub, f"{path} {name}")
    return text


if __name__ == "__main__":
    click.echo(render(), nl=False)
