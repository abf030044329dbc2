"""The work tree during a hotfix: branch switches that keep the incident store, and the
git-flow checks (a clean tree, a main branch up to date) that ignore it.

The store and bd's files change all through an incident: they never make the tree "dirty",
and a switch of branches never loses their uncommitted lines.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from incident_beads.beads.fileio import atomic_write
from incident_beads.errors import Refused
from incident_beads.mergedriver.file_merge import merge_files
from incident_beads.process.shell import shell_quote
from incident_beads.repo import GitCommandError, GitRepo, command_failed, message_file

STORE_DIR = ".beads/"
STORE_FILE = ".beads/issues.jsonl"

_NAMED_IN_STASH = 10


def dirty_paths(git: GitRepo) -> list[str]:
    """Tracked files with staged or unstaged changes, leaving out the store (`.beads/`)."""
    return [path for _status, path, _source in git.status()
            if not path.startswith(STORE_DIR)]


def unstage_store(git: GitRepo) -> None:
    """Put the store folder's index entries back as in HEAD; the work tree keeps them."""
    git.git("restore", "--staged", "--", STORE_DIR)  # no index model for a partial restore


def create_branch(git: GitRepo, name: str, start: str) -> None:
    """Create branch `name` at `start` and check it out (`git checkout -b name start`).

    Uncommitted changes to the store come along (see `switch_carrying_store`).
    """
    switch_carrying_store(git, ["-b", name, start], f"cannot create branch {name}")


def drop_branch(git: GitRepo, name: str, back_to: str) -> None:
    """Undo `create_branch`: check out `back_to` again and delete branch `name`."""
    with contextlib.suppress(GitCommandError):
        git.git("checkout", "-q", back_to)
        git.git("branch", "-q", "-D", name)


def checkout(git: GitRepo, name: str) -> None:
    """Check out a branch, taking the uncommitted store along."""
    dirty = dirty_paths(git)
    switch_carrying_store(git, [name], f"cannot check out {name}",
                          hint=stash_hint(dirty) if dirty else None)


def switch_carrying_store(git: GitRepo, args: Sequence[str], what: str,
                          hint: str | None = None) -> None:
    """`git checkout -q ARGS`, taking the uncommitted store along.

    Git carries a changed file across a switch unless the two commits differ in it; then it
    refuses. The store is then set back to HEAD's version for the switch and its changes
    merged into the new branch's version by issue id afterwards (the merge driver's rules),
    so neither the work tree's records nor the branch's are lost. The store's journal holds
    every line written, should anything go wrong in between. (Plain `git checkout`: GitPython's
    `Head.checkout` would not say why git refused.)
    """
    try:
        git.git("checkout", "-q", *args)
        return
    except GitCommandError as exc:
        first = exc
    store = git.root / STORE_FILE
    if not git.status(STORE_FILE, untracked="all"):
        raise command_failed(first, what, hint=hint) from None
    saved = store.read_bytes() if store.is_file() else b""
    head = git.file_at("HEAD", STORE_FILE)
    if head is None:
        store.unlink()  # untracked here: the other branch may track it
    else:
        atomic_write(store, [head])
    try:
        git.git("checkout", "-q", *args)
    except GitCommandError as exc:
        atomic_write(store, [saved])  # the switch failed for another reason: as it was
        raise command_failed(exc, what, hint=hint) from None
    there = store.read_bytes() if store.is_file() else b""
    result = merge_files(head or b"", there, saved, path=STORE_FILE)
    store.parent.mkdir(exist_ok=True)
    atomic_write(store, [result.data if result.clean else saved])


def merge_no_ff(git: GitRepo, branch: str, into: str, message: str) -> str:
    """Merge `branch` into `into` with `--no-ff`, as git-flow does; return the merge commit.

    Plain `git merge`: GitPython has no model of a merge in the work tree.
    """
    checkout(git, into)
    with message_file(message) as path:
        try:
            git.git("merge", "-q", "--no-ff", "--no-edit", "--cleanup=verbatim", "-F", path,
                    branch)
        except GitCommandError as exc:
            with contextlib.suppress(GitCommandError):
                git.git("merge", "--abort")
            raise command_failed(exc, f"merging {branch} into {into} failed; the merge was "
                                      "aborted",
                                 hint=f"merge {branch} into {into} by hand, then tag and push"
                                 ) from None
    return git.rev_parse("HEAD")


def require_up_to_date(git: GitRepo, branch: str) -> None:
    """Refuse, as git-flow does, to branch from a main branch behind its remote-tracking branch."""
    remote = git.config.remote
    behind = git.behind_remote(branch, remote)
    if behind:
        raise Refused(f"{branch} is {behind} commit(s) behind {remote}/{branch}",
                      hint=f"update it first: git checkout {branch} && git pull --ff-only")


def require_clean(git: GitRepo, what: str) -> None:
    """Refuse, as git-flow does, when tracked files outside the store have changes."""
    dirty = dirty_paths(git)
    if dirty:
        shown = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
        raise Refused(f"cannot {what}: the work tree has uncommitted changes ({shown})",
                      hint=stash_hint(dirty))


def stash_hint(paths: Sequence[str]) -> str:
    """How to set `paths` aside while leaving the incident store (`.beads/`) in place.

    A plain `git stash` would take the store along, and with it every incident record not yet
    committed.
    """
    if len(paths) <= _NAMED_IN_STASH:
        spec = " ".join(shell_quote(p) for p in paths)
    else:
        spec = ". ':(exclude).beads'"
    return (f"commit them, or set them aside without the incident store: "
            f"git stash push -- {spec}")
