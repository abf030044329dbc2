"""A markdown file read through markdown-it-py's line maps: sections, generated blocks, lists.

`Document` finds things by the parser's tokens, never by matching text, so a marker inside a
code block is never mistaken for one; `replace` puts new lines in place of its own lines.
`markdown.py` builds the changes on it. markdown-it-py is imported when the first text is parsed
(`_parser`, `_block_parser`), not with this module: a command that reads no markdown, or only
remembered summaries of it, does not pay for the import. A resolution starts the import in the
background while it reads and writes the store (`load_parser_in_background`).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from incident_beads.config.frozen import Frozen
from incident_beads.errors import MalformedFile
from incident_beads.knowledge.markdown_lines import (
    BEGIN,
    END,
    front_matter_end,
    marker,
    split_lines,
)

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    # GitHub renders these files: tables and strikethrough as GFM does.
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def load_parser_in_background() -> None:
    """Import markdown-it-py in a background thread unless it is loaded: a command that parses
    markdown after waiting on the disk has it ready. `_parser` waits for an import under way."""
    if "markdown_it" in sys.modules:
        return
    import threading

    threading.Thread(target=importlib.import_module, args=("markdown_it",),
                     name="markdown-it-py import", daemon=True).start()


@lru_cache(maxsize=1)
def _block_parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    # Block structure only: inline content is parsed on demand (`children`).
    return MarkdownIt("commonmark").enable(["table"]).disable("inline")


#: Where a block-only parse leaves, on each inline token, the environment (link reference
#: definitions) its content is to be parsed with when its children are first asked for.
_PENDING = "incident_beads.inline_env"


def children(token: Token) -> list[Token]:
    """The children of an inline token, parsed the first time they are asked for.

    The same children a full parse gives: markdown-it parses each inline token's content on its
    own, with the document's environment, exactly as `parseInline` does here.
    """
    env = token.meta.pop(_PENDING, None)
    if env is not None:
        parsed = _parser().parseInline(token.content, env)
        token.children = parsed[0].children if parsed else []
    return token.children or []


def first_heading(text: str) -> str | None:
    """The visible text of the first level-1 heading of `text` (a fast scan for many files)."""
    if not text:
        return None  # nothing to parse: the parser is not loaded for it
    tokens = _block_parser().parse(text)
    for n, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h1":
            inline = _parser().parseInline(tokens[n + 1].content)
            return plain_text(inline[0]) if inline else tokens[n + 1].content
    return None


def plain_text(token: Token) -> str:
    """The visible text of an inline token (code spans included, markup left out)."""
    parts: list[str] = []
    for child in children(token):
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def source_text(token: Token) -> str:
    """Like `plain_text`, but code spans keep their backticks: read back, they stay code."""
    parts: list[str] = []
    for child in children(token):
        if child.type == "code_inline":
            pad = " " if child.content[:1] == "`" or child.content[-1:] == "`" else ""
            parts.append(f"{child.markup}{pad}{child.content}{pad}{child.markup}")
        elif child.type == "text":
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def visible_text(line: str) -> str:
    """What one line of inline markdown shows (its `plain_text`)."""
    inline = _parser().parseInline(line)
    return plain_text(inline[0]) if inline else ""


def same_title(a: str, b: str) -> bool:
    """Compare two heading texts as people see them: case and spacing ignored."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


class Section(Frozen):
    """A heading and the lines under it, up to the next heading of the same or a higher level."""

    title: str
    level: int
    heading: int  # first line of the heading
    body: int  # first line after the heading
    end: int  # first line after the section (exclusive)


class Block(Frozen):
    """A generated block: the lines between its begin and end markers."""

    name: str
    begin: int  # line of the begin marker
    end: int  # line of the end marker


class ListItem(Frozen):
    """A list item: its lines, its visible text and the code spans in it."""

    start: int
    end: int
    text: str
    code: tuple[str, ...]


@lru_cache(maxsize=8)
def _tokens(text: str, front_matter_end: int) -> tuple[Token, ...]:
    """The tokens of `text`'s body, their maps counted from the top of `text`.

    Remembered for the last few texts: a change is located on a text, checked on the new text,
    and the next change starts from that text again, so each text is parsed once. The tokens
    are shared, so nothing changes them after this but `children`. Inline content, most of a
    parse's work, is parsed only where something reads it (`children`): a heading's title, the
    items of the section being changed.
    """
    body = "".join(split_lines(text)[front_matter_end:])
    # an empty body (no file, front matter only) has no tokens: the parser is not loaded
    if not body:
        return ()
    env: dict[str, Any] = {}
    tokens = _block_parser().parse(body, env)
    for token in tokens:
        if token.type == "inline":
            token.meta[_PENDING] = env
        if front_matter_end and token.map is not None:
            token.map = [token.map[0] + front_matter_end, token.map[1] + front_matter_end]
    return tuple(tokens)


class Document:
    """A markdown file as lines plus markdown-it tokens whose maps index those lines."""

    def __init__(self, text: str) -> None:
        self.lines = split_lines(text)
        self.front_matter_end = front_matter_end(self.lines)
        self.tokens: Sequence[Token] = _tokens(text, self.front_matter_end)

    @property
    def text(self) -> str:
        """The document's text."""
        return "".join(self.lines)

    @property
    def newline(self) -> str:
        """The line ending the document uses (`\\n` for a new one)."""
        for line in self.lines:
            if line.endswith("\r\n"):
                return "\r\n"
            if line.endswith(("\n", "\r")):
                return line[-1]
        return "\n"

    def front_matter(self) -> list[str] | None:
        """The lines between the `---` fences at the top, without their endings, or None."""
        if not self.front_matter_end:
            return None
        return [line.rstrip("\r\n") for line in self.lines[1:self.front_matter_end - 1]]

    def sections(self) -> list[Section]:
        """Every heading with the extent of its section."""
        found: list[tuple[str, int, int, int]] = []
        for i, token in enumerate(self.tokens):
            if token.type == "heading_open" and token.map is not None:
                found.append((plain_text(self.tokens[i + 1]), int(token.tag[1]),
                              token.map[0], token.map[1]))
        sections: list[Section] = []
        for n, (title, level, start, body) in enumerate(found):
            end = next((s for _, lvl, s, _ in found[n + 1:] if lvl <= level), len(self.lines))
            sections.append(Section(title, level, start, body, end))
        return sections

    def section(self, title: str, level: int | None = None) -> Section | None:
        """The first section called `title` (at `level` if given)."""
        for section in self.sections():
            if same_title(section.title, title) and (level is None or section.level == level):
                return section
        return None

    def blocks(self) -> dict[str, Block]:
        """Generated blocks by name: a begin marker followed by its end marker.

        A begin marker whose end was deleted owns nothing: the next begin of the same name
        starts the block, so the text people wrote after the orphan is never replaced.
        """
        opened: dict[str, int] = {}
        blocks: dict[str, Block] = {}
        for token in self.tokens:
            if token.type != "html_block" or token.map is None:
                continue
            kind, name = marker(token.content)
            if kind == BEGIN and name not in blocks:
                opened[name] = token.map[0]
            elif kind == END and name in opened and name not in blocks:
                blocks[name] = Block(name, opened.pop(name), token.map[1] - 1)
        return blocks

    def block_in(self, name: str, start: int, end: int) -> Block | None:
        """The generated block `name` lying within lines [start, end), if any."""
        opened: int | None = None
        for token in self.tokens:
            if token.type != "html_block" or token.map is None:
                continue
            if not start <= token.map[0] < end:
                continue
            kind, found = marker(token.content)
            if found != name:
                continue
            if kind == BEGIN:  # a later begin supersedes one whose end was deleted
                opened = token.map[0]
            elif kind == END and opened is not None:
                return Block(name, opened, token.map[1] - 1)
        return None

    def list_items(self, start: int, end: int, *, holding: str | None = None) -> list[ListItem]:
        """The outermost list items whose lines lie within [start, end).

        With `holding`, only the items whose lines hold that text, as written: the others'
        inline markup is not parsed. A code span's content is its text as written (no escapes,
        no entities), so an item whose code spans may name `holding` is always among them.
        """
        items: list[ListItem] = []
        for i, j in self._list_item_tokens(start, end):
            first, last = self.tokens[i].map or (0, 0)
            if holding is None or any(holding in line for line in self.lines[first:last]):
                inline = [t for t in self.tokens[i + 1:j] if t.type == "inline"]
                code = (c.content for t in inline for c in children(t) if c.type == "code_inline")
                items.append(ListItem(first, last, " ".join(map(plain_text, inline)), tuple(code)))
        return items

    def list_spans(self, start: int, end: int) -> list[tuple[int, int]]:
        """The lines [first, last) of each outermost list item within [start, end), unparsed."""
        return [(m[0], m[1]) for i, _ in self._list_item_tokens(start, end)
                if (m := self.tokens[i].map) is not None]

    def _list_item_tokens(self, start: int, end: int) -> Iterator[tuple[int, int]]:
        """The tokens [open, after close) of each outermost list item within [start, end)."""
        tokens = self.tokens
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if (token.type != "list_item_open" or token.map is None
                    or not start <= token.map[0] < end):
                i += 1
                continue
            depth, j = 1, i + 1
            while j < len(tokens) and depth:
                depth += {"list_item_open": 1, "list_item_close": -1}.get(tokens[j].type, 0)
                j += 1
            yield i, j
            i = j

    def tokens_within(self, start: int, end: int) -> list[Token]:
        """The tokens that start within [start, end) (closing tokens follow their opening one)."""
        found: list[Token] = []
        inside = False
        for token in self.tokens:
            if token.map is not None:
                inside = start <= token.map[0] < end
            if inside:
                found.append(token)
        return found

    def replace(self, start: int, end: int, new_lines: Sequence[str]) -> str:
        """The text with lines [start, end) replaced by `new_lines` (endings added)."""
        nl = self.newline
        head = list(self.lines[:start])
        if head and not head[-1].endswith(("\n", "\r")):
            head[-1] += nl
        tail = self.lines[end:]
        body = [line + nl for line in new_lines]
        text = "".join(head + body + tail)
        if body:
            _refuse_swallowed(text, start)
        return text


_CONTAINERS = {"fence": "code fence", "html_block": "HTML block or comment"}


def _refuse_swallowed(text: str, at: int) -> None:
    """Refuse lines put at `at` that a fence or HTML block left open above would swallow.

    They would not show, and every later run would add them again.
    """
    for token in Document(text).tokens:
        if (token.type in _CONTAINERS and token.map is not None
                and token.map[0] < at < token.map[1]):
            raise MalformedFile("(markdown)", token.map[0] + 1,
                                f"this line opens a {_CONTAINERS[token.type]} that is never "
                                "closed: a generated part added after it would be hidden in it",
                                hint="close it (``` or ~~~ for a fence, --> for a comment, the "
                                     "closing tag for HTML), then run again")
