"""`incident sync` and `incident deploys`: the store in git, and what reached production."""

from __future__ import annotations

import click

from incident_beads.cli._common import config_for, emit, json_option, open_store, repo_root


@click.command()
@click.option("--incident", "incident_ids", multiple=True, metavar="ID",
              help="The incident(s) the commit names (default: those whose records changed).")
@click.option("--push", is_flag=True, help="Push the current branch afterwards.")
@json_option
@click.pass_context
def sync(ctx: click.Context, incident_ids: tuple[str, ...], push: bool, as_json: bool) -> None:
    """Commit the store and the incident docs, and nothing else you staged."""
    from incident_beads.hotfix.sync import sync as run_sync

    root = repo_root(ctx)
    open_store(ctx)  # a repository without a store is told to run `incident init`
    result = run_sync(root, config_for(ctx), list(incident_ids) or None, push=push)
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
    from incident_beads.clock import command_clock
    from incident_beads.hotfix.deploy_index import remembered_deployments
    from incident_beads.hotfix.deploys import parse_since

    found = remembered_deployments(repo_root(ctx), since=parse_since(since, command_clock()()),
                                   config=config_for(ctx).git)
    emit(as_json, [d.to_dict() for d in found], lambda: "\n".join(
        f"{d.commit[:12]}  {d.at}  {d.kind:5}  {d.author}  {d.name}" for d in found)
        or f"No deployments on the main branch since {since}.")
