"""Read a member's store and knowledge straight from its fetched commit, never a work tree."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from incident_beads.beads.issue import Issue
from incident_beads.beads.snapshot import parse_file
from incident_beads.config import CONFIG_FILE, Config, KnowledgeConfig, config_from_bytes
from incident_beads.errors import IncidentBeadsError, NotFound
from incident_beads.fleet import gitcache
from incident_beads.fleet.members import Member
from incident_beads.knowledge.patterns import COMPOUND_LAYOUT, PatternSections, read_sections
from incident_beads.knowledge.writeup_summary import WriteupSummary, summarize
from incident_beads.lifecycle.model import METADATA_KEY, Incident
from incident_beads.lifecycle.timeline import incident_from, is_incident

STORE = ".beads/issues.jsonl"
#: The parts of another repository's incident record that fleet answers use ...
ANSWER_PARTS = frozenset({"kind", "severity", "peak_severity", "phase", "assessment",
                          "timestamps", "next_update_at", "resolution", "postmortem_id",
                          "recurrence_of"})
#: ... and the fewer a report uses (response times, severities, post-mortem links).
REPORT_PARTS = frozenset({"kind", "severity", "peak_severity", "phase", "assessment",
                          "timestamps", "postmortem_id"})


def knowledge_paths(knowledge: KnowledgeConfig) -> list[str]:
    """The files and folders of a repository's knowledge: patterns, write-ups, runbooks."""
    return list(dict.fromkeys([knowledge.critical_patterns, COMPOUND_LAYOUT,
                               knowledge.solutions_dir, knowledge.runbooks_dir]))


def member_config(reader: gitcache.BlobReader, tip: str, name: str) -> Config:
    """The member's `.incident-beads.toml` at its tip (defaults when it has none)."""
    raw = reader.read(f"{tip}:{CONFIG_FILE}")
    return Config() if raw is None else config_from_bytes(f"{name}:{CONFIG_FILE}", raw)


class NotFetched(NotFound):
    """A member that `incident fleet fetch` has not brought into the cache yet."""


@dataclass
class MemberStore:
    """What one member's tip says: its issues, its incidents, its configuration."""

    member: Member
    tip: str
    fetched_at: str
    config: Config
    issues: list[Issue]
    incidents: list[Incident]
    notes: list[str] = field(default_factory=list)


def _select_all(data: dict[str, Any]) -> bool:
    return True


def read_store(member: Member, *, keep: Callable[[dict[str, Any]], bool] = _select_all,
               parts: frozenset[str] = ANSWER_PARTS) -> MemberStore:
    """Check every line of the member's store and load its incidents.

    `keep` sees each issue's raw object first: a caller that needs only some (recent resolved
    incidents) skips building the rest. A malformed line raises `MalformedFile` naming the
    member's file and line, as it would for a local store.
    """
    cached = gitcache.cached_tip(member.cache)
    if cached is None:
        raise NotFetched(f"{member.name} has not been fetched yet",
                         hint="run `incident fleet fetch`")
    tip, fetched_at = cached
    kept: list[Issue] = []
    incident_beads: list[Issue] = []

    def visit(data: dict[str, Any]) -> None:
        if keep(data):
            kept.append(Issue(data))
            if is_incident(kept[-1]):
                incident_beads.append(_abridged(data, parts))

    with gitcache.BlobReader(member.cache) as reader:
        config = member_config(reader, tip, member.name)
        raw = reader.read(f"{tip}:{STORE}") or b""
    parse_file(Path(f"{member.name}:{STORE}"), raw, visit)
    incidents: list[Incident] = []
    notes: list[str] = []
    for issue in incident_beads:
        try:
            incidents.append(incident_from(issue))
        except IncidentBeadsError as exc:  # one unreadable bead must not hide the others
            notes.append(f"{member.name}: {exc.one_line()}")
    return MemberStore(member, tip, fetched_at, config, kept, incidents, notes)


def _abridged(data: dict[str, Any], parts: frozenset[str]) -> Issue:
    """The incident bead with only the parts of its record that fleet answers use.

    The timeline, status updates and mitigations are most of a record's bytes and of the
    time to check it; a fleet answer names another repository's incident, it does not replay
    it, so they are left out (the incident's own repository still checks them in full).
    """
    metadata = data.get("metadata")
    record = metadata.get(METADATA_KEY) if isinstance(metadata, dict) else None
    if not isinstance(metadata, dict) or not isinstance(record, dict):
        return Issue(data)
    short = {k: v for k, v in record.items() if k in parts}
    return Issue({**data, "metadata": {**metadata, METADATA_KEY: short}})


@dataclass
class MemberKnowledge:
    """A member's write-ups, critical patterns and runbooks, read from its tip."""

    name: str
    writeups: list[WriteupSummary]
    patterns: PatternSections
    runbooks: dict[str, tuple[str, str]]  # service -> (path, text)


def read_knowledge(member: Member, store: MemberStore) -> MemberKnowledge:
    """Read the member's knowledge files through one `git cat-file --batch`."""
    knowledge = store.config.knowledge
    files = gitcache.files_under(member.cache, store.tip, knowledge_paths(knowledge))
    writeups: list[WriteupSummary] = []
    runbooks: dict[str, tuple[str, str]] = {}
    patterns_path = (knowledge.critical_patterns if knowledge.critical_patterns in files
                     else COMPOUND_LAYOUT if COMPOUND_LAYOUT in files
                     else knowledge.critical_patterns)
    solutions = knowledge.solutions_dir.rstrip("/") + "/"
    runbook_dir = knowledge.runbooks_dir.rstrip("/") + "/"
    with gitcache.BlobReader(member.cache) as reader:
        def text(path: str) -> str | None:
            raw = reader.read(files[path]) if path in files else None
            try:
                return None if raw is None else raw.decode("utf-8")
            except UnicodeDecodeError:
                return None  # as a local scan does: an unreadable file is left out

        patterns = read_sections(patterns_path, text(patterns_path) or "")
        for path in sorted(files):
            if not path.endswith(".md") or path == COMPOUND_LAYOUT:
                continue
            if path.startswith(solutions):
                body = text(path)
                if body is not None:
                    writeups.append(summarize(path, body))
            elif path.startswith(runbook_dir) and "/" not in path[len(runbook_dir):]:
                body = text(path)
                if body is not None:
                    runbooks[path[len(runbook_dir):-3]] = (path, body)
    return MemberKnowledge(member.name, writeups, patterns, runbooks)
