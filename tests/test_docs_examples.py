"""The complete example in the orchestrator guide runs as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "orchestrator-guide.md"


def test_orchestrator_guide_example_runs(tmp_path: Path) -> None:
    blocks = re.findall(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1
    script = tmp_path / "example.py"
    script.write_text(blocks[0], encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(GUIDE.parent.parent)}
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                          text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert "Login fails with 502 for half the users" in done.stdout
    assert "Follow-up: Post-mortem scheduled for 2026-03-03 09:30 UTC" in done.stdout



def test_lifecycle_example_runs(tmp_path: Path) -> None:
    page = GUIDE.parent / "lifecycle.md"
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1
    (tmp_path / ".beads").mkdir()
    (tmp_path / ".beads" / "issues.jsonl").write_bytes(b"")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "example.py").write_text(blocks[0], encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(GUIDE.parent.parent)}
    done = subprocess.run([sys.executable, "example.py"], cwd=tmp_path, capture_output=True,
                          text=True, env=env)
    assert done.returncode == 0, done.stderr
