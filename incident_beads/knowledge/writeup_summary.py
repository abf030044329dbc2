"""A write-up as the ranking sees it: its path, front matter and first heading.

Read from a file (step 0, `context`, `find`) or a blob (the fleet), and remembered between
scans in the summaries index (`summaries.py`) in the JSON shape `summary_json` gives.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from incident_beads.config.frozen import Frozen
from incident_beads.knowledge import markdown
from incident_beads.knowledge.frontmatter import parse_front_matter

_HEAD_LINES = 40  # the title is looked for in the first lines after the front matter


class WriteupSummary(Frozen):
    """A write-up as the ranking sees it: its path, front matter and title."""

    path: str
    front: Mapping[str, Any]
    title: str


def split_front(text: str) -> tuple[list[str] | None, list[str]]:
    """The front matter lines (or None) and the remaining lines of a document."""
    lines = markdown.split_lines(text)
    end = markdown.front_matter_end(lines)
    if not end:
        return None, lines
    return [x.rstrip("\r\n") for x in lines[1:end - 1]], lines[end:]


def _title(lines: list[str]) -> str | None:
    """The first `#` heading, parsing as few lines as needed (many files are scanned)."""
    head = lines[:_HEAD_LINES]
    cut = next((n + 1 for n, line in enumerate(head) if line.lstrip(" ").startswith("#")), 0)
    if cut:
        found = markdown.first_heading("".join(head[:cut]))
        if found is not None:
            return found
    return markdown.first_heading("".join(head))


def summarize(path: str, text: str) -> WriteupSummary:
    """The summary of one write-up's text, wherever the text was read from (a file, a blob)."""
    front, rest = split_front(text)
    data = parse_front_matter(front, strict=False) if front else {}
    title = _title(rest) or PurePosixPath(path).stem
    return WriteupSummary(path, data, title)


def read_summary(relative: str, path: Path) -> WriteupSummary | None:
    """The summary of the write-up at `path`, or None when it cannot be read as UTF-8 text."""
    try:
        return summarize(relative, path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def summary_json(summary: WriteupSummary) -> dict[str, Any]:
    """What the summaries index keeps of a summary (its path is the index's key)."""
    return {"front": summary.front, "title": summary.title}


def summary_from(relative: str, data: Any) -> WriteupSummary | None:
    """A remembered summary read back, or None when it does not have a summary's shape."""
    if not isinstance(data, dict):
        return None
    front, title = data.get("front"), data.get("title")
    if not isinstance(front, dict) or not isinstance(title, str):
        return None
    return WriteupSummary(relative, front, title)
