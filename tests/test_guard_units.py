"""Small parts of the guard: merge subjects, records, the git seam, what the hook imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from incident_beads.errors import GitError
from incident_beads.guard.commits import Commit, hotfix_commits, parse_merge_subject
from incident_beads.guard.refs import RefUpdate
from incident_beads.guard.settings import GuardSettings, load_settings
from incident_beads.process.git import Git

PROJECT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("subject", "expected"), [
    ("Merge branch 'hotfix/incident-bd-42'", ("incident-bd-42", "")),
    ("Merge branch 'hotfix/incident-bd-42' into main", ("incident-bd-42", "main")),
    ("Merge branch 'hotfix/incident-bd-42' into 'main'", ("incident-bd-42", "main")),
    ("Merge branch 'hotfix/1.2.1' into develop", ("1.2.1", "develop")),
    ("Merge remote-tracking branch 'origin/hotfix/incident-7'", ("incident-7", "")),
    ("Merge branch 'hotfix/incident-7' of github.com:acme/app", ("incident-7", "")),
    ("Merge branch 'hotfix/incident-7' of github.com:acme/app into prod", ("incident-7", "prod")),
    ("Merge pull request #12 from acme/hotfix/incident-bd-9", ("incident-bd-9", "")),
    ("Merge branch 'hotfix/incident-o'brien'", ("incident-o'brien", "")),  # git leaves ' as is
    ("Merge branch 'hotfix/a';x;'b' into 'main'", ("a';x;'b", "main")),
    ("Merge branch 'feature/login'", None),
    ("Merge branch 'hotfix/'", None),
    ("Merge pull request #12 from acme/feature/x", None),
    ("Merge pull request #x from acme/hotfix/y", None),
    ("Merge branch 'hotfix/x' and more", None),
    ("Revert \"Merge branch 'hotfix/x'\"", None),
])
def test_merge_subjects(subject: str, expected: tuple[str, str] | None) -> None:
    assert parse_merge_subject(subject) == expected


def test_trailer_and_back_merge_classification() -> None:
    merge = Commit("a" * 40, ("b" * 40, "c" * 40), "Merge branch 'hotfix/incident-1' into develop",
                   ())
    assert hotfix_commits(merge, lambda b: b == "main") == []
    plain = Commit("d" * 40, ("a" * 40,), "Fix it", ("bd-3", "bd-3"))
    [hotfix] = hotfix_commits(plain, lambda b: True)
    assert hotfix.incident_id == "bd-3" and hotfix.accepted_targets == {"d" * 40}


def test_records_behave_like_named_tuples() -> None:
    update = RefUpdate("refs/heads/main", "0" * 40, "e" * 40)
    assert update.local_ref == "" and update.branch == "main" and update.is_creation
    assert update._asdict()["new_oid"] == "e" * 40
    assert GuardSettings() == GuardSettings(("main", "master"), ("hotfix-{id}", "incident-{id}"),
                                            "origin")
    with pytest.raises(AttributeError):
        update.ref = "x"  # type: ignore[misc]


def test_settings_follow_the_config_defaults(tmp_path: Path) -> None:
    from incident_beads.config import GitConfig

    assert load_settings(str(tmp_path)) == GuardSettings.from_git_config(GitConfig())
    (tmp_path / ".incident-beads.toml").write_text('[git]\nprotected_branches = ["prod"]\n')
    assert load_settings(str(tmp_path)).protected_branches == ("prod",)


def test_git_failure_is_one_git_error(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="git log failed"):
        Git(str(tmp_path)).output("log")
    assert Git(str(tmp_path)).run("log", ok_codes=(0, 128))[0] == 128


def test_hook_path_imports_only_the_standard_library(tmp_path: Path) -> None:
    """The hook runs on every push: no click, pydantic, GitPython, store, nor config.py
    (dataclasses) when no settings file exists."""
    code = ("import sys; sys.path.insert(0, sys.argv[1]); before = set(sys.modules); "
            "from incident_beads.guard.hook import main; "
            "print(' '.join(sorted(set(sys.modules) - before)))")
    done = subprocess.run([sys.executable, "-I", "-S", "-c", code, str(PROJECT)],
                          cwd=tmp_path, capture_output=True, text=True, check=True)
    loaded = done.stdout.split()
    ours = [m for m in loaded if m.startswith("incident_beads")]
    assert set(ours) <= {"incident_beads", "incident_beads.defaults", "incident_beads.errors",
                         *(m for m in ours if m.startswith(("incident_beads.guard",
                                                            "incident_beads.process")))}
    assert "incident_beads.guard.install" not in ours
    for heavy in ("click", "pydantic", "git", "typing", "dataclasses", "subprocess", "re",
                  "tomllib", "incident_beads.config", "incident_beads.beads"):
        assert heavy not in loaded


def test_a_bug_in_the_guard_is_one_line(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from incident_beads.guard import hook

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(hook.HotfixGuard, "check", broken)
    oid = "a" * 40
    code, lines = hook.run_hook(["pre-receive"], f"{oid} {oid} refs/heads/main\n", str(repo))
    assert code == 1
    assert len(lines) == 1
    assert "internal error in the push guard: RuntimeError: boom" in lines[0]
    assert "--no-verify" in lines[0]
