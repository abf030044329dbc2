"""What the seam's git commands are given and what it makes of their output: a message file,
`git status` entries, bytes, and git's complaint as a `GitError`."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator

from git.exc import GitCommandError

from incident_beads.errors import GitError


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
