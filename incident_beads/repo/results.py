"""What the git seam returns: a commit, a tag, a walked commit and a command's outcome, as plain
tuples."""

from __future__ import annotations

from typing import NamedTuple

from git.objects.commit import Commit as GitCommit


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


class Walked(NamedTuple):
    """One commit of a first-parent walk: its committer time (POSIX seconds, what `--since`
    compares) and, for a merge, the commit."""

    committed: int
    merge: Commit | None


def to_commit(c: GitCommit) -> Commit:
    """A GitPython commit as the seam reports it."""
    message = c.message if isinstance(c.message, str) else c.message.decode()
    return Commit(c.hexsha, c.author.name or "", c.author.email or "",
                  c.authored_datetime.isoformat(), message.split("\n", 1)[0], message,
                  c.committer.name or "", c.committer.email or "")
