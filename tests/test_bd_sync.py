"""bd and the file agree: `bd import` after a write, bd-only issues brought in before it.

The real `bd` cannot be installed here, so a fake `bd` on PATH checks the arguments it gets,
records them, and plays bd's part of the exchange.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
import pytest

from incident_beads.beads.bd import has_bd_database
from incident_beads.beads.issue import encode_line
from incident_beads.beads.store import BeadsStore
from incident_beads.cli._common import open_store
from incident_beads.config import BeadsConfig
from tests.test_merge_rules import issue

FAKE_BD = r"""#!/bin/sh
# A stand-in for bd: refuses arguments bd would not get from the store, records the rest.
echo "$PWD|$*" >> "$FAKE_BD_LOG"
if [ -n "$FAKE_BD_FAIL" ]; then echo "Error: database is locked" >&2; exit 1; fi
case "$1" in
  import)
    if [ "$#" -ne 2 ] || [ "$2" != ".beads/issues.jsonl" ] || [ ! -f "$2" ]; then
      echo "fake bd: bad import arguments: $*" >&2; exit 2
    fi
    cp "$2" "$FAKE_BD_SEEN" ;;
  export)
    if [ "$#" -ne 3 ] || [ "$2" != "-o" ] || [ ! -d "$(dirname "$3")" ]; then
      echo "fake bd: bad export arguments: $*" >&2; exit 2
    fi
    cp "$FAKE_BD_EXPORT" "$3" ;;
  *) echo "fake bd: unexpected command: $*" >&2; exit 2 ;;
esac
"""


class FakeBd:
    """The fake's files: what it was asked, what it saw, what it exports."""

    def __init__(self, folder: Path) -> None:
        self.bin = folder / "bin"
        self.log = folder / "bd.log"
        self.seen = folder / "bd-seen.jsonl"
        self.export = folder / "bd-export.jsonl"
        self.bin.mkdir(parents=True)
        (self.bin / "bd").write_text(FAKE_BD)
        (self.bin / "bd").chmod(0o755)
        self.export.write_bytes(b"")

    def calls(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []


@pytest.fixture
def fake_bd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeBd:
    fake = FakeBd(tmp_path / "fake")
    monkeypatch.setenv("FAKE_BD_LOG", str(fake.log))
    monkeypatch.setenv("FAKE_BD_SEEN", str(fake.seen))
    monkeypatch.setenv("FAKE_BD_EXPORT", str(fake.export))
    monkeypatch.delenv("FAKE_BD_FAIL", raising=False)
    monkeypatch.setenv("PATH", f"{fake.bin}{os.pathsep}{os.environ['PATH']}")
    return fake


@pytest.fixture
def bd_repo(store_repo: Path) -> Path:
    """A store with a bd 1.x database beside it."""
    (store_repo / ".beads" / "dolt").mkdir()
    return store_repo


def test_a_write_imports_the_written_file_into_bd(bd_repo: Path, fake_bd: FakeBd) -> None:
    created = BeadsStore(bd_repo).create("[SEV-2] Checkout fails", issue_type="bug")
    calls = fake_bd.calls()
    assert [c.split("|")[1].split()[0] for c in calls] == ["export", "import"]
    assert all(c.split("|")[0] == str(bd_repo) for c in calls)  # run from the repository
    assert calls[1].endswith("|import .beads/issues.jsonl")
    assert fake_bd.seen.read_bytes() == (bd_repo / ".beads" / "issues.jsonl").read_bytes()
    assert created.id.encode() in fake_bd.seen.read_bytes()


def test_issues_only_bd_has_are_added_and_the_file_is_never_replaced(
        bd_repo: Path, fake_bd: FakeBd) -> None:
    path = bd_repo / ".beads" / "issues.jsonl"
    # A line only the file has, in another tool's spacing: bd would drop it (upstream #3931).
    file_only = b'{"id": "inc-a1", "title": "only in the file", "priority": 2, ' \
                b'"created_at": "2026-03-01T10:00:00Z", "updated_at": "2026-03-01T10:00:00Z"}\n'
    path.write_bytes(file_only)
    fake_bd.export.write_bytes(
        encode_line(issue("inc-a1", title="bd's older copy"))
        + encode_line(issue("inc-b2", title="made with bd create"))
        + encode_line(issue("inc-c3", status="tombstone"))
        + b'{"_type":"memory","key":"k","value":"v"}\n')
    store = BeadsStore(bd_repo)
    store.update("inc-a1", assignee="ann")
    lines = path.read_bytes().splitlines(keepends=True)
    ids = [line.split(b'"id":')[1].split(b",")[0].strip(b' "') for line in lines]
    assert ids == [b"inc-a1", b"inc-b2"]  # the tombstone and the memory stay out
    assert store.get("inc-a1").title == "only in the file"
    assert store.get("inc-a1").data["assignee"] == "ann"
    assert lines[1] == encode_line(issue("inc-b2", title="made with bd create"))
    assert store.warnings == []


def test_without_a_bd_database_nothing_runs(store_repo: Path, fake_bd: FakeBd) -> None:
    BeadsStore(store_repo).create("[SEV-3] Search slow")
    assert fake_bd.calls() == []


def test_without_bd_on_path_nothing_runs_or_is_said(
        bd_repo: Path, fake_bd: FakeBd, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    store = BeadsStore(bd_repo)
    store.create("[SEV-3] Search slow")
    assert fake_bd.calls() == []
    assert store.warnings == []


@pytest.mark.parametrize(("config", "expected"), [
    (BeadsConfig(bd_import=False), ["export"]),
    (BeadsConfig(bd_export_merge=False), ["import"]),
    (BeadsConfig(bd_import=False, bd_export_merge=False), []),
])
def test_each_step_can_be_turned_off(bd_repo: Path, fake_bd: FakeBd, config: BeadsConfig,
                                     expected: list[str]) -> None:
    BeadsStore(bd_repo, config=config).create("[SEV-3] Search slow")
    assert [c.split("|")[1].split()[0] for c in fake_bd.calls()] == expected


def test_a_config_file_turns_the_steps_off(bd_repo: Path, fake_bd: FakeBd) -> None:
    from incident_beads.config import load_config

    (bd_repo / ".incident-beads.toml").write_text(
        "[beads]\nbd_import = false\nbd_export_merge = false\n")
    BeadsStore(bd_repo, config=load_config(bd_repo).beads).create("[SEV-3] Search slow")
    assert fake_bd.calls() == []


def test_a_failing_bd_is_a_warning_and_the_write_stands(
        bd_repo: Path, fake_bd: FakeBd, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_BD_FAIL", "1")
    store = BeadsStore(bd_repo)
    created = store.create("[SEV-2] Checkout fails")
    assert store.get(created.id).title == "[SEV-2] Checkout fails"
    assert len(store.warnings) == 2
    assert store.warnings[0].startswith("bd export failed (exit 1: Error: database is locked)")
    assert store.warnings[1].startswith("bd import failed (exit 1: Error: database is locked)")
    assert "run `bd import .beads/issues.jsonl`" in store.warnings[1]


def test_an_unreadable_export_is_a_warning(bd_repo: Path, fake_bd: FakeBd) -> None:
    fake_bd.export.write_bytes(b'{"id": "inc-b2", "title": \n')
    store = BeadsStore(bd_repo)
    store.create("[SEV-2] Checkout fails")
    assert len(list(store.issues())) == 1
    assert store.warnings[0].startswith("bd export wrote an unreadable file")


def test_an_exported_issue_the_reader_would_refuse_is_skipped(bd_repo: Path,
                                                              fake_bd: FakeBd) -> None:
    fake_bd.export.write_bytes(encode_line(issue("inc-b2", priority="high")))
    store = BeadsStore(bd_repo)
    store.create("[SEV-2] Checkout fails")
    assert len(list(store.issues())) == 1
    assert "`priority` must be an integer" in store.warnings[0]


def test_the_cli_prints_the_warnings_on_stderr(bd_repo: Path, fake_bd: FakeBd,
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("FAKE_BD_FAIL", "1")

    @click.command()
    @click.pass_context
    def write(ctx: click.Context) -> None:
        open_store(ctx).create("[SEV-2] Checkout fails")

    write.main(args=[], obj=str(bd_repo), standalone_mode=False)
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("incident: warning: bd export failed")
    assert err[1].startswith("incident: warning: bd import failed")


def test_a_sqlite_era_database_counts_as_a_bd_database(tmp_path: Path) -> None:
    assert not has_bd_database(tmp_path)
    (tmp_path / "beads.db").write_bytes(b"")
    assert has_bd_database(tmp_path)


def test_incident_create_imports_into_bd_and_prints_a_failure_as_a_warning(
        bd_repo: Path, fake_bd: FakeBd, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from incident_beads.cli import main

    with pytest.raises(SystemExit) as done:
        main(["-C", str(bd_repo), "create", "Checkout fails", "--sev", "2"])
    assert done.value.code == 0
    assert fake_bd.calls()[-1].endswith("|import .beads/issues.jsonl")
    assert capsys.readouterr().err == ""

    monkeypatch.setenv("FAKE_BD_FAIL", "1")
    with pytest.raises(SystemExit) as done:
        main(["-C", str(bd_repo), "create", "Search slow", "--sev", "3"])
    out, err = capsys.readouterr()
    assert done.value.code == 0  # the write stands
    assert out.split()[0] in (bd_repo / ".beads" / "issues.jsonl").read_text()
    assert "incident: warning: bd import failed (exit 1: Error: database is locked)" in err
