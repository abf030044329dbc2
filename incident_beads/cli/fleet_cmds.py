"""`incident fleet fetch | status`, and the `--fleet` answers of `list`, `context`, `report`."""

from __future__ import annotations

import sys
from typing import Any

import click

from incident_beads.cli._common import emit, json_option, repo_root
from incident_beads.cli._errors import Reported
from incident_beads.errors import IncidentBeadsError
from incident_beads.fleet.api import Fleet
from incident_beads.fleet.fetch import FetchResult


def fleet_for(ctx: click.Context) -> Fleet:
    """The fleet seen from the repository the command runs in (`-C PATH`)."""
    root = repo_root(ctx)
    return Fleet(root if (root / ".git").exists() else None)


@click.group()
def fleet() -> None:
    """Fetch and inspect the fleet: other repositories' incident stores and knowledge."""


@fleet.command()
@click.argument("names", nargs=-1)
@json_option
@click.pass_context
def fetch(ctx: click.Context, names: tuple[str, ...], as_json: bool) -> None:
    """Bring the cached copies of the fleet's repositories up to date (all, or NAMES)."""
    found = fleet_for(ctx)
    live = sys.stderr.isatty()

    def progress(result: FetchResult, done: int, total: int) -> None:
        failed = "" if result.ok else " FAILED"
        line = f"fleet fetch: {done}/{total} {result.name}{failed}"
        if live:
            click.echo(f"\r\033[K{line}", err=True, nl=done == total)
        else:
            click.echo(line, err=True)

    results = found.fetch(progress, names)
    emit(as_json, [r.to_dict() for r in results], lambda: "\n".join(r.line() for r in results))
    failed = [r for r in results if not r.ok]
    if failed:
        error = IncidentBeadsError(f"{len(failed)} of {len(results)} fleet repositories could "
                                   f"not be fetched: {', '.join(r.name for r in failed)}",
                                   hint="the others are up to date; check the URLs and access")
        if as_json:  # the results above are the one JSON document; the failure goes to stderr
            raise Reported(error)
        raise error


@fleet.command()
@json_option
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """List the fleet's repositories with the tip fetched last and when."""
    rows = fleet_for(ctx).status()

    def text() -> str:
        if not rows:
            return "no fleet is configured"
        return "\n".join(
            f"{r['name']}  {r['url']}" + (f" ({r['branch']})" if r["branch"] else "")
            + (f"  {r['tip'][:12]} fetched {r['fetched_at']}" if r["tip"] else
               "  not fetched yet") + ("  (this repository)" if r["this_repository"] else "")
            for r in rows)

    emit(as_json, rows, text)


def _skipped(skipped: list[Any]) -> None:
    for item in skipped:
        click.echo(f"incident: warning: {item.line()}", err=True)


def list_fleet(ctx: click.Context, as_json: bool) -> None:
    """`incident list --fleet`: every open incident across the fleet."""
    found = fleet_for(ctx)
    result = found.open_incidents()
    _skipped(result.skipped)
    emit(as_json, result.to_dict(), result.render)


def context_fleet(ctx: click.Context, text: str, service: str | None, limit: int,
                  as_json: bool) -> None:
    """`incident context --fleet`: rank across every repository of the fleet."""
    found = fleet_for(ctx)
    report = found.context(text, service=service, limit=limit)
    emit(as_json, report.to_dict(), report.render)


def report_fleet(ctx: click.Context, since: str | None, as_json: bool) -> None:
    """`incident report --fleet`: response times per repository, service and severity."""
    found = fleet_for(ctx)
    result = found.report(since)
    _skipped(result.skipped)
    emit(as_json, result.figures(), result.render)


__all__ = ["context_fleet", "fleet", "list_fleet", "report_fleet"]
