"""Make text from incidents inert where it lands: markdown lines, table cells, Mermaid labels."""

from __future__ import annotations

# Characters that could start markup, a link, HTML, an entity or a table cell boundary.
_INERT = frozenset("\\`*_[]()<>#|!~&\"'")
# Besides ASCII letters and digits, what ids, commits and tags hold.
_PLAIN = frozenset("._-:+/")


def inline_text(text: str) -> str:
    """Make free text inert inside one markdown line: no markup, links, HTML or line breaks."""
    return "".join("\\" + ch if ch in _INERT else ch for ch in " ".join(text.split()))


def table_cell(text: str) -> str:
    """Free text for a GFM table cell: inert, `|` escaped, never empty."""
    return inline_text(text) or " "


def code_text(text: str) -> str:
    """Show an id, commit or tag as inline code, or as inert text when it is not plain."""
    # Ids come from files anyone may write: a backtick or `|` would end the span or the cell.
    if text and all(ch.isascii() and (ch.isalnum() or ch in _PLAIN) for ch in text):
        return f"`{text}`"
    return inline_text(text)


def mermaid_label(text: str, limit: int = 60) -> str:
    """A Mermaid-safe label: letters, digits, spaces and `-_.,()/+=` only, cut to `limit`."""
    kept = "".join(ch if ch.isalnum() or ch in " -_.,()/+=" else " " for ch in text)
    label = " ".join(kept.split())[:limit].strip()
    return label or "event"
