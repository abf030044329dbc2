"""`incident hooks install | uninstall | status` beside plain hooks, bd, pre-commit, husky and
lefthook; every chained hook must still get the full input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from incident_beads.errors import Refused
from incident_beads.guard import hookfile
from incident_beads.guard.install import (
    BEADS,
    BROKEN,
    DROPPED,
    HUSKY,
    INACTIVE,
    INSTALLED,
    LEFTHOOK,
    MISSING,
    PLAIN,
    PRE_COMMIT,
    install,
    status,
    uninstall,
)
from tests.conftest import git
from tests.guard_helpers import annotated_tag, hotfix_merge, push

RECORDER = """#!/bin/sh
# A user's own hook: records its arguments and the refs it was given.
echo "args: $*" > "{log}"
cat >> "{log}"
"""


def hooks_path(repo: Path) -> Path:
    return repo / ".git" / "hooks" / "pre-push"


def recorder(path: Path, log: Path, *, shebang: bool = True) -> str:
    text = RECORDER.format(log=log)
    if not shebang:
        text = text.split("\n", 1)[1]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return text


def pushed_line(log: Path) -> list[str]:
    return log.read_text().splitlines()


def tagged_hotfix(repo: Path) -> str:
    merge_oid, _ = hotfix_merge(repo)
    annotated_tag(repo, "hotfix-bd-42", merge_oid)
    return merge_oid


def assert_saw_branch_and_tag(log: Path, merge_oid: str) -> None:
    lines = pushed_line(log)
    assert lines[0].startswith("args: origin ")
    refs = sorted(line.split()[2] for line in lines[1:])
    assert refs == ["refs/heads/main", "refs/tags/hotfix-bd-42"]
    assert any(line.split()[1] == merge_oid for line in lines[1:])


def test_fresh_install_is_idempotent_and_uninstall_removes_the_file(repo: Path) -> None:
    first = install(repo)
    assert first.manager == PLAIN and first.state == INSTALLED
    text = hooks_path(repo).read_text()
    assert text.startswith("#!/bin/sh\n" + hookfile.BEGIN)
    assert os.access(hooks_path(repo), os.X_OK)
    assert git(repo, "config", "push.followTags") == "true"
    again = install(repo)
    assert hooks_path(repo).read_text() == text
    assert again.actions == ["already installed, nothing changed"]
    uninstall(repo)
    assert not hooks_path(repo).exists()
    assert subprocess.run(["git", "config", "push.followTags"], cwd=repo).returncode == 1


def test_existing_followtags_false_is_left_alone(repo: Path) -> None:
    git(repo, "config", "push.followTags", "false")
    report = install(repo)
    assert git(repo, "config", "push.followTags") == "false"
    assert any("push.followTags is off" in a for a in report.actions)


def test_a_global_hooks_folder_is_named_as_shared(repo: Path, tmp_path: Path) -> None:
    shared = tmp_path / "global-hooks"
    shared.mkdir()
    git(repo, "config", "--global", "core.hooksPath", str(shared))
    report = install(repo)
    assert (shared / "pre-push").is_file()
    assert any("from the global git config" in a and str(shared) in a for a in report.actions)
    git(repo, "config", "--local", "core.hooksPath", str(repo / ".git" / "hooks"))
    local = install(repo)
    assert not any("global git config" in a for a in local.actions)


def test_plain_user_hook_is_chained_with_the_full_input(repo: Path, tmp_path: Path) -> None:
    log = tmp_path / "user-hook.log"
    original = recorder(hooks_path(repo), log)
    install(repo)
    text = hooks_path(repo).read_text()
    assert text.index(hookfile.BEGIN) < text.index("A user's own hook")
    merge_oid = tagged_hotfix(repo)
    done = push(repo, "--follow-tags", "origin", "main")
    assert done.returncode == 0, done.stderr
    assert_saw_branch_and_tag(log, merge_oid)
    uninstall(repo)
    assert hooks_path(repo).read_text() == original


def test_refusal_stops_the_push_before_the_user_hook(repo: Path, tmp_path: Path) -> None:
    log = tmp_path / "user-hook.log"
    recorder(hooks_path(repo), log)
    install(repo)
    hotfix_merge(repo)
    assert push(repo, "origin", "main").returncode != 0
    assert not log.exists()


def test_hook_without_shebang_is_chained(repo: Path, tmp_path: Path) -> None:
    log = tmp_path / "user-hook.log"
    recorder(hooks_path(repo), log, shebang=False)
    install(repo)
    assert hooks_path(repo).read_text().startswith(hookfile.BEGIN)
    merge_oid = tagged_hotfix(repo)
    assert push(repo, "--follow-tags", "origin", "main").returncode == 0
    assert_saw_branch_and_tag(log, merge_oid)


def test_non_shell_hook_is_refused_and_left_alone(repo: Path) -> None:
    path = hooks_path(repo)
    path.write_text("#!/usr/bin/env python3\nprint('mine')\n")
    with pytest.raises(Refused, match="not a shell script"):
        install(repo)
    assert path.read_text() == "#!/usr/bin/env python3\nprint('mine')\n"


def test_status_tells_installed_missing_dropped_inactive(repo: Path) -> None:
    assert status(repo).state == MISSING
    install(repo)
    assert status(repo).state == INSTALLED
    hooks_path(repo).chmod(0o644)
    assert status(repo).state == INACTIVE
    # Another tool rewrites the file without our section.
    hooks_path(repo).write_text("#!/bin/sh\necho other tool\n")
    hooks_path(repo).chmod(0o755)
    report = status(repo)
    assert report.state == DROPPED
    assert "another tool dropped it" in report.actions[0]


def test_status_and_push_when_the_interpreter_is_gone(repo: Path, tmp_path: Path) -> None:
    gone = tmp_path / "venv" / "bin" / "python"
    install(repo, python=str(gone))
    assert status(repo).state == BROKEN
    done = push(repo, "origin", "main")
    assert done.returncode != 0
    assert f"the push guard cannot run: {gone}" in done.stderr
    assert "incident hooks install" in done.stderr


def test_cli_install_status_uninstall(repo: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "incident_beads", "-C", str(repo), *args],
                              capture_output=True, text=True)

    assert run("hooks", "status").returncode == 1
    done = run("hooks", "install", "--json")
    assert done.returncode == 0, done.stderr
    assert '"state": "installed"' in done.stdout
    assert "merge-driver" in git(repo, "config", "merge.incident-beads.driver")
    assert run("hooks", "status").returncode == 0
    assert run("hooks", "uninstall").returncode == 0
    assert not hooks_path(repo).exists()


# --- bd 1.x: .beads/hooks with an absolute core.hooksPath and BEGIN/END markers -----------

BD_HOOK = """#!/usr/bin/env sh
# --- BEGIN BEADS INTEGRATION v1.0.0 ---
cat > "{log}"
# --- END BEADS INTEGRATION v1.0.0 ---
"""


def bd_setup(repo: Path, log: Path) -> Path:
    folder = repo / ".beads" / "hooks"
    folder.mkdir(parents=True)
    path = folder / "pre-push"
    path.write_text(BD_HOOK.format(log=log))
    path.chmod(0o755)
    git(repo, "config", "core.hooksPath", str(folder))
    return path


def test_beside_bd_both_run_and_a_bd_reinstall_keeps_ours(repo: Path, tmp_path: Path) -> None:
    log = tmp_path / "bd.log"
    path = bd_setup(repo, log)
    report = install(repo)
    assert report.manager == BEADS and report.hook_file == str(path)
    text = path.read_text()
    for bd_own in ("# bd (beads)", "# bd-shim ", "# bd-hooks-version: "):
        assert bd_own not in hookfile.section_text(text)  # type: ignore[operator]
    # bd reinstalls: it replaces only its block.
    start = text.index("# --- BEGIN BEADS")
    end = text.index("# --- END BEADS")
    path.write_text(text[:start] + "# --- BEGIN BEADS INTEGRATION v1.1.0 ---\n"
                    f'cat > "{log}"\n' + text[end:].replace("v1.0.0", "v1.1.0"))
    assert status(repo).state == INSTALLED
    merge_oid = tagged_hotfix(repo)
    assert push(repo, "--follow-tags", "origin", "main").returncode == 0
    lines = log.read_text().splitlines()
    assert sorted(line.split()[2] for line in lines) == ["refs/heads/main",
                                                          "refs/tags/hotfix-bd-42"]
    assert any(merge_oid in line for line in lines)
    hotfix_merge(repo, "bd-43")
    assert push(repo, "origin", "main").returncode != 0


# --- pre-commit (the real package) ----------------------------------------------------------

PRE_COMMIT_CONFIG = """repos:
- repo: local
  hooks:
  - id: record-push
    name: record push
    entry: sh -c 'echo ran >> "$0"' {log}
    language: system
    stages: [pre-push]
    always_run: true
    pass_filenames: false
"""


def pre_commit(repo: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=repo, check=True,
                   capture_output=True, text=True)


@pytest.mark.parametrize("ours_first", [False, True])
def test_beside_pre_commit_both_run(repo: Path, tmp_path: Path, ours_first: bool) -> None:
    log = tmp_path / "pre-commit.log"
    (repo / ".pre-commit-config.yaml").write_text(PRE_COMMIT_CONFIG.format(log=log))
    git(repo, "add", ".pre-commit-config.yaml")
    git(repo, "commit", "-q", "-m", "Add pre-commit")
    if ours_first:
        install(repo)
        pre_commit(repo, "install", "--hook-type", "pre-push")  # moves ours to .legacy
    else:
        pre_commit(repo, "install", "--hook-type", "pre-push")
        report = install(repo)
        assert report.manager == PRE_COMMIT
    legacy = repo / ".git" / "hooks" / "pre-push.legacy"
    assert hookfile.has_section(legacy.read_text())
    assert "File generated by pre-commit" in hooks_path(repo).read_text()
    assert status(repo).state == INSTALLED
    tagged_hotfix(repo)
    done = push(repo, "--follow-tags", "origin", "main")
    assert done.returncode == 0, done.stderr
    assert log.read_text().split() == ["ran"]
    hotfix_merge(repo, "bd-43")
    done = push(repo, "origin", "main")
    assert done.returncode != 0
    assert "incident bd-43" in done.stderr
    uninstall(repo)
    assert not legacy.exists()
    assert "File generated by pre-commit" in hooks_path(repo).read_text()


# --- husky 9: core.hooksPath=.husky/_, user scripts in .husky/ ------------------------------

def test_beside_husky_the_user_script_gets_our_section(repo: Path, tmp_path: Path) -> None:
    log = tmp_path / "husky.log"
    generated = repo / ".husky" / "_"
    generated.mkdir(parents=True)
    # What husky 9 generates: every hook runs the user script with sh -e.
    (generated / "pre-push").write_text(
        '#!/usr/bin/env sh\nexec sh -e "$(git rev-parse --show-toplevel)/.husky/pre-push" "$@"\n')
    (generated / "pre-push").chmod(0o755)
    git(repo, "config", "core.hooksPath", ".husky/_")
    user = repo / ".husky" / "pre-push"
    recorder(user, log, shebang=False)
    report = install(repo)
    assert report.manager == HUSKY and report.hook_file == str(user)
    assert user.read_text().startswith(hookfile.BEGIN)
    merge_oid = tagged_hotfix(repo)
    assert push(repo, "--follow-tags", "origin", "main").returncode == 0
    assert_saw_branch_and_tag(log, merge_oid)
    hotfix_merge(repo, "bd-43")
    assert push(repo, "origin", "main").returncode != 0
    # A husky reinstall regenerates .husky/_ only; status still finds us.
    assert status(repo).state == INSTALLED


def test_hooks_folder_switched_under_us_is_inactive(repo: Path) -> None:
    install(repo)
    (repo / ".husky" / "_").mkdir(parents=True)
    git(repo, "config", "core.hooksPath", ".husky/_")
    report = status(repo)
    assert report.state == INACTIVE
    assert "git does not run now" in report.actions[0]


# --- lefthook: a job in lefthook-local.yml (lefthook never runs foreign hooks) ----------------

def test_beside_lefthook_a_local_job_is_added(repo: Path) -> None:
    (repo / "lefthook.yml").write_text("pre-commit:\n  commands:\n    lint:\n      run: true\n")
    report = install(repo)
    assert report.manager == LEFTHOOK
    local = repo / "lefthook-local.yml"
    text = local.read_text()
    assert "use_stdin: true" in text and "pre-push {1} {2}" in text
    assert "LEFTHOOK" not in text  # lefthook deletes files holding that word
    install(repo)
    assert local.read_text() == text
    assert status(repo).state == INSTALLED
    uninstall(repo)
    assert not local.exists()


def test_lefthook_local_with_its_own_pre_push_is_refused(repo: Path) -> None:
    (repo / "lefthook.yml").write_text("pre-push:\n  commands: {}\n")
    (repo / "lefthook-local.yml").write_text("pre-push:\n  commands:\n    x:\n      run: true\n")
    with pytest.raises(Refused, match="already configures pre-push"):
        install(repo)
    assert "incident" not in (repo / "lefthook-local.yml").read_text()


def test_linked_worktree_uses_the_common_hooks_folder(repo: Path, tmp_path: Path) -> None:
    wt = tmp_path / "wt"
    git(repo, "worktree", "add", "-q", "-b", "side", str(wt))
    report = install(wt)
    assert report.hook_file == str(hooks_path(repo).resolve())
    assert status(repo).state == INSTALLED
    git(wt, "checkout", "-q", "-b", "master")
    hotfix_merge(wt, into="master")
    assert push(wt, "origin", "master").returncode != 0


def _repository_setup(repo: Path) -> tuple[str, str, str]:
    """What a hooks install leaves: local git config, `.gitattributes`, and the hook file."""
    config = git(repo, "config", "--local", "--list").replace(str(repo), "REPO")
    attributes = (repo / ".gitattributes").read_text(encoding="utf-8")
    return config, attributes, hooks_path(repo).read_text().replace(str(repo), "REPO")


def test_install_from_python_leaves_what_the_command_leaves(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.cli_runner import run_incident

    repos = []
    for name in ("python", "command"):
        repo = tmp_path / name
        git(tmp_path, "init", "-q", "-b", "main", str(repo))
        repos.append(repo)
    report = install(repos[0], python=sys.executable)
    assert "registered the .beads/issues.jsonl merge driver in .git/config" in report.actions
    assert run_incident(capsys, repos[1], "hooks", "install").code == 0
    assert _repository_setup(repos[0]) == _repository_setup(repos[1])
    assert git(repos[0], "check-attr", "merge", "--", ".beads/issues.jsonl").endswith(
        "merge: incident-beads")
