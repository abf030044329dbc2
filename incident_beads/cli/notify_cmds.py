"""`incident notify` and `incident remind`: the outbox of messages to stakeholders."""

from __future__ import annotations

import click

from incident_beads.cli._common import emit, json_option
from incident_beads.cli._lifecycle import actor_option, open_response
from incident_beads.notify.outbox import OutboxEntry


@click.command()
@click.option("--incident", "incident_id", default=None, metavar="ID",
              help="Only the messages about this incident.")
@click.option("--list", "list_only", is_flag=True, help="Only list; send nothing.")
@click.option("--drop", "drop_id", default=None, metavar="MESSAGE_ID",
              help="Give up this pending message (its channel is gone for good); needs --reason.")
@click.option("--reason", default="", help="Why the message is given up.")
@actor_option
@json_option
@click.pass_context
def notify(ctx: click.Context, incident_id: str | None, list_only: bool, drop_id: str | None,
           reason: str, actor: str | None, as_json: bool) -> None:
    """Send what is pending in the outbox now, then list pending and sent messages."""
    response = open_response(ctx)
    if drop_id is not None:
        response.drop_message(drop_id, reason=reason, actor=actor)
    outcomes = [] if list_only or drop_id else response.notify(incident_id=incident_id)
    entries = response.messages(incident_id=incident_id)
    unreadable = [str(p) for p in response.notifications.outbox.unreadable]
    payload = {"attempted": [o._asdict() for o in outcomes],
               "messages": [_row(e) for e in entries], "unreadable": unreadable}
    emit(as_json, payload, lambda: "\n".join(
        [_line(e) for e in entries] + [f"unreadable outbox file: {p}" for p in unreadable])
        or "no messages in the outbox")


@click.command()
@json_option
@click.pass_context
def remind(ctx: click.Context, as_json: bool) -> None:
    """Remind the channels of every status update due or overdue (for cron or CI schedules)."""
    response = open_response(ctx)
    reminders = response.remind()
    rows = [r._asdict() for r in reminders]
    emit(as_json, rows, lambda: "\n".join(
        f"{r.incident_id}  update due {r.due_at}  "
        f"{'reminder staged' if r.new else 'reminded before'} ({r.message_id})"
        for r in reminders) or "no status update is due")


def _row(entry: OutboxEntry) -> dict[str, object]:
    return {"id": entry.id, "incident_id": entry.incident_id, "kind": entry.kind,
            "subject": entry.subject, "created_at": entry.created_at,
            "confirmed": entry.confirmed, "dropped": entry.dropped,
            "deliveries": [{"channel": url.split("?", 1)[0], **vars(d)}
                           for url, d in entry.deliveries.items()]}


def _line(entry: OutboxEntry) -> str:
    if entry.dropped:
        state = f"dropped: {entry.dropped}"
    else:
        parts = []
        for url, d in entry.deliveries.items():
            where = url.split("?", 1)[0]
            parts.append(f"{where} sent {d.sent_at}" if d.status == "sent" else
                         f"{where} PENDING ({d.attempts} tries; {d.last_error or 'not tried'})")
        state = "; ".join(parts)
    return f"{entry.id}  {entry.incident_id}  {entry.kind}  {state}"
