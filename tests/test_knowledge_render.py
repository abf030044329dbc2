"""Text from incidents is inert in markdown lines, table cells and Mermaid labels."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from incident_beads.knowledge.render import inline_text, mermaid_label, table_cell

NASTY = ['a | b', '<script>alert(1)</script>', '`code`', '[x](javascript:alert(1))',
         '**bold** _it_', '"quoted" \'single\'', '&lt;entity&gt;', '# heading', '![img](x)']


@pytest.mark.parametrize("text", NASTY)
def test_table_cell_keeps_two_columns_and_renders_the_text(text: str) -> None:
    html = MarkdownIt("commonmark").enable("table").render(
        f"| A | B |\n|---|---|\n| {table_cell(text)} | x |\n")
    assert html.count("<td>") == 2
    assert "<script" not in html and "<a " not in html and "<img" not in html
    assert "<code>" not in html and "<strong>" not in html


@pytest.mark.parametrize("text", NASTY)
def test_inline_text_renders_as_written(text: str) -> None:
    html = MarkdownIt("commonmark").renderInline(inline_text(text))
    plain = html.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"') \
        .replace("&amp;", "&")
    assert plain == text


@pytest.mark.parametrize("text", [*NASTY, 'a: b; c #d %%e', "line\nbreak", ""])
def test_mermaid_labels_hold_no_syntax(text: str) -> None:
    label = mermaid_label(text)
    assert label and all(ch.isalnum() or ch in " -_.,()/+=" for ch in label)
    assert "\n" not in label and len(label) <= 60
