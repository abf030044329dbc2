"""The lifecycle commands of phase 5: resolve, close, reopen, handoff, check."""

from __future__ import annotations

import click

from incident_beads.cli._common import emit, json_option
from incident_beads.cli._errors import Reported
from incident_beads.cli._lifecycle import (
    actor_option,
    open_response,
)
from incident_beads.lifecycle.when import format_moment


@click.command()
@click.argument("incident_id")
@click.option("--resolution", required=True, help="What fixed it.")
@click.option("--root-cause", required=True, help="Brief root cause (post-mortem to follow).")
@click.option("--no-longer-occurring", is_flag=True, help="Confirm: no longer occurring.")
@click.option("--error-rates-normal", is_flag=True, help="Confirm: error rates back to normal.")
@click.option("--users-can-use-feature", is_flag=True,
              help="Confirm: affected users can use the feature.")
@click.option("--monitoring", "--evidence", "monitoring_evidence", default="", metavar="EVIDENCE",
              help="Confirm: monitoring shows stability, and how (dashboard, numbers); "
                   "not needed where `incident evidence` recorded passing checks.")
@click.option("--stakeholders-notified", is_flag=True,
              help="Confirm: stakeholders notified (not needed when [notify] channels "
                   "deliver the resolution message).")
@click.option("--impact", default="",
              help="Impact summary (default: as assessed, who/how many/what).")
@actor_option
@json_option
@click.pass_context
def resolve(ctx: click.Context, incident_id: str, resolution: str, root_cause: str,
            no_longer_occurring: bool, error_rates_normal: bool, users_can_use_feature: bool,
            monitoring_evidence: str, stakeholders_notified: bool, impact: str,
            actor: str | None, as_json: bool) -> None:
    """Resolve after the confirmation checklist; closes the incident bead (phase 5)."""
    incident = open_response(ctx).resolve(
        incident_id, resolution=resolution, root_cause=root_cause,
        no_longer_occurring=no_longer_occurring, error_rates_normal=error_rates_normal,
        users_can_use_feature=users_can_use_feature, monitoring_evidence=monitoring_evidence,
        stakeholders_notified=stakeholders_notified, impact=impact, actor=actor)
    message = incident.state.resolution.message if incident.state.resolution else ""
    emit(as_json, incident.model_dump(mode="json"), lambda: f"{incident.id}\n{message}")


@click.command("close")
@click.argument("issue_ids", metavar="ID...", nargs=-1, required=True)
@click.option("-r", "--reason", default="", help="Why it is closed (bd's default: Closed).")
@click.option("--resolution", default="",
              help="Incident: what fixed it (default: the reason).")
@click.option("--root-cause", default="", help="Incident: brief root cause.")
@click.option("--no-longer-occurring", is_flag=True, help="Incident: confirm no longer occurring.")
@click.option("--error-rates-normal", is_flag=True, help="Incident: confirm error rates normal.")
@click.option("--users-can-use-feature", is_flag=True,
              help="Incident: confirm affected users can use the feature.")
@click.option("--monitoring", "--evidence", "monitoring_evidence", default="",
              metavar="EVIDENCE", help="Incident: monitoring evidence of stability.")
@click.option("--stakeholders-notified", is_flag=True,
              help="Incident: confirm stakeholders notified.")
@actor_option
@json_option
@click.pass_context
def close(ctx: click.Context, issue_ids: tuple[str, ...], reason: str, resolution: str,
          root_cause: str, no_longer_occurring: bool, error_rates_normal: bool,
          users_can_use_feature: bool, monitoring_evidence: str, stakeholders_notified: bool,
          actor: str | None, as_json: bool) -> None:
    """Close issues as bd does; an incident goes through `resolve`'s checklist, never around it."""
    from incident_beads.lifecycle.close import Checklist, close_issue

    response = open_response(ctx)
    for issue_id in issue_ids:  # every id known before anything is closed
        response.store.get(issue_id)
    checklist = Checklist(resolution=resolution, root_cause=root_cause,
                          no_longer_occurring=no_longer_occurring,
                          error_rates_normal=error_rates_normal,
                          users_can_use_feature=users_can_use_feature,
                          monitoring_evidence=monitoring_evidence,
                          stakeholders_notified=stakeholders_notified)
    closed = [close_issue(response, issue_id, reason=reason, checklist=checklist,
                          actor=actor) for issue_id in issue_ids]
    payload = [response.store.get(c.issue_id).data for c in closed]

    def text() -> str:
        lines = []
        for done in closed:
            lines.append(f"{done.issue_id}  closed: {done.reason}")
            if done.incident is not None and done.incident.state.resolution is not None:
                lines.append(done.incident.state.resolution.message)
        return "\n".join(lines)

    emit(as_json, payload, text)


@click.command()
@click.argument("incident_id")
@click.option("--reason", required=True, help="What shows it recurred.")
@actor_option
@json_option
@click.pass_context
def reopen(ctx: click.Context, incident_id: str, reason: str, actor: str | None,
           as_json: bool) -> None:
    """Reopen a resolved incident; a recurrence always escalates (exit 3)."""
    open_response(ctx).reopen(incident_id, reason=reason, actor=actor)


@click.command()
@click.argument("incident_id")
@click.option("--note", default="", help="Notes for the investigation.")
@click.option("--assignee", default="", help="Who investigates.")
@actor_option
@json_option
@click.pass_context
def handoff(ctx: click.Context, incident_id: str, note: str, assignee: str, actor: str | None,
            as_json: bool) -> None:
    """Hand the root-cause investigation on as a `root-cause` bead."""
    handed = open_response(ctx).handoff(incident_id, notes=note, assignee=assignee, actor=actor)
    emit(as_json, handed.model_dump(mode="json"),
         f"{handed.root_cause_id}  root cause of {handed.incident_id}"
         + ("" if handed.created else " (already handed off)"))


@click.command()
@click.argument("incident_id")
@json_option
@click.pass_context
def check(ctx: click.Context, incident_id: str, as_json: bool) -> None:
    """Show the seed's five completion criteria; exit 0 only when all are met."""
    report = open_response(ctx).check(incident_id)
    emit(as_json, report.model_dump(mode="json"), lambda: "\n".join(
        [f"{report.incident_id}  {'COMPLETE' if report.complete else 'NOT COMPLETE'}"]
        + [f"  [{'met' if c.met else 'missing'}] {c.name}: {c.detail}"
           for c in report.criteria]
        + [f"  [HELD] escalation {e.condition} since {format_moment(e.since)}; a person "
           f"decides: {e.decision_command}" for e in report.open_escalations]))
    if not report.complete:
        raise Reported

