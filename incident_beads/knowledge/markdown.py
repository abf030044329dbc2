"""The one markdown seam: read with markdown-it-py's line maps, change only generated lines.

Every change is made on the document's own lines, located through the parser's tokens (headings,
HTML comment markers, list items), so that everything else comes back byte for byte and a marker
that sits inside a code block is never mistaken for one. Reading is `document.py`'s; this module
makes the changes (generated blocks, sections, list items, links); `markdown_lines.py` holds
the lines as text and the markers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from incident_beads.knowledge.document import (
    Block,
    Document,
    ListItem,
    Section,
    children,
    first_heading,
    plain_text,
    same_title,
    source_text,
    visible_text,
)
from incident_beads.knowledge.markdown_lines import (
    BEGIN,
    END,
    begin_marker,
    end_marker,
    front_matter_end,
    marker,
    split_lines,
)

__all__ = ["BEGIN", "END", "Block", "Document", "ListItem", "Section", "add_list_item",
           "begin_marker", "block_lines", "children", "end_marker", "ensure_section",
           "first_heading", "front_matter_end", "marker", "plain_text", "relink_item", "same_title",
           "section_end_of_content", "set_block", "source_text", "split_lines",
           "visible_text"]


def block_lines(name: str, body: Sequence[str]) -> list[str]:
    """The lines of a generated block: markers, a blank line each side of the body."""
    return [begin_marker(name), "", *body, "", end_marker(name)]


def set_block(text: str, name: str, body: Sequence[str],
              where: Callable[[Document], int] | None = None) -> str:
    """Replace the generated block `name` with `body`; if absent, insert it at `where`.

    Without `where`, a missing block is appended at the end of the document.
    """
    doc = Document(text)
    block = doc.blocks().get(name)
    if block is not None:
        return doc.replace(block.begin, block.end + 1, block_lines(name, body))
    at = where(doc) if where is not None else len(doc.lines)
    lines = block_lines(name, body)
    if at > 0 and doc.lines[at - 1].strip():
        lines = ["", *lines]
    if at < len(doc.lines) and doc.lines[at].strip():
        lines = [*lines, ""]
    return doc.replace(at, at, lines)


def ensure_section(text: str, title: str, level: int = 2,
                   intro: Sequence[str] = ()) -> str:
    """Append a `title` section (with `intro` lines) unless one exists at that level."""
    doc = Document(text)
    if doc.section(title, level) is not None:
        return text
    lines = [f"{'#' * level} {title}", *([""] if intro else []), *intro]
    if doc.lines and doc.lines[-1].strip():
        lines = ["", *lines]
    return doc.replace(len(doc.lines), len(doc.lines), lines)


def section_end_of_content(doc: Document, section: Section) -> int:
    """The line after the last non-blank line of the section (where to add to it)."""
    end = section.end
    while end > section.body and not doc.lines[end - 1].strip():
        end -= 1
    return end


def add_list_item(text: str, title: str, item: str, exists: Callable[[ListItem], bool],
                  level: int = 2, *, holding: str | None = None) -> tuple[str, bool]:
    """Add `- item` to the list of section `title` unless `exists` is true for one of its items
    (with `holding`, looked for among the items whose lines hold that text only).

    Returns the new text and whether it changed. The item goes after the section's last list
    item, or after its last line when it has no list yet.
    """
    doc = Document(text)
    section = doc.section(title, level)
    if section is None:
        raise LookupError(title)
    if any(exists(entry) for entry in doc.list_items(section.body, section.end,
                                                     holding=holding)):
        return text, False
    spans = doc.list_spans(section.body, section.end)
    if spans:
        first, at = spans[-1]
        while at > first + 1 and not doc.lines[at - 1].strip():
            at -= 1
        lines = [f"- {item}"]
    else:
        at = section_end_of_content(doc, section)
        lines = ["", f"- {item}"]
    if at < len(doc.lines) and doc.lines[at].strip():
        lines.append("")  # or the next paragraph would continue the new item
    return doc.replace(at, at, lines), True


def relink_item(text: str, title: str, exists: Callable[[ListItem], bool], label: str,
                href: str, level: int = 2, *, holding: str | None = None) -> tuple[str, bool]:
    """Point the `label` link of the list item `exists` picks at `href`; nothing else changes.

    The link is found through the parser's tokens; only its target is rewritten, in that
    item's own lines. Returns the new text and whether it changed.
    """
    doc = Document(text)
    section = doc.section(title, level)
    if section is None:
        return text, False
    for item in doc.list_items(section.body, section.end, holding=holding):
        if not exists(item):
            continue
        for token in doc.tokens_within(item.start, item.end):
            inline = children(token) if token.type == "inline" else []
            for k, child in enumerate(inline[:-1]):
                if child.type != "link_open" or inline[k + 1].content != label:
                    continue
                old = str(child.attrGet("href") or "")
                lines = [line.rstrip("\r\n") for line in doc.lines[item.start:item.end]]
                new = [line.replace(f"]({old})", f"]({href})") for line in lines]
                if old == href or new == lines:
                    return text, False
                return doc.replace(item.start, item.end, new), True
    return text, False
