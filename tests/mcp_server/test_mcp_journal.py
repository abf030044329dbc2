"""The request journal: one outcome per request id, the latest kept, a reused id refused."""

from __future__ import annotations

import os
from pathlib import Path

import mcp_types as types
import pytest

from incident_beads.errors import Refused
from incident_beads.mcp_server import request_journal
from incident_beads.mcp_server.request_journal import RequestJournal


def outcome(text: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(type="text", text=text)],
                                structured_content={"text": text}, is_error=False)


def test_outcomes_come_back_by_request_id_and_only_for_the_same_call(repo: Path) -> None:
    log = RequestJournal(repo)
    assert log.folder.parent == repo / ".git" / "incident-beads"
    with log.holding():
        assert log.recall("r-1", "update", "p1") is None
        log.remember("r-1", "update", "p1", outcome("first"))
    again = RequestJournal(repo).recall("r-1", "update", "p1")  # as after a restart
    assert again is not None and again.structured_content == {"text": "first"}
    with pytest.raises(Refused, match="already used for another call"):
        log.recall("r-1", "update", "p2")
    with pytest.raises(Refused, match=r"\(update\)"):
        log.recall("r-1", "mitigate", "p1")


def test_the_latest_outcomes_are_kept_and_a_torn_file_counts_as_absent(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(request_journal, "KEEP", 3)
    log = RequestJournal(repo)
    with log.holding():
        for n in range(5):
            log.remember(f"r-{n}", "update", "p", outcome(str(n)))
            path = log._file(f"r-{n}")
            os.utime(path, ns=(n * 10**9, n * 10**9))  # distinct ages whatever the clock
    assert len(list(log.folder.glob("*.json"))) == 3
    assert log.recall("r-0", "update", "p") is None
    assert log.recall("r-1", "update", "p") is None
    assert log.recall("r-4", "update", "p") is not None
    log._file("r-4").write_text('{"tool": "upd')
    assert log.recall("r-4", "update", "p") is None
