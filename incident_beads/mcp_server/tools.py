"""The MCP tools: one line per CLI verb, naming the API method it calls."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any, NamedTuple

from pydantic import BaseModel

from incident_beads.beads.issue import Issue
from incident_beads.beads.store import BeadsStore
from incident_beads.errors import InvalidInput
from incident_beads.hotfix.protocol import HotfixProtocol
from incident_beads.knowledge.api import Knowledge
from incident_beads.mcp_server import schema
from incident_beads.response import IncidentResponse
from incident_beads.typedrecord import TypedRecord

#: Where a tool's method lives, reached from the API over the repository.
Target = Callable[[IncidentResponse], Any]


def _response(ir: IncidentResponse) -> IncidentResponse:
    return ir


def _hotfixes(ir: IncidentResponse) -> HotfixProtocol:
    return ir.hotfixes


def _knowledge(ir: IncidentResponse) -> Knowledge:
    return ir.knowledge


def _store(ir: IncidentResponse) -> BeadsStore:
    return ir.store


def _verify_step(arguments: dict[str, Any]) -> int:
    # One tool for both halves of production verification, as `incident hotfix verify`:
    # evidence confirms, its absence starts the window.
    if arguments.get("evidence") is None:
        return 0
    if arguments.get("minutes") is not None:
        raise InvalidInput("give minutes to start the window, or evidence to confirm it, "
                           "not both", hint="start first, confirm after the window")
    return 1


class ToolSpec(NamedTuple):
    """A tool: its name, the API methods it may call, and how its result is shaped."""

    name: str
    target: Target
    methods: tuple[Callable[..., Any], ...]
    writes: bool
    #: The key that wraps a result that is not a JSON object.
    key: str | None = None
    #: Picks which of `methods` a call runs (by its arguments); the first by default.
    choose: Callable[[dict[str, Any]], int] | None = None
    #: Turns the method's result into what the tool returns.
    view: Callable[[Any], Any] | None = None


class Tool:
    """A `ToolSpec` with its argument model and schemas, derived once."""

    def __init__(self, spec: ToolSpec) -> None:
        self.spec = spec
        self.name = spec.name
        self.arguments = schema.arguments_model(spec.name, spec.methods, writes=spec.writes)

    @cached_property
    def description(self) -> str:
        """The API methods' docstrings."""
        return schema.description(self.spec.methods)

    @cached_property
    def input_schema(self) -> dict[str, Any]:
        """The JSON schema of the arguments."""
        return schema.input_schema(self.arguments)

    @cached_property
    def output_schema(self) -> dict[str, Any] | None:
        """The JSON schema of the structured result, where the return types give one."""
        if self.spec.view is not None:
            return None
        return schema.output_schema(self.spec.methods, self.spec.key)

    def call(self, ir: IncidentResponse, arguments: BaseModel) -> Any:
        """Run the API method with the validated arguments; return the structured result."""
        given = {k: getattr(arguments, k) for k in arguments.model_fields_set
                 if k != schema.REQUEST_ID}
        index = self.spec.choose(given) if self.spec.choose else 0
        method = self.spec.methods[index]
        accepted = inspect.signature(method).parameters
        bound = getattr(self.spec.target(ir), method.__name__)
        result = bound(**{k: v for k, v in given.items() if k in accepted})
        data = self.spec.view(result) if self.spec.view else as_json(result)
        if self.spec.key:
            return {self.spec.key: data}
        # The protocol's structured content is an object.
        return data if isinstance(data, dict) else {"result": data}


def as_json(value: Any) -> Any:
    """A result as JSON: the record's own view (`to_dict`, `figures`), else pydantic's."""
    if isinstance(value, BaseModel | TypedRecord):
        return value.model_dump(mode="json")
    if isinstance(value, Issue):
        return value.data
    for view in ("to_dict", "figures"):
        if callable(getattr(value, view, None)):
            return as_json(getattr(value, view)())
    if isinstance(value, list | tuple):
        return [as_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    from pydantic_core import to_jsonable_python

    return to_jsonable_python(value)


def _summaries(issues: Sequence[Issue]) -> list[dict[str, Any]]:
    return [issue.summary() for issue in issues]


R, H, K = IncidentResponse, HotfixProtocol, Knowledge

#: The tools, in the order of the seed's phases; names are the CLI verbs with underscores.
SPECS: tuple[ToolSpec, ...] = (
    ToolSpec("context", _knowledge, (K.context,), writes=False),
    ToolSpec("create", _response, (R.declare,), writes=True),
    ToolSpec("assess", _response, (R.assess,), writes=True),
    ToolSpec("update", _response, (R.post_update,), writes=True),
    ToolSpec("overdue", _response, (R.overdue,), writes=False, key="incidents"),
    ToolSpec("mitigate", _response, (R.mitigate,), writes=True),
    ToolSpec("risk_ack", _response, (R.acknowledge_risk,), writes=True),
    ToolSpec("reclassify", _response, (R.reclassify,), writes=True),
    ToolSpec("hotfix_start", _hotfixes, (H.start,), writes=True),
    ToolSpec("hotfix_status", _hotfixes, (H.status,), writes=False),
    ToolSpec("hotfix_scope", _hotfixes, (H.scope,), writes=True),
    ToolSpec("hotfix_commit", _hotfixes, (H.commit,), writes=True, key="commit"),
    ToolSpec("hotfix_review", _hotfixes, (H.review,), writes=True),
    ToolSpec("hotfix_gate", _hotfixes, (H.gate,), writes=True),
    ToolSpec("hotfix_staging", _hotfixes, (H.staging,), writes=True),
    ToolSpec("hotfix_tag", _hotfixes, (H.tag,), writes=True),
    ToolSpec("hotfix_merge", _hotfixes, (H.merge,), writes=True),
    ToolSpec("hotfix_deploy", _hotfixes, (H.deploy,), writes=True),
    ToolSpec("hotfix_verify", _hotfixes, (H.verify_start, H.verify_confirm), writes=True,
             choose=_verify_step),
    ToolSpec("resolve", _response, (R.resolve,), writes=True),
    ToolSpec("reopen", _response, (R.reopen,), writes=True),
    ToolSpec("handoff", _response, (R.handoff,), writes=True),
    ToolSpec("postmortem_schedule", _response, (R.schedule_postmortem,), writes=True),
    ToolSpec("postmortem_draft", _knowledge, (K.postmortem_draft,), writes=True),
    ToolSpec("action_add", _knowledge, (K.add_action,), writes=True),
    ToolSpec("learn", _knowledge, (K.learn,), writes=True),
    ToolSpec("check", _response, (R.check,), writes=False),
    ToolSpec("show", _store, (BeadsStore.get,), writes=False),
    ToolSpec("list", _store, (BeadsStore.query,), writes=False, key="issues",
             view=_summaries),
    ToolSpec("report", _knowledge, (K.report,), writes=False),
)


def build_tools() -> dict[str, Tool]:
    """Every tool by name, with its schemas derived from the API."""
    return {spec.name: Tool(spec) for spec in SPECS}
