"""The outbox: every message on disk before it is sent, with its outcome per channel.

It lives in the clone's git folder (`.git/incident-beads/outbox/`, shared by its worktrees), one
JSON file a message, each replaced atomically. Not in `.beads/issues.jsonl`: that file travels
with `git pull`, `git stash` and `git checkout`, which would bring back a delivered message as
pending (sent again) or bring another clone's pending messages here (sent twice). Sending holds
an exclusive lock on the folder, so two commands at once never send the same message twice.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Iterator
from dataclasses import asdict, field, fields
from pathlib import Path
from typing import Any

from incident_beads import digests
from incident_beads.beads.fileio import atomic_write, common_git_dir
from incident_beads.config.frozen import Plain

PENDING, SENT = "pending", "sent"


class Delivery(Plain):
    """The state of one message on one channel."""

    status: str = PENDING
    attempts: int = 0
    last_error: str = ""
    next_attempt_at: str = ""
    sent_at: str = ""


class OutboxEntry(Plain):
    """One message and where it goes.

    `event` names the timeline event it announces (index, kind, time); `confirmed` turns true
    once the store holds that event, so a change that was never written announces nothing.
    """

    id: str
    incident_id: str
    kind: str
    subject: str
    body: str
    created_at: str
    deliveries: dict[str, Delivery]
    event: dict[str, Any] | None = None
    confirmed: bool = True
    dropped: str = ""
    # The wall clock when staged, to keep the order of messages staged within one second.
    staged_ns: int = field(default_factory=time.time_ns)

    @property
    def pending(self) -> list[str]:
        """The channels this message still has to reach."""
        if self.dropped or not self.confirmed:
            return []
        return [url for url, d in self.deliveries.items() if d.status != SENT]

    def to_json(self) -> dict[str, Any]:
        """The entry as stored."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OutboxEntry:
        """An entry as read back."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}  # a newer writer's keys
        values["deliveries"] = {url: Delivery(**d) for url, d in data["deliveries"].items()}
        return cls(**values)


def message_id(*parts: str) -> str:
    """A stable id from what makes a message unique: staging it twice gives one file."""
    return digests.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]


def outbox_folder(root: Path) -> Path:
    """`<git common dir>/incident-beads/outbox`; `.incident-beads-outbox` outside git."""
    common = git_common_dir(root)
    if common is None:
        return root / ".incident-beads-outbox"
    return common / "incident-beads" / "outbox"


def git_common_dir(root: Path) -> Path | None:
    """The repository's git folder shared by all its worktrees, read without running git."""
    dotgit = root / ".git"
    if dotgit.is_dir():
        return dotgit
    if not dotgit.is_file():
        return None
    text = dotgit.read_text(encoding="utf-8", errors="replace")
    if not text.startswith("gitdir:"):
        return None
    gitdir = Path(text[len("gitdir:"):].strip())
    gitdir = gitdir if gitdir.is_absolute() else (root / gitdir)
    return common_git_dir(gitdir).resolve()


class Outbox:
    """The messages of one clone, read and changed on disk."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        # Files that could not be read on the last listing: shown, never silently skipped.
        self.unreadable: list[Path] = []

    def _path(self, entry_id: str) -> Path:
        return self.folder / f"{entry_id}.json"

    def _sent_path(self, entry_id: str) -> Path:
        # Messages sent everywhere move aside: each command scans only what may still be due.
        return self.folder / "sent" / f"{entry_id}.json"

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the outbox's lock: only one process sends or changes entries at a time."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def stage(self, entry: OutboxEntry) -> bool:
        """Write a new message; False (and nothing written) when its id is already there."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if self._path(entry.id).exists() or self._sent_path(entry.id).exists():
            return False
        self.save(entry)
        return True

    def save(self, entry: OutboxEntry) -> None:
        """Replace the entry's file atomically (and durably: a crash loses no outcome)."""
        data = json.dumps(entry.to_json(), ensure_ascii=False, indent=1).encode("utf-8")
        atomic_write(self._path(entry.id), [data + b"\n"])
        if not entry.pending and (entry.confirmed or entry.dropped):
            self._sent_path(entry.id).parent.mkdir(exist_ok=True)
            os.replace(self._path(entry.id), self._sent_path(entry.id))

    def load(self, entry_id: str) -> OutboxEntry | None:
        """One entry still waiting, or None when it is not there (or unreadable)."""
        return _read(self._path(entry_id))

    def entries(self, *, include_sent: bool = False) -> list[OutboxEntry]:
        """The messages still waiting for a channel (and those sent, when asked), oldest first."""
        folders = [self.folder, self.folder / "sent"] if include_sent else [self.folder]
        found = []
        self.unreadable = []
        for folder in folders:
            if not folder.is_dir():
                continue
            for child in folder.iterdir():
                if child.suffix == ".json" and not child.name.startswith("."):
                    entry = _read(child)
                    if entry is None:
                        self.unreadable.append(child)
                    else:
                        found.append(entry)
        return sorted(found, key=lambda e: (e.created_at, e.staged_ns, e.id))


def _read(path: Path) -> OutboxEntry | None:
    try:
        return OutboxEntry.from_json(json.loads(path.read_bytes()))
    except (OSError, ValueError, TypeError, KeyError):
        return None
