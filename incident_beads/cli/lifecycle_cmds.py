"""The lifecycle commands of phases 1 to 3: create, assess, update, overdue, mitigate, reclassify.

Phase 5 (resolve, close, reopen, handoff, check) is `resolve_cmds.py`.
"""

from __future__ import annotations

import click

from incident_beads.cli._common import emit, json_option
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
