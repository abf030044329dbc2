"""What the git seam hands out: commits, tags and command results as plain tuples, and the
small helpers its commands share (a message file, `git status` entries, git's complaint)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from typing import NamedTuple

from git.exc import BadName, BadObject, GitCommandError
from git.objects.commit import Commit as GitCommit

from incident_beads.errors import GitError

#: The modes of a regular file in a tree (a link's is 0o120000).
REGULAR = (0o100644, 0o100755)

#: What GitPython raises for a revision it cannot resolve.
UNRESOLVED = (BadName, BadObject, ValueError, IndexError, KeyError)


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


def to_commit(c: GitCommit) -> Commit:
    """A GitPython commit as the seam reports it."""
    message = c.message if isinstance(c.message, str) else c.message.decode()
    return Commit(c.hexsha, c.author.name or "", c.author.email or "",
                  c.authored_datetime.isoformat(), message.split("\n", 1)[0], message,
                  c.committer.name or "", c.committer.email or "")


def as_bytes(value: object) -> bytes:
    """Bytes as GitPython may type them (a `str` where bytes were asked for)."""
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


def command_failed(exc: GitCommandError, what: str, hint: str | None = None) -> GitError:
    """`GitError` saying `what` failed, with git's last line of complaint."""
    detail = str(exc.stderr or exc.stdout or exc).strip().splitlines()
    last = detail[-1].strip() if detail else ""
    return GitError(f"{what}: {last}" if last else what, hint=hint)


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
