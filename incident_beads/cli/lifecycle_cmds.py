"""The lifecycle commands: create, assess, update, overdue, mitigate, reclassify, resolve, ..."""

from __future__ import annotations

import click

from incident_beads.cli._common import emit, json_option
from incident_beads.cli._errors import Reported
from incident_beads.cli._lifecycle import (
    actor_option,
    incident_details,
    incident_line,
    open_response,
)
from incident_beads.errors import Escalation
from incident_beads.lifecycle.communicate import parse_update_status
from incident_beads.lifecycle.mitigation import LADDER
from incident_beads.lifecycle.model import ConfigChange, Incident, MitigationResult, UpdateStatus
from incident_beads.lifecycle.when import format_moment

# Resolved is listed so that typing it gets the way to resolve rather than "invalid choice".
_STATUSES = [s.value for s in UpdateStatus]


@click.command()
@click.argument("title")
@click.option("--sev", "severity", required=True, metavar="N",
              help="Severity: SEV-1..SEV-4 (also sev1 or 1).")
@click.option("--who", "--who-affected", "who_affected", default="",
              help="Who is affected (all / segment / ...).")
@click.option("--what", "--what-broken", "what_broken", default="", help="What is broken.")
@click.option("--users", "users_affected", default="", help="How many users (estimate).")
@click.option("--workaround", default="", help="The workaround, if there is one.")
@click.option("--data-at-risk", is_flag=True, help="Data is at risk (escalates).")
@click.option("--security", is_flag=True, help="A security incident (escalates).")
@click.option("--error", "errors", multiple=True, help="An exact error message (repeatable).")
@click.option("--alert", "alerts", multiple=True, help="A monitoring alert that fired.")
@click.option("--change", "changes", multiple=True, help="A recent change (deploy, config...).")
@click.option("--reported-by", default="", help="Who or what reported it.")
@click.option("--detected-at", default=None, metavar="WHEN",
              help="When it was detected: now (default), -10m, or ISO 8601.")
@click.option("--service", "services", multiple=True, help="An affected service (repeatable).")
@click.option("--description", default="", help="More notes for the bead's description.")
@click.option("--no-context", is_flag=True,
              help="Skip step 0 (similar incidents, patterns, deployments); recorded as skipped.")
@actor_option
@json_option
@click.pass_context
def create(ctx: click.Context, title: str, severity: str, who_affected: str, what_broken: str,
           users_affected: str, workaround: str, data_at_risk: bool, security: bool,
           errors: tuple[str, ...], alerts: tuple[str, ...], changes: tuple[str, ...],
           reported_by: str, detected_at: str | None, services: tuple[str, ...],
           description: str, no_context: bool, actor: str | None, as_json: bool) -> None:
    """Declare an incident with its impact assessment (phase 1), after step 0: similar past
    incidents, critical patterns and recent deployments are recorded on it."""
    response = open_response(ctx)
    try:
        incident = response.declare(
            title, severity=severity, who_affected=who_affected, what_broken=what_broken,
            users_affected=users_affected, workaround=workaround, data_at_risk=data_at_risk,
            security=security, error_messages=errors, alerts=alerts, recent_changes=changes,
            reported_by=reported_by, detected_at=detected_at, services=services,
            description=description, actor=actor, load_context=not no_context)
    except Escalation as exc:
        if exc.incident_id:
            _warn_duplicates(response.get(exc.incident_id))
        if not as_json and exc.incident_id:
            click.echo(incident_line(response.get(exc.incident_id)))
        raise
    _warn_duplicates(incident)
    for event in incident.state.timeline:
        if event.kind == "recurrence-elsewhere":  # a match in another repository of the fleet
            click.echo(f"incident: warning: {event.text}", err=True)
    emit(as_json, incident.model_dump(mode="json"), lambda: incident_details(incident))


def _warn_duplicates(incident: Incident) -> None:
    context = incident.state.context
    for dup in context.duplicates if context is not None else []:
        click.echo(f"incident: warning: {incident.id} is a likely duplicate of {dup['id']} "
                   f"({dup['title']}; title similarity {dup['score']:.2f})", err=True)


@click.command()
@click.argument("incident_id")
@click.option("--who", "--who-affected", "who_affected", default=None,
              help="Who is affected.")
@click.option("--what", "--what-broken", "what_broken", default=None, help="What is broken.")
@click.option("--users", "users_affected", default=None, help="How many users (estimate).")
@click.option("--workaround", default=None, help="The workaround found.")
@click.option("--data-at-risk/--no-data-at-risk", default=None,
              help="Data is (not) at risk; newly at risk escalates.")
@click.option("--security/--no-security", default=None,
              help="It is (not) a security incident; newly so escalates.")
@click.option("--error", "errors", multiple=True, help="Add an exact error message.")
@click.option("--alert", "alerts", multiple=True, help="Add an alert that fired.")
@click.option("--change", "changes", multiple=True, help="Add a recent change.")
@click.option("--service", "services", multiple=True, help="Add an affected service.")
@click.option("--reported-by", default=None, help="Who or what reported it.")
@actor_option
@json_option
@click.pass_context
def assess(ctx: click.Context, incident_id: str, who_affected: str | None,
           what_broken: str | None, users_affected: str | None, workaround: str | None,
           data_at_risk: bool | None, security: bool | None, errors: tuple[str, ...],
           alerts: tuple[str, ...], changes: tuple[str, ...], services: tuple[str, ...],
           reported_by: str | None, actor: str | None, as_json: bool) -> None:
    """Refine the impact assessment as facts come in (phase 1)."""
    incident = open_response(ctx).assess(
        incident_id, who_affected=who_affected, what_broken=what_broken,
        users_affected=users_affected, workaround=workaround, data_at_risk=data_at_risk,
        security=security, error_messages=errors, alerts=alerts, recent_changes=changes,
        services=services, reported_by=reported_by, actor=actor)
    emit(as_json, incident.model_dump(mode="json"), lambda: incident_details(incident))


@click.command()
@click.argument("incident_id")
@click.option("--status", required=True, type=click.Choice(_STATUSES, case_sensitive=False),
              help="Where the response stands (Resolved: see `incident resolve`).")
@click.option("--impact", default=None, help="Who/what is affected.  [required]")
@click.option("--action", default=None, help="What is being done now.  [required]")
@click.option("--eta", default=None,
              help="ETA to resolution: +30m, in 3 hours, 10:45, tomorrow 09:00, ISO 8601, or "
                   "investigating (while the response window is open).")
@click.option("--next-update", default=None, metavar="WHEN",
              help="When the next update comes (default: the severity's cadence).")
@actor_option
@json_option
@click.pass_context
def update(ctx: click.Context, incident_id: str, status: str, impact: str | None,
           action: str | None, eta: str | None, next_update: str | None, actor: str | None,
           as_json: bool) -> None:
    """Post a status update in the seed's template (phase 2)."""
    parse_update_status(status, incident_id)  # `Resolved` first points to `incident resolve`
    for name, value in (("--impact", impact), ("--action", action)):
        if value is None:
            raise click.MissingParameter(param_hint=f"'{name}'", param_type="option")
    assert impact is not None and action is not None
    incident = open_response(ctx).post_update(incident_id, status=status, impact=impact,
                                              action=action, eta=eta, next_update=next_update,
                                              actor=actor)
    latest = incident.latest_update
    emit(as_json, incident.model_dump(mode="json"),
         lambda: f"{incident.id}\n{latest.render() if latest else ''}")


@click.command()
@json_option
@click.pass_context
def overdue(ctx: click.Context, as_json: bool) -> None:
    """List open incidents whose next status update is past, or still unmitigated after their
    response window."""
    response = open_response(ctx)
    now = response.now()
    rows: list[dict[str, object]] = []
    for i in response.overdue():
        due = i.state.next_update_at
        closed = response.window_closed_at(i)
        rows.append({"id": i.id, "title": i.title, "severity": i.severity.value,
                     "next_update_at": due.isoformat() if due else None,
                     "minutes_overdue": int((now - due).total_seconds() // 60)
                     if due and due < now else 0,
                     "window_closed_at": closed.isoformat() if closed else None})

    def line(r: dict[str, object]) -> str:
        parts = [f"{r['minutes_overdue']} min overdue"] if r["minutes_overdue"] else []
        if r["window_closed_at"]:
            parts.append(f"unmitigated past its window ({r['window_closed_at']})")
        return f"{r['id']}  [{r['severity']}] {'; '.join(parts)}  {r['title']}"

    emit(as_json, rows, lambda: "\n".join(line(r) for r in rows)
         or "No open incident is overdue for a status update.")


@click.command()
@click.argument("incident_id")
@click.option("--option", "option", required=True, type=click.Choice([r.value for r in LADDER]),
              help="The rung of the ladder.")
@click.option("--result", required=True, type=click.Choice([r.value for r in MitigationResult]),
              help="What came of it.")
@click.option("--detail", default="", help="What was done (command, flag name, ...).")
@click.option("--reason", default="", help="Why earlier rungs are skipped.")
@click.option("--setting", default="", help="Config change: the setting changed.")
@click.option("--from", "from_value", default="", help="Config change: the old value.")
@click.option("--to", "to_value", default="", help="Config change: the new value.")
@click.option("--where", default="", help="Config change: where (service, environment).")
@actor_option
@json_option
@click.pass_context
def mitigate(ctx: click.Context, incident_id: str, option: str, result: str, detail: str,
             reason: str, setting: str, from_value: str, to_value: str, where: str,
             actor: str | None, as_json: bool) -> None:
    """Record one rung of the mitigation ladder and its outcome (phase 3)."""
    change = None
    if any((setting, from_value, to_value, where)):
        change = ConfigChange(setting=setting, from_value=from_value, to_value=to_value,
                              where=where)
    response = open_response(ctx)
    try:
        incident = response.mitigate(incident_id, option, result, detail=detail, reason=reason,
                                     config_change=change, actor=actor)
    except Escalation as exc:
        # The attempt was recorded before the escalation: say what was recorded, then stop.
        if not as_json:
            click.echo(mitigation_line(response.get(incident_id)))
        raise exc from None
    emit(as_json, incident.model_dump(mode="json"),
         lambda: f"{mitigation_line(incident)}\n{incident_details(incident)}")


def mitigation_line(incident: Incident) -> str:
    """`<id>  recorded rung <rung>: <result> (<detail>)`: the attempt just written."""
    attempt = incident.state.mitigations[-1]
    extra = [text for text in (attempt.detail, attempt.config_change.render()
                               if attempt.config_change else "") if text]
    if attempt.skipped:
        extra.append(f"skipped {', '.join(r.value for r in attempt.skipped)}: "
                     f"{attempt.skip_reason}")
    return (f"{incident.id}  recorded rung {attempt.option.value}: {attempt.result.value}"
            + (f" ({'; '.join(extra)})" if extra else ""))


@click.command()
@click.argument("incident_id")
@click.option("--sev", "severity", required=True, metavar="N", help="The new severity.")
@click.option("--reason", required=True, help="Why the severity changes.")
@actor_option
@json_option
@click.pass_context
def reclassify(ctx: click.Context, incident_id: str, severity: str, reason: str,
               actor: str | None, as_json: bool) -> None:
    """Move an incident to another severity, with a reason."""
    incident = open_response(ctx).reclassify(incident_id, severity, reason=reason, actor=actor)
    emit(as_json, incident.model_dump(mode="json"), lambda: incident_line(incident))


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
    closed = [close_issue(response.lifecycle, issue_id, reason=reason, checklist=checklist,
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

