"""What the lifecycle commands share: the API over the repository, `--by`, printing incidents."""

from __future__ import annotations

import click

from incident_beads.cli._common import actor_for, config_for, open_store
from incident_beads.lifecycle.model import Incident
from incident_beads.lifecycle.when import format_moment
from incident_beads.response import IncidentResponse

actor_option = click.option("--by", "actor", default=None, metavar="WHO",
                            help="Who does this (the same as the global --actor).")


def open_response(ctx: click.Context) -> IncidentResponse:
    """The API over the repository's store (on disk), on the command's clock."""
    store = open_store(ctx)
    return IncidentResponse(store.root, config=config_for(ctx), store=store,
                            actor=actor_for(ctx, store.root))


def incident_line(incident: Incident) -> str:
    """`<id>  [SEV-N] [status] <title>`: the id first."""
    return (f"{incident.id}  [{incident.severity.value}] [{incident.status}/{incident.phase}] "
            f"{incident.title}")


def incident_details(incident: Incident) -> str:
    """The headline, then the moments metrics are made of."""
    stamps = incident.state.timestamps
    lines = [incident_line(incident)]
    for name in ("detected", "acknowledged", "mitigated", "resolved"):
        value = getattr(stamps, name)
        if value is not None:
            lines.append(f"  {name}: {format_moment(value)}")
    if incident.state.next_update_at is not None and incident.is_open:
        lines.append(f"  next update: {format_moment(incident.state.next_update_at)}")
    return "\n".join(lines)

