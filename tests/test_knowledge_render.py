"""Text from incidents is inert in markdown lines, table cells and Mermaid labels."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from incident_beads.knowledge.render import inline_text, mermaid_label, table_cell

NASTY = ['a | b', '~~struck~~ and ~one~', '<script>alert(1)</script>', '`code`',
         '[x](javascript:alert(1))', '**bold** _it_', '"quoted" \'single\'', '&lt;entity&gt;',
         '# heading', '![img](x)']


@pytest.mark.parametrize("text", NASTY)
def test_table_cell_keeps_two_columns_and_renders_the_text(text: str) -> None:
    html = MarkdownIt("commonmark").enable("table").render(
        f"| A | B |\n|---|---|\n| {table_cell(text)} | x |\n")
    assert html.count("<td>") == 2
    assert "<script" not in html and "<a " not in html and "<img" not in html
    assert "<strong>" not in html and "<em>" not in html


def _plain(html: str) -> str:
    return html.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"') \
        .replace("&amp;", "&")


@pytest.mark.parametrize("text", [t for t in NASTY if "`" not in t])
def test_inline_text_renders_as_written(text: str) -> None:
    assert _plain(MarkdownIt("commonmark").renderInline(inline_text(text))) == text


@pytest.mark.parametrize("text", ["# heading", "1. one", "3) three", "- item", "+ item", "> q",
                                  "---", "===", "#hashtag is fine"])
def test_inline_text_starts_no_block(text: str) -> None:
    html = MarkdownIt("commonmark").render(inline_text(text))
    assert html.startswith("<p>") and _plain(html[3:-5]) == text


@pytest.mark.parametrize("text", ["'Order' failed", 'said "no"', "v42 -> v41", "order_id",
                                  "50% (p99)", "#3 on the list", "a+b=c", "it's 09:40!",
                                  "see https://status.example.com", "~40% of users"])
def test_prose_is_not_over_escaped(text: str) -> None:
    assert inline_text(text) == text


def test_commands_stay_code_and_code_stays_inert() -> None:
    text = "ran `kubectl rollout undo deploy/checkout` and ``echo `x` <b>``"
    assert inline_text(text) == text
    html = MarkdownIt("commonmark").renderInline(inline_text(text))
    assert "<code>kubectl rollout undo deploy/checkout</code>" in html and "<b>" not in html
    # An unclosed backtick is text, not the start of a span that eats the rest.
    assert _plain(MarkdownIt("commonmark").renderInline(inline_text("it's `odd"))) == "it's `odd"


def test_a_pipe_inside_code_keeps_the_cell() -> None:
    html = MarkdownIt("commonmark").enable("table").render(
        f"| A | B |\n|---|---|\n| {table_cell('grep x `a | b`')} | x |\n")
    assert html.count("<td>") == 2 and "<code>a | b</code>" in html


@pytest.mark.parametrize("text", [*NASTY, 'a: b; c #d %%e', "line\nbreak", ""])
def test_mermaid_labels_hold_no_syntax(text: str) -> None:
    label = mermaid_label(text)
    assert label and all(ch.isalnum() or ch in " -_.,()/+=" for ch in label)
    assert "\n" not in label and len(label) <= 60


def test_mermaid_labels_are_cut_between_words_and_keep_times() -> None:
    text = "Status update: Investigating - checking the 09:40 deploy of checkout v42 now"
    assert mermaid_label(text, 50) == "Status update Investigating - checking the..."
    assert mermaid_label(text, 80) == \
        "Status update Investigating - checking the 09h40 deploy of checkout v42 now"
    words = set(text.replace("update:", "update").replace("09:40", "09h40").split())
    for limit in range(12, 80):
        cut = mermaid_label(text, limit)
        assert len(cut) <= limit
        assert set(cut.removesuffix("...").split()) <= words, cut  # whole words only
