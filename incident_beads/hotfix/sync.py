"""`incident sync`: commit the store and the docs this tool writes, and nothing else."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from git.exc import GitCommandError

from incident_beads.config import Config
from incident_beads.errors import GitError, Refused
from incident_beads.hotfix.gitrepo import GitRepo, message_file, parse_porcelain

STORE_FILE = ".beads/issues.jsonl"


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


def sync(root: Path | str, config: Config, incident_ids: Sequence[str], *,
         push: bool = False) -> SyncResult:
    """Commit changes under `synced_paths` on the current branch, leaving the user's index alone.

    The commit is built in a temporary index, so whatever else is staged stays staged and out
    of the commit, and no commit hook runs on this bookkeeping commit.
    """
    with GitRepo(root, config.git) as git:
        branch = git.current_branch()
        if branch is not None and branch.startswith("hotfix/"):
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
        paths = _changed(git, synced_paths(config))
        if not paths:
            pushed = _push(git, config, branch) if push else False
            return SyncResult(None, branch, (), pushed)
        message = _message(incident_ids, paths)
        with _temporary_index(git) as env:
            try:
                git.git("read-tree", head, env=env)
                git.git("add", "-A", "--", *paths, env=env)
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
    out = git.git("status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *roots)
    return sorted({p for _status, path, source in parse_porcelain(out)
                   for p in (path, source) if p})


def _message(incident_ids: Sequence[str], paths: list[str]) -> str:
    named = ", ".join(incident_ids)
    subject = f"Record incident {named}" if incident_ids else "Record incident records"
    body = "\n".join(f"- {p}" for p in paths)
    # No `Incident:` trailer: the push guard reads that trailer as a hotfix delivery.
    return f"{subject}\n\nUpdate the incident store and the docs written for it:\n{body}\n"


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
