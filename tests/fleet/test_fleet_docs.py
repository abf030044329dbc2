"""The configuration and commands in docs/fleet.md run as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from fleet_helpers import Team

DOC = Path(__file__).resolve().parents[2] / "docs" / "fleet.md"


def _blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_fleet_doc_examples_run(payments: Team, web: Team, mine: Team) -> None:
    toml, = _blocks("toml")
    (mine.work / ".incident-beads.toml").write_text(toml)
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    for script in _blocks("sh"):
        done = subprocess.run(["bash", "-e", "-c", script], cwd=mine.work, env=env,
                              capture_output=True, text=True)
        assert done.returncode == 0, (script, done.stderr)
    python, = _blocks("python")
    done = subprocess.run([sys.executable, "-c", python], cwd=mine.work, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "payments: up to date" in done.stdout and "web/" in done.stdout
