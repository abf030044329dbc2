"""`incident context | learn | report`: load knowledge before, record it after, measure."""

from __future__ import annotations

import click

from incident_beads.cli._common import (
    actor_for,
    config_for,
    emit,
    json_option,
    open_store,
    repo_root,
)
from incident_beads.clock import command_clock
from incident_beads.knowledge.api import Knowledge
from incident_beads.knowledge.schema import BUG_TRACK, KNOWLEDGE_TRACK, RESOLUTION_TYPES


def knowledge_for(ctx: click.Context, *, need_store: bool) -> Knowledge:
    """The repository's knowledge; commands that read or write beads need the store on disk."""
    root = repo_root(ctx)
    config = config_for(ctx)
    store = open_store(ctx) if need_store else None
    return Knowledge(root, config=config, store=store, clock=command_clock(),
                     actor=actor_for(ctx, root))


@click.command()
@click.argument("text", required=False, default="")
@click.option("--service", help="The affected service: loads its runbook, weighs its history.")
@click.option("--limit", type=click.IntRange(1, 50), default=5, show_default=True,
              help="How many similar incidents to show.")
@click.option("--fleet", "fleet", is_flag=True,
              help="Rank across every repository of the fleet (as last fetched).")
@json_option
@click.pass_context
def context(ctx: click.Context, text: str, service: str | None, limit: int, fleet: bool,
            as_json: bool) -> None:
    """Load what to know before responding: similar incidents, critical patterns, the runbook,
    recent deployments. TEXT describes the incident (or is an incident id)."""
    if fleet:
        from incident_beads.cli.fleet_cmds import context_fleet

        context_fleet(ctx, text, service, limit, as_json)
        return
    report = knowledge_for(ctx, need_store=False).context(text, service=service, limit=limit)
    emit(as_json, report.to_dict(), report.render)


@click.command()
@click.argument("incident_id")
@click.option("--problem-type", type=click.Choice(BUG_TRACK + KNOWLEDGE_TRACK),
              help="Write-up category (default runtime_error).")
@click.option("--component", help="Component (default: the first affected service).")
@click.option("--module", help="Module or area (default: the first affected service).")
@click.option("--root-cause", help="Root cause (default: the one given at resolution).")
@click.option("--resolution-type", type=click.Choice(RESOLUTION_TYPES),
              help="How it was fixed (default: from what worked).")
@click.option("--symptom", "symptoms", multiple=True, help="A symptom (repeat, at most 5).")
@click.option("--tag", "tags", multiple=True, help="A search tag (repeat, at most 8).")
@click.option("--deployment-safety", "safety", multiple=True, metavar="TEXT",
              help="A Deployment Safety lesson for the critical patterns (repeat).")
@click.option("--diagnosis", "--diagnose", "diagnosis", multiple=True, metavar="COMMAND",
              help="A diagnosis command for the runbook (repeat).")
@click.option("--escalation", multiple=True, metavar="WHO",
              help="Who to escalate to, for the runbook: primary first (repeat).")
@json_option
@click.pass_context
def learn(ctx: click.Context, incident_id: str, problem_type: str | None,
          component: str | None, module: str | None, root_cause: str | None,
          resolution_type: str | None, symptoms: tuple[str, ...], tags: tuple[str, ...],
          safety: tuple[str, ...], diagnosis: tuple[str, ...], escalation: tuple[str, ...],
          as_json: bool) -> None:
    """Write the incident's write-up, add it to the critical patterns and the runbook."""
    result = knowledge_for(ctx, need_store=True).learn(
        incident_id, problem_type=problem_type, component=component, module=module,
        root_cause=root_cause, resolution_type=resolution_type, symptoms=symptoms, tags=tags,
        deployment_safety=safety, diagnosis=diagnosis, escalation=escalation)

    def text() -> str:
        lines = [f"{result.incident_id} write-up "
                 f"{'created' if result.writeup_created else 'refreshed'}: {result.writeup}",
                 f"{result.critical_patterns}: Past Incidents entry "
                 f"{'added' if result.past_incident_added else 'already there'}"]
        lines += [f"Deployment Safety entry added: {x}" for x in result.deployment_safety_added]
        if result.runbook:
            lines.append(f"runbook updated: {result.runbook}")
        lines += [f"proposed pattern: {p}" for p in result.proposals]
        return "\n".join(lines)

    emit(as_json, result.to_dict(), text)


@click.command()
@click.option("--since", help="Only incidents detected since: 30d, 24h, 2w or ISO 8601.")
@click.option("--fleet", "fleet", is_flag=True,
              help="Across the fleet, per repository, service and severity (as last fetched).")
@json_option
@click.pass_context
def report(ctx: click.Context, since: str | None, fleet: bool, as_json: bool) -> None:
    """Report MTTA, time to mitigate, MTTR, severities, post-mortems and overdue action items."""
    if fleet:
        from incident_beads.cli.fleet_cmds import report_fleet

        report_fleet(ctx, since, as_json)
        return
    result = knowledge_for(ctx, need_store=True).report(since)
    emit(as_json, result.figures(), result.render)


@click.command()
@click.argument("incident_id")
@json_option
@click.pass_context
def draft(ctx: click.Context, incident_id: str, as_json: bool) -> None:
    """Write or refresh the post-mortem draft (docs/postmortems/ID.md) from what was recorded."""
    result = knowledge_for(ctx, need_store=True).postmortem_draft(incident_id)
    when = f", meeting {result.meeting_at} with {result.owner}" if result.meeting_at else ""
    emit(as_json, result.to_dict(),
         f"{result.incident_id} draft {'created' if result.created else 'refreshed'}: "
         f"{result.path}{when}")
