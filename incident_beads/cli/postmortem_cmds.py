"""`incident postmortem ...`: scheduling the post-mortem (more subcommands join the table)."""

from __future__ import annotations

import click

from incident_beads.cli._common import emit, json_option
from incident_beads.cli._lifecycle import actor_option, open_response
from incident_beads.cli._subgroups import TableGroup
from incident_beads.lifecycle.when import format_moment

#: Subcommands of `incident postmortem`: "name" -> "module:attribute" in incident_beads.cli.
POSTMORTEM_COMMANDS: dict[str, str] = {
    "schedule": "postmortem_cmds:schedule",
    "draft": "knowledge_cmds:draft",
}


@click.group(cls=TableGroup, table=POSTMORTEM_COMMANDS)
def postmortem() -> None:
    """Schedule and prepare post-mortems (phase 6)."""


@click.command()
@click.argument("incident_id")
@click.option("--at", "at", required=True, metavar="WHEN",
              help="When it takes place: +1d, +30h or ISO 8601 (within 48 h of resolution).")
@click.option("--owner", required=True, metavar="WHO", help="Who runs it.")
@actor_option
@json_option
@click.pass_context
def schedule(ctx: click.Context, incident_id: str, at: str, owner: str, actor: str | None,
             as_json: bool) -> None:
    """Schedule the post-mortem: a `post-mortem` bead due at the given time."""
    scheduled = open_response(ctx).schedule_postmortem(incident_id, at=at, owner=owner,
                                                       actor=actor)
    emit(as_json, scheduled.model_dump(mode="json"),
         f"{scheduled.postmortem_id}  post-mortem of {scheduled.incident_id} on "
         f"{format_moment(scheduled.due_at)}, owner {scheduled.owner}"
         + ("" if scheduled.created else " (moved)"))
