"""Run the `incident` command in-process, the way every package's CLI tests do."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest

from incident_beads.cli import main


class CliResult(NamedTuple):
    """What a command left: its exit code, stdout and stderr."""

    code: int
    out: str
    err: str


def run_incident(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> CliResult:
    """Run `incident -C root ARGS...` and capture what it printed."""
    with pytest.raises(SystemExit) as done:
        main(["-C", str(root), *args])
    captured = capsys.readouterr()
    return CliResult(int(done.value.code or 0), captured.out, captured.err)
