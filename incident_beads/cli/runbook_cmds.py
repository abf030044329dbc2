"""`incident runbook show | add`: the service runbooks in docs/runbooks/."""

from __future__ import annotations

import click

from incident_beads.cli._common import config_for, emit, json_option, repo_root
from incident_beads.knowledge.runbooks import Runbooks


def _runbooks(ctx: click.Context) -> Runbooks:
    return Runbooks(repo_root(ctx), config_for(ctx).knowledge)


@click.group()
def runbook() -> None:
    """Show or grow a service's runbook."""


@runbook.command()
@click.argument("service")
@json_option
@click.pass_context
def show(ctx: click.Context, service: str, as_json: bool) -> None:
    """Print the runbook of SERVICE."""
    books = _runbooks(ctx)
    text, issues = books.show(service)
    emit(as_json, {"service": service, "path": books.relative_path(service), "text": text,
                   "issues": [i.to_json() for i in issues]}, text.rstrip("\n"))


@runbook.command()
@click.argument("service")
@click.option("--issue", required=True, help="The issue, as its heading says it.")
@click.option("--symptom", "symptoms", multiple=True, help="A symptom (repeat).")
@click.option("--diagnosis", "--diagnose", "diagnosis", multiple=True, metavar="COMMAND",
              help="A diagnosis command (repeat).")
@click.option("--resolution", default="", help="How to resolve it.")
@click.option("--escalation", multiple=True,
              help="Who to escalate to: primary first, then secondary (repeat).")
@json_option
@click.pass_context
def add(ctx: click.Context, service: str, issue: str, symptoms: tuple[str, ...],
        diagnosis: tuple[str, ...], resolution: str, escalation: tuple[str, ...],
        as_json: bool) -> None:
    """Add an issue to SERVICE's runbook, or update the same issue in place."""
    path, merged = _runbooks(ctx).add(service, issue, symptoms=symptoms, diagnosis=diagnosis,
                                      resolution=resolution, escalation=escalation)
    emit(as_json, {"service": service, "path": path, "issue": merged.to_json()},
         f"{path}: Issue: {merged.title}")
