"""The demo walks a real SEV-1 through every phase, with real pushes to a bare upstream."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from incident_beads.beads.doctor import validate
from incident_beads.beads.store import BeadsStore
from incident_beads.cli import main
from incident_beads.demo import run_demo
from incident_beads.monitoring import sandbox
from incident_beads.response import IncidentResponse


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


def test_demo_walks_every_phase(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # As on a machine without Prometheus: the monitoring part is left out, quietly.
    monkeypatch.setattr(sandbox, "missing", lambda: ["prometheus"])
    lines: list[str] = []
    result = run_demo(tmp_path / "demo", out=lines.append)
    transcript = "\n".join(lines)
    assert result.alert_incident_id == "" and "Monitoring" not in transcript
    for phase in ("Phase 0", "Phase 1", "Phase 2", "Phase 3", "Phase 4", "Phase 5", "Phase 6"):
        assert f"== {phase}" in transcript
    assert "ESCALATE [eta-beyond-window]" in transcript
    assert "ESCALATE [mitigations-exhausted]" in transcript
    assert "refused by the pre-push guard (exit 1)" in transcript
    assert "needs its post-mortem scheduled first" in transcript
    assert "is held since" in transcript and "no hotfix until a person decides" in transcript
    assert "--risk mitigations-exhausted --by 'Cara (IC)' --note" in transcript
    assert "carries no review block" in transcript  # a tag made by hand is not a review

    store = BeadsStore(result.root)
    incident = store.get(result.incident_id)
    assert incident.is_closed and "Root cause" in incident.close_reason
    decided = [c for c in incident.comments if "Decision by Cara (IC)" in str(c["text"])]
    assert [c["author"] for c in decided] == ["ada", "Cara (IC)"]  # recorded for her, by her
    hotfix = store.get(result.hotfix_id)
    assert hotfix.close_reason.startswith("Deployed in ")
    assert [v for v in validate(store.path) if v.level == "error"] == []

    tag = f"hotfix-{result.incident_id}"
    assert git(result.upstream, "cat-file", "-t", tag) == "tag"  # annotated, and pushed
    upstream_log = git(result.upstream, "log", "--format=%s", "main")
    assert f"Merge branch 'hotfix/incident-{result.incident_id}'" in upstream_log
    assert git(result.root, "status", "--porcelain") == ""  # sync committed everything
    for wanted in ("docs/critical-patterns.md", f"docs/postmortems/{result.incident_id}.md",
                   "docs/runbooks/checkout.md"):
        assert wanted in result.written
    assert any(p.startswith("docs/solutions/runtime-errors/") for p in result.written)
    patterns = result.root / "docs" / "critical-patterns.md"
    links = re.findall(r"\]\(([^)]+\.md)\)", patterns.read_text(encoding="utf-8"))
    assert len(links) == 2
    for link in links:  # the past SEV-2's write-up moved folders when it was re-learned
        assert (patterns.parent / link).is_file(), link
    # stakeholders heard it on a real local JSON hook, each message once
    heard = [title.rsplit(": ", 1)[1] for title in result.heard]
    assert heard[0] == "incident declared" and heard[-1] == "resolved"
    assert heard.count("STOP, a person must decide") == 2
    assert "hotfix deployed and verified" in heard
    assert "Decide: incident risk ack " in transcript
    assert "[x] resolution message communicated to stakeholders" in transcript


@pytest.mark.skipif(bool(sandbox.missing()), reason="not installed: "
                    + ", ".join(sandbox.missing()))
def test_demo_adds_the_alert_to_evidence_path_where_it_can(tmp_path: Path) -> None:
    lines: list[str] = []
    result = run_demo(tmp_path / "demo", out=lines.append)
    transcript = "\n".join(lines)
    assert "== Monitoring: an alert declares an incident" in transcript
    assert "POST / 200 declared" in transcript and "failed (exit 1), and recorded" in transcript
    incident = IncidentResponse(result.root).get(result.alert_incident_id)
    assert not incident.is_open and incident.state.assessment.fired_alerts
    assert incident.state.resolution is not None
    assert incident.state.resolution.checklist.evidence_kind == "measured"
    assert git(result.root, "status", "--porcelain") == ""


def test_demo_leaves_a_global_hooks_folder_alone(tmp_path: Path) -> None:
    shared = tmp_path / "my-global-hooks"
    shared.mkdir()
    git(tmp_path, "config", "--global", "core.hooksPath", str(shared))
    result = run_demo(tmp_path / "demo", out=lambda _line: None, monitoring=False)
    assert list(shared.iterdir()) == []
    assert (result.root / ".git" / "hooks" / "pre-push").is_file()


def test_demo_command_prints_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["demo", str(tmp_path / "d"), "--json", "--no-monitoring"])
    assert done.value.code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["incident_id"] and out["transcript"] and out["alert_incident_id"] == ""


def test_demo_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(SystemExit) as done:
        main(["demo", str(tmp_path)])
    assert done.value.code == 1
    assert (tmp_path / "keep.txt").read_text() == "mine"
