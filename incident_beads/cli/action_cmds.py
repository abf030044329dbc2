"""`incident action add | list`: post-mortem action items, as beads."""

from __future__ import annotations

import click

from incident_beads.cli._common import emit, json_option
from incident_beads.cli.knowledge_cmds import knowledge_for
from incident_beads.knowledge.actions import ACTION_KINDS, ActionItem


def _line(item: ActionItem) -> str:
    late = "  OVERDUE" if item.overdue else ""
    return (f"{item.id}  [P{item.priority}] [{item.status}] {item.title}  owner: {item.owner}  "
            f"due: {item.due_at}  kind: {item.kind}  incident: {item.incident_id}{late}")


@click.group()
def action() -> None:
    """Add or list post-mortem action items."""


@action.command()
@click.argument("incident_id")
@click.argument("text")
@click.option("--priority", type=click.IntRange(1, 2), required=True, help="1 (P1) or 2 (P2).")
@click.option("--owner", required=True, help="Who does it.")
@click.option("--due", required=True, help="When: +7d, or an ISO date/time.")
@click.option("--kind", type=click.Choice(ACTION_KINDS), required=True,
              help="prevent, mitigate, detect or process.")
@json_option
@click.pass_context
def add(ctx: click.Context, incident_id: str, text: str, priority: int, owner: str, due: str,
        kind: str, as_json: bool) -> None:
    """Create an action item bead for INCIDENT_ID."""
    item = knowledge_for(ctx, need_store=True).add_action(
        incident_id, text, priority=priority, owner=owner, due=due, kind=kind)
    emit(as_json, item.to_dict(), _line(item))


@action.command("list")
@click.option("--overdue", is_flag=True, help="Only items past their due date.")
@click.option("--incident", "incident_id", help="Only the items of this incident.")
@click.option("--all", "include_closed", is_flag=True, help="Include closed items.")
@json_option
@click.pass_context
def list_(ctx: click.Context, overdue: bool, incident_id: str | None, include_closed: bool,
          as_json: bool) -> None:
    """List action items, the earliest due first."""
    items = knowledge_for(ctx, need_store=True).actions.list(
        incident_id=incident_id, overdue=overdue, include_closed=include_closed)
    emit(as_json, [i.to_dict() for i in items], lambda: "\n".join(_line(i) for i in items)
         or _no_items(overdue, incident_id, include_closed))


def _no_items(overdue: bool, incident_id: str | None, include_closed: bool) -> str:
    """An empty list of action items, said in a sentence."""
    kind = "overdue action items" if overdue else (
        "action items" if include_closed else "open action items")
    return f"No {kind}" + (f" for {incident_id}" if incident_id else "") + "."
