"""`incident demo`: walk a SEV-1 through every phase in a throw-away repository."""

from __future__ import annotations

from pathlib import Path

import click

from incident_beads.cli._common import emit, json_option
from incident_beads.demo import run_demo


@click.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--monitoring/--no-monitoring", default=True, show_default=True,
              help="Add a real alert and Prometheus evidence where both are installed.")
@json_option
def demo(directory: Path | None, monitoring: bool, as_json: bool) -> None:
    """Run a scripted SEV-1 end to end in DIRECTORY (default: a new temporary folder)."""
    lines: list[str] = []
    result = run_demo(directory, out=lines.append if as_json else click.echo,
                      monitoring=monitoring)
    emit(as_json, {"root": str(result.root), "upstream": str(result.upstream),
                   "incident_id": result.incident_id, "hotfix_id": result.hotfix_id,
                   "alert_incident_id": result.alert_incident_id,
                   "written": result.written, "transcript": lines},
         f"\nDone: incident {result.incident_id} walked through every phase in {result.root}")
