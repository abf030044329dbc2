"""Tool schemas come from the API's own signatures; the SDK stays an optional extra."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from incident_beads.mcp_server.schema import REQUEST_ID
from incident_beads.mcp_server.tools import SPECS, build_tools
from tests.cli_runner import run_incident
from tests.mcp_server.mcp_helpers import PROJECT


def test_every_tool_takes_exactly_its_api_methods_parameters() -> None:
    tools = build_tools()
    assert len(tools) == len(SPECS) == 30
    for tool in tools.values():
        expected: set[str] = set()
        required: set[str] = set()
        for method in tool.spec.methods:
            params = inspect.signature(method).parameters.values()
            named = {p.name for p in params
                     if p.name not in ("self", "actor") and p.kind is not p.VAR_KEYWORD}
            expected |= named
            needed = {p.name for p in params if p.name in named and p.default is p.empty}
            required = needed if not required else required & needed
        if tool.spec.writes:
            expected.add(REQUEST_ID)
        schema = tool.input_schema
        assert set(schema["properties"]) == expected, tool.name
        assert set(schema.get("required", [])) == required, tool.name
        assert schema["additionalProperties"] is False
        assert tool.description == "\n\n".join(inspect.getdoc(m) or ""
                                              for m in tool.spec.methods)


def test_output_schemas_are_the_return_types_where_they_describe_themselves() -> None:
    tools = build_tools()
    incident = tools["create"].output_schema
    assert incident is not None and "state" in incident["properties"]
    assert tools["check"].output_schema["properties"]["complete"]["type"] == "boolean"  # type: ignore[index]
    commit = tools["hotfix_commit"].output_schema
    assert commit == {"type": "object", "properties": {"commit": {"type": "string"}},
                      "required": ["commit"]}
    overdue = tools["overdue"].output_schema
    assert overdue is not None and overdue["properties"]["incidents"]["type"] == "array"
    assert tools["learn"].output_schema is None  # a record with its own to_dict view


def test_the_rest_of_the_tool_does_not_import_the_sdk(store_repo: Path) -> None:
    script = ("import sys\n"
              "import incident_beads.cli, incident_beads.response, "
              "incident_beads.hotfix.protocol, incident_beads.knowledge.api\n"
              "from incident_beads.cli import main\n"
              "try:\n"
              f"    main(['-C', {str(store_repo)!r}, 'list'])\n"
              "except SystemExit:\n"
              "    pass\n"
              "print(sorted(m for m in sys.modules if m == 'mcp' or m.startswith('mcp.')))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=PROJECT, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_without_the_sdk_the_command_says_how_to_install_it(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        store_repo: Path) -> None:
    for name in [m for m in sys.modules if m == "mcp" or m.startswith("mcp.")
                 or m.startswith("incident_beads.mcp_server")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "mcp", None)
    result = run_incident(capsys, store_repo, "mcp")
    assert result.code == 1
    assert result.err.strip() == ("incident: the MCP server needs the MCP SDK, which is not "
                                  "installed (hint: pip install 'incident_beads[mcp]')")


def test_the_tool_list_and_schemas_are_those_the_pydantic_records_gave() -> None:
    """Digests of every tool's description, input and output schema, taken when the records
    were pydantic models: describing the typed records through pydantic changes none of them."""
    import hashlib
    import json

    expected = json.loads((Path(__file__).parent / "tool-schemas.sha256.json").read_text())
    seen: dict[str, str] = {}
    for name, tool in sorted(build_tools().items()):
        parts = {"description": tool.description, "input": tool.input_schema,
                 "output": tool.output_schema}
        for part, value in parts.items():
            text = json.dumps(value, sort_keys=True).encode()
            seen[f"{name} {part}"] = hashlib.sha256(text).hexdigest()[:16]
    assert sorted(seen) == sorted(expected)
    assert [key for key in seen if seen[key] != expected[key]] == []
