"""Fuzz the markdown updaters with what people write around and inside the generated files.

For every updater (critical patterns entries, runbook issues, post-mortem draft regeneration,
write-ups) and arbitrary human markdown (headings, code fences, HTML comments and blocks,
lists, tables, quotes, unicode, CRLF, no final newline, fake markers):

- running it twice gives the same bytes as running it once;
- every line people wrote outside the generated blocks is still there, in the same order;
- the only errors are the project's own.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from incident_beads.errors import IncidentBeadsError, MalformedFile
from incident_beads.knowledge import markdown
from incident_beads.knowledge import postmortem as pm
from incident_beads.knowledge.patterns import CriticalPatterns
from incident_beads.knowledge.runbooks import Runbooks
from incident_beads.knowledge.writeup import WriteupFacts, Writeups

pytestmark = pytest.mark.reliability
FUZZ = settings(max_examples=50, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# human markdown ------------------------------------------------------------------------------
# One line of free text: unicode, markup characters, tabs; no line break of any kind.
_BREAKS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
words = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters=_BREAKS),
                min_size=1, max_size=30)
_TITLES = ["Past Incidents", "Deployment Safety", "Proposed Patterns", "Common Issues",
           "Issue: Pool exhausted", "Issue: pool  EXHAUSTED", "Timeline", "Action Items",
           "Root Cause", "Problem", "Symptoms", "Solution", "Related Issues", "Notes"]
_MARKERS = [markdown.begin_marker(n) for n in (
    "proposed-patterns", "postmortem-timeline", "writeup-problem",
    "runbook-issue-pool-exhausted")] + [markdown.end_marker(n) for n in (
        "proposed-patterns", "postmortem-timeline", "writeup-problem",
        "runbook-issue-pool-exhausted")]


def _heading(level: int, title: str) -> str:
    return f"{'#' * level} {title}"


headings = st.builds(_heading, st.integers(1, 6), st.sampled_from(_TITLES) | words)
setext = st.builds(lambda t, u: f"{t}\n{u}", words, st.sampled_from(["===", "---", "- - -"]))
fences = st.builds(
    lambda fence, lang, body, closed: "\n".join(
        [fence + lang, *body, *([fence] if closed else [])]),
    st.sampled_from(["```", "~~~", "````", "   ```"]), st.sampled_from(["", "bash", "mermaid"]),
    st.lists(words | st.sampled_from(_MARKERS + [_heading(2, t) for t in _TITLES]),
             max_size=4),
    st.booleans())
comments = st.one_of(
    st.builds(lambda t: f"<!-- {t} -->", words),
    st.builds(lambda a, b: f"<!--\n{a}\n{b}\n-->", words, words),
    st.builds(lambda t, m: f"<!-- {t}\n{m}\n-->", words, st.sampled_from(_MARKERS)),
    st.just("<!--"), st.just("-->"), st.just("<!-- incident-beads:begin -->"),
    st.just("<!-- incident-beads:end postmortem-timeline extra -->"))
html = st.sampled_from(["<div>\n\n## Past Incidents\n\n</div>", "<details>\n<summary>x</summary>",
                        "<script>alert(1)</script>", "<pre>\n# not a heading\n</pre>",
                        "<table><tr><td>|</td></tr></table>", "<br/>", "<style>", "<?php"])
lists = st.builds(
    lambda bullet, items: "\n".join(f"{bullet} {item}" for item in items),
    st.sampled_from(["-", "*", "+", "1.", "2)", "  -", "- [ ]", "-  "]),
    st.lists(words, min_size=1, max_size=4))
tables = st.builds(lambda a, b, c: f"| {a} | {b} |\n|---|:--:|\n| {c} | `x|y` |",
                   words, words, words)
quotes = st.builds(lambda t: f"> {t}\n> ## Past Incidents", words)
specials = st.sampled_from(["", "", "---", "***", "    indented code", "\t- tabbed",
                            "[ref]: javascript:alert(1)", "&nbsp;&#x26;", "  ", "\\", "`", "|",
                            "Past Incidents\n==============", "- `inc-1` already listed",
                            "-->", "</div>"])
fragment = st.one_of(headings, setext, fences, comments, html, lists, tables, quotes, specials,
                     words)


@st.composite
def human_markdown(draw: st.DrawFn) -> list[str]:
    """Fragments of human markdown, each possibly several lines."""
    return draw(st.lists(fragment, min_size=1, max_size=12))


styles = st.tuples(st.sampled_from(["\n", "\r\n"]), st.booleans())


def style(text: str, newline: str, final: bool) -> str:
    text = text.replace("\r\n", "\n").replace("\n", newline)
    return text + newline if final and not text.endswith(newline) else text


# the properties ------------------------------------------------------------------------------
def generated_ranges(text: str) -> set[int]:
    """Line numbers inside some begin/end marker pair (the updaters own these lines)."""
    doc = markdown.Document(text)
    owned: set[int] = set()
    opened: dict[str, int] = {}
    for token in doc.tokens:
        if token.type != "html_block" or token.map is None:
            continue
        kind, name = markdown.marker(token.content)
        if kind == markdown.BEGIN:  # a begin whose end was deleted owns nothing
            opened[name] = token.map[0]
        elif kind == markdown.END and name in opened:
            owned.update(range(opened.pop(name), token.map[1]))
    return owned


def human_lines(text: str) -> list[str]:
    """The non-blank lines of `text` outside generated blocks, without their endings."""
    owned = generated_ranges(text)
    return [line.rstrip("\r\n") for n, line in enumerate(markdown.split_lines(text))
            if n not in owned and line.strip()]


def assert_kept_in_order(before: list[str], after: str) -> None:
    """Every line of `before` appears in `after`, in the same order (other lines may be added)."""
    lines = iter(line.rstrip("\r\n") for line in markdown.split_lines(after))
    for n, wanted in enumerate(before):
        assert any(line == wanted for line in lines), f"lost line {n}: {wanted!r}"


Update = Callable[[Path], None]


@contextmanager
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def check_updater(root: Path, relative: str, text: str, update: Update) -> None:
    """Write `text`, update twice: project errors only, idempotent, human lines kept."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    before = human_lines(text)
    try:
        update(root)
    except IncidentBeadsError as exc:
        event(f"refused: {type(exc).__name__}")
        return  # refused cleanly: a one-line error that says what to fix
    once = path.read_bytes()
    assert_kept_in_order(before, once.decode("utf-8"))
    update(root)
    assert path.read_bytes() == once


def mixed(base: str, fragments: list[str], positions: list[int], newline: str,
          drops: Sequence[int] = ()) -> str:
    """`base` with human fragments inserted between its lines, outside its generated blocks,
    and the marker lines at `drops` (modulo their number) deleted by hand."""
    lines = [line.rstrip("\r\n") for line in markdown.split_lines(base)]
    markers = [n for n, line in enumerate(lines) if line.startswith("<!-- incident-beads:")]
    for n in sorted({markers[d % len(markers)] for d in drops} if markers else (), reverse=True):
        del lines[n]
    owned = generated_ranges("\n".join(lines) + "\n")
    # between two lines of the same block is inside it: people write around the blocks
    free = [n for n in range(len(lines) + 1) if n - 1 not in owned or n not in owned]
    places = [(free[position % len(free)], n) for n, position in enumerate(positions)]
    for at, n in sorted(places[:len(fragments)], reverse=True):  # from the end: indexes hold
        lines[at:at] = fragments[n].split("\n")
    return newline.join(lines) + newline


# critical patterns ---------------------------------------------------------------------------
def update_patterns(root: Path) -> None:
    patterns = CriticalPatterns(root)
    patterns.add_past_incident(date="2026-01-15", incident_id="inc-7", severity="SEV-2",
                               title="Checkout | 500s <script>", root_cause="pool `exhausted`",
                               writeup="docs/solutions/runtime-errors/checkout-inc-7.md")
    patterns.add_deployment_safety("Roll back before you debug: `deploy --rollback`")
    patterns.propose(["checkout: 3 incidents in 90 days"])


@FUZZ
@given(human_markdown(), styles)
def test_critical_patterns_updates_keep_human_text(fragments: list[str],
                                                   how: tuple[str, bool]) -> None:
    with folder() as root:
        check_updater(root, "docs/critical-patterns.md", style("\n".join(fragments), *how),
                      update_patterns)


@FUZZ
@given(human_markdown(), st.lists(st.integers(0, 10_000), min_size=12, max_size=12), styles,
       st.lists(st.integers(0, 50), max_size=2))
def test_critical_patterns_keep_text_people_added_between_generated_parts(
        fragments: list[str], positions: list[int], how: tuple[str, bool],
        drops: list[int]) -> None:
    with folder() as root:
        update_patterns(root)
        base = (root / "docs/critical-patterns.md").read_text(encoding="utf-8")
        check_updater(root, "docs/critical-patterns.md",
                      mixed(base, fragments, positions, how[0], drops), update_patterns)


# runbooks ------------------------------------------------------------------------------------
def update_runbook(root: Path) -> None:
    Runbooks(root).add("api", "Pool exhausted", symptoms=["p99 > 2 s", "`503` | <b>"],
                       diagnosis=["kubectl logs api | grep -c 'pool'", "echo ```"],
                       resolution="restart the pool [link](javascript:alert(1))",
                       escalation=["@db-oncall", "@sre"])


@FUZZ
@given(human_markdown(), styles)
def test_runbook_updates_keep_human_text(fragments: list[str], how: tuple[str, bool]) -> None:
    with folder() as root:
        check_updater(root, "docs/runbooks/api.md",
                      style("# Runbook: api\n\n" + "\n".join(fragments), *how), update_runbook)


@FUZZ
@given(human_markdown(), st.lists(st.integers(0, 10_000), min_size=12, max_size=12), styles,
       st.lists(st.integers(0, 50), max_size=2))
def test_runbook_keeps_text_people_added_around_its_issues(
        fragments: list[str], positions: list[int], how: tuple[str, bool],
        drops: list[int]) -> None:
    with folder() as root:
        update_runbook(root)
        Runbooks(root).add("api", "Disk full", symptoms=["ENOSPC"])
        base = (root / "docs/runbooks/api.md").read_text(encoding="utf-8")
        check_updater(root, "docs/runbooks/api.md",
                      mixed(base, fragments, positions, how[0], drops), update_runbook)


# post-mortem drafts --------------------------------------------------------------------------
BLOCKS = {
    "Meeting": ["**Owner:** grace  ", "**Meeting:** 2026-01-16 10:00 UTC"],
    "Incident Summary": ["- **Title:** Checkout \\| 500s", "- **Incident:** `inc-7`"],
    "Timeline": ["| Time (UTC) | Event |", "|------|-------|", "| 2026-01-15 10:00 | x |", "",
                 "```mermaid", "gantt", "    title inc-7 (UTC)", "```"],
    "Mitigations Tried": ["No mitigation was recorded."],
    "Hotfix": ["No hotfix was made."],
    "Root Cause": ["Brief root cause given at resolution: pool"],
    "Action Items": ["| Action | Owner |", "|---|---|", "| a | b |"],
}


def _draft() -> str:
    lines = ["# Post-Mortem: Checkout 500s"]
    for section in pm.LAYOUT:
        lines += ["", f"## {section}", ""]
        if section in BLOCKS:
            lines += markdown.block_lines(pm.block_name(section), BLOCKS[section])
        if section in pm.PROMPTS:
            lines += ["", pm.PROMPTS[section]]
    return "\n".join(lines) + "\n"


def update_draft(root: Path) -> None:
    path = root / "docs/postmortems/inc-7.md"
    text = path.read_text(encoding="utf-8")
    new = pm.refresh(text, {**BLOCKS, "Hotfix": ["- **Hotfix bead:** `inc-9`"]})
    if new != text:
        path.write_text(new, encoding="utf-8", newline="")


@FUZZ
@given(human_markdown(), st.lists(st.integers(0, 10_000), min_size=12, max_size=12), styles,
       st.lists(st.integers(0, 50), max_size=2))
def test_postmortem_regeneration_keeps_what_people_wrote(
        fragments: list[str], positions: list[int], how: tuple[str, bool],
        drops: list[int]) -> None:
    with folder() as root:
        check_updater(root, "docs/postmortems/inc-7.md",
                      mixed(_draft(), fragments, positions, how[0], drops), update_draft)


# write-ups -----------------------------------------------------------------------------------
FACTS = WriteupFacts(incident_id="inc-7", title="Checkout <b>500s</b> | `pool`",
                     date="2026-01-15", severity="SEV-2", module="checkout",
                     component="payments", symptoms=["HTTP 500 on /pay"],
                     root_cause="pool exhausted", summary="rolled back --> v1.4.1",
                     not_worked=["restart"], duration_minutes=45)


def update_writeup(root: Path) -> None:
    Writeups(root).write(FACTS)


@FUZZ
@given(human_markdown(), st.lists(st.integers(0, 10_000), min_size=12, max_size=12), styles,
       st.lists(st.integers(0, 50), max_size=2))
def test_writeup_refresh_keeps_what_people_wrote(
        fragments: list[str], positions: list[int], how: tuple[str, bool],
        drops: list[int]) -> None:
    with folder() as root:
        relative, _ = Writeups(root).write(FACTS)
        text = (root / relative).read_text(encoding="utf-8")
        head, _, body = text.partition("\n---\n")
        check_updater(root, relative,
                      style(head + "\n---\n", how[0], False)
                      + mixed(body, fragments, positions, how[0], drops), update_writeup)


# the bug the fuzzing found -------------------------------------------------------------------
@pytest.mark.parametrize("opened", ["```bash\nkubectl get pods", "<!-- draft notes", "<pre>"])
def test_a_block_left_open_at_the_end_is_refused_not_written_into(tmp_path: Path,
                                                                    opened: str) -> None:
    path = tmp_path / "docs/critical-patterns.md"
    path.parent.mkdir(parents=True)
    text = f"# Critical Patterns\n\nOur notes.\n\n{opened}\n"
    path.write_text(text)
    with pytest.raises(MalformedFile, match=r":5: this line opens a .* never closed"):
        update_patterns(tmp_path)
    assert path.read_text() == text


def test_text_after_a_block_whose_end_marker_was_deleted_survives(tmp_path: Path) -> None:
    update_patterns(tmp_path)
    path = tmp_path / "docs/critical-patterns.md"
    end = markdown.end_marker("proposed-patterns")
    path.write_text(path.read_text().replace(end, "") + "\nOur own note.\n")
    update_patterns(tmp_path)
    once = path.read_text()
    update_patterns(tmp_path)
    assert path.read_text() == once and "Our own note." in once


# inline content parsed on demand ----------------------------------------------------------------
_REFERENCES = st.sampled_from(["[pool]: https://example.com/pool", "[Pool]: </a b> 'title'",
                               "see [the pool][pool] and [pool]", "![img][pool]",
                               "**bold [pool]** ~~gone~~ `code` <https://x.y>"])


def _tree(tokens: Sequence[Any]) -> list[Any]:
    return [(t.type, t.tag, t.content, t.markup, t.map, sorted(t.attrs.items()),
             _tree(markdown.children(t) if t.type == "inline" else t.children or []))
            for t in tokens]


@FUZZ
@given(st.lists(fragment | _REFERENCES, min_size=1, max_size=12), styles)
def test_inline_content_parsed_on_demand_is_what_a_full_parse_gives(
        fragments: list[str], how: tuple[str, bool]) -> None:
    from markdown_it import MarkdownIt

    text = style("\n".join(fragments), *how)
    full = MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(text)
    assert _tree(markdown.Document(text).tokens) == _tree(full)


@FUZZ
@given(st.lists(fragment | _REFERENCES | st.just("- `inc-1` listed") | st.just("* a `inc-1`"),
                min_size=1, max_size=12), styles)
def test_items_holding_a_text_are_those_of_every_item_whose_lines_hold_it(
        fragments: list[str], how: tuple[str, bool]) -> None:
    text = style("\n".join(fragments), *how)
    doc = markdown.Document(text)
    every = doc.list_items(0, len(doc.lines))
    holding = [i for i in every if any("inc-1" in line for line in doc.lines[i.start:i.end])]
    assert markdown.Document(text).list_items(0, len(doc.lines), holding="inc-1") == holding
    assert [i for i in every if "inc-1" in i.code] == [i for i in holding if "inc-1" in i.code]
    assert markdown.Document(text).list_spans(0, len(doc.lines)) == [(i.start, i.end)
                                                                    for i in every]
