"""The command runner: argument lists, exit status, output tail, timeouts."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from incident_beads import InvalidInput
from incident_beads.hotfix.runner import TAIL_LINES, run_command

PY = sys.executable


def test_exit_status_and_tail(tmp_path: Path) -> None:
    code = "import sys\nfor i in range(500): print(i)\nsys.stderr.write('err\\n'); sys.exit(2)"
    result = run_command([PY, "-c", code], cwd=tmp_path, timeout=30)
    assert (result.exit_status, result.timed_out, result.ok) == (2, False, False)
    lines = result.output_tail.splitlines()
    assert len(lines) == TAIL_LINES and lines[-1] == "err" and "0" not in lines


def test_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    marker = tmp_path / "child-survived"
    child = f"import time; time.sleep(1); open({str(marker)!r}, 'w').close()"
    code = (f"import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', {child!r}]);"
            "print('started', flush=True); time.sleep(60)")
    result = run_command([PY, "-c", code], cwd=tmp_path, timeout=0.5)
    assert result.timed_out and result.exit_status is None and "started" in result.output_tail
    import time

    time.sleep(1.5)
    assert not marker.exists()


def test_missing_program_and_empty_command(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot run"):
        run_command([str(tmp_path / "deploy.sh"), "--monitor"], cwd=tmp_path, timeout=5)
    with pytest.raises(InvalidInput):
        run_command([], cwd=tmp_path, timeout=5)
