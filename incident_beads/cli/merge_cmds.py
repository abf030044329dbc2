"""`incident merge-driver`: the git merge driver for `.beads/issues.jsonl`."""

from __future__ import annotations

from pathlib import Path

import click

from incident_beads.cli._common import emit, json_option
from incident_beads.errors import Refused
from incident_beads.mergedriver import merge_in_place

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("merge-driver")
@click.argument("base", type=_FILE)
@click.argument("ours", type=_FILE)
@click.argument("theirs", type=_FILE)
@click.argument("path", default=".beads/issues.jsonl")
@json_option
def merge_driver(base: Path, ours: Path, theirs: Path, path: str, as_json: bool) -> None:
    """Merge BASE, OURS and THEIRS by issue id into OURS (git passes %O %A %B %P)."""
    result = merge_in_place(base, ours, theirs, path)
    conflicts = [str(c) for c in result.conflicts]
    if as_json:  # otherwise quiet: git already says "Auto-merging <path>"
        emit(as_json, {"path": path, "clean": result.clean, "conflicts": conflicts,
                       "renamed": dict(result.renamed)}, "")
    for old, new in result.renamed:
        click.echo(f"incident merge-driver: {path}: both sides added a different {old}; "
                   f"theirs is now {new}", err=True)
    if conflicts:
        for line in conflicts:
            click.echo(f"incident merge-driver: {path}: cannot merge {line}", err=True)
        raise Refused(f"{path}: {len(conflicts)} issue(s) left between conflict markers",
                      hint="keep one line per issue, then run `incident doctor` and `git add`")
