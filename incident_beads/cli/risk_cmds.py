"""`incident risk ack`: a person's explicit acceptance of a named risk."""

from __future__ import annotations

import click

from incident_beads.cli._common import emit, json_option, signature_args, signing_options
from incident_beads.cli._lifecycle import open_response
from incident_beads.cli._subgroups import TableGroup
from incident_beads.lifecycle.when import format_moment, parse_moment

#: Subcommands of `incident risk`; add a line to add one.
RISK_COMMANDS: dict[str, str] = {"ack": "risk_cmds:ack"}


@click.group(cls=TableGroup, table=RISK_COMMANDS)
def risk() -> None:
    """Record explicit risk acknowledgments."""


@click.command()
@click.argument("incident_id")
@click.option("--risk", "risk_name", required=True, metavar="RISK",
              help="The risk accepted (e.g. postmortem-beyond-window, eta-beyond-window, "
                   "hotfix-without-rollback).")
@click.option("--by", "by", required=True, metavar="WHO",
              help="The person who decides or accepts it (never an automated actor).")
@click.option("--note", default="",
              help="Why it is accepted (required when deciding on an escalation).")
@signing_options(when="decided", signer="person")
@json_option
@click.pass_context
def ack(ctx: click.Context, incident_id: str, risk_name: str, by: str, note: str,
        at: str | None, sign: bool, signature_file: str | None, print_payload: bool,
        as_json: bool) -> None:
    """Record that a person accepts a risk, or decides on an escalation that holds the incident.

    Deciding on an escalation needs --note; with signed approvals, the person's signature.
    """
    response = open_response(ctx)
    if print_payload:
        moment = parse_moment(at, response.now()) if at else response.now()
        text = response.decision_payload(incident_id, risk_name, by=by, note=note, at=moment)
        emit(as_json, {"payload": text, "at": moment.isoformat()}, text.rstrip("\n"))
        return
    acknowledgment = response.acknowledge_risk(
        incident_id, risk_name, by=by, note=note, at=at,
        **signature_args(response.root, signature_file, sign))
    emit(as_json, {"incident_id": incident_id, **acknowledgment.model_dump(mode="json")},
         f"{incident_id}  risk {acknowledgment.risk!r} accepted by {acknowledgment.by} at "
         f"{format_moment(acknowledgment.at)}")
