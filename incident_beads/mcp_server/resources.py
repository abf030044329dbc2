"""MCP resources: each incident's state, timeline and post-mortem draft, the critical patterns."""

from __future__ import annotations

import json
import re

import mcp_types as types

from incident_beads.errors import NotFound
from incident_beads.knowledge.paths import read_inside
from incident_beads.response import IncidentResponse

CRITICAL_PATTERNS = "incident://critical-patterns"
_INCIDENT = re.compile(r"^incident://incidents/(?P<id>[^/]+)/(?P<part>state|timeline|postmortem)$")

#: Each incident's parts: (name, MIME type, description).
PARTS = {
    "state": ("application/json", "The incident as the API returns it: severity, phase, "
                                  "assessment, updates, mitigations, escalations."),
    "timeline": ("application/json", "Every recorded event, oldest first."),
    "postmortem": ("text/markdown", "The post-mortem draft, once postmortem_draft wrote it."),
}


def templates() -> list[types.ResourceTemplate]:
    """The per-incident resources, as URI templates."""
    return [types.ResourceTemplate(name=f"incident {part}",
                                   uri_template=f"incident://incidents/{{incident_id}}/{part}",
                                   mime_type=mime, description=text)
            for part, (mime, text) in PARTS.items()]


def listing(ir: IncidentResponse) -> list[types.Resource]:
    """The critical patterns, then every incident's parts, newest incident first."""
    found = [types.Resource(name=ir.knowledge.patterns.relative_path, uri=CRITICAL_PATTERNS,
                            mime_type="text/markdown",
                            description="Past incidents and deployment safety lessons.")]
    if not ir.store.persistent:
        return found
    for incident in reversed(ir.incidents(include_closed=True)):
        for part, (mime, text) in PARTS.items():
            found.append(types.Resource(name=f"{incident.id} {part}", title=incident.title,
                                        uri=f"incident://incidents/{incident.id}/{part}",
                                        mime_type=mime, description=text))
    return found


def read(ir: IncidentResponse, uri: str) -> types.TextResourceContents:
    """The resource at `uri`; `NotFound` naming what would create it."""
    if uri == CRITICAL_PATTERNS:
        text = ir.knowledge.patterns.read()
        if text is None:
            raise NotFound(f"no {ir.knowledge.patterns.relative_path} yet",
                           hint="the learn tool writes it after an incident is resolved")
        return types.TextResourceContents(uri=uri, mime_type="text/markdown", text=text)
    match = _INCIDENT.match(uri)
    if match is None:
        raise NotFound(f"no resource {uri}",
                       hint="incident://incidents/ID/state|timeline|postmortem or "
                            f"{CRITICAL_PATTERNS}")
    incident = ir.get(match["id"])
    part = match["part"]
    if part == "state":
        text = json.dumps(incident.model_dump(mode="json"), ensure_ascii=False, indent=2)
    elif part == "timeline":
        text = json.dumps([e.model_dump(mode="json") for e in incident.state.timeline],
                          ensure_ascii=False, indent=2)
    else:
        relative = ir.knowledge.postmortem_path(incident.id)
        draft = read_inside(ir.root, relative)
        if draft is None:
            raise NotFound(f"no post-mortem draft for {incident.id} yet ({relative})",
                           hint=f"call the postmortem_draft tool for {incident.id}")
        text = draft
    return types.TextResourceContents(uri=uri, mime_type=PARTS[part][0], text=text)
