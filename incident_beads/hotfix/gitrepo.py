"""The one seam between the hotfix flow and git: GitPython, opened and closed per use."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import NamedTuple

from git import Repo
from git.exc import GitCommandError, InvalidGitRepositoryError, NoSuchPathError

from incident_beads.beads.fileio import atomic_write
from incident_beads.config import GitConfig
from incident_beads.errors import GitError, InvalidInput, NotFound, Refused
from incident_beads.process.shell import shell_quote

# The store and bd's files change all through an incident: they never make the tree "dirty".
STORE_DIR = ".beads/"
STORE_FILE = ".beads/issues.jsonl"


class Commit(NamedTuple):
    """One commit as the hotfix flow reports it."""

    sha: str
    author_name: str
    author_email: str
    date: str
    subject: str
    message: str
    committer_name: str = ""
    committer_email: str = ""


def _fail(exc: GitCommandError, what: str, hint: str | None = None) -> GitError:
    detail = str(exc.stderr or exc.stdout or exc).strip().splitlines()
    last = detail[-1].strip() if detail else ""
    return GitError(f"{what}: {last}" if last else what, hint=hint)


class GitRepo:
    """A repository opened for the hotfix flow; use as `with GitRepo(root, config) as git:`."""

    def __init__(self, root: Path | str, config: GitConfig | None = None) -> None:
        self.root = Path(root)
        self.config = config or GitConfig()
        self._repo: Repo | None = None

    def __enter__(self) -> GitRepo:
        try:
            self._repo = Repo(self.root)
        except (InvalidGitRepositoryError, NoSuchPathError):
            raise GitError(f"{self.root} is not a git repository",
                           hint="run the command inside the repository (or pass -C PATH)") from None
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._repo is not None:
            self._repo.close()
            self._repo = None

    @property
    def repo(self) -> Repo:
        """The open GitPython repository."""
        if self._repo is None:
            raise RuntimeError("GitRepo used outside its `with` block")
        return self._repo

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        """Run one git command in the work tree and return its stdout."""
        out = self.repo.git.execute(["git", *args], env=env, strip_newline_in_stdout=False)
        return str(out)

    # reading -----------------------------------------------------------------------------
    def main_branch(self) -> str:
        """The configured main branch, else `main`, else `master`."""
        configured = self.config.main_branch
        candidates = [configured] if configured else ["main", "master"]
        for name in candidates:
            if self.branch_exists(name):
                return name
        if configured:
            raise GitError(f"the configured main branch {configured!r} does not exist",
                           hint="fix git.main_branch in .incident-beads.toml")
        raise GitError("cannot find the main branch (neither `main` nor `master` exists)",
                       hint="set git.main_branch in .incident-beads.toml")

    def branch_exists(self, name: str) -> bool:
        """True when `refs/heads/<name>` exists."""
        return self._ref_exists(f"refs/heads/{name}")

    def tag_exists(self, name: str) -> bool:
        """True when `refs/tags/<name>` exists."""
        return self._ref_exists(f"refs/tags/{name}")

    def _ref_exists(self, ref: str) -> bool:
        try:
            self.git("show-ref", "--verify", "--quiet", ref)
        except GitCommandError:
            return False
        return True

    def tag_info(self, name: str) -> tuple[str, str]:
        """The object type of tag `name` (`tag` when annotated) and the commit it points at."""
        try:
            kind = self.git("cat-file", "-t", f"refs/tags/{name}").strip()
            commit = self.rev_parse(f"refs/tags/{name}^{{commit}}")
        except GitCommandError:
            raise NotFound(f"tag {name} does not exist") from None
        return kind, commit

    def rev_parse(self, ref: str) -> str:
        """The full commit id `ref` names."""
        try:
            return self.git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()
        except GitCommandError:
            raise NotFound(f"{ref} does not name a commit") from None

    def current_branch(self) -> str | None:
        """The branch HEAD is on; None when HEAD is detached."""
        try:
            return self.git("symbolic-ref", "--quiet", "--short", "HEAD").strip()
        except GitCommandError:
            return None

    def dirty_paths(self) -> list[str]:
        """Tracked files with staged or unstaged changes, leaving out the store (`.beads/`)."""
        out = self.git("status", "--porcelain=v1", "-z", "--untracked-files=no")
        return [path for _status, path, _source in parse_porcelain(out)
                if not path.startswith(STORE_DIR)]

    def has_staged_changes(self) -> bool:
        """True when the index differs from HEAD."""
        try:
            self.git("diff", "--cached", "--quiet", "--exit-code")
        except GitCommandError:
            return True
        return False

    def staged_paths(self) -> list[str]:
        """The paths whose index entry differs from HEAD."""
        return [p for p in self.git("diff", "--cached", "--name-only", "-z").split("\0") if p]

    def unstage_store(self) -> None:
        """Put the store folder's index entries back as in HEAD; the work tree keeps them."""
        self.git("restore", "--staged", "--", STORE_DIR)

    def is_ancestor(self, older: str, newer: str) -> bool:
        """True when `older` is reachable from `newer`."""
        try:
            self.git("merge-base", "--is-ancestor", older, newer)
        except GitCommandError:
            return False
        return True

    def commits(self, base: str, head: str) -> list[Commit]:
        """Commits in `base..head`, oldest first."""
        out = self.git("log", "--reverse", "-z",
                       "--format=%H%x1f%an%x1f%ae%x1f%aI%x1f%cn%x1f%ce%x1f%s%x1f%B",
                       f"{base}..{head}", "--")
        found = []
        for record in out.split("\0"):
            if record.strip():
                sha, name, email, date, c_name, c_email, subject, body = record.strip(
                    "\n").split("\x1f", 7)
                found.append(Commit(sha, name, email, date, subject, body, c_name, c_email))
        return found

    def behind_remote(self, branch: str, remote: str) -> int:
        """How many commits the last-fetched `<remote>/<branch>` has that `branch` lacks."""
        tracking = f"refs/remotes/{remote}/{branch}"
        if not self._ref_exists(tracking):
            return 0
        return int(self.git("rev-list", "--count", f"refs/heads/{branch}..{tracking}").strip())

    def check_branch_name(self, name: str) -> None:
        """Refuse a name git cannot use for a branch."""
        try:
            self.git("check-ref-format", "--branch", name)
        except GitCommandError:
            raise InvalidInput(f"{name!r} is not a valid git branch name") from None

    # writing -----------------------------------------------------------------------------
    def create_branch(self, name: str, start: str) -> None:
        """Create branch `name` at `start` and check it out (`git checkout -b name start`).

        Uncommitted changes to the store come along (see `switch_carrying_store`).
        """
        self.switch_carrying_store(["-b", name, start], f"cannot create branch {name}")

    def switch_carrying_store(self, args: Sequence[str], what: str,
                              hint: str | None = None) -> None:
        """`git checkout -q ARGS`, taking the uncommitted store along.

        Git carries a changed file across a switch unless the two commits differ in it; then it
        refuses. The store is then set back to HEAD's version for the switch and its changes
        merged into the new branch's version by issue id afterwards (the merge driver's rules),
        so neither the work tree's records nor the branch's are lost. The store's journal holds
        every line written, should anything go wrong in between.
        """
        try:
            self.git("checkout", "-q", *args)
            return
        except GitCommandError as exc:
            first = exc
        store = self.root / STORE_FILE
        if not self._store_changed():
            raise _fail(first, what, hint=hint) from None
        saved = store.read_bytes() if store.is_file() else b""
        head = self._show(f"HEAD:{STORE_FILE}")
        if head is None:
            store.unlink()  # untracked here: the other branch may track it
        else:
            atomic_write(store, [head])
        try:
            self.git("checkout", "-q", *args)
        except GitCommandError as exc:
            atomic_write(store, [saved])  # the switch failed for another reason: as it was
            raise _fail(exc, what, hint=hint) from None
        from incident_beads.mergedriver.file_merge import merge_files

        there = store.read_bytes() if store.is_file() else b""
        result = merge_files(head or b"", there, saved, path=STORE_FILE)
        store.parent.mkdir(exist_ok=True)
        atomic_write(store, [result.data if result.clean else saved])

    def _store_changed(self) -> bool:
        out = self.git("status", "--porcelain=v1", "-z", "--untracked-files=all", "--",
                       STORE_FILE)
        return bool(parse_porcelain(out))

    def _show(self, spec: str) -> bytes | None:
        try:
            out = self.repo.git.execute(["git", "show", spec], stdout_as_string=False,
                                        strip_newline_in_stdout=False)
        except GitCommandError:
            return None
        return bytes(out)

    def drop_branch(self, name: str, back_to: str) -> None:
        """Undo `create_branch`: check out `back_to` again and delete branch `name`."""
        with contextlib.suppress(GitCommandError):
            self.git("checkout", "-q", back_to)
            self.git("branch", "-q", "-D", name)

    def checkout(self, name: str) -> None:
        """Check out a branch, taking the uncommitted store along."""
        dirty = self.dirty_paths()
        self.switch_carrying_store([name], f"cannot check out {name}",
                                   hint=stash_hint(dirty) if dirty else None)

    def commit_staged(self, message: str, trailers: Sequence[tuple[str, str]]) -> str:
        """Commit what is staged with `message` and `trailers`; return the new commit id."""
        args = ["commit", "-q", "--cleanup=whitespace"]
        for key, value in trailers:
            args += ["--trailer", f"{key}: {value}"]
        with message_file(message) as path:
            try:
                self.git(*args, "-F", path)
            except GitCommandError as exc:
                raise _fail(exc, "git commit failed") from None
        return self.rev_parse("HEAD")

    def annotated_tag(self, name: str, commit: str, message: str) -> None:
        """Create annotated tag `name` on `commit`, message kept verbatim."""
        with message_file(message) as path:
            try:
                self.git("tag", "-a", "--cleanup=verbatim", "-F", path, name, commit)
            except GitCommandError as exc:
                raise _fail(exc, f"cannot create tag {name}") from None

    def merge_no_ff(self, branch: str, into: str, message: str) -> str:
        """Merge `branch` into `into` with `--no-ff`, as git-flow does; return the merge commit."""
        self.checkout(into)
        with message_file(message) as path:
            try:
                self.git("merge", "-q", "--no-ff", "--no-edit", "--cleanup=verbatim",
                         "-F", path, branch)
            except GitCommandError as exc:
                with contextlib.suppress(GitCommandError):
                    self.git("merge", "--abort")
                raise _fail(exc, f"merging {branch} into {into} failed; the merge was aborted",
                            hint=f"merge {branch} into {into} by hand, then tag and push") from None
        return self.rev_parse("HEAD")

    def push(self, remote: str, refspecs: Sequence[str]) -> None:
        """Push `refspecs` to `remote` in one call, so a pre-push hook sees them together."""
        try:
            self.git("push", "-q", remote, *refspecs)
        except GitCommandError as exc:
            raise _fail(exc, f"git push to {remote} failed",
                        hint=f"push by hand: git push {remote} {' '.join(refspecs)}") from None


def require_up_to_date(git: GitRepo, branch: str) -> None:
    """Refuse, as git-flow does, to branch from a main branch behind its remote-tracking branch."""
    remote = git.config.remote
    behind = git.behind_remote(branch, remote)
    if behind:
        raise Refused(f"{branch} is {behind} commit(s) behind {remote}/{branch}",
                      hint=f"update it first: git checkout {branch} && git pull --ff-only")


def require_clean(git: GitRepo, what: str) -> None:
    """Refuse, as git-flow does, when tracked files outside the store have changes."""
    dirty = git.dirty_paths()
    if dirty:
        shown = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
        raise Refused(f"cannot {what}: the work tree has uncommitted changes ({shown})",
                      hint=stash_hint(dirty))


_NAMED_IN_STASH = 10


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


@contextlib.contextmanager
def message_file(message: str) -> Iterator[str]:
    # A file rather than `-m`: any text (quotes, `$(...)`, newlines) reaches git unchanged.
    text = message if message.endswith("\n") else message + "\n"
    fd, path = tempfile.mkstemp(prefix="incident-beads-msg-", suffix=".txt")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        yield path
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)


def parse_porcelain(out: str) -> list[tuple[str, str, str | None]]:
    """Entries of `git status --porcelain=v1 -z`: status, path, and a rename's source path."""
    found: list[tuple[str, str, str | None]] = []
    entries = iter(out.split("\0"))
    for entry in entries:
        if not entry:
            continue
        status, path = entry[:2], entry[3:]
        source = next(entries, None) if "R" in status or "C" in status else None
        found.append((status, path, source))
    return found
