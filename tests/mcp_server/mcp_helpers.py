"""Drive `incident mcp` through the MCP SDK's own client over a real stdio session."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mcp", reason="the MCP SDK is the optional extra incident_beads[mcp]")

import mcp_types as types
from mcp import ClientSession, StdioServerParameters, stdio_client

PROJECT = Path(__file__).resolve().parents[2]
#: What the server process keeps of the test's environment: the hermetic git setup.
KEEP = ("HOME", "XDG_CONFIG_HOME", "PATH")


def server_env(now: str, **extra: str) -> dict[str, str]:
    """The hermetic environment of the test, a fixed clock, and the project on the path."""
    env = {k: v for k, v in os.environ.items() if k.startswith("GIT_") or k in KEEP}
    env.update({"INCIDENT_BEADS_NOW": now, "PYTHONPATH": str(PROJECT), "USER": "ada",
                "INCIDENT_ACTOR": "agent:orchestrator", **extra})
    return env


@asynccontextmanager
async def mcp_session(root: Path, now: str, errlog: Path) -> AsyncIterator[ClientSession]:
    """`python -m incident_beads mcp --repo ROOT` as a subprocess, and a session on it."""
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "incident_beads", "mcp", "--repo", str(root)],
        env=server_env(now), cwd=str(root.parent))
    with errlog.open("a", encoding="utf-8") as err:
        async with stdio_client(params, errlog=err) as (read, write), \
                ClientSession(read, write) as session:
            await session.initialize()
            yield session


class Caller:
    """Tool calls that return the structured result, checked for success or failure."""

    def __init__(self, session: ClientSession) -> None:
        self.session = session

    async def raw(self, tool: str, **arguments: Any) -> types.CallToolResult:
        """The result as the client got it."""
        return await self.session.call_tool(tool, arguments)

    async def ok(self, tool: str, **arguments: Any) -> Any:
        """The structured result of a call that must succeed."""
        result = await self.raw(tool, **arguments)
        assert not result.is_error, f"{tool} failed: {_text(result)}"
        assert result.structured_content is not None
        # The text block carries the same result, for clients that read only text.
        assert json.loads(_text(result)) == result.structured_content
        return result.structured_content

    async def error(self, tool: str, **arguments: Any) -> dict[str, Any]:
        """The structured content of a call that must be an error result."""
        result = await self.raw(tool, **arguments)
        assert result.is_error, f"{tool} should have failed: {_text(result)}"
        assert result.structured_content is not None
        return dict(result.structured_content)


def _text(result: types.CallToolResult) -> str:
    block = result.content[0]
    assert isinstance(block, types.TextContent)
    return block.text
