"""`incident init | list | show | doctor`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from incident_beads.beads import BeadsStore
from tests.cli_runner import CliResult, run_incident


@pytest.fixture
def incident(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run the CLI in-process: exit code, stdout, stderr."""

    def run(root: Path, *args: str) -> CliResult:
        return run_incident(capsys, root, *args)

    return run


def test_init_creates_the_store_and_is_safe_twice(repo: Path, incident) -> None:  # type: ignore[no-untyped-def]
    first = incident(repo, "init", "--prefix", "ops", "--json")
    assert first.code == 0
    assert sorted(json.loads(first.out)["written"]) == [
        ".beads/.gitignore", ".beads/config.yaml", ".beads/issues.jsonl", ".gitattributes"]
    BeadsStore(repo).create("keep me")
    before = {p.name: p.read_bytes() for p in (repo / ".beads").iterdir()}
    second = incident(repo, "init", "--prefix", "ops")
    assert second.code == 0 and "nothing changed" in second.out
    assert {p.name: p.read_bytes() for p in (repo / ".beads").iterdir()} == before
    assert ".*.incident-beads.tmp" in (repo / ".beads" / ".gitignore").read_text()


def test_init_refuses_a_bad_or_conflicting_prefix_and_writes_nothing(repo: Path, incident) -> None:  # type: ignore[no-untyped-def]
    assert incident(repo, "init", "--prefix", "Bad_Prefix").code == 1
    assert not (repo / ".beads").exists()
    (repo / ".beads").mkdir()
    (repo / ".beads" / "issues.jsonl").write_text(
        '{"id":"web-a1b","title":"t","priority":0,"created_at":"2026-01-01T00:00:00Z",'
        '"updated_at":"2026-01-01T00:00:00Z"}\n')
    result = incident(repo, "init", "--prefix", "ops")
    assert result.code == 1 and "'web'" in result.err
    assert sorted(p.name for p in (repo / ".beads").iterdir()) == ["issues.jsonl"]


def test_without_a_store_the_cli_says_to_run_init(repo: Path, incident) -> None:  # type: ignore[no-untyped-def]
    for args in (["list"], ["show", "x-1"], ["doctor"]):
        result = incident(repo, *args)
        assert result.code == 1
        assert result.err.count("\n") == 1 and "incident init" in result.err


def test_list_filters_and_all(store_repo: Path, incident) -> None:  # type: ignore[no-untyped-def]
    store = BeadsStore(store_repo)
    bug = store.create("Bug", issue_type="bug", priority=1, labels=["incident"])
    task = store.create("Task", priority=3)
    store.close(task.id, "done")
    listed = json.loads(incident(store_repo, "list", "--json").out)
    assert [r["id"] for r in listed] == [bug.id]
    everything = json.loads(incident(store_repo, "list", "--all", "--json").out)
    assert {r["id"] for r in everything} == {bug.id, task.id}
    for args in (["--type", "bug"], ["--label", "incident"], ["--priority", "1"], ["--ready"]):
        assert [r["id"] for r in json.loads(incident(store_repo, "list", *args, "--json").out)] \
            == [bug.id]
    assert json.loads(incident(store_repo, "list", "--status", "closed", "--json").out)[0][
        "id"] == task.id
    text = incident(store_repo, "list").out
    assert text.startswith(f"{bug.id}  [P1] [open] Bug")
    assert incident(store_repo, "list", "--priority", "9").code == 2


def test_show_prints_the_issue_and_refuses_unknown_ids(store_repo: Path, incident) -> None:  # type: ignore[no-untyped-def]
    store = BeadsStore(store_repo)
    issue = store.create("Odd $(title) ; `x`", description="details")
    store.add_comment(issue.id, "ada", "looking")
    shown = incident(store_repo, "show", issue.id, "--json")
    assert json.loads(shown.out) == [store.get(issue.id).data]  # an array, as bd prints
    text = incident(store_repo, "show", issue.id).out
    assert text.startswith(f"{issue.id}: Odd $(title) ; `x`") and "looking" in text
    missing = incident(store_repo, "show", "nope-1", "--json")
    assert missing.code == 1 and json.loads(missing.out)["error"] == "NotFound"


def test_doctor_reports_bad_lines_by_number(store_repo: Path, incident) -> None:  # type: ignore[no-untyped-def]
    path = store_repo / ".beads" / "issues.jsonl"
    good = ('{"id":"p-1","title":"ok","priority":0,"created_at":"2026-01-01T00:00:00Z",'
            '"updated_at":"2026-01-01T00:00:00Z"}\n')
    assert incident(store_repo, "doctor").code == 0
    path.write_text(good + good.replace('"ok"', '""').replace("p-1", "p-2")
                    + '{"id":"p-3", "title":"closed?","status":"open","closed_at":'
                      '"2026-01-01T00:00:00Z","priority":0,"created_at":"2026-01-01T00:00:00Z",'
                      '"updated_at":"2026-01-01T00:00:00Z"}\n'
                    + "{not json\n")
    result = incident(store_repo, "doctor", "--json")
    assert result.code == 1
    assert [(p["line"], p["level"]) for p in json.loads(result.out)] == [
        (2, "error"), (3, "error"), (4, "error")]
    assert f"{path}:2:" in result.err
    text = incident(store_repo, "doctor")
    assert f"{path}:3: error: p-3: closed_at is set on a open issue" in text.out


def test_runs_as_python_dash_m(store_repo: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "incident_beads", "-C", str(store_repo),
                           "list", "--json"], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout.strip()) == (0, "[]")
