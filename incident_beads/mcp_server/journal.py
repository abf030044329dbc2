"""Remember the outcome of each writing call by its request id, so a retry writes nothing.

A client that lost the answer to a call (a timeout, a restarted connection) sends it again;
with the same `request_id` it gets the first outcome back instead of a second status update,
mitigation or deploy. The journal lives under `.git/` beside the store's layout cache: it is a
cache of answers, not part of the record, and survives a restart of the server.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mcp_types as types

from incident_beads.beads.fileio import find_git_dir
from incident_beads.errors import Refused

#: Outcomes kept; the oldest go first. A retry comes within minutes, not thousands of calls.
KEEP = 500


def fingerprint(tool: str, arguments: dict[str, Any]) -> str:
    """What identifies a call apart from its request id: the tool and its arguments."""
    text = json.dumps([tool, arguments], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class RequestJournal:
    """The outcomes of writing calls by request id, for one repository."""

    def __init__(self, root: Path) -> None:
        git_dir = find_git_dir(root)
        folder = git_dir / "incident-beads" if git_dir is not None else root / ".beads"
        self.path = folder / "mcp-requests.jsonl"

    @contextlib.contextmanager
    def holding(self) -> Iterator[None]:
        """Hold the journal for one call, so two servers cannot both run the same request."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def recall(self, request_id: str, tool: str, print_: str) -> types.CallToolResult | None:
        """The first outcome of this request, or None when it is new.

        The same id on another call is refused: it is a client's mistake, and answering with
        the other call's outcome would hide it.
        """
        for entry in reversed(self._entries()):
            if entry.get("request_id") != request_id:
                continue
            if entry.get("tool") != tool or entry.get("fingerprint") != print_:
                raise Refused(f"request id {request_id!r} was already used for another call "
                              f"({entry.get('tool')})",
                              hint="give every new call its own request_id; reuse one only "
                                   "to retry the very same call")
            return types.CallToolResult.model_validate(entry["result"])
        return None

    def remember(self, request_id: str, tool: str, print_: str,
                 result: types.CallToolResult) -> None:
        """Keep the outcome of a call that wrote something (done or escalated)."""
        entry = {"request_id": request_id, "tool": tool, "fingerprint": print_,
                 "result": result.model_dump(mode="json", by_alias=True, exclude_none=True)}
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        entries = self._entries()
        if len(entries) < KEEP:
            with self.path.open("a", encoding="utf-8") as out:
                out.write(line)
            return
        kept = [json.dumps(e, ensure_ascii=False) + "\n" for e in entries[-(KEEP // 2):]]
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text("".join(kept) + line, encoding="utf-8")
        os.replace(temporary, self.path)

    def _entries(self) -> list[dict[str, Any]]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        entries = []
        for line in text.splitlines():
            # A line cut short by a crash is dropped: at worst that one retry runs again.
            with contextlib.suppress(ValueError):
                entry = json.loads(line)
                if isinstance(entry, dict):
                    entries.append(entry)
        return entries
