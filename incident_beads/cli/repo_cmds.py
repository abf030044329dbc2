"""`incident sync` and `incident deploys`: the store in git, and what reached production."""

from __future__ import annotations

import click

from incident_beads.cli._common import config_for, emit, json_option, open_store, repo_root


@click.command()
@click.option("--incident", "incident_ids", multiple=True, metavar="ID",
              help="The incident(s) the commit names (default: every open incident).")
@click.option("--push", is_flag=True, help="Push the current branch afterwards.")
@json_option
@click.pass_context
def sync(ctx: click.Context, incident_ids: tuple[str, ...], push: bool, as_json: bool) -> None:
    """Commit the store and the incident docs, and nothing else you staged."""
    from incident_beads.hotfix.sync import sync as run_sync
    from incident_beads.incident.response import IncidentResponse

    root = repo_root(ctx)
    ids = list(incident_ids) or [
        i.id for i in IncidentResponse(root, config=config_for(ctx),
                                       store=open_store(ctx)).incidents()]
    result = run_sync(root, config_for(ctx), ids, push=push)
    emit(as_json, result.to_dict(),
         f"{result.commit}  {len(result.paths)} file(s)" if result.commit
         else "nothing to sync")


@click.command()
@click.option("--since", default="7d", show_default=True,
              help="7d, 24h, 90m, 2w, or an ISO 8601 time.")
@json_option
@click.pass_context
def deploys(ctx: click.Context, since: str, as_json: bool) -> None:
    """List recent deployments: hotfix tags and merges on the main branch."""
    from incident_beads.beads.store import utc_now
    from incident_beads.hotfix.deploys import parse_since, recent_deployments

    found = recent_deployments(repo_root(ctx), since=parse_since(since, utc_now()),
                               config=config_for(ctx).git)
    emit(as_json, [d.to_dict() for d in found], lambda: "\n".join(
        f"{d.commit[:12]}  {d.at}  {d.kind:5}  {d.author}  {d.name}" for d in found)
        or f"No deployments on the main branch since {since}.")
