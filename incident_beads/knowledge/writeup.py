"""Incident write-ups in `docs/solutions/<category>/<slug>.md` (compound-engineering layout)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import field
from pathlib import Path
from typing import Any

from incident_beads.config import KnowledgeConfig
from incident_beads.config.frozen import Frozen
from incident_beads.errors import InvalidInput, MalformedFile
from incident_beads.knowledge import markdown
from incident_beads.knowledge.frontmatter import (
    FrontMatterError,
    dump_front_matter,
    parse_front_matter,
)
from incident_beads.knowledge.paths import (
    check_name,
    read_inside,
    resolve_inside,
    slugify,
    write_inside,
)
from incident_beads.knowledge.patterns import COMPOUND_LAYOUT
from incident_beads.knowledge.render import inline_text
from incident_beads.knowledge.summaries import SummaryIndex
from incident_beads.knowledge.writeup_summary import (
    WriteupSummary,
    read_summary,
    split_front,
    summary_from,
    summary_json,
)

SEVERITY_WORDS = {"SEV-1": "critical", "SEV-2": "high", "SEV-3": "medium", "SEV-4": "low"}
# Fields refreshed from the incident on every run; the others are kept once people edit them.
REFRESHED = ("severity", "incident_id", "hotfix_tag", "duration_minutes", "category")
SECTIONS = ("Problem", "Symptoms", "What Didn't Work", "Solution", "Why This Works",
            "Prevention", "Related Issues")
PROMPTS = {
    "Why This Works": "_To be written by people: why the fix addresses the root cause._",
    "Prevention": "_To be written by people: how to keep this class of incident from happening "
                  "again (tests, monitoring, guards)._",
}


class WriteupFacts(Frozen):
    """What a write-up is made from: the incident's record and the caller's classification."""

    incident_id: str
    title: str
    date: str  # YYYY-MM-DD of the resolution
    severity: str  # SEV-N
    module: str
    component: str
    problem_type: str = "runtime_error"
    resolution_type: str = "code_fix"
    symptoms: list[str] = field(default_factory=list)
    root_cause: str = ""
    tags: list[str] = field(default_factory=list)
    hotfix_tag: str | None = None
    hotfix_commit: str | None = None
    duration_minutes: int | None = None
    impact: str = ""
    summary: str = ""
    not_worked: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)

    def front_matter(self) -> dict[str, Any]:
        """The front matter this incident gives (symptoms 1-5, tags at most 8)."""
        symptoms = [" ".join(s.split()) for s in self.symptoms if s.strip()][:5]
        return {
            "title": " ".join(self.title.split()),
            "module": self.module, "date": self.date, "problem_type": self.problem_type,
            "component": self.component, "symptoms": symptoms or [self.title],
            "root_cause": " ".join(self.root_cause.split()) or "undetermined",
            "resolution_type": self.resolution_type,
            "severity": SEVERITY_WORDS.get(self.severity, "high"),
            "tags": tag_list(self.tags) or None,
            "incident_id": self.incident_id, "hotfix_tag": self.hotfix_tag,
            "duration_minutes": self.duration_minutes,
        }

    def blocks(self) -> dict[str, list[str]]:
        """The generated body of each section, by section."""
        symptoms = [f"- {inline_text(s)}" for s in self.symptoms if s.strip()]
        tried = [f"- {inline_text(s)}" for s in self.not_worked]
        solution = [inline_text(self.summary) or "See the incident's resolution."]
        if self.hotfix_tag or self.hotfix_commit:
            solution += ["", f"Hotfix: commit `{self.hotfix_commit or 'unknown'}`, "
                             f"tag `{self.hotfix_tag or 'none'}`."]
        # `related` entries are markdown made from ids (see facts.py), not free text.
        related = [f"- Incident `{self.incident_id}` ({self.severity})"]
        related += [f"- {r}" for r in self.related]
        problem = [inline_text(self.title)]
        if self.impact.strip():
            problem += ["", f"Impact: {inline_text(self.impact)}"]
        return {
            "Problem": [*problem, "",
                        f"Root cause: {inline_text(self.root_cause) or 'undetermined'}"],
            "Symptoms": symptoms or [f"- {inline_text(self.title)}"],
            "What Didn't Work": tried or ["- Nothing else was tried before the fix."],
            "Solution": solution,
            "Related Issues": related,
        }


def block_name(section: str) -> str:
    """The generated block name of a write-up section."""
    return "writeup-" + slugify(section)


class Writeups:
    """The write-ups under the solutions folder."""

    def __init__(self, root: Path, config: KnowledgeConfig | None = None) -> None:
        self.root = root
        self.config = config or KnowledgeConfig()

    def paths(self) -> Iterator[Path]:
        """Every markdown file under the solutions folder (the patterns file left out), in
        order: regular files only, symbolic links neither followed nor listed."""
        top = resolve_inside(self.root, self.config.solutions_dir)
        if not top.is_dir():
            return
        skip = resolve_inside(self.root, COMPOUND_LAYOUT)
        yield from (path for path in sorted(_markdown_files(top)) if path != skip)

    def scan(self) -> list[WriteupSummary]:
        """Front matter and title of every write-up (unreadable front matter lines skipped).

        A write-up unchanged since a scan remembered it (`summaries.py`) is not read again.
        """
        found: list[WriteupSummary] = []
        top = self.root.resolve()
        index = SummaryIndex(self.root, "writeups")
        for path in self.paths():
            relative = path.relative_to(top).as_posix()
            summary = index.summary(relative, path, read_summary, summary_json,
                                    summary_from)
            if summary is not None:
                found.append(summary)
        index.save()
        return found

    def find(self, incident_id: str) -> str | None:
        """The write-up of an incident, wherever people moved it in the folder."""
        return next((w.path for w in self.scan() if str(w.front.get("incident_id")) ==
                     incident_id), None)

    def write(self, facts: WriteupFacts, *, overrides: Mapping[str, Any] | None = None,
              today: str | None = None) -> tuple[str, bool]:
        """Create or refresh the incident's write-up; return its path and whether it is new.

        On a refresh, only the generated blocks of the body change, the refreshed fields of the
        front matter follow the incident, and every other field keeps what the file says.
        `last_updated` becomes `today` (default: the incident's date) only when something else
        changed, so a second run changes nothing.
        """
        from incident_beads.knowledge.schema import category_folder, ordered, schema_problems

        generated = facts.front_matter()
        chosen = {k: v for k, v in (overrides or {}).items() if v not in (None, "", [], ())}
        existing_path = self.find(facts.incident_id)
        if existing_path is None:
            data = {**generated, **chosen}
            folder = category_folder(str(data["problem_type"]))
            name = check_name("slug", f"{slugify(facts.title, limit=50)}-{facts.incident_id}")
            relative = f"{self.config.solutions_dir}/{folder}/{name}.md"
            text = None
            current: dict[str, Any] = {}
        else:
            relative = existing_path
            text = read_inside(self.root, relative) or ""
            front, _ = split_front(text)
            try:
                current = parse_front_matter(front or [])
            except FrontMatterError as exc:
                raise MalformedFile(relative, exc.line + 1, f"front matter: {exc.what}",
                                    hint="fix the front matter by hand, then run again") from None
            data = {**generated, **current,
                    **{k: generated[k] for k in REFRESHED if generated.get(k) is not None},
                    **chosen}
        data["category"] = category_folder(str(data.get("problem_type")))
        if isinstance(data.get("tags"), list):
            data["tags"] = tag_list(data["tags"]) or None
        data["last_updated"] = current.get("last_updated")
        data = ordered({k: v for k, v in data.items() if v is not None})
        if text is None or data != current or self._refresh(text, None, facts) != text:
            data["last_updated"] = today or facts.date
            data = ordered(data)
        problems = schema_problems(data)
        if problems:
            raise InvalidInput(f"the write-up would not match the schema: {'; '.join(problems)}",
                               hint=_options_for(problems))
        old_relative = None
        if existing_path is not None and "problem_type" in chosen:
            # A new category moves a write-up that still sits in its old type's folder.
            before = category_folder(str(current.get("problem_type")))
            folder = f"{self.config.solutions_dir}/{before}/"
            if relative.startswith(folder):
                old_relative = relative
                relative = (f"{self.config.solutions_dir}/"
                            f"{category_folder(str(data['problem_type']))}/"
                            f"{relative.removeprefix(folder)}")
                if relative == old_relative:
                    old_relative = None
        head = ["---", *dump_front_matter(data, plain_keys=("date", "last_updated")), "---"]
        if text is None:
            new_text = self._new_body(head, facts)
        else:
            # Front matter that already says the same thing keeps its own formatting.
            new_text = self._refresh(text, None if current == data else head, facts)
        write_inside(self.root, relative, new_text)
        if old_relative is not None:
            resolve_inside(self.root, old_relative).unlink(missing_ok=True)
        return relative, text is None

    def _new_body(self, head: list[str], facts: WriteupFacts) -> str:
        lines = [*head, "", f"# {inline_text(facts.title)}"]
        blocks = facts.blocks()
        for section in SECTIONS:
            lines += ["", f"## {section}", ""]
            if section in blocks:
                lines += markdown.block_lines(block_name(section), blocks[section])
            else:
                lines.append(PROMPTS[section])
        return "\n".join(lines) + "\n"

    def _refresh(self, text: str, head: list[str] | None, facts: WriteupFacts) -> str:
        if head is not None:
            doc = markdown.Document(text)
            end = doc.front_matter_end
            text = doc.replace(0, end, head) if end else "\n".join(head) + "\n" + text
        for section, body in facts.blocks().items():
            if block_name(section) in markdown.Document(text).blocks():
                text = markdown.set_block(text, block_name(section), body)
        return text


#: The `incident learn` option that sets each front matter field.
LEARN_OPTIONS = {"problem_type": "--problem-type", "component": "--component",
                 "module": "--module", "root_cause": "--root-cause",
                 "resolution_type": "--resolution-type", "symptoms": "--symptom",
                 "tags": "--tag"}


def _options_for(problems: list[str]) -> str:
    """Name the options of `incident learn` that fix these schema problems."""
    fields = [problem.split(":")[0].split(".")[0] for problem in problems]
    options = list(dict.fromkeys(LEARN_OPTIONS[f] for f in fields if f in LEARN_OPTIONS))
    if not options:
        return "fix the write-up's front matter by hand, then run `incident learn` again"
    return f"give {' and '.join(options)} to `incident learn`"


def tag_list(tags: Any) -> list[str]:
    """Tags in lower-case-hyphen form (`Payment Client` -> `payment-client`), once each, at
    most 8, as compound engineering writes them."""
    found: list[str] = []
    for tag in tags if isinstance(tags, list | tuple) else []:
        text = "".join(ch if ch.isascii() and ch.isalnum() else "-"
                       for ch in str(tag).strip().lower())
        text = "-".join(part for part in text.split("-") if part)
        if text and text not in found:
            found.append(text)
    return found[:8]


def _markdown_files(folder: Path) -> Iterator[Path]:
    """The `.md` files under `folder`, told from the folder listing itself (no stat per file:
    the summaries index stats each once); a folder that may not be read is left out."""
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except PermissionError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            yield from _markdown_files(folder / entry.name)
        elif entry.name.endswith(".md") and entry.is_file(follow_symlinks=False):
            yield folder / entry.name
