"""docs/mcp.md: the client example runs, and the `.mcp.json` entry starts a working server."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import anyio

from tests.mcp_server.mcp_helpers import PROJECT, server_env

DOC = PROJECT / "docs" / "mcp.md"


def _blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_the_client_example_stops_and_records_the_decision(tmp_path: Path) -> None:
    [example] = _blocks("python")
    script = tmp_path / "client.py"
    script.write_text(example, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "needs your decision (data-loss-or-security)" in done.stdout
    assert "--risk data-loss-or-security --by PERSON --note WHY" in done.stdout
    assert "decision recorded: True" in done.stdout


def test_the_mcp_json_entry_starts_the_server(store_repo: Path) -> None:
    from mcp import ClientSession, StdioServerParameters, stdio_client

    entry = next(json.loads(b) for b in _blocks("json") if "mcpServers" in b)
    server = entry["mcpServers"]["incident"]
    assert server["type"] == "stdio"
    # The console script of this environment stands for `incident` on the client's PATH.
    command = str(Path(sys.executable).parent / server["command"])
    params = StdioServerParameters(command=command, args=server["args"], cwd=str(store_repo),
                                   env=server_env("2026-01-15T10:00:00Z"))

    async def scenario() -> None:
        async with stdio_client(params) as (read, write), \
                ClientSession(read, write) as session:
            await session.initialize()
            assert len((await session.list_tools()).tools) == 30
            made = await session.call_tool("create", {"title": "Login is slow",
                                                      "severity": "SEV-3"})
            assert not made.is_error
            assert made.structured_content is not None
            assert made.structured_content["state"]["timeline"][0]["by"] == "agent:orchestrator"

    anyio.run(scenario)
