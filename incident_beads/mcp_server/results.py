"""Tool outcomes as MCP results: done, refused (a rule said no), or STOP (an escalation).

The same error tree the CLI maps to exit codes 0, 1 and 3 is mapped here, in one place, to
results a client can act on without parsing text: `isError` plus structured content whose
`stop` says whether the orchestrator must stop and ask a person.
"""

from __future__ import annotations

import json
from typing import Any

import mcp_types as types

from incident_beads.errors import Escalation, IncidentBeadsError


def done(structured: Any) -> types.CallToolResult:
    """A tool that did its work: the structured result, and the same as JSON text."""
    text = json.dumps(structured, ensure_ascii=False)
    return types.CallToolResult(content=[types.TextContent(type="text", text=text)],
                                structured_content=structured, is_error=False)


def refused(exc: IncidentBeadsError) -> types.CallToolResult:
    """A rule said no, an id does not exist, a file is malformed: nothing was written."""
    payload: dict[str, Any] = {"stop": False, "error": type(exc).__name__,
                               "message": exc.message, "hint": exc.hint or ""}
    return _error(exc.one_line(), payload)


def invalid(message: str, hint: str = "") -> types.CallToolResult:
    """Arguments that do not fit the tool's schema: nothing was run."""
    line = message + (f" (hint: {hint})" if hint else "")
    return _error(line, {"stop": False, "error": "InvalidInput", "message": message,
                         "hint": hint})


def internal(exc: Exception) -> types.CallToolResult:
    """A bug: still an answer the client can show, never a dropped connection."""
    message = f"internal error: {type(exc).__name__}: {exc}"
    return _error(message, {"stop": False, "error": "InternalError", "message": message,
                            "hint": "please report it with the call that caused it"})


def stop(exc: Escalation) -> types.CallToolResult:
    """STOP and surface to a person: the condition, the incident, and the decision to ask for.

    Returned both when a call escalates (what led to it is recorded) and when a call is
    refused because its incident is held by an earlier escalation (nothing was written).
    """
    incident = exc.incident_id or ""
    condition = exc.condition
    held = bool(getattr(exc, "held", False))
    command = (getattr(exc, "decision_command", None)
               or f"incident risk ack {incident or 'ID'} --risk {condition} "
                  "--by PERSON --note WHY")
    reason = exc.message.removeprefix(f"ESCALATE [{condition}]: ")
    for_person = (f"Incident {incident} needs your decision ({condition}): {reason}. "
                  "Nothing more will be changed on it until you decide. Do you accept the "
                  "risk and want the response to go on, and why?")
    payload: dict[str, Any] = {
        "stop": True,
        "error": "Escalation",
        "condition": condition,
        "incident_id": exc.incident_id,
        "held": held,
        "open_conditions": list(getattr(exc, "open_conditions", None) or [condition]),
        "message": exc.message,
        "message_for_person": for_person,
        "decision": {
            "ask": f"Does a person accept {condition!r} on {incident}, and why?",
            "tool": "risk_ack",
            "arguments": {"incident_id": incident, "risk": condition,
                          "by": "<the person's name>", "note": "<why they decided so>"},
            "command": command,
        },
        "hint": exc.hint or "",
    }
    return _error(f"STOP: {exc.one_line()}", payload)


def _error(text: str, payload: dict[str, Any]) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(type="text", text=text)],
                                structured_content=payload, is_error=True)
