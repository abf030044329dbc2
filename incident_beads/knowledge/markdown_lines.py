"""A markdown file's lines as text: split with their endings, the front matter's extent, and
the HTML comments that open and close a generated block."""

from __future__ import annotations

import re
from collections.abc import Sequence

BEGIN = "incident-beads:begin"
END = "incident-beads:end"


def split_lines(text: str) -> list[str]:
    """Split on `\r\n`, `\r` or `\n` (as markdown-it counts lines), keeping the endings."""
    if "\r" not in text:
        lines = [line + "\n" for line in text.split("\n")]
        lines[-1] = lines[-1][:-1]
        return lines if lines[-1] else lines[:-1]
    return [m.group(0) for m in _LINE.finditer(text)]


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def begin_marker(name: str) -> str:
    """The HTML comment that opens the generated block `name`."""
    return f"<!-- {BEGIN} {name} -->"


def end_marker(name: str) -> str:
    """The HTML comment that closes the generated block `name`."""
    return f"<!-- {END} {name} -->"


def marker(content: str) -> tuple[str, str]:
    """(`BEGIN` or `END`, block name) when `content` is one of our markers; ("", "") otherwise."""
    text = content.strip()
    if not (text.startswith("<!--") and text.endswith("-->")) or "\n" in text:
        return "", ""
    words = text[4:-3].split()
    if len(words) == 2 and words[0] in (BEGIN, END):
        return words[0], words[1]
    return "", ""


def front_matter_end(lines: Sequence[str]) -> int:
    """The number of lines the `---` front matter block at the top takes (0 when none)."""
    if not lines or lines[0].rstrip("\r\n") != "---":
        return 0
    for n in range(1, len(lines)):
        if lines[n].rstrip("\r\n") in ("---", "..."):
            return n + 1
    return 0
