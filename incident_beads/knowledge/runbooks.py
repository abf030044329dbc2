"""Service runbooks: `docs/runbooks/<service>.md`, one `### Issue:` section per known issue."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, field
from pathlib import Path
from typing import Any

from incident_beads.config import KnowledgeConfig
from incident_beads.config.frozen import Plain
from incident_beads.errors import InvalidInput, NotFound
from incident_beads.knowledge import markdown
from incident_beads.knowledge.paths import check_name, read_inside, slugify, write_inside
from incident_beads.knowledge.render import inline_text

COMMON_ISSUES = "Common Issues"
_LABELS = ("Symptoms:", "Diagnosis:", "Resolution:", "Escalation:")
_ROLES = ("Primary", "Secondary")


class RunbookIssue(Plain):
    """One known issue of a service, in the seed's runbook shape."""

    title: str
    symptoms: list[str] = field(default_factory=list)
    diagnosis: list[str] = field(default_factory=list)
    resolution: str = ""
    escalation: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The issue as a JSON object."""
        return asdict(self)

    def render(self) -> list[str]:
        """The generated lines of the issue (inside its markers)."""
        lines = ["**Symptoms:**", ""]
        lines += [f"- {inline_text(s)}" for s in self.symptoms] or ["- (none recorded yet)"]
        lines += ["", "**Diagnosis:**", ""]
        if self.diagnosis:
            fence = "`" * max(3, _longest_backtick_run(self.diagnosis) + 1)
            lines += [f"{fence}bash", *self.diagnosis, fence]
        else:
            lines.append("(no diagnosis commands recorded yet)")
        lines += ["", "**Resolution:**", "",
                  inline_text(self.resolution) or "(no resolution recorded yet)",
                  "", "**Escalation:**", ""]
        lines += [f"- {_role(n)}{inline_text(who)}" for n, who in enumerate(self.escalation)] \
            or ["- (no escalation path recorded yet)"]
        return lines


def without_role(who: str) -> str:
    """`Primary: payments team` -> `payments team`: the runbook writes the roles itself."""
    text = " ".join(who.split())
    for role in _ROLES:
        if text.casefold().startswith(f"{role.casefold()}:"):
            return text[len(role) + 1:].strip()
    return text


def _role(n: int) -> str:
    return f"{_ROLES[n]}: " if n < len(_ROLES) else ""


def _longest_backtick_run(lines: Sequence[str]) -> int:
    longest = 0
    for line in lines:
        run = 0
        for ch in line:
            run = run + 1 if ch == "`" else 0
            longest = max(longest, run)
    return longest


def _block_name(title: str) -> str:
    return f"runbook-issue-{slugify(title)}"


class Runbooks:
    """The runbooks folder of a repository."""

    def __init__(self, root: Path, config: KnowledgeConfig | None = None) -> None:
        self.root = root
        self.config = config or KnowledgeConfig()

    def relative_path(self, service: str) -> str:
        """`docs/runbooks/<service>.md`; a name that would leave the folder is refused."""
        return f"{self.config.runbooks_dir}/{check_name('service', service)}.md"

    def read(self, service: str) -> str | None:
        """The runbook's text, or None when the service has none."""
        return read_inside(self.root, self.relative_path(service))

    def show(self, service: str) -> tuple[str, list[RunbookIssue]]:
        """The runbook's text and its issues; NotFound when the service has none."""
        text = self.read(service)
        if text is None:
            raise NotFound(f"no runbook for {service} ({self.relative_path(service)})",
                           hint=f"add one with `incident runbook add {service} --issue ...`")
        return text, self.issues(text)

    def issues(self, text: str) -> list[RunbookIssue]:
        """Every `### Issue:` of a runbook, read back from its lines."""
        doc = markdown.Document(text)
        found: list[RunbookIssue] = []
        for section in doc.sections():
            if section.level == 3 and section.title.startswith("Issue:"):
                found.append(_read_issue(doc, section))
        return found

    def add(self, service: str, issue: str, *, symptoms: Sequence[str] = (),
            diagnosis: Sequence[str] = (), resolution: str = "",
            escalation: Sequence[str] = ()) -> tuple[str, RunbookIssue]:
        """Add an issue to the service's runbook, or update the same issue in place.

        Symptoms and diagnosis commands are merged with those already there; a resolution or
        escalation given replaces the old one. Text people wrote outside the generated block of
        the issue stays as it was.
        """
        title = " ".join(issue.split())
        if not title:
            raise InvalidInput("an issue description is required (--issue)")
        relative = self.relative_path(service)
        text = read_inside(self.root, relative)
        if text is None:
            text = f"# Runbook: {service}\n"
        text = markdown.ensure_section(text, COMMON_ISSUES, 2)
        doc = markdown.Document(text)
        section = _issue_section(doc, title)
        old = _read_issue(doc, section) if section is not None else RunbookIssue(title)
        merged = RunbookIssue(
            title=old.title,
            symptoms=_union(old.symptoms, symptoms),
            diagnosis=_union(old.diagnosis, diagnosis),
            resolution=" ".join(resolution.split()) or old.resolution,
            escalation=[without_role(e) for e in escalation if without_role(e)] or old.escalation,
        )
        name = _block_name(title)
        body = merged.render()
        if section is None:
            common = doc.section(COMMON_ISSUES, 2)
            assert common is not None
            at = markdown.section_end_of_content(doc, common)
            lines = ["", f"### Issue: {inline_text(title)}", "", *markdown.block_lines(name, body)]
            if at < len(doc.lines):
                lines.append("")
            text = doc.replace(at, at, lines)
        else:
            block = doc.block_in(name, section.body, section.end)
            if block is not None:
                text = doc.replace(block.begin, block.end + 1, markdown.block_lines(name, body))
            else:  # written by hand: our block goes under the heading, their text stays below
                text = doc.replace(section.body, section.body,
                                   ["", *markdown.block_lines(name, body)])
        write_inside(self.root, relative, text)
        return relative, merged


def _issue_section(doc: markdown.Document, title: str) -> markdown.Section | None:
    for section in doc.sections():
        if section.level == 3 and section.title.startswith("Issue:") and markdown.same_title(
                section.title.removeprefix("Issue:"), title):
            return section
    return None


def _union(old: Sequence[str], new: Sequence[str]) -> list[str]:
    merged = list(old)
    seen = {" ".join(x.split()).casefold() for x in old}
    for item in new:
        clean = item.strip() if "\n" in item else " ".join(item.split())
        if clean and " ".join(clean.split()).casefold() not in seen:
            seen.add(" ".join(clean.split()).casefold())
            merged.append(clean)
    return merged


def _read_issue(doc: markdown.Document, section: markdown.Section) -> RunbookIssue:
    """Read an issue back from its tokens: the list, fence or paragraph after each label.

    Only the generated block is read when there is one: notes people add below it stay theirs.
    """
    title = section.title.removeprefix("Issue:").strip()
    issue = RunbookIssue(title)
    block = doc.block_in(_block_name(title), section.body, section.end)
    start, end = (block.begin, block.end) if block is not None else (section.body, section.end)
    label = ""
    depth = 0
    tokens = doc.tokens_within(start, end)
    for token in tokens:
        if token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        if token.type == "inline" and token.content.strip().strip("*").strip() in _LABELS \
                and token.content.strip().startswith("**"):
            label = token.content.strip().strip("*").strip()
            continue
        text = markdown.source_text(token) if token.type == "inline" else ""
        placeholder = text.startswith("(") and text.endswith("recorded yet)")
        if label == "Symptoms:" and token.type == "inline" and depth and not placeholder:
            issue.symptoms.append(text)
        elif label == "Diagnosis:" and token.type == "fence":
            issue.diagnosis.extend(line for line in token.content.splitlines() if line.strip())
        elif label == "Resolution:" and token.type == "inline" and not placeholder:
            issue.resolution = " ".join(filter(None, [issue.resolution, text]))
        elif label == "Escalation:" and token.type == "inline" and depth and not placeholder:
            for role in _ROLES:
                text = text.removeprefix(f"{role}: ")
            issue.escalation.append(text)
    return issue
