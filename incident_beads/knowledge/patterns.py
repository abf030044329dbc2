"""The critical patterns file: "Past Incidents", "Deployment Safety" and proposed patterns."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from pathlib import Path
from typing import Any

from incident_beads.config import KnowledgeConfig
from incident_beads.config.frozen import Frozen
from incident_beads.errors import InvalidInput
from incident_beads.knowledge import markdown
from incident_beads.knowledge.paths import read_inside, resolve_inside, write_inside
from incident_beads.knowledge.render import inline_text
from incident_beads.knowledge.summaries import SummaryIndex

PAST_INCIDENTS = "Past Incidents"
DEPLOYMENT_SAFETY = "Deployment Safety"
PROPOSED = "Proposed Patterns"
PROPOSED_BLOCK = "proposed-patterns"
# Where compound-engineering keeps the file; found when the configured path does not exist.
COMPOUND_LAYOUT = "docs/solutions/patterns/critical-patterns.md"

_HEADER = [
    "# Critical Patterns",
    "",
    "Read this before responding to an incident: check \"Past Incidents\" for recurrences and",
    "\"Deployment Safety\" for rollback procedures. Resolved incidents are added here.",
]
_SECTION_INTRO = {
    PAST_INCIDENTS: ["Incidents that happened before, newest last."],
    DEPLOYMENT_SAFETY: ["Rollback procedures and deployment rules learned from incidents."],
}


class PatternSections(Frozen):
    """What `incident context` shows from the file: rollback procedures first."""

    path: str
    deployment_safety: list[str]
    past_incidents: list[str]
    proposed: list[str]


def _is_rollback(text: str) -> bool:
    return "rollback" in text.casefold() or "roll back" in text.casefold()


class CriticalPatterns:
    """The repository's critical patterns file (configurable; compound layout found too)."""

    def __init__(self, root: Path, config: KnowledgeConfig | None = None) -> None:
        self.root = root
        self.config = config or KnowledgeConfig()

    @property
    def relative_path(self) -> str:
        """The file in use: the configured path, else the compound layout if only it exists."""
        configured = self.config.critical_patterns
        if resolve_inside(self.root, configured).exists():
            return configured
        if resolve_inside(self.root, COMPOUND_LAYOUT).exists():
            return COMPOUND_LAYOUT
        return configured

    def read(self) -> str | None:
        """The file's text, or None when there is none."""
        return read_inside(self.root, self.relative_path)

    def ensure(self) -> str:
        """Create the file or its two sections when missing; return the relative path."""
        text = self._with_sections(self.read())
        write_inside(self.root, self.relative_path, text)
        return self.relative_path

    def _with_sections(self, text: str | None) -> str:
        if text is None or not text.strip():
            text = "\n".join(_HEADER) + "\n"
        for title in (PAST_INCIDENTS, DEPLOYMENT_SAFETY):
            text = markdown.ensure_section(text, title, 2, _SECTION_INTRO[title])
        return text

    def link_to(self, target: str) -> str:
        """A link from this file to the repository-relative `target`."""
        return posixpath.relpath(target, posixpath.dirname(self.relative_path) or ".")

    def add_past_incident(self, *, date: str, incident_id: str, severity: str, title: str,
                          root_cause: str, writeup: str | None) -> bool:
        """Add the incident's entry to "Past Incidents" once (keyed by its id); True if added.

        An entry already there keeps its words; only its write-up link follows a write-up that
        moved (a new problem type moves it to another folder).
        """
        cause = " ".join(root_cause.split()) or "root cause to be written"
        entry = (f"{date} `{incident_id}` **{severity}** {inline_text(title)}: "
                 f"{inline_text(cause)}")
        if writeup:
            entry += f" ([write-up]({self.link_to(writeup)}))"

        def same_incident(item: markdown.ListItem) -> bool:
            return incident_id in item.code

        # an entry names its incident in a code span, as written: only the entries whose lines
        # hold the id are parsed to look for it
        added = self._add(PAST_INCIDENTS, entry, same_incident, holding=incident_id)
        if not added and writeup:
            text = self.read() or ""
            new, moved = markdown.relink_item(text, PAST_INCIDENTS, same_incident, "write-up",
                                              self.link_to(writeup), holding=incident_id)
            if moved:
                write_inside(self.root, self.relative_path, new)
        return added

    def add_deployment_safety(self, text: str) -> bool:
        """Add a "Deployment Safety" entry once (the same text is not added twice)."""
        wanted = " ".join(text.split())
        if not wanted:
            raise InvalidInput("a Deployment Safety entry needs text")
        entry = inline_text(wanted)
        shown = " ".join(markdown.visible_text(entry).split())
        return self._add(DEPLOYMENT_SAFETY, entry,
                         lambda item: " ".join(item.text.split()) in (wanted, shown))

    def _add(self, title: str, entry: str, exists: Callable[[markdown.ListItem], bool],
             holding: str | None = None) -> bool:
        text = self._with_sections(self.read())
        new, added = markdown.add_list_item(text, title, entry, exists, holding=holding)
        write_inside(self.root, self.relative_path, new)
        return added

    def propose(self, proposals: list[str]) -> None:
        """Write the generated "Proposed Patterns" block (replaced as a whole on each run)."""
        text = self.read()
        if text is None and not proposals:
            return
        text = self._with_sections(text)
        if not proposals and PROPOSED_BLOCK not in markdown.Document(text).blocks():
            return
        body = ([f"- **Proposed** (promote by moving into a section above, or delete): {p}"
                 for p in proposals] or ["No recurring pattern at the moment."])
        text = markdown.ensure_section(text, PROPOSED, 2, [
            "Generated from recurring incidents; people decide what becomes a pattern."])
        doc = markdown.Document(text)
        section = doc.section(PROPOSED, 2)
        assert section is not None

        def where(d: markdown.Document) -> int:
            return markdown.section_end_of_content(d, section)

        write_inside(self.root, self.relative_path,
                     markdown.set_block(text, PROPOSED_BLOCK, body, where))

    def sections(self) -> PatternSections:
        """The entries of both sections and the proposals, rollback procedures first.

        Remembered while the file is unchanged (`summaries.py`): then it is not read again.
        """
        relative = self.relative_path
        index = SummaryIndex(self.root, "patterns")
        found = index.summary(relative, resolve_inside(self.root, relative),
                              lambda name, _: read_sections(name, self.read() or ""),
                              _sections_json, _sections_from)
        index.save()
        assert found is not None  # reading gives sections even for no file
        return found


_LISTS = ("deployment_safety", "past_incidents", "proposed")


def _sections_json(sections: PatternSections) -> dict[str, Any]:
    return {name: getattr(sections, name) for name in _LISTS}


def _sections_from(relative: str, data: Any) -> PatternSections | None:
    """Remembered sections read back, or None when they do not have the sections' shape."""
    if not isinstance(data, dict):
        return None
    safety, past, proposed = (_strings(data.get(name)) for name in _LISTS)
    if safety is None or past is None or proposed is None:
        return None
    return PatternSections(relative, safety, past, proposed)


def _strings(value: Any) -> list[str] | None:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    return None


def read_sections(path: str, text: str) -> PatternSections:
    """The sections of a critical patterns text, wherever it was read from (a file, a blob)."""
    doc = markdown.Document(text)

    def entries(title: str) -> list[str]:
        section = doc.section(title, 2)
        if section is None:
            return []
        return [item.text for item in doc.list_items(section.body, section.end)]

    safety = entries(DEPLOYMENT_SAFETY)
    safety.sort(key=lambda item: not _is_rollback(item))
    block = doc.blocks().get(PROPOSED_BLOCK)
    proposed = ([item.text for item in doc.list_items(block.begin, block.end)]
                if block is not None else [])
    return PatternSections(path, safety, entries(PAST_INCIDENTS), proposed)
