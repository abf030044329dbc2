"""Make text from incidents inert where it lands: markdown lines, table cells, Mermaid labels."""

from __future__ import annotations

# Characters that start markup wherever they stand: escapes, emphasis, code, links, HTML,
# strikethrough (`~` pairs with another, so a lone `~40%` stays as typed). Quotes,
# parentheses, `#`, `>` and the like mean something only at the start of a line (handled
# below), so prose keeps them as written (`'Order'`, `v42 -> v41`).
_ALWAYS = frozenset("\\*[]<~")
# Besides ASCII letters and digits, what ids, commits and tags hold.
_PLAIN = frozenset("._-:+/")


def inline_text(text: str, *, keep_code: bool = True) -> str:
    """Make free text inert inside one markdown line: no markup, links, HTML or line breaks.

    Escapes only what could start markup where it stands, and keeps a code span the writer
    closed (`` `kubectl rollout undo` ``): commands stay code, and code spans are inert.
    `keep_code=False` escapes every backtick, for values that are not prose (ids, dates).
    """
    flat = " ".join(text.split())
    start = _block_start(flat)
    out = [flat[:start - 1] + "\\" + flat[start - 1]] if start else []
    i = start
    while i < len(flat):
        ch = flat[i]
        if ch == "`":
            run = len(flat[i:]) - len(flat[i:].lstrip("`"))
            close = _closing_run(flat, i + run, run) if keep_code else None
            end = i + run if close is None else close + run
            out.append("\\`" * run if close is None else flat[i:end])
            i = end
            continue
        before = flat[i - 1] if i else ""
        after = flat[i + 1] if i + 1 < len(flat) else ""
        if (ch in _ALWAYS and (ch != "~" or flat.count("~") > 1)) \
                or (ch == "_" and not (before.isalnum() and after.isalnum())) \
                or (ch == "&" and (after.isalnum() or after == "#")):
            out.append("\\")
        out.append(ch)
        i += 1
    return "".join(out)


def _block_start(text: str) -> int:
    """How many characters, up to the one to escape, open a block at the start of a line."""
    if not text:
        return 0
    first = text[0]
    rest = text[1:2]
    hashes = len(text) - len(text.lstrip("#"))
    digits = len(text) - len(text.lstrip("0123456789"))
    if first == ">" or (first in "-+=" and (rest in ("", " ") or set(text) <= {first, " "})) \
            or (first == "#" and hashes <= 6 and text[hashes:hashes + 1] in ("", " ")):
        return 1
    if 0 < digits <= 9 and text[digits:digits + 1] in (".", ")") \
            and text[digits + 1:digits + 2] in ("", " "):
        return digits + 1
    return 0


def _closing_run(text: str, start: int, run: int) -> int | None:
    """Where a backtick run of exactly `run` closes a code span opened before `start`."""
    j = start
    while j < len(text):
        length = len(text[j:]) - len(text[j:].lstrip("`"))
        if length == run:
            return j
        j += max(length, 1)
    return None


def table_cell(text: str) -> str:
    """Free text for a GFM table cell: inert, `|` escaped (code spans too), never empty."""
    return inline_text(text).replace("|", "\\|") or " "


def code_text(text: str) -> str:
    """Show an id, commit or tag as inline code, or as inert text when it is not plain."""
    # Ids come from files anyone may write: a backtick or `|` would end the span or the cell.
    if text and all(ch.isascii() and (ch.isalnum() or ch in _PLAIN) for ch in text):
        return f"`{text}`"
    # `\|` reads as `|` anywhere, and keeps a table cell whole.
    return inline_text(text, keep_code=False).replace("|", "\\|")


def mermaid_label(text: str, limit: int = 60) -> str:
    """A Mermaid-safe label: letters, digits, spaces and `-_.,()/+=` only, at most `limit`.

    A time keeps its shape (`09:40` becomes `09h40`: a colon ends a gantt label), and a long
    label is cut between words and marked `...`, never inside a word, number or time.
    """
    chars = list(text)
    for n, ch in enumerate(chars):
        if ch == ":" and 0 < n < len(chars) - 1 and chars[n - 1].isdigit() \
                and chars[n + 1].isdigit():
            chars[n] = "h"
    kept = "".join(ch if ch.isalnum() or ch in " -_.,()/+=" else " " for ch in chars)
    label = " ".join(kept.split())
    if len(label) > limit:
        cut = label[:limit - 3].rsplit(" ", 1)[0] if " " in label[:limit - 3] else ""
        label = (cut.rstrip(" -_.,/+=") or label[:limit - 3]) + "..."
    return label or "event"
