"""Phase 0 assembled: the report `Knowledge.context` returns and step 0 of a declaration records.

It reads only what phase 0 needs (the store's incidents, the write-ups, the critical patterns,
a runbook, recent deployments), so a declaration does not load the rest of the knowledge
package (`Knowledge`'s write-ups, post-mortems and reports).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from incident_beads.beads.issue import Issue
from incident_beads.beads.store import BeadsStore
from incident_beads.config import Config
from incident_beads.knowledge import context as ctx
from incident_beads.knowledge.incident_corpus import incident_docs
from incident_beads.knowledge.paths import check_name
from incident_beads.knowledge.patterns import CriticalPatterns
from incident_beads.knowledge.ranking import rank
from incident_beads.knowledge.runbooks import Runbooks
from incident_beads.knowledge.writeup import Writeups
from incident_beads.lifecycle.timeline import readable_incident


class Sources:
    """What phase 0 reads in one repository: its store and its knowledge files (a plain class:
    a dataclass costs a declaration more to import than it saves)."""

    __slots__ = ("config", "now", "patterns", "root", "runbooks", "store", "writeups")

    def __init__(self, root: Path, config: Config, store: BeadsStore,
                 now: Callable[[], datetime], writeups: Writeups, patterns: CriticalPatterns,
                 runbooks: Runbooks) -> None:
        self.root, self.config, self.store, self.now = root, config, store, now
        self.writeups, self.patterns, self.runbooks = writeups, patterns, runbooks

    @classmethod
    def of(cls, root: Path, config: Config, store: BeadsStore,
           now: Callable[[], datetime]) -> Sources:
        """The sources of the repository at `root`, as `config` places its files."""
        return cls(root, config, store, now, Writeups(root, config.knowledge),
                   CriticalPatterns(root, config.knowledge), Runbooks(root, config.knowledge))


def load(sources: Sources, text: str = "", *, service: str | None = None, limit: int = 5,
         include_deployments: bool = True, fleet: Sequence[ctx.Elsewhere] | None = None,
         name: str = "") -> ctx.ContextReport:
    """The phase 0 report (see `Knowledge.context`)."""
    own_issue = named_issue(sources.store, text)
    own = readable_incident(own_issue)
    query = ctx.query_for(own_issue, own, text)
    if own is not None and service is None and own.state.assessment.services:
        service = own.state.assessment.services[0]
    if service:
        check_name("service", service)
    docs = ctx.join_writeups(incident_docs(sources.store, leave_out=text.strip()),
                             sources.writeups.scan())
    wanted = " ".join(filter(None, [query, service]))
    fleet_patterns = None
    if fleet is not None:
        docs = ctx.in_repository(docs, name)
        for other in fleet:
            docs += ctx.in_repository(ctx.build_docs(other.incidents, other.writeups),
                                      other.name)
        fleet_patterns = ctx.rank_patterns(
            [(name, sources.patterns.sections()), *((o.name, o.patterns) for o in fleet)],
            wanted, limit)
    matches = rank(docs, wanted, limit=limit)
    runbook = None
    notes: list[str] = []
    if service:
        body = sources.runbooks.read(service)
        found = next(((o.name, *o.runbooks[service]) for o in fleet or ()
                      if service in o.runbooks), None)
        if body is not None:
            runbook = {"service": service, "path": sources.runbooks.relative_path(service),
                       "text": body}
        elif found is not None:
            runbook = {"service": service, "repository": found[0], "path": found[1],
                       "text": found[2]}
        else:
            notes.append(f"no runbook for {service}: add one with `incident runbook add "
                         f"{service} --issue ...` after the incident")
    deployments: list[dict[str, Any]] = []
    if include_deployments:
        deployments, note = ctx.deployments(sources.root, sources.config, sources.now())
        if note:
            notes.append(note)
    return ctx.ContextReport(query=query, service=service, similar=matches,
                             patterns=sources.patterns.sections(), runbook=runbook,
                             deployments=deployments, notes=notes,
                             fleet_patterns=fleet_patterns)


def named_issue(store: BeadsStore, text: str) -> Issue | None:
    """The live issue whose id `text` is, if it is one word and such an issue exists."""
    if len(text.split()) != 1:
        return None
    snapshot = store.snapshot()
    if snapshot.line_of(text.strip()) is None:
        return None
    issue = snapshot.get(text.strip())
    return None if issue.is_tombstone else issue

