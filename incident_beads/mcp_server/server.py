"""`incident mcp`: the public API as MCP tools and resources, over stdio, for one repository."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server
from mcp.shared.exceptions import MCPError
from pydantic import ValidationError

from incident_beads import __version__, collector
from incident_beads.clock import Clock
from incident_beads.errors import Escalation, IncidentBeadsError, NoStore
from incident_beads.mcp_server import resources, results
from incident_beads.mcp_server.request_journal import RequestJournal, fingerprint
from incident_beads.mcp_server.schema import REQUEST_ID
from incident_beads.mcp_server.tools import Tool, build_tools
from incident_beads.response import IncidentResponse

INSTRUCTIONS = """\
Production incident response in this repository, by the seed workflow: context, create, update,
mitigate, hotfix_*, resolve, postmortem_*, action_add, learn, check.
A result with isError and structuredContent.stop == true is an escalation: STOP. Show
message_for_person to a person, ask them for the decision named in `decision`, and record it
with risk_ack (by = the person, note = their reason). Do not change the incident until then.
A result with isError and stop == false is a refusal: nothing was written; fix what the
message and hint say. Give writing calls a request_id and reuse it only to retry a call."""


class IncidentTools:
    """The tools and resources over one repository; each call opens the API afresh."""

    def __init__(self, root: Path, *, clock: Clock | None = None,
                 actor: str | None = None) -> None:
        self.root = root
        self.clock = clock
        self.actor = actor
        self.tools = build_tools()
        self.journal = RequestJournal(root)

    def response(self) -> IncidentResponse:
        """The API over the repository's store, which must be on disk (as for the CLI)."""
        ir = IncidentResponse(self.root, clock=self.clock, actor=self.actor)
        if not ir.store.persistent:
            raise NoStore(f"no beads store in {self.root}",
                          hint="run `incident init` (or `bd init`) in the repository first")
        return ir

    def call(self, name: str, arguments: dict[str, Any] | None) -> types.CallToolResult:
        """Run one tool call to its result; never raises."""
        tool = self.tools.get(name)
        if tool is None:
            return results.invalid(f"no tool named {name!r}",
                                   hint="list the tools; names are the CLI verbs with "
                                        "underscores (hotfix_start)")
        try:
            parsed = tool.arguments.model_validate(arguments or {})
        except ValidationError as exc:
            return results.invalid(f"{name}: {_one_line(exc)}",
                                   hint="the tool's input schema lists its arguments")
        request_id = getattr(parsed, REQUEST_ID, None) if tool.spec.writes else None
        if not request_id:
            return self._run(tool, parsed)
        given = parsed.model_dump(mode="json", exclude={REQUEST_ID}, exclude_unset=True)
        print_ = fingerprint(name, given)
        try:
            with self.journal.holding():
                earlier = self.journal.recall(request_id, name, print_)
                if earlier is not None:
                    return earlier
                outcome = self._run(tool, parsed)
                struct = outcome.structured_content or {}
                if not outcome.is_error or struct.get("stop") is True:
                    self.journal.remember(request_id, name, print_, outcome)
                return outcome
        except IncidentBeadsError as exc:
            return results.refused(exc)
        except OSError as exc:
            return results.refused(IncidentBeadsError(f"{exc.strerror or exc}: {exc.filename}"))

    def _run(self, tool: Tool, arguments: Any) -> types.CallToolResult:
        try:
            return results.done(tool.call(self.response(), arguments))
        except Escalation as exc:
            return results.stop(exc)
        except IncidentBeadsError as exc:
            return results.refused(exc)
        except OSError as exc:
            return results.refused(IncidentBeadsError(
                f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")))
        except Exception as exc:  # a bug: the client still gets an answer it can show
            return results.internal(exc)

    def list_tools(self) -> list[types.Tool]:
        """Every tool with its schemas and hints."""
        return [types.Tool(name=t.name, description=t.description,
                           input_schema=t.input_schema, output_schema=t.output_schema,
                           annotations=types.ToolAnnotations(
                               read_only_hint=not t.spec.writes,
                               destructive_hint=False if not t.spec.writes else None,
                               idempotent_hint=True if not t.spec.writes else None,
                               open_world_hint=False))
                for t in self.tools.values()]

    def read(self, uri: str) -> types.ReadResourceResult:
        """One resource; an unknown one is the protocol's invalid-params error."""
        try:
            return types.ReadResourceResult(contents=[resources.read(self.response(), uri)])
        except IncidentBeadsError as exc:
            raise MCPError(types.INVALID_PARAMS, exc.one_line()) from None


def build_server(tools: IncidentTools) -> Server[Any]:
    """The MCP server: tool calls run one at a time, off the event loop (git, deploys)."""
    one_at_a_time = anyio.Lock()

    async def list_tools(ctx: ServerRequestContext[Any],
                         params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
        return types.ListToolsResult(tools=tools.list_tools())

    async def call_tool(ctx: ServerRequestContext[Any],
                        params: types.CallToolRequestParams) -> types.CallToolResult:
        async with one_at_a_time:
            return await anyio.to_thread.run_sync(tools.call, params.name, params.arguments)

    async def list_resources(ctx: ServerRequestContext[Any],
                             params: types.PaginatedRequestParams | None,
                             ) -> types.ListResourcesResult:
        async with one_at_a_time:
            found = await anyio.to_thread.run_sync(_listing, tools)
        return types.ListResourcesResult(resources=found)

    async def list_templates(ctx: ServerRequestContext[Any],
                             params: types.PaginatedRequestParams | None,
                             ) -> types.ListResourceTemplatesResult:
        return types.ListResourceTemplatesResult(resource_templates=resources.templates())

    async def read_resource(ctx: ServerRequestContext[Any],
                            params: types.ReadResourceRequestParams) -> types.ReadResourceResult:
        async with one_at_a_time:
            return await anyio.to_thread.run_sync(tools.read, params.uri)

    return Server("incident-beads", version=__version__, instructions=INSTRUCTIONS,
                  on_list_tools=list_tools, on_call_tool=call_tool,
                  on_list_resources=list_resources, on_list_resource_templates=list_templates,
                  on_read_resource=read_resource)


def _listing(tools: IncidentTools) -> list[types.Resource]:
    try:
        return resources.listing(tools.response())
    except NoStore:
        return resources.listing(IncidentResponse(tools.root, clock=tools.clock,
                                                  actor=tools.actor))
    except IncidentBeadsError as exc:
        raise MCPError(types.INVALID_PARAMS, exc.one_line()) from None


def serve(root: Path, *, clock: Clock | None = None, actor: str | None = None) -> None:
    """Serve the repository's incidents over stdio until the client closes the connection."""
    collector.resume()  # the command line pauses the collector for its short commands
    server = build_server(IncidentTools(root, clock=clock, actor=actor))

    async def main() -> None:
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())

    anyio.run(main)


def _one_line(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "arguments"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)
