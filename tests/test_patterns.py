"""The critical patterns file: both sections, entries added once, proposals regenerated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from incident_beads.config import KnowledgeConfig
from incident_beads.knowledge.patterns import COMPOUND_LAYOUT, CriticalPatterns


def _entry(patterns: CriticalPatterns, incident_id: str = "bd-a1") -> bool:
    return patterns.add_past_incident(
        date="2026-01-15", incident_id=incident_id, severity="SEV-1", title="Checkout down",
        root_cause="pool exhausted", writeup="docs/solutions/runtime-errors/checkout-bd-a1.md")


def test_created_with_both_sections(tmp_path: Path) -> None:
    path = CriticalPatterns(tmp_path).ensure()
    text = (tmp_path / path).read_text()
    assert path == "docs/critical-patterns.md"
    assert "## Past Incidents" in text and "## Deployment Safety" in text


def test_past_incident_added_once_with_a_relative_link(tmp_path: Path) -> None:
    patterns = CriticalPatterns(tmp_path)
    assert _entry(patterns)
    text = (tmp_path / "docs/critical-patterns.md").read_text()
    assert not _entry(patterns)
    assert (tmp_path / "docs/critical-patterns.md").read_text() == text
    assert "2026-01-15 `bd-a1` **SEV-1** Checkout down: pool exhausted" in text
    assert "(solutions/runtime-errors/checkout-bd-a1.md)" in text
    assert patterns.sections().past_incidents[0].startswith("2026-01-15 bd-a1 SEV-1")


def test_past_incident_link_follows_a_moved_writeup_and_keeps_edited_words(
        tmp_path: Path) -> None:
    patterns = CriticalPatterns(tmp_path)
    assert _entry(patterns)
    path = tmp_path / "docs/critical-patterns.md"
    path.write_text(path.read_text().replace("pool exhausted", "pool exhausted (see runbook)"))
    moved = "docs/solutions/integration-issues/checkout-bd-a1.md"
    assert not patterns.add_past_incident(
        date="2026-01-15", incident_id="bd-a1", severity="SEV-1", title="Checkout down",
        root_cause="pool exhausted", writeup=moved)
    text = path.read_text()
    assert "(solutions/integration-issues/checkout-bd-a1.md)" in text
    assert "runtime-errors" not in text
    assert "pool exhausted (see runbook)" in text and text.count("`bd-a1`") == 1
    assert not patterns.add_past_incident(
        date="2026-01-15", incident_id="bd-a1", severity="SEV-1", title="Checkout down",
        root_cause="pool exhausted", writeup=moved)
    assert path.read_text() == text


def test_human_text_survives_and_missing_section_is_added(tmp_path: Path) -> None:
    path = tmp_path / "docs/critical-patterns.md"
    path.parent.mkdir(parents=True)
    human = "# Our patterns\n\nWritten by people.\n\n## Past Incidents\n\n- old one\n\nKeep me.\n"
    path.write_text(human)
    patterns = CriticalPatterns(tmp_path)
    _entry(patterns)
    _entry(patterns, "bd-b2")
    text = path.read_text()
    assert text.startswith(human.split("Keep me.")[0].rstrip() + "\n")
    assert "Keep me.\n" in text and "## Deployment Safety" in text
    assert text.index("`bd-a1`") < text.index("`bd-b2`") < text.index("Keep me.")


def test_deployment_safety_rollback_first_and_once(tmp_path: Path) -> None:
    patterns = CriticalPatterns(tmp_path)
    assert patterns.add_deployment_safety("Deploy on Fridays only with a second reviewer")
    assert patterns.add_deployment_safety("Rollback: `./deploy.sh --rollback` within 5 min")
    assert not patterns.add_deployment_safety("Deploy on  Fridays only with a second reviewer")
    safety = patterns.sections().deployment_safety
    assert safety[0].startswith("Rollback") and len(safety) == 2


def test_compound_layout_is_found(tmp_path: Path) -> None:
    path = tmp_path / COMPOUND_LAYOUT
    path.parent.mkdir(parents=True)
    path.write_text("# Critical\n\n## Deployment Safety\n\n- roll back first\n")
    patterns = CriticalPatterns(tmp_path)
    assert patterns.relative_path == COMPOUND_LAYOUT
    _entry(patterns)
    assert "`bd-a1`" in path.read_text()
    assert "(../runtime-errors/checkout-bd-a1.md)" in path.read_text()
    assert not (tmp_path / "docs/critical-patterns.md").exists()


def test_configured_path_is_used(tmp_path: Path) -> None:
    patterns = CriticalPatterns(tmp_path, KnowledgeConfig(critical_patterns="ops/PATTERNS.md"))
    _entry(patterns)
    assert (tmp_path / "ops/PATTERNS.md").is_file()


def test_proposals_block_is_regenerated_not_duplicated(tmp_path: Path) -> None:
    patterns = CriticalPatterns(tmp_path)
    patterns.propose(["component `db`: 3 incidents in 90 days"])
    path = tmp_path / "docs/critical-patterns.md"
    path.write_text(path.read_text() + "\nA person's note.\n")
    patterns.propose(["component `db`: 4 incidents in 90 days"])
    text = path.read_text()
    assert text.count("## Proposed Patterns") == 1
    assert "4 incidents" in text and "3 incidents" not in text
    assert "A person's note." in text
    assert patterns.sections().proposed[0].startswith("Proposed")


def test_each_text_is_parsed_once_however_many_changes_look_at_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    patterns = CriticalPatterns(tmp_path)
    _entry(patterns)
    parsed: list[str] = []
    real = MarkdownIt.parse
    monkeypatch.setattr(MarkdownIt, "parse",
                        lambda self, text, env=None: parsed.append(text) or real(self, text, env))
    _entry(patterns, "bd-b2")
    patterns.propose(["component checkout: 3 incidents in 90 days (`bd-a1`, `bd-b2`)"])
    text = (tmp_path / "docs/critical-patterns.md").read_text()
    assert "`bd-b2`" in text and "component checkout" in text
    assert parsed and len(parsed) == len(set(parsed))


def test_only_the_entries_naming_the_incident_are_parsed_to_find_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from incident_beads.knowledge import document

    patterns = CriticalPatterns(tmp_path)
    for n in range(40):
        assert _entry(patterns, f"bd-{n:02}")
    parsed: list[str] = []
    real = document._parser

    class Counting:
        def __getattr__(self, name: str) -> object:
            return getattr(real(), name)

        def parseInline(self, src: str, env: dict[str, Any] | None = None) -> object:
            parsed.append(src)
            return real().parseInline(src, env)

    monkeypatch.setattr(document, "_parser", Counting)
    document._tokens.cache_clear()
    assert not _entry(patterns, "bd-17")  # listed already: found among the one entry naming it
    assert [line for line in parsed if "`bd-" in line] == [
        "2026-01-15 `bd-17` **SEV-1** Checkout down: pool exhausted "
        "([write-up](solutions/runtime-errors/checkout-bd-a1.md))"]
    parsed.clear()
    assert _entry(patterns, "bd-x")  # new: no entry names it, none is parsed
    assert not [line for line in parsed if "`bd-" in line and "`bd-x`" not in line]
    text = (tmp_path / "docs/critical-patterns.md").read_text()
    assert text.count("`bd-17`") == 1 and text.index("`bd-39`") < text.index("`bd-x`")
