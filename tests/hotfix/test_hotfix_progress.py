"""Long work shows progress: output streamed as it comes, the full log kept under .git/."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from hotfix_helpers import MakeApi, reviewed

from incident_beads.hotfix import runner
from incident_beads.hotfix.runner import run_command
from tests.cli_runner import run_incident as run

PY = sys.executable


def test_lines_reach_progress_while_the_command_runs(tmp_path: Path) -> None:
    # The command prints, then waits until the progress callback has seen that line: it can
    # only finish if its output is streamed, not handed over at the end.
    flag = tmp_path / "seen"
    script = ("import os, sys, time\nprint('first', flush=True)\n"
              f"while not os.path.exists({str(flag)!r}): time.sleep(0.01)\nprint('second')\n")
    seen: list[str] = []

    def progress(elapsed: float, box: float, line: str) -> None:
        seen.append(line)
        if line == "first":
            flag.touch()

    result = run_command([PY, "-c", script], cwd=tmp_path, timeout=60, progress=progress)
    assert result.ok and seen[:2] == ["first", "second"]


def test_the_log_keeps_the_whole_output(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "run.log"
    result = run_command([PY, "-c", "for n in range(300): print('line', n)"], cwd=tmp_path,
                         timeout=60, log=log)
    text = log.read_text()
    assert text.startswith("line 0\n") and text.endswith("line 299\n")
    assert "line 0\n" not in result.output_tail  # the record keeps only the tail


def test_a_silent_command_still_reports_that_it_runs(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "HEARTBEAT_SECONDS", 0.02)
    beats: list[tuple[float, float, str]] = []
    result = run_command([PY, "-c", "import time; time.sleep(0.5)"], cwd=tmp_path, timeout=60,
                         progress=lambda *call: beats.append(call))
    assert result.ok and beats and all(line == "" and box == 60 for _, box, line in beats)
    assert [elapsed for elapsed, _, _ in beats] == sorted(elapsed for elapsed, _, _ in beats)


def test_a_timed_out_command_is_still_killed_with_progress_on(tmp_path: Path) -> None:
    result = run_command([PY, "-c", "import time; time.sleep(30)"], cwd=tmp_path, timeout=0.3,
                         progress=lambda *call: None)
    assert result.timed_out and not result.ok


def test_staging_and_deploy_logs_are_recorded_and_shown(make_api: MakeApi, hot_repo: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    api = make_api(staging_command=(PY, "-c", "print('checkout on staging: 200')"))
    hid = reviewed(api, hot_repo)
    record = api.hotfixes.staging(hid)
    assert record.log is not None and record.log.startswith(".git/incident-beads/logs/")
    assert (hot_repo / record.log).read_text() == "checkout on staging: 200\n"
    status = run(capsys, hot_repo, "hotfix", "status", hid).out
    assert f"staging log: {record.log}" in status


def test_the_cli_streams_staging_output_against_the_time_box(
        hot_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (hot_repo / ".incident-beads.toml").write_text(
        f"[hotfix]\nstaging_command = [{PY!r}, \"-c\", \"print('smoke test ok')\"]\n")
    from incident_beads import IncidentResponse
    from incident_beads.config import load_config

    hid = reviewed(IncidentResponse(hot_repo, actor="ada", config=load_config(hot_repo)),
                   hot_repo)
    done = run(capsys, hot_repo, "hotfix", "staging", hid)
    assert done.code == 0, done.err
    assert re.search(r"^\[staging \d+:\d\d of 15:00\] smoke test ok$", done.err, re.M)
    assert "(log: .git/incident-beads/logs/" in done.out
