"""`incident hooks install --server DIR`: one standard-library file, judged by a real push."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from incident_beads.guard.server_hook import MARK
from tests.cli_runner import run_incident
from tests.guard_helpers import annotated_tag, hotfix_merge, push, remote_oid


@pytest.fixture
def server(repo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> Path:
    """The bare upstream of `repo` with the written hook, run by an interpreter that has
    only the standard library (no site-packages, no PYTHONPATH): as on a bare server."""
    upstream = repo.parent / "upstream.git"
    done = run_incident(capsys, repo, "hooks", "install", "--server", str(upstream), "--json")
    assert done.code == 0, done.err
    assert json.loads(done.out)["hook_file"] == str(upstream / "hooks" / "pre-receive")
    bare_python = tmp_path / "bin" / "python3"
    bare_python.parent.mkdir()
    bare_python.write_text(f"#!/bin/sh\nexec '{sys.executable}' -I -S \"$@\"\n")
    bare_python.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bare_python.parent}:/usr/bin:/bin")
    monkeypatch.delenv("PYTHONPATH", raising=False)
    return upstream


def test_written_hook_is_one_executable_file(server: Path) -> None:
    hook = server / "hooks" / "pre-receive"
    assert hook.stat().st_mode & 0o111
    text = hook.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env python3\n")
    assert MARK in text
    assert "site-packages" not in text


def test_server_hook_refuses_an_untagged_hotfix(repo: Path, server: Path) -> None:
    merge_oid, _ = hotfix_merge(repo)
    done = push(repo, "--no-verify", "origin", "main")
    assert done.returncode != 0
    assert "pre-receive hook declined" in done.stderr
    assert f"merge {merge_oid[:12]}" in done.stderr
    assert "incident hotfix tag" in done.stderr and "git tag -a" not in done.stderr
    assert remote_oid(server, "main") != merge_oid


def test_server_hook_accepts_the_tagged_hotfix(repo: Path, server: Path) -> None:
    merge_oid, _ = hotfix_merge(repo)
    annotated_tag(repo, "hotfix-bd-42", merge_oid)
    done = push(repo, "--no-verify", "--follow-tags", "origin", "main")
    assert done.returncode == 0, done.stderr
    assert remote_oid(server, "main") == merge_oid


def test_server_hook_reads_the_server_settings(repo: Path, server: Path) -> None:
    # tomllib and config.py come from the hook file too.
    (server / ".incident-beads.toml").write_text('[git]\nprotected_branches = ["production"]\n')
    merge_oid, _ = hotfix_merge(repo)
    assert push(repo, "--no-verify", "origin", "main").returncode == 0
    assert remote_oid(server, "main") == merge_oid


def test_server_hook_reads_settings_with_every_section(repo: Path, server: Path) -> None:
    # Each section's reader (here [notify], [monitoring], [fleet]) is in the hook file.
    (server / ".incident-beads.toml").write_text(
        '[git]\nprotected_branches = ["production"]\n'
        '[notify]\nurls = ["slack://${SLACK_TOKEN}/#incidents"]\n'
        '[monitoring]\nprometheus_url = "http://127.0.0.1:9090"\n'
        '[fleet]\nrepositories = ["../payments"]\n')
    merge_oid, _ = hotfix_merge(repo)
    done = push(repo, "--no-verify", "origin", "main")
    assert done.returncode == 0, done.stderr
    assert remote_oid(server, "main") == merge_oid


def test_server_hook_ignores_an_installed_copy(repo: Path, server: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # A broken incident_beads on the server's path is never what runs.
    fake = tmp_path / "site" / "incident_beads"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise SystemExit('the installed copy ran')\n")
    (server / "hooks" / "pre-receive").write_text(
        (server / "hooks" / "pre-receive").read_text().replace(
            "import sys\n", f"import sys\nsys.path.insert(0, {str(fake.parent)!r})\n", 1))
    hotfix_merge(repo)
    done = push(repo, "--no-verify", "origin", "main")
    assert "the installed copy ran" not in done.stderr
    assert "incident hotfix tag" in done.stderr and "git tag -a" not in done.stderr


def test_install_again_refreshes_and_a_foreign_hook_is_kept(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    upstream = repo.parent / "upstream.git"
    hook = upstream / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\nexit 0\n")
    done = run_incident(capsys, repo, "hooks", "install", "--server", str(upstream))
    assert done.code == 1
    assert "--force" in done.err
    assert hook.read_text() == "#!/bin/sh\nexit 0\n"
    assert run_incident(capsys, repo, "hooks", "install", "--server", str(upstream),
                        "--force").code == 0
    again = run_incident(capsys, repo, "hooks", "install", "--server", str(upstream))
    assert again.code == 0
    assert again.out.startswith("refreshed:")


def test_a_clone_is_not_a_server(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    done = run_incident(capsys, repo, "hooks", "install", "--server", str(repo))
    assert done.code == 1
    assert "not a bare repository" in done.err
    assert "incident hooks install" in done.err


def test_force_alone_is_a_usage_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_incident(capsys, repo, "hooks", "install", "--force").code == 2

