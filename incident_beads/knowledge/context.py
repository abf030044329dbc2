"""Phase 0 in one call: similar past incidents, critical patterns, the runbook, deployments."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from incident_beads.beads.issue import Issue
from incident_beads.config import Config
from incident_beads.config.frozen import Frozen
from incident_beads.errors import IncidentBeadsError
from incident_beads.hotfix.deploy_index import remembered_deployments
from incident_beads.knowledge.incident_text import root_cause_of, symptoms_of
from incident_beads.knowledge.patterns import PatternSections
from incident_beads.knowledge.ranking import FIELDS, Match, RankDoc, rank, terms_of, tokenize
from incident_beads.knowledge.writeup_summary import WriteupSummary
from incident_beads.lifecycle.model import Incident
from incident_beads.lifecycle.severity import strip_severity_tag

DEPLOYMENT_DAYS = 7


def _text(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return "" if value is None else str(value)


def incident_doc(incident: Incident, writeup: WriteupSummary | None) -> RankDoc:
    """A past incident as the ranking sees it, merged with its write-up when there is one."""
    return with_writeup(own_doc(incident), writeup)


def own_doc(incident: Incident) -> RankDoc:
    """A past incident as the ranking sees it from its bead alone: what
    `knowledge.incident_corpus` remembers for each incident line."""
    fields = {"title": incident.title, "symptoms": " ".join(symptoms_of(incident)),
              "root_cause": root_cause_of(incident),
              "component": " ".join(incident.state.assessment.services), "tags": ""}
    return incident_fields_doc(incident.id, incident.state.severity.value, incident.status,
                               fields)


def incident_fields_doc(incident_id: str, severity: str, status: str,
                        fields: Mapping[str, str],
                        terms: Mapping[str, Sequence[str]] | None = None) -> RankDoc:
    """An incident's own document from the text of its fields (`terms`: their words, when
    known already; else tokenized now)."""
    info = {"id": incident_id, "title": fields["title"], "severity": severity, "status": status,
            "component": fields["component"], "root_cause": fields["root_cause"],
            "writeup": None}
    if terms is None:
        terms = {name: tokenize(fields.get(name, "")) for name in FIELDS}
    return RankDoc(incident_id, "incident", fields, info, terms)


def with_writeup(doc: RankDoc, writeup: WriteupSummary | None) -> RankDoc:
    """An incident's document with the words of its write-up added to each field."""
    if writeup is None:
        return doc
    front = writeup.front
    extra = {"title": writeup.title, "symptoms": _text(front.get("symptoms")),
             "root_cause": _text(front.get("root_cause")),
             "component": " ".join([_text(front.get("component")), _text(front.get("module"))]),
             "tags": _text(front.get("tags"))}
    terms = terms_of(doc)
    fields = {name: " ".join(filter(None, [doc.fields.get(name, ""), extra[name]]))
              for name in FIELDS}
    info = {**doc.info, "component": doc.info["component"] or _text(front.get("component")),
            "root_cause": doc.info["root_cause"] or _text(front.get("root_cause")),
            "writeup": writeup.path}
    return RankDoc(doc.key, doc.kind, fields, info,
                   {name: [*terms.get(name, ()), *tokenize(extra[name])] for name in FIELDS})


def writeup_doc(writeup: WriteupSummary) -> RankDoc:
    """A write-up with no incident bead (written by hand, or the bead is gone)."""
    front = writeup.front
    fields = {"title": writeup.title, "symptoms": _text(front.get("symptoms")),
              "root_cause": _text(front.get("root_cause")),
              "component": " ".join([_text(front.get("component")), _text(front.get("module"))]),
              "tags": _text(front.get("tags"))}
    info = {"id": _text(front.get("incident_id")) or None, "title": writeup.title,
            "severity": _text(front.get("severity")) or None, "status": None,
            "component": _text(front.get("component")),
            "root_cause": _text(front.get("root_cause")), "writeup": writeup.path}
    return RankDoc(writeup.path, "writeup", fields, info)


def build_docs(incidents: Sequence[Incident], writeups: Sequence[WriteupSummary]) -> list[RankDoc]:
    """Every past incident and write-up as one ranking corpus (a write-up joins its bead)."""
    return join_writeups([own_doc(i) for i in incidents], writeups)


def join_writeups(own: Sequence[RankDoc], writeups: Sequence[WriteupSummary]) -> list[RankDoc]:
    """The incidents' own documents (`own_doc`) with their write-ups joined, then the write-ups
    of no incident among them."""
    by_incident = {_text(w.front.get("incident_id")): w for w in writeups
                   if w.front.get("incident_id")}
    docs = [with_writeup(doc, by_incident.pop(doc.key, None)) for doc in own]
    joined = {doc.key for doc in own}
    docs += [writeup_doc(w) for w in writeups
             if _text(w.front.get("incident_id")) not in joined]
    return docs


def query_for(issue: Issue | None, incident: Incident | None, text: str) -> str:
    """The query: the text given, or what an existing incident says about itself."""
    if incident is not None:
        return " ".join([incident.title, *symptoms_of(incident),
                         *incident.state.assessment.services])
    if issue is not None:
        return " ".join([strip_severity_tag(issue.title), issue.description])
    return text


def deployments(root: Path, config: Config, now: datetime) -> tuple[list[dict[str, Any]], str]:
    """Recent deployments (hotfix tags, merges on main), and a note when they cannot be read."""
    try:
        found = remembered_deployments(root, since=now - timedelta(days=DEPLOYMENT_DAYS),
                                       config=config.git)
    except IncidentBeadsError as exc:
        return [], f"recent deployments unavailable: {exc.one_line()}"
    return [d.to_dict() for d in found], ""


class Elsewhere(Frozen):
    """Another repository's knowledge, as `context --fleet` ranks it beside this one's."""

    name: str
    incidents: Sequence[Incident]
    writeups: Sequence[WriteupSummary]
    patterns: PatternSections
    runbooks: Mapping[str, tuple[str, str]]  # service -> (path, text)


def in_repository(docs: Sequence[RankDoc], name: str) -> list[RankDoc]:
    """The documents named after their repository (keys stay unique across repositories)."""
    return [doc._replace(key=f"{name}:{doc.key}", info={**doc.info, "repository": name})
            for doc in docs]


def pattern_docs(name: str, patterns: PatternSections) -> list[RankDoc]:
    """Each entry of a critical patterns file as a document, to rank across repositories."""
    docs: list[RankDoc] = []
    for section, entries in (("Deployment Safety", patterns.deployment_safety),
                             ("Past Incidents", patterns.past_incidents)):
        for n, entry in enumerate(entries):
            docs.append(RankDoc(f"{name}:{patterns.path}:{section}:{n}", "pattern",
                                {"title": entry},
                                {"repository": name, "path": patterns.path, "section": section,
                                 "title": entry}))
    return docs


def rank_patterns(sources: Sequence[tuple[str, PatternSections]], query: str,
                  limit: int) -> list[Match]:
    """The critical pattern entries of every repository that best match the query."""
    return rank([d for name, p in sources for d in pattern_docs(name, p)], query, limit=limit)


@dataclass
class ContextReport:
    """What an orchestrator loads before responding (phase 0)."""

    query: str
    service: str | None
    similar: list[Match]
    patterns: PatternSections
    runbook: dict[str, Any] | None
    deployments: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)
    fleet_patterns: list[Match] | None = None  # set when the fleet was asked

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON."""
        extra: dict[str, Any] = {}
        if self.fleet_patterns is not None:
            extra["fleet_patterns"] = [{**m.doc.info, "score": m.score, "matched": list(m.terms)}
                                       for m in self.fleet_patterns]
        return {**extra,
            "query": self.query, "service": self.service,
            "similar": [{"kind": m.doc.kind, **m.doc.info, "score": m.score,
                         "matched": list(m.terms)} for m in self.similar],
            "critical_patterns": {
                "path": self.patterns.path,
                "deployment_safety": self.patterns.deployment_safety,
                "past_incidents": self.patterns.past_incidents,
                "proposed": self.patterns.proposed},
            "runbook": self.runbook, "recent_deployments": self.deployments,
            "notes": self.notes,
        }

    def render(self) -> str:
        """The report for people, most urgent first."""
        lines = ["# Incident context", ""]
        lines.append("## Deployment Safety (rollback procedures first)")
        lines += [f"- {x}" for x in self.patterns.deployment_safety] or ["- none recorded"]
        if self.patterns.proposed:
            lines += ["", "## Proposed patterns (not yet promoted)"]
            lines += [f"- {x}" for x in self.patterns.proposed]
        lines += ["", f"## Similar past incidents (query: {self.query or '-'})"]
        for m in self.similar:
            info = m.doc.info
            where = f" -> {info['writeup']}" if info.get("writeup") else ""
            status = f" ({info['status']})" if info.get("status") else ""
            repository = f"{info['repository']}: " if info.get("repository") else ""
            lines.append(f"- [{m.score:.3f}] {repository}{info.get('id') or m.doc.key} "
                         f"{info.get('severity') or ''}{status} {info['title']}{where}")
            if info.get("root_cause"):
                lines.append(f"    root cause: {info['root_cause']}")
        if not self.similar:
            lines.append("- none found")
        lines += ["", "## Past Incidents (critical patterns)"]
        lines += [f"- {x}" for x in self.patterns.past_incidents] or ["- none recorded"]
        if self.fleet_patterns is not None:
            lines += ["", "## Critical patterns across the fleet"]
            lines += [f"- [{m.score:.3f}] {m.doc.info['repository']}: "
                      f"({m.doc.info['section']}) {m.doc.info['title']}"
                      for m in self.fleet_patterns] or ["- none found"]
        lines += ["", "## Runbook"]
        if self.runbook is not None:
            repository = (f"{self.runbook['repository']}: " if self.runbook.get("repository")
                          else "")
            lines += [f"{repository}{self.runbook['path']}:", "", self.runbook["text"].rstrip()]
        else:
            lines.append(f"- no runbook for {self.service}" if self.service
                         else "- give --service to load a runbook")
        lines += ["", f"## Recent deployments (last {DEPLOYMENT_DAYS} days)"]
        lines += [f"- {d['at']} {d['kind']} {d['name']} ({str(d['commit'])[:12]})"
                  for d in self.deployments] or ["- none"]
        for note in self.notes:
            lines.append(f"note: {note}")
        return "\n".join(lines)
