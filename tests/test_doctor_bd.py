"""`incident doctor` speaks bd: its config, every line's id, warnings grouped per rule."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from incident_beads.beads import BeadsStore, fileio
from incident_beads.beads.doctor import NO_ID, read_bd_config, validate
from tests.cli_runner import CliResult, run_incident


@pytest.fixture
def incident(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    def run(root: Path, *args: str) -> CliResult:
        return run_incident(capsys, root, *args)

    return run


def _line(issue_id: str, **extra: object) -> str:
    data = {"id": issue_id, "title": f"t {issue_id}", "priority": 2,
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z", **extra}
    return json.dumps(data) + "\n"


@pytest.mark.parametrize("config", [
    'issue-prefix: "p"\ntypes.custom: "review,drill"\nstatuses.custom: "triage"\n',
    "types:\n  custom: [review, drill]\nstatuses:\n  custom:\n    - triage  # bd's own\n",
])
def test_custom_types_and_statuses_of_bd_config_are_accepted(store_repo: Path, config: str,
                                                             incident) -> None:  # type: ignore[no-untyped-def]
    beads = store_repo / ".beads"
    (beads / "issues.jsonl").write_text(
        _line("p-1", issue_type="review") + _line("p-2", status="triage")
        + _line("p-3", issue_type="drill", status="triage") + _line("p-4", status="parked"))
    assert validate(beads / "issues.jsonl") != [] and any(
        p.issue_id == "p-1" for p in validate(beads / "issues.jsonl"))
    (beads / "config.yaml").write_text(config)
    assert read_bd_config(beads).custom_types == {"review", "drill"}
    assert read_bd_config(beads).custom_statuses == {"triage"}
    problems = validate(beads / "issues.jsonl")
    assert [(p.issue_id, p.level) for p in problems] == [("p-4", "error")]
    result = incident(store_repo, "doctor")
    assert result.code == 1 and "p-4" in result.err and "p-1" not in result.out


def test_every_reported_line_names_its_id(store_repo: Path, incident) -> None:  # type: ignore[no-untyped-def]
    path = store_repo / ".beads" / "issues.jsonl"
    path.write_text(_line("p-1") + '{"id": "p-2", "title": "cut off\n'
                    + '{"title": "no id", "priority": 1}\n' + _line("p-1"))
    problems = validate(path)
    assert [(p.line, p.issue_id) for p in problems] == [(2, "p-2"), (3, NO_ID), (4, "p-1")]
    result = incident(store_repo, "doctor")
    assert "?" not in result.out
    assert f"{path}:2: error: p-2: not valid JSON" in result.out


def test_warnings_of_lines_other_tools_wrote_are_grouped(store_repo: Path, incident) -> None:  # type: ignore[no-untyped-def]
    path = store_repo / ".beads" / "issues.jsonl"
    dep = {"issue_id": "x", "depends_on_id": "gone-1", "type": "blocks",
           "created_at": "2026-01-01T00:00:00Z"}
    lines = [_line(f"p-{n}", dependencies=[dict(dep, depends_on_id=f"gone-{n}")])
             for n in range(1, 6)]
    lines += [_line("p-7", issue_type="review"), _line("p-8", issue_type="review")]
    path.write_text("".join(lines))
    # the store edits p-8: from then on it is a line this tool wrote, and listed on its own
    BeadsStore(store_repo).update("p-8", notes="seen")
    result = incident(store_repo, "doctor")
    assert result.code == 0
    out = result.out.splitlines()
    assert any("5 line(s) other tools wrote: depends on an issue that is not in the file" in x
               for x in out)
    assert any("1 line(s) other tools wrote: issue_type … is not built-in" in x for x in out)
    assert any(x.endswith("warning: p-8: issue_type 'review' is not built-in "
                          "(configure it as custom in bd)") for x in out)
    assert not any("gone-3" in x for x in out)
    verbose = incident(store_repo, "doctor", "--verbose")
    assert sum("depends on gone-" in x for x in verbose.out.splitlines()) == 5
    as_json = json.loads(incident(store_repo, "doctor", "--json").out)
    assert len(as_json) == 7


def test_an_unwritable_store_is_named_not_its_temporary_file(
        store_repo: Path, monkeypatch: pytest.MonkeyPatch, incident) -> None:  # type: ignore[no-untyped-def]
    beads = store_repo / ".beads"
    if os.geteuid() != 0:
        beads.chmod(0o555)
    else:  # root writes anywhere: the refusal the folder's mode would give is made here
        real = fileio.temporary_beside

        def refuse(path: Path) -> tuple[int, str]:
            if path.parent == beads:
                name = beads / f".{path.name}.abc{fileio.TEMP_SUFFIX}"
                raise PermissionError(13, "Permission denied", str(name))
            return real(path)

        monkeypatch.setattr(fileio, "temporary_beside", refuse)
    try:
        result = incident(store_repo, "create", "Checkout down", "--sev", "2")
    finally:
        beads.chmod(0o755)
    assert result.code == 1 and result.err.count("\n") == 1
    assert f"cannot write {beads / 'issues.jsonl'}: Permission denied" in result.err
    assert ".tmp" not in result.err
