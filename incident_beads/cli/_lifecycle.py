"""What the lifecycle commands share: the API over the repository, `--by`, printing incidents."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime

import click

from incident_beads.cli._common import actor_for, print_warnings, repo_root
from incident_beads.config import load_config
from incident_beads.errors import InvalidInput, NoStore
from incident_beads.incident.model import Incident
from incident_beads.incident.response import IncidentResponse
from incident_beads.incident.when import as_utc, format_moment

#: Replay time from the command line: every command runs as if it were this ISO moment.
NOW_VARIABLE = "INCIDENT_BEADS_NOW"

actor_option = click.option("--by", "actor", default=None, metavar="WHO",
                            help="Who does this (the same as the global --actor).")


def open_response(ctx: click.Context) -> IncidentResponse:
    """The API over the repository's store; the CLI needs a store on disk."""
    root = repo_root(ctx)
    response = IncidentResponse(root, config=load_config(root), clock=_clock(),
                                actor=actor_for(ctx, root))
    if not response.store.persistent:
        raise NoStore(f"no beads store in {root}",
                      hint="run `incident init` (or `bd init`) first")
    ctx.call_on_close(lambda: print_warnings(response.store.warnings))
    return response


def _clock() -> Callable[[], datetime] | None:
    fixed = os.environ.get(NOW_VARIABLE, "").strip()
    if not fixed:
        return None
    try:
        moment = as_utc(datetime.fromisoformat(fixed.replace("Z", "+00:00")))
    except ValueError:
        raise InvalidInput(f"{NOW_VARIABLE}={fixed!r} is not an ISO time",
                           hint=f"unset {NOW_VARIABLE} or give e.g. 2026-01-15T10:00:00Z") from None
    return lambda: moment


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


def replay_clock() -> Callable[[], datetime] | None:
    """The fixed moment of `INCIDENT_BEADS_NOW` (replays, tests), or None for real time."""
    return _clock()
