"""`incident sync`: commit the store and the docs this tool writes, and nothing else."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from incident_beads.config import Config
from incident_beads.errors import GitError, Refused
from incident_beads.repo import GitCommandError, GitRepo, message_file

STORE_FILE = ".beads/issues.jsonl"
# What `incident init` may add beside the store; committed with it once changed.
SETUP_FILES = (".beads/.gitignore", ".beads/config.yaml")
ATTRIBUTES_FILE = ".gitattributes"
_NAMED_IN_SUBJECT = 3


class SyncResult(NamedTuple):
    """What `sync` committed (commit is None when there was nothing to commit)."""

    commit: str | None
    branch: str | None
    paths: tuple[str, ...]
    pushed: bool

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {"commit": self.commit, "branch": self.branch, "paths": list(self.paths),
                "pushed": self.pushed}


def synced_paths(config: Config) -> list[str]:
    """The paths `sync` commits: the store and the knowledge folders and files of the config."""
    knowledge = config.knowledge
    return [STORE_FILE, knowledge.critical_patterns, knowledge.solutions_dir,
            knowledge.runbooks_dir, knowledge.postmortems_dir]


def sync(root: Path | str, config: Config, incident_ids: Sequence[str] | None = None, *,
         push: bool = False) -> SyncResult:
    """Commit changes under `synced_paths` on the current branch, leaving the user's index alone.

    The commit is built in a temporary index, so whatever else is staged stays staged and out
    of the commit, and no commit hook runs on this bookkeeping commit. Exactly the changed
    files are staged, with `-f`, so a store under an ignored `.beads/` (tracked all the same, as
    in bd's own repository) is committed too. The setup files `incident init` wrote come along.
    The subject names `incident_ids`, else the incidents whose lines changed.
    """
    with GitRepo(root, config.git) as git:
        branch = git.current_branch()
        if branch is None:
            where = _short_head(git)
            raise Refused(f"incident sync commits onto a branch, and HEAD is detached{where}",
                          hint=f"git switch {git.main_branch()} (your store changes come "
                               "along), or git switch -c <new-branch>; then incident sync")
        if branch.startswith("hotfix/"):
            # On the hotfix branch the store would ride along with the fix and change under
            # people's feet whenever they switch branches.
            raise Refused(f"incident sync commits the store on the main branch, not on {branch}",
                          hint=f"git checkout {git.main_branch()} (your store changes come "
                               "along), then incident sync")
        try:
            head = git.rev_parse("HEAD")
        except Exception:
            raise GitError("the repository has no commit yet",
                           hint="make a first commit, then run `incident sync`") from None
        paths = _changed(git, [*synced_paths(config), *SETUP_FILES])
        paths += [p for p in _changed(git, [ATTRIBUTES_FILE]) if _attributes_from_init(git)]
        paths.sort()
        if not paths:
            pushed = _push(git, config, branch) if push else False
            return SyncResult(None, branch, (), pushed)
        if incident_ids is None:
            incident_ids = _recorded_incidents(git) if STORE_FILE in paths else []
        message = _message(incident_ids, paths)
        # Plain plumbing in a temporary index: GitPython's index model writes the real one.
        with _temporary_index(git) as env:
            try:
                git.git("read-tree", head, env=env)
                # `git status` listed each of these (it lists no ignored untracked file), so
                # `-f` stages exactly them, also below an ignored folder.
                git.git("add", "-A", "-f", "--", *paths, env=env)
                tree = git.git("write-tree", env=env).strip()
                with message_file(message) as msg:
                    commit = git.git("commit-tree", tree, "-p", head, "-F", msg).strip()
                git.git("update-ref", "-m", "incident sync", "HEAD", commit, head)
            except GitCommandError as exc:
                raise GitError(f"incident sync failed: {str(exc.stderr).strip()}") from None
        # The real index takes the committed version of exactly these paths.
        git.git("reset", "-q", "--", *paths)
        pushed = _push(git, config, branch) if push else False
        return SyncResult(commit, branch, tuple(paths), pushed)


def _changed(git: GitRepo, roots: list[str]) -> list[str]:
    return sorted({p for _status, path, source in git.status(*roots, untracked="all")
                   for p in (path, source) if p})


def _short_head(git: GitRepo) -> str:
    with contextlib.suppress(Exception):
        return f" at {git.rev_parse('HEAD')[:12]}"
    return ""


def _attributes_from_init(git: GitRepo) -> bool:
    """True when the work tree's `.gitattributes` holds the merge driver line and HEAD's not."""
    from incident_beads.mergedriver.register import ATTRIBUTES_LINE

    path = git.root / ATTRIBUTES_FILE
    try:
        current = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return False
    committed = (git.file_at("HEAD", ATTRIBUTES_FILE) or b"").decode("utf-8",
                                                                    "replace").splitlines()
    return ATTRIBUTES_LINE in current and ATTRIBUTES_LINE not in committed


def _recorded_incidents(git: GitRepo) -> list[str]:
    """The incidents whose lines differ from HEAD's store, in file order (else every issue)."""
    try:
        diff = git.git("diff", "--no-color", "--no-ext-diff", "--unified=0", "HEAD", "--",
                       STORE_FILE)
        added = [line[1:] for line in diff.splitlines()
                 if line.startswith("+") and not line.startswith("+++")]
    except GitCommandError:
        added = []
    if not added and not _tracked(git, STORE_FILE):
        with contextlib.suppress(OSError):
            added = (git.root / STORE_FILE).read_text(encoding="utf-8").splitlines()
    incidents: list[str] = []
    others: list[str] = []
    for line in added:
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            continue
        labels = data.get("labels")
        is_incident = isinstance(labels, list) and "incident" in labels
        (incidents if is_incident else others).append(data["id"])
    return list(dict.fromkeys(incidents or others))


def _tracked(git: GitRepo, path: str) -> bool:
    try:
        return bool(git.git("ls-files", "--", path).strip())
    except GitCommandError:
        return False


def _message(incident_ids: Sequence[str], paths: list[str]) -> str:
    shown = list(incident_ids[:_NAMED_IN_SUBJECT])
    named = ", ".join(shown)
    more = len(incident_ids) - len(shown)
    if more:
        named += f" and {more} more"
    if incident_ids:
        subject = f"Record incident{'s' if len(incident_ids) > 1 else ''} {named}"
    elif all(p in SETUP_FILES or p in (STORE_FILE, ATTRIBUTES_FILE) for p in paths):
        subject = "Set up the incident store"
    else:
        subject = "Record incident records"
    body = "\n".join(f"- {p}" for p in paths)
    ids = f"\n\nIssues recorded: {', '.join(incident_ids)}" if more else ""
    # No `Incident:` trailer: the push guard reads that trailer as a hotfix delivery.
    return (f"{subject}\n\nUpdate the incident store and the docs written for it:\n{body}"
            f"{ids}\n")


def _push(git: GitRepo, config: Config, branch: str | None) -> bool:
    if branch is None:
        raise Refused("cannot push from a detached HEAD",
                      hint="check out a branch, then run `incident sync --push`")
    git.push(config.git.remote, [f"refs/heads/{branch}"])
    return True


@contextlib.contextmanager
def _temporary_index(git: GitRepo) -> Iterator[dict[str, str]]:
    fd, path = tempfile.mkstemp(prefix="incident-beads-index-")
    os.close(fd)
    os.unlink(path)  # git wants to create the index file itself
    try:
        yield {"GIT_INDEX_FILE": path}
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
