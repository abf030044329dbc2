"""The library's one seam to git: GitPython, opened for a task and closed when it is done.

    with GitRepo(root) as git:
        head = git.rev_parse("refs/heads/main")

Reads go through GitPython's object model (`repo.commit`, `repo.head`, references and tag
objects, `iter_commits`, `is_ancestor`, trees and blobs, `config_reader`). Plain `repo.git`
commands remain only where GitPython has no model for the operation; each says why. The push
guard's hook path (`guard/`, `process/git.py`) and the store's journal run plain `git`
instead: they must stay fast and free of GitPython.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import TracebackType
from typing import NamedTuple

from git import Repo
from git.exc import BadName, BadObject, GitCommandError, InvalidGitRepositoryError, NoSuchPathError
from git.objects.blob import Blob
from git.objects.commit import Commit as GitCommit
from git.objects.tree import Tree
from git.refs.reference import Reference
from git.refs.tag import TagReference

from incident_beads.config import GitConfig
from incident_beads.errors import GitError, InvalidInput, NotFound

__all__ = ["Commit", "GitCommandError", "GitRepo", "Run", "Tag", "command_failed", "message_file",
           "parse_porcelain"]

#: The modes of a regular file in a tree (a link's is 0o120000).
_REGULAR = (0o100644, 0o100755)

#: What GitPython raises for a revision it cannot resolve.
_UNRESOLVED = (BadName, BadObject, ValueError, IndexError, KeyError)


class Commit(NamedTuple):
    """One commit as the library reports it."""

    sha: str
    author_name: str
    author_email: str
    date: str
    subject: str
    message: str
    committer_name: str = ""
    committer_email: str = ""


class Run(NamedTuple):
    """What one git command ended with."""

    status: int
    stdout: bytes
    stderr: bytes
    timed_out: bool


class Tag(NamedTuple):
    """One tag: annotated or lightweight, the commit it names, who made it and when (ISO)."""

    name: str
    annotated: bool
    commit: str
    who: str
    at: str


def _commit(c: GitCommit) -> Commit:
    message = c.message if isinstance(c.message, str) else c.message.decode()
    return Commit(c.hexsha, c.author.name or "", c.author.email or "",
                  c.authored_datetime.isoformat(), message.split("\n", 1)[0], message,
                  c.committer.name or "", c.committer.email or "")


def _bytes(value: object) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


def command_failed(exc: GitCommandError, what: str, hint: str | None = None) -> GitError:
    """`GitError` saying `what` failed, with git's last line of complaint."""
    detail = str(exc.stderr or exc.stdout or exc).strip().splitlines()
    last = detail[-1].strip() if detail else ""
    return GitError(f"{what}: {last}" if last else what, hint=hint)


class GitRepo:
    """A repository opened for one task; use as `with GitRepo(root, config) as git:`."""

    def __init__(self, root: Path | str, config: GitConfig | None = None, *,
                 offline: bool = False, env: dict[str, str] | None = None) -> None:
        self.root = Path(root)
        self.config = config or GitConfig()
        #: Reads never go to the network (`protocol.allow=never`): a partial clone's missing
        #: object is an error instead of a silent lazy download.
        self.offline = offline
        self.env = dict(env or {})
        self._repo: Repo | None = None

    def __enter__(self) -> GitRepo:
        try:
            self._repo = Repo(self.root)
        except (InvalidGitRepositoryError, NoSuchPathError):
            raise GitError(f"{self.root} is not a git repository",
                           hint="run the command inside the repository (or pass -C PATH)") from None
        if self.offline:
            self._repo.git.set_persistent_git_options(c="protocol.allow=never")
        if self.env:
            self._repo.git.update_environment(**self.env)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._repo is not None:
            self._repo.close()
            self._repo = None

    @staticmethod
    def init(path: Path | str, *, bare: bool = False, branch: str = "main") -> None:
        """Create an empty repository at `path` whose first branch is `branch`."""
        try:
            Repo.init(path, mkdir=True, bare=bare, initial_branch=branch, quiet=True).close()
        except GitCommandError as exc:
            raise command_failed(exc, f"cannot create a repository at {path}") from None

    @property
    def repo(self) -> Repo:
        """The open GitPython repository."""
        if self._repo is None:
            raise RuntimeError("GitRepo used outside its `with` block")
        return self._repo

    @property
    def top(self) -> Path:
        """The top folder of the work tree."""
        return Path(self.repo.working_tree_dir or self.root)

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        """Run one git command in the work tree and return its stdout (for what GitPython has
        no model of: the caller says which)."""
        out = self.repo.git.execute(["git", *args], env=env, strip_newline_in_stdout=False)
        return str(out)

    def attempt(self, *args: str) -> tuple[int, str]:
        """Run one git command that may be refused (a push a hook stops): its exit status and
        its stderr, without raising."""
        status, _out, err = self.repo.git.execute(["git", *args], with_extended_output=True,
                                                  with_exceptions=False)
        return int(status), str(err)

    def run(self, *args: str, stdin: bytes | None = None,
            timeout: float | None = None) -> Run:
        """One git command whose bytes matter, that may fail or run long (a fetch over the
        network, a listing of missing objects: git's own work, with no model in GitPython).

        Killed after `timeout` seconds; never raises for its exit status.
        """
        began = time.monotonic()
        with tempfile.TemporaryFile() as source:
            if stdin is not None:
                source.write(stdin)
                source.seek(0)
            status, out, err = self.repo.git.execute(
                ["git", *args], istream=source if stdin is not None else None,
                with_extended_output=True, with_exceptions=False, stdout_as_string=False,
                strip_newline_in_stdout=False, kill_after_timeout=timeout)
        timed_out = (timeout is not None and status != 0
                     and time.monotonic() - began >= timeout)
        return Run(int(status), _bytes(out), _bytes(err), timed_out)

    # refs, commits, tags -----------------------------------------------------------------
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

    def ref_exists(self, ref: str) -> bool:
        """True when the full ref name `ref` (`refs/...`) names an object."""
        try:
            return Reference(self.repo, ref, check_path=False).is_valid()
        except (*_UNRESOLVED, OSError):
            return False

    def branch_exists(self, name: str) -> bool:
        """True when `refs/heads/<name>` exists."""
        return self.ref_exists(f"refs/heads/{name}")

    def tag_exists(self, name: str) -> bool:
        """True when `refs/tags/<name>` exists."""
        return self.ref_exists(f"refs/tags/{name}")

    def tag_info(self, name: str) -> tuple[str, str]:
        """The object type of tag `name` (`tag` when annotated) and the commit it points at."""
        ref = TagReference(self.repo, f"refs/tags/{name}")
        try:
            kind = "tag" if ref.tag is not None else ref.object.type
            return kind, ref.commit.hexsha
        except _UNRESOLVED:
            raise NotFound(f"tag {name} does not exist") from None

    def tags(self) -> list[Tag]:
        """Every tag (`repo.tags`), with the commit it names and who made it when: the tagger
        of an annotated tag, else the commit's author and committer date."""
        found = []
        for ref in self.repo.tags:
            try:
                commit, tag = ref.commit, ref.tag
            except _UNRESOLVED:
                continue  # a tag of a tree or blob names no commit
            if tag is not None:
                zone = timezone(timedelta(seconds=-tag.tagger_tz_offset))
                when = datetime.fromtimestamp(tag.tagged_date, zone).isoformat()
                who = (tag.tagger.name or "") if tag.tagger else ""
            else:
                when, who = commit.committed_datetime.isoformat(), commit.author.name or ""
            found.append(Tag(ref.name, tag is not None, commit.hexsha, who, when))
        return found

    def merges(self, branch: str, *, since: datetime) -> list[Commit]:
        """The merge commits on `branch`'s first-parent line since `since`, newest first."""
        return [_commit(c) for c in self.repo.iter_commits(
            branch, first_parent=True, merges=True, since=since.isoformat())]

    def tag_message(self, name: str) -> str | None:
        """The message of annotated tag `name` (GitPython leaves out its last line break);
        None for a lightweight or missing tag."""
        try:
            tag = TagReference(self.repo, f"refs/tags/{name}").tag
        except _UNRESOLVED:
            return None
        return None if tag is None else str(tag.message)

    def rev_parse(self, ref: str) -> str:
        """The full commit id `ref` names."""
        try:
            return str(self.repo.commit(ref).hexsha)
        except _UNRESOLVED:
            raise NotFound(f"{ref} does not name a commit") from None

    def current_branch(self) -> str | None:
        """The branch HEAD is on; None when HEAD is detached."""
        head = self.repo.head
        return None if head.is_detached else str(head.reference.name)

    def is_ancestor(self, older: str, newer: str) -> bool:
        """True when `older` is reachable from `newer`."""
        try:
            return self.repo.is_ancestor(self.repo.commit(older), self.repo.commit(newer))
        except (*_UNRESOLVED, GitCommandError):
            return False

    def commits(self, base: str, head: str) -> list[Commit]:
        """Commits in `base..head`, oldest first."""
        return [_commit(c) for c in self.repo.iter_commits(f"{base}..{head}", reverse=True)]

    def behind_remote(self, branch: str, remote: str) -> int:
        """How many commits the last-fetched `<remote>/<branch>` has that `branch` lacks."""
        tracking = f"refs/remotes/{remote}/{branch}"
        if not self.ref_exists(tracking):
            return 0
        return sum(1 for _ in self.repo.iter_commits(f"refs/heads/{branch}..{tracking}"))

    def file_at(self, rev: str, path: str) -> bytes | None:
        """The content of `path` in commit `rev`; None when it has no such file."""
        try:
            blob = self.repo.commit(rev).tree / path
        except _UNRESOLVED:
            return None
        return bytes(blob.data_stream.read())

    def files_under(self, commit: str, paths: Sequence[str]) -> dict[str, str]:
        """Path -> blob id of every regular file at or under `paths` in `commit`'s tree
        (links are not followed); the trees are read, never a blob."""
        try:
            tree = self.repo.commit(commit).tree
        except _UNRESOLVED:
            raise NotFound(f"{commit} does not name a commit") from None
        found: dict[str, str] = {}
        for path in paths:
            try:
                item = tree / path.strip("/")
            except KeyError:
                continue
            blobs = item.traverse() if isinstance(item, Tree) else [item]
            for blob in blobs:
                if isinstance(blob, Blob) and blob.mode in _REGULAR:
                    found[str(blob.path)] = blob.hexsha
        return found

    def object_data(self, name: str) -> tuple[str, bytes] | None:
        """The type and content of the object `name` names (an id or `<commit>:<path>`), read
        by the repository's one long-lived `git cat-file --batch`; None when there is none.

        `GitError` when git stopped answering: offline, an object a partial clone lacks.
        """
        if "\n" in name:
            return None
        try:
            _sha, kind, _size, data = self.repo.git.get_object_data(name)
        except ValueError as exc:
            if "could not be resolved" in str(exc):
                return None
            raise GitError(f"{self.root.name}: an object is missing from the cache",
                           hint="run `incident fleet fetch` again") from None
        except OSError:
            raise GitError(f"{self.root.name}: an object is missing from the cache",
                           hint="run `incident fleet fetch` again") from None
        return (kind.decode() if isinstance(kind, bytes) else str(kind)), bytes(data)

    def remote_urls(self) -> set[str]:
        """The URLs of every remote (`remote.<name>.url`), from the configuration."""
        with self.repo.config_reader() as reader:
            return {str(url) for section in reader.sections()
                    if section.startswith("remote ") and reader.has_option(section, "url")
                    for url in reader.get_values(section, "url")}

    def config_value(self, section: str, option: str, *, local: bool = False) -> str | None:
        """One value of git's configuration (`local`: the repository's own file only), or None.

        `section` as the file spells it: `merge "incident-beads"`.
        """
        with self.repo.config_reader("repository" if local else None) as reader:
            if not reader.has_option(section, option):
                return None
            return str(reader.get_value(section, option))

    def set_config(self, name: str, value: str) -> None:
        """Set `name` (`merge.incident-beads.driver`) in the repository's own configuration.

        Plain `git config`: it quotes and escapes a value (`;`, `#`, quotes) as git reads it
        back, which GitPython's `config_writer` does not promise for every value.
        """
        self.git("config", "--local", name, value)

    def attribute(self, path: str, name: str) -> str:
        """The value of git attribute `name` for `path` (`git check-attr`: no model)."""
        return self.git("check-attr", name, "--", path).strip().rpartition(": ")[2]

    # the work tree and the index ---------------------------------------------------------
    def is_dirty(self, *, untracked: bool = False) -> bool:
        """True when the index or the tracked files differ from HEAD."""
        return self.repo.is_dirty(untracked_files=untracked)

    def status(self, *paths: str, untracked: str = "no") -> list[tuple[str, str, str | None]]:
        """`git status` entries (status, path, a rename's source) below `paths`.

        Plain `git status`: GitPython has no model of a status listing with renames.
        """
        out = self.git("status", "--porcelain=v1", "-z", f"--untracked-files={untracked}",
                       *(["--", *paths] if paths else []))
        return parse_porcelain(out)

    def staged_paths(self) -> list[str]:
        """The paths whose index entry differs from HEAD (plain `git diff --cached`, as the
        index model would compare every entry in Python)."""
        return [p for p in self.git("diff", "--cached", "--name-only", "-z").split("\0") if p]

    def check_branch_name(self, name: str) -> None:
        """Refuse a name git cannot use for a branch (`git check-ref-format`: no model)."""
        try:
            self.git("check-ref-format", "--branch", name)
        except GitCommandError:
            raise InvalidInput(f"{name!r} is not a valid git branch name") from None

    # writing: plain git, so hooks, config and git's own checks apply ---------------------
    def commit_staged(self, message: str, trailers: Sequence[tuple[str, str]]) -> str:
        """Commit what is staged with `message` and `trailers`; return the new commit id.

        `git commit`: GitPython's `index.commit` runs no hooks and knows no trailers.
        """
        args = ["commit", "-q", "--cleanup=whitespace"]
        for key, value in trailers:
            args += ["--trailer", f"{key}: {value}"]
        with message_file(message) as path:
            try:
                self.git(*args, "-F", path)
            except GitCommandError as exc:
                raise command_failed(exc, "git commit failed") from None
        return self.rev_parse("HEAD")

    def annotated_tag(self, name: str, commit: str, message: str) -> None:
        """Create annotated tag `name` on `commit`, message kept verbatim."""
        try:
            self.repo.create_tag(name, ref=commit, message=message, cleanup="verbatim")
        except GitCommandError as exc:
            raise command_failed(exc, f"cannot create tag {name}") from None

    def push(self, remote: str, refspecs: Sequence[str]) -> None:
        """Push `refspecs` to `remote` in one call, so a pre-push hook sees them together.

        `git push`: GitPython's `Remote.push` reports a hook's refusal as flags, not git's words.
        """
        try:
            self.git("push", "-q", remote, *refspecs)
        except GitCommandError as exc:
            raise command_failed(exc, f"git push to {remote} failed",
                                 hint=f"push by hand: git push {remote} {' '.join(refspecs)}"
                                 ) from None


@contextlib.contextmanager
def message_file(message: str) -> Iterator[str]:
    """A temporary file holding `message` (ending in a newline), removed afterwards."""
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
