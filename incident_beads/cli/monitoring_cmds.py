"""Monitoring commands: `alert` (one webhook payload), `serve` (the receiver), `evidence`."""

from __future__ import annotations

import sys
from typing import BinaryIO

import click

from incident_beads.cli._common import emit, json_option, repo_root
from incident_beads.cli._lifecycle import actor_option, open_response

# Alerts are taken in by an automated actor unless someone is named: it never decides.
alert_actor_option = click.option("--by", "actor", default=None, metavar="WHO",
                                  help="Who takes the alerts in (default: alertmanager[bot]).")


@click.command()
@click.argument("payload", type=click.File("rb"), default="-")
@alert_actor_option
@json_option
@click.pass_context
def alert(ctx: click.Context, payload: BinaryIO, actor: str | None,
          as_json: bool) -> None:
    """Take in one Alertmanager webhook payload (version 4) from FILE or stdin: declare an
    incident from a firing group, or attach to the group's open incident."""
    from incident_beads.monitoring.alertmanager import parse_payload
    from incident_beads.monitoring.intake import receive

    parsed = parse_payload(payload.read())
    delivery = receive(open_response(ctx), parsed, actor=actor)
    emit(as_json, delivery.as_data(),
         f"{delivery.incident_id or '-'}  {delivery.outcome}: {delivery.detail}")
    if delivery.escalation is not None:
        raise delivery.escalation


@click.command()
@click.option("--listen", default="127.0.0.1:9095", show_default=True, metavar="HOST:PORT",
              help="Where to accept Alertmanager's webhooks (POST /).")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64),
              help="Worker threads.")
@alert_actor_option
@click.pass_context
def serve(ctx: click.Context, listen: str, threads: int, actor: str | None) -> None:
    """Receive Alertmanager webhooks over HTTP until SIGTERM; one log line per delivery."""
    from incident_beads.monitoring.receiver import serve as run_server

    response = open_response(ctx)  # refuses early, in one line, where there is no store

    def log(line: str) -> None:
        click.echo(f"incident serve: {line}", err=True)

    run_server(repo_root(ctx), response.config, listen, log=log, actor=actor, threads=threads,
               on_ready=lambda url: log(f"listening on {url}"))
    log("stopped")


@click.command()
@click.argument("incident_id")
@click.option("--check", "checks", multiple=True, metavar="NAME",
              help="A configured check (repeatable; default: the incident's services').")
@click.option("--watch", default=None, metavar="DURATION",
              help="Keep checking for this long (15m, 30m, 90s); stop at the first failure.")
@click.option("--every", type=click.FloatRange(min=0.1), default=None, metavar="SECONDS",
              help="Seconds between samples (default: monitoring.watch_interval_seconds).")
@actor_option
@json_option
@click.pass_context
def evidence(ctx: click.Context, incident_id: str, checks: tuple[str, ...], watch: str | None,
             every: float | None, actor: str | None, as_json: bool) -> None:
    """Measure the incident's checks against Prometheus and record the evidence."""
    from incident_beads.lifecycle.when import parse_duration
    from incident_beads.metrics.evidence import measure

    response = open_response(ctx)
    window = parse_duration(watch) if watch is not None else None
    live = sys.stderr.isatty() and not as_json

    def progress(line: str) -> None:
        if live:
            click.echo(f"\r\x1b[K{line}", err=True, nl=False)
        else:
            click.echo(line, err=True)

    try:
        records = measure(response, incident_id, checks=checks, watch=window, every=every,
                          progress=progress, actor=actor)
    finally:
        if live:
            click.echo("", err=True)
    emit(as_json, [r.as_data() for r in records],
         lambda: "\n".join([incident_id] + [f"  {r.summary()}" for r in records]))
