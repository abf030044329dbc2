"""The same check as a server pre-receive hook and as `incident check-push` in CI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from incident_beads.guard.hook import run_hook
from incident_beads.guard.refs import is_zero, parse_any, parse_pre_push, parse_pre_receive
from tests.conftest import git
from tests.guard_helpers import annotated_tag, hotfix_merge, push, remote_oid

PROJECT = Path(__file__).resolve().parent.parent
ZERO = "0" * 40


@pytest.fixture
def server(repo: Path) -> Path:
    """The bare upstream of `repo`, running the shipped hooks/pre-receive."""
    upstream = repo.parent / "upstream.git"
    hook = upstream / "hooks" / "pre-receive"
    hook.write_text(f"#!/bin/sh\nexec '{sys.executable}' '{PROJECT / 'hooks' / 'pre-receive'}'\n")
    hook.chmod(0o755)
    return upstream


def test_shipped_script_is_executable() -> None:
    assert (PROJECT / "hooks" / "pre-receive").stat().st_mode & 0o111


def test_server_refuses_what_the_client_skipped(repo: Path, server: Path) -> None:
    merge_oid, _ = hotfix_merge(repo)
    done = push(repo, "--no-verify", "origin", "main")
    assert done.returncode != 0
    assert "pre-receive hook declined" in done.stderr
    assert f"merge {merge_oid[:12]}" in done.stderr
    assert "incident hotfix review bd-42" in done.stderr
    assert remote_oid(server, "main") != merge_oid


def test_server_sees_the_tag_pushed_with_the_branch(repo: Path, server: Path) -> None:
    merge_oid, _ = hotfix_merge(repo)
    annotated_tag(repo, "hotfix-bd-42", merge_oid)
    done = push(repo, "--no-verify", "--follow-tags", "origin", "main")
    assert done.returncode == 0, done.stderr
    assert remote_oid(server, "main") == merge_oid


def test_server_refuses_a_lightweight_tag_pushed_with_the_branch(repo: Path, server: Path) -> None:
    merge_oid, _ = hotfix_merge(repo)
    git(repo, "tag", "hotfix-bd-42", merge_oid)
    done = push(repo, "--no-verify", "origin", "main", "refs/tags/hotfix-bd-42")
    assert done.returncode != 0
    assert "lightweight" in done.stderr


def test_server_accepts_a_tag_pushed_earlier(repo: Path, server: Path) -> None:
    merge_oid, _ = hotfix_merge(repo)
    annotated_tag(repo, "hotfix-bd-42", merge_oid)
    assert push(repo, "--no-verify", "origin", "refs/tags/hotfix-bd-42").returncode == 0
    assert push(repo, "--no-verify", "origin", "main").returncode == 0


def test_server_settings_come_from_the_repository_folder(repo: Path, server: Path) -> None:
    (server / ".incident-beads.toml").write_text('[git]\nprotected_branches = ["production"]\n')
    # A pushed file cannot loosen the server's rule.
    (repo / ".incident-beads.toml").write_text('[git]\nprotected_branches = ["nothing"]\n')
    git(repo, "add", ".incident-beads.toml")
    git(repo, "commit", "-q", "-m", "Loosen the guard")
    hotfix_merge(repo)
    assert push(repo, "--no-verify", "origin", "main").returncode == 0
    git(repo, "checkout", "-q", "-b", "production")
    hotfix_merge(repo, "bd-5", into="production")
    assert push(repo, "--no-verify", "origin", "production").returncode != 0


def run_cli(repo: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "incident_beads", "-C", str(repo), *args],
                          input=stdin, capture_output=True, text=True)


def test_check_push_range_refuses_with_one_line(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    merge_oid, _ = hotfix_merge(repo)
    done = run_cli(repo, "check-push", "--range", f"{base}..{merge_oid}")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert f"merge {merge_oid[:12]}" in lines[0]
    assert "hint: incident hotfix review bd-42 --reviewer PERSON --approve" in lines[0]
    done = run_cli(repo, "check-push", "--range", f"{base}..{merge_oid}", "--json")
    assert done.returncode == 1
    payload = json.loads(done.stdout)
    [finding] = payload["findings"]
    assert finding["incident_id"] == "bd-42" and finding["kind"] == "missing"
    assert finding["commit"] == merge_oid


def test_check_push_range_accepts_a_tagged_hotfix(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    merge_oid, _ = hotfix_merge(repo)
    annotated_tag(repo, "hotfix-bd-42", merge_oid)
    done = run_cli(repo, "check-push", "--range", f"{base}..HEAD", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["hotfixes"][0]["incident_id"] == "bd-42"


def test_check_push_range_on_an_unprotected_branch(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    hotfix_merge(repo)
    done = run_cli(repo, "check-push", "--range", f"{base}..HEAD", "--branch", "feature")
    assert done.returncode == 0, done.stderr


def test_check_push_new_branch_range_checks_the_whole_history(repo: Path) -> None:
    hotfix_merge(repo)
    done = run_cli(repo, "check-push", "--range", f"{ZERO}..HEAD")
    assert done.returncode == 1


def test_check_push_reads_pre_receive_and_pre_push_lines(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    merge_oid, _ = hotfix_merge(repo)
    done = run_cli(repo, "check-push", stdin=f"{base} {merge_oid} refs/heads/main\n")
    assert done.returncode == 1 and "incident bd-42" in done.stderr
    line = f"refs/heads/main {merge_oid} refs/heads/main {base}\n"
    done = run_cli(repo, "check-push", "--remote", "origin", stdin=line)
    assert done.returncode == 1 and "incident bd-42" in done.stderr
    assert run_cli(repo, "check-push", stdin="").returncode == 0


def test_check_push_rejects_a_bad_range(repo: Path) -> None:
    done = run_cli(repo, "check-push", "--range", "HEAD")
    assert done.returncode == 1
    assert "--range must be A..B" in done.stderr


def test_check_push_range_with_unknown_start(repo: Path) -> None:
    done = run_cli(repo, "check-push", "--range", f"{'1' * 40}..HEAD")
    assert done.returncode == 1
    assert "fetch-depth: 0" in done.stderr


def test_pre_push_lines_split_from_the_right() -> None:
    oid = "a" * 40
    [update] = parse_pre_push(f"HEAD^{{/fix it now}} {oid} refs/heads/main {ZERO}\n")
    assert update.local_ref == "HEAD^{/fix it now}"
    assert update.ref == "refs/heads/main" and update.is_creation and not update.is_deletion


def test_deletion_and_sha256_zero_ids() -> None:
    zero64 = "0" * 64
    [update] = parse_pre_push(f"(delete) {zero64} refs/heads/old {'b' * 64}\n")
    assert update.is_deletion and is_zero(update.new_oid)
    [server] = parse_pre_receive(f"{'c' * 64} {zero64} refs/tags/v1\n")
    assert server.is_deletion and server.tag == "v1"


def test_malformed_lines_are_refused_by_line() -> None:
    code, lines = run_hook(["pre-push", "origin", "url"], "main deadbeef main\n", ".")
    assert code == 1
    assert "pre-push input line 1" in lines[0]
    code, lines = run_hook(["pre-receive"], "x y\n", ".")
    assert code == 1 and "pre-receive input line 1" in lines[0]


def test_empty_input_and_usage() -> None:
    assert run_hook(["pre-push", "origin", "url"], "", ".") == (0, [])
    assert run_hook(["pre-receive"], "\n", ".") == (0, [])
    assert run_hook([], "", ".")[0] == 2
    assert run_hook(["pre-push"], "", ".")[0] == 2


def test_parse_any_tells_the_formats_apart() -> None:
    oid = "d" * 40
    assert parse_any(f"refs/heads/main {oid} refs/heads/main {ZERO}\n")[0] == "pre-push"
    assert parse_any(f"{ZERO} {oid} refs/heads/main\n")[0] == "pre-receive"
    assert parse_any("") == ("pre-receive", [])


def test_tag_only_push_needs_no_config(repo: Path) -> None:
    (repo / ".incident-beads.toml").write_text("not toml [")
    oid = git(repo, "rev-parse", "HEAD")
    assert run_hook(["pre-receive"], f"{ZERO} {oid} refs/tags/v1\n", str(repo)) == (0, [])
    code, lines = run_hook(["pre-receive"], f"{ZERO} {oid} refs/heads/main\n", str(repo))
    assert code == 1 and "not valid TOML" in lines[0]

