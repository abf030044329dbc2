"""The markdown seam: generated blocks and list entries change, everything else stays."""

from __future__ import annotations

from incident_beads.knowledge import markdown

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
