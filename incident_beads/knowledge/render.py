"""Make text from incidents inert where it lands: markdown lines, table cells, Mermaid labels."""

from __future__ import annotations

# Characters that could start markup, a link, HTML, an entity or a table cell boundary.
_INERT = frozenset("\\`*_[]()<>#|!~&\"'")


def inline_text(text: str) -> str:
    """Make free text inert inside one markdown line: no markup, links, HTML or line breaks."""
    return "".join("\\" + ch if ch in _INERT else ch for ch in " ".join(text.split()))


def table_cell(text: str) -> str:
    """Free text for a GFM table cell: inert, `|` escaped, never empty."""
    return inline_text(text) or " "


def mermaid_label(text: str, limit: int = 60) -> str:
    """A Mermaid-safe label: letters, digits, spaces and `-_.,()/+=` only, cut to `limit`."""
    kept = "".join(ch if ch.isalnum() or ch in " -_.,()/+=" else " " for ch in text)
    label = " ".join(kept.split())[:limit].strip()
    return label or "event"
