"""`incident mcp`: serve the workflow to MCP clients (AI coding tools) over stdio."""

from __future__ import annotations

from pathlib import Path

import click

from incident_beads.beads.fileio import find_root
from incident_beads.cli._common import actor_for
from incident_beads.clock import command_clock
from incident_beads.errors import InvalidInput


@click.command()
@click.option("--repo", "repo", default=None, metavar="PATH",
              help="The repository to serve (default: -C, else the current folder).")
@click.option("--actor", default=None, metavar="WHO",
              help="Who the server acts as in every record (default: as for every command).")
@click.pass_context
def mcp(ctx: click.Context, repo: str | None, actor: str | None) -> None:
    """Run an MCP server over stdio: the workflow's tools, with escalations as STOP results.

    Needs the optional extra: pip install 'incident_beads[mcp]'.
    """
    start = Path(repo if repo is not None else ctx.find_root().obj or ".")
    if not start.is_dir():
        raise click.BadParameter(f"{start} is not a folder", param_hint="--repo")
    try:
        from incident_beads.mcp_server.server import serve
    except ModuleNotFoundError as exc:
        if exc.name is None or not exc.name.startswith("mcp"):
            raise
        raise InvalidInput("the MCP server needs the MCP SDK, which is not installed",
                           hint="pip install 'incident_beads[mcp]'") from None
    root = find_root(start)
    serve(root, clock=command_clock(), actor=actor or actor_for(ctx, root))
