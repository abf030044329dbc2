"""The markdown seam: generated blocks and list entries change, everything else stays."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incident_beads.errors import MalformedFile
from incident_beads.knowledge import markdown
from incident_beads.knowledge.render import inline_text as inline

# Lines people write around generated parts (closed constructs only: an open fence above a
# block is refused, see below; a leading `---` line opens front matter, as on GitHub).
HUMAN_LINES = ["", "# Title", "## Section", "Some *text* here.", "- a list item",
               "  - nested", "| a | b |", "|---|---|", "> quote", "<div>html</div>",
               "<!-- a comment -->", "```\ncode\n```", "~~~\n<!-- incident-beads:end g -->\n~~~",
               "1. ordered", "    indented",
               "\u00e9t\u00e9 \u2014 unicode", "Setext", "===", "***"]

HUMAN = """# Notes

Some *human* text.

```markdown
<!-- incident-beads:begin gen -->
not a marker: inside a code block
<!-- incident-beads:end gen -->
```

<!-- incident-beads:begin gen -->
old generated text
<!-- incident-beads:end gen -->

Trailing human paragraph.
"""


def test_block_is_replaced_and_text_around_it_kept() -> None:
    new = markdown.set_block(HUMAN, "gen", ["fresh"])
    assert "old generated text" not in new
    assert "not a marker: inside a code block" in new  # the fenced look-alike is untouched
    assert new.startswith("# Notes\n\nSome *human* text.\n")
    assert new.endswith("<!-- incident-beads:end gen -->\n\nTrailing human paragraph.\n")
    assert markdown.set_block(new, "gen", ["fresh"]) == new


def test_marker_inside_code_block_is_not_a_block() -> None:
    doc = markdown.Document(HUMAN)
    block = doc.blocks()["gen"]
    assert doc.lines[block.begin - 1].strip() == ""  # the real one, after the fence
    assert "old generated text" in doc.lines[block.begin + 1]


def test_missing_block_is_appended_once() -> None:
    once = markdown.set_block("# Title\n", "x", ["a"])
    assert markdown.set_block(once, "x", ["a"]) == once
    assert once.count("incident-beads:begin x") == 1


def test_crlf_documents_keep_their_line_endings() -> None:
    text = "# T\r\n\r\n## Past Incidents\r\n\r\n- one `a`\r\n"
    new, added = markdown.add_list_item(text, "Past Incidents", "two `b`",
                                        lambda item: "b" in item.code)
    assert added
    assert new == "# T\r\n\r\n## Past Incidents\r\n\r\n- one `a`\r\n- two `b`\r\n"


def test_list_item_added_once_after_the_last_item() -> None:
    text = "## Past Incidents\n\n- a `id-1`\n  - nested\n\nhuman paragraph\n\n## Next\n"
    new, added = markdown.add_list_item(text, "Past Incidents", "b `id-2`",
                                        lambda item: "id-2" in item.code)
    assert added
    assert new == ("## Past Incidents\n\n- a `id-1`\n  - nested\n- b `id-2`\n\n"
                   "human paragraph\n\n## Next\n")
    again, added = markdown.add_list_item(new, "Past Incidents", "b `id-2`",
                                          lambda item: "id-2" in item.code)
    assert not added and again == new


def test_sections_end_at_the_next_heading_of_the_same_level() -> None:
    doc = markdown.Document("# A\n## B\ntext\n### C\n## D\n")
    b = doc.section("b")
    assert b is not None and (b.heading, b.end) == (1, 4)


def test_front_matter_is_not_parsed_as_markdown() -> None:
    doc = markdown.Document("---\nkey: value\nother: x\n---\n# Title\n")
    assert doc.front_matter() == ["key: value", "other: x"]
    assert [s.title for s in doc.sections()] == ["Title"]
    assert doc.sections()[0].heading == 4


def test_split_lines_counts_lines_as_the_parser_does() -> None:
    assert markdown.split_lines("a\r\nb\rc\nd\u2028e") == ["a\r\n", "b\r", "c\n", "d\u2028e"]


def test_block_after_an_unclosed_fence_is_refused_not_duplicated() -> None:
    with pytest.raises(MalformedFile):
        markdown.set_block("# T\n\n```\nnever closed\n", "x", ["a"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(HUMAN_LINES), max_size=8),
       st.lists(st.sampled_from(HUMAN_LINES), max_size=8),
       st.lists(st.text(alphabet="abc |<>`*-#", max_size=20), max_size=4))
def test_human_lines_around_a_block_survive_two_regenerations(
        before: list[str], after: list[str], body: list[str]) -> None:
    # As the files are written: a blank line on each side of the markers.
    text = "".join(line + "\n" for line in before) + "\n" + markdown.begin_marker("g") + \
        "\nold\n" + markdown.end_marker("g") + "\n\n" + "".join(line + "\n" for line in after)
    once = markdown.set_block(text, "g", [inline(b) for b in body])
    twice = markdown.set_block(once, "g", [inline(b) for b in body])
    assert twice == once
    assert once.startswith("".join(line + "\n" for line in before) + "\n")
    assert once.endswith(markdown.end_marker("g") + "\n\n"
                         + "".join(line + "\n" for line in after))
