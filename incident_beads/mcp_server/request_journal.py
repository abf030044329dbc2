"""Remember the outcome of each writing call by its request id, so a retry writes nothing.

A client that lost the answer to a call (a timeout, a restarted connection) sends it again;
with the same `request_id` it gets the first outcome back instead of a second status update,
mitigation or deploy. The journal lives under `.git/` beside the store's layout cache: it is a
cache of answers, not part of the record, and survives a restart of the server.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mcp_types as types

from incident_beads import digests
from incident_beads.beads.fileio import find_git_dir
from incident_beads.errors import Refused

#: Outcomes kept; the oldest go first. A retry comes within minutes, not thousands of calls.
KEEP = 500


def fingerprint(tool: str, arguments: dict[str, Any]) -> str:
    """What identifies a call apart from its request id: the tool and its arguments."""
    text = json.dumps([tool, arguments], sort_keys=True, default=str, ensure_ascii=False)
    return digests.sha256(text.encode("utf-8")).hexdigest()


class RequestJournal:
    """The outcomes of writing calls by request id, one small file each, for one repository."""

    def __init__(self, root: Path) -> None:
        git_dir = find_git_dir(root)
        parent = git_dir / "incident-beads" if git_dir is not None else root / ".beads"
        self.folder = parent / "mcp-requests"

    @contextlib.contextmanager
    def holding(self) -> Iterator[None]:
        """Hold the journal for one call, so two servers cannot both run the same request."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.folder, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def recall(self, request_id: str, tool: str, print_: str) -> types.CallToolResult | None:
        """The first outcome of this request, or None when it is new.

        The same id on another call is refused: it is a client's mistake, and answering with
        the other call's outcome would hide it.
        """
        try:
            entry = json.loads(self._file(request_id).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            # A file cut short by a crash counts as absent: at worst that one retry runs again.
            return None
        if entry.get("tool") != tool or entry.get("fingerprint") != print_:
            raise Refused(f"request id {request_id!r} was already used for another call "
                          f"({entry.get('tool')})",
                          hint="give every new call its own request_id; reuse one only to "
                               "retry the very same call")
        return types.CallToolResult.model_validate(entry["result"])

    def remember(self, request_id: str, tool: str, print_: str,
                 result: types.CallToolResult) -> None:
        """Keep the outcome of a call that wrote something (done or escalated)."""
        entry = {"request_id": request_id, "tool": tool, "fingerprint": print_,
                 "result": result.model_dump(mode="json", by_alias=True, exclude_none=True)}
        target = self._file(request_id)
        temporary = target.with_suffix(".tmp")
        temporary.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, target)
        self._prune()

    def _file(self, request_id: str) -> Path:
        # Hashed: a request id is the client's text, never a path.
        return self.folder / (digests.sha256(request_id.encode("utf-8")).hexdigest() + ".json")

    def _prune(self) -> None:
        kept = sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
        for old in kept[:-KEEP] if len(kept) > KEEP else []:
            with contextlib.suppress(FileNotFoundError):
                old.unlink()
