"""The summaries index: write-ups and the critical patterns file are parsed again only when they
changed, and every answer is the one a fresh parse gives."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from incident_beads.beads.cache_files import write_cache
from incident_beads.beads.snapshot import stat_key
from incident_beads.knowledge import summaries
from incident_beads.knowledge import writeup as writeup_module
from incident_beads.knowledge.api import Knowledge
from incident_beads.knowledge.patterns import CriticalPatterns, read_sections
from incident_beads.knowledge.writeup import Writeups
from incident_beads.knowledge.writeup_summary import summarize

SOLUTIONS = "docs/solutions/performance-issues"
PATTERNS = "docs/solutions/patterns/critical-patterns.md"
LONG_AGO = 1_700_000_000 * 10**9  # a time stamp well before any scan


def writeup(title: str, incident_id: str, root_cause: str = "index lag") -> str:
    return (f"---\nmodule: search\ndate: 2025-06-01\nproblem_type: performance_issue\n"
            f"component: search\nsymptoms:\n  - slow queries\nroot_cause: {root_cause}\n"
            f"severity: high\ntags: [search, index]\nincident_id: {incident_id}\n---\n\n"
            f"# {title}\n\n## Problem\n\nThe index lagged.\n")


PATTERNS_TEXT = ("# Critical Patterns\n\n## Past Incidents\n\n- 2025-06-01 `inc-1` **SEV-2** "
                 "Search index lag: index lag\n\n## Deployment Safety\n\n"
                 "- Roll back the indexer with `deploy rollback indexer`\n")


def put(root: Path, relative: str, text: str, *, at: int = LONG_AGO) -> Path:
    """Write a file whose modification time is `at` (long settled, unless told otherwise)."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.utime(path, ns=(at, at))
    return path


def index_file(root: Path, part: str) -> Path:
    return root / ".git" / "incident-beads" / f"knowledge-{part}.json"


def remembered(root: Path, part: str = "writeups") -> dict[str, Any]:
    files = json.loads(index_file(root, part).read_text())["files"]
    assert isinstance(files, dict)
    return files


@pytest.fixture
def docs(repo: Path) -> Path:
    """`repo` with two settled write-ups and a critical patterns file."""
    put(repo, f"{SOLUTIONS}/search-index-lag.md", writeup("Search index lag", "inc-1"))
    put(repo, f"{SOLUTIONS}/cache-stampede.md", writeup("Cache stampede", "inc-2", "ttl sync"))
    put(repo, PATTERNS, PATTERNS_TEXT)
    return repo


def titles(root: Path) -> dict[str, str]:
    return {w.path: w.title for w in Writeups(root).scan()}


def fresh(root: Path) -> list[Any]:
    """What a scan finds when nothing is remembered: every write-up parsed."""
    return [summarize(p.relative_to(root).as_posix(), p.read_text())
            for p in Writeups(root).paths()]


# a declaration in a fresh interpreter ---------------------------------------------------------

_DECLARE = ("import json, sys\nfrom incident_beads.cli import main\n"
            "try:\n    main(['-C', sys.argv[1], 'create', 'Search index lag', '--sev', '3',"
            " '--what', 'search is slow', '--service', 'search', '--json'])\n"
            "except SystemExit as exc:\n    assert exc.code in (None, 0), exc.code\n"
            "print(json.dumps(sorted(m for m in ('markdown_it', 'yaml') if m in sys.modules)))")


def declare(root: Path) -> tuple[dict[str, Any], list[str]]:
    """Declare in a new process: the step 0 context recorded, and the parsers it imported."""
    done = subprocess.run([sys.executable, "-c", _DECLARE, str(root)], capture_output=True,
                          text=True, env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    *record, modules = done.stdout.strip().splitlines()
    context = json.loads("\n".join(record))["state"]["context"]
    assert context["status"] == "loaded", context
    return context, json.loads(modules)


def test_a_second_declaration_with_unchanged_documents_parses_nothing(docs: Path) -> None:
    (docs / ".beads").mkdir()
    (docs / ".beads" / "issues.jsonl").write_bytes(b"")
    first, loaded = declare(docs)
    assert loaded == ["markdown_it", "yaml"]  # the documents were parsed once
    second, loaded = declare(docs)
    assert loaded == []
    for context in (first, second):
        assert {s["title"] for s in context["similar"]} >= {"Search index lag"}
        assert context["deployment_safety"] == [
            "Roll back the indexer with deploy rollback indexer"]
        assert context["patterns"] == [
            "2025-06-01 inc-1 SEV-2 Search index lag: index lag"]
    # a write-up's title edited (the same size) is read again, and seen
    edited = docs / SOLUTIONS / "search-index-lag.md"
    put(docs, f"{SOLUTIONS}/search-index-lag.md",
        edited.read_text().replace("# Search index lag", "# Search index lat"),
        at=LONG_AGO + 10**9)
    third, loaded = declare(docs)
    assert "markdown_it" in loaded
    assert "Search index lat" in {s["title"] for s in third["similar"]}


# what is seen --------------------------------------------------------------------------------

def test_a_title_edited_to_the_same_size_is_seen(docs: Path) -> None:
    path = f"{SOLUTIONS}/search-index-lag.md"
    assert titles(docs)[path] == "Search index lag"
    assert path in remembered(docs)
    before = (docs / path).stat().st_size
    put(docs, path, (docs / path).read_text().replace("# Search index lag", "# Search index lat"),
        at=LONG_AGO + 10**9)
    assert (docs / path).stat().st_size == before
    assert titles(docs)[path] == "Search index lat"
    assert Writeups(docs).scan() == fresh(docs)


def test_front_matter_edited_to_the_same_size_is_seen(docs: Path) -> None:
    path = f"{SOLUTIONS}/cache-stampede.md"
    Writeups(docs).scan()
    text = (docs / path).read_text()
    put(docs, path, text.replace("root_cause: ttl sync", "root_cause: ttl sink"),
        at=LONG_AGO + 10**9)
    found = {w.path: w for w in Writeups(docs).scan()}
    assert found[path].front["root_cause"] == "ttl sink"


def test_a_new_write_up_is_seen(docs: Path) -> None:
    Writeups(docs).scan()
    put(docs, f"{SOLUTIONS}/dns-outage.md", writeup("DNS outage", "inc-3"))
    assert titles(docs)[f"{SOLUTIONS}/dns-outage.md"] == "DNS outage"
    assert f"{SOLUTIONS}/dns-outage.md" in remembered(docs)


def test_a_deleted_write_up_drops_out(docs: Path) -> None:
    Writeups(docs).scan()
    (docs / SOLUTIONS / "cache-stampede.md").unlink()
    assert list(titles(docs)) == [f"{SOLUTIONS}/search-index-lag.md"]
    assert list(remembered(docs)) == [f"{SOLUTIONS}/search-index-lag.md"]


def test_a_renamed_write_up_is_seen_under_its_new_path(docs: Path) -> None:
    Writeups(docs).scan()
    old = docs / SOLUTIONS / "cache-stampede.md"
    new = docs / "docs/solutions/runtime-errors/cache-stampede-ttl.md"
    new.parent.mkdir(parents=True)
    old.rename(new)
    found = {w.path: w for w in Writeups(docs).scan()}
    assert set(found) == {f"{SOLUTIONS}/search-index-lag.md",
                          "docs/solutions/runtime-errors/cache-stampede-ttl.md"}
    assert set(remembered(docs)) == set(found)


def test_a_renamed_write_up_without_a_heading_takes_its_new_name(docs: Path) -> None:
    put(docs, f"{SOLUTIONS}/untitled.md", "---\nincident_id: inc-9\n---\n\nno heading\n")
    assert titles(docs)[f"{SOLUTIONS}/untitled.md"] == "untitled"
    (docs / SOLUTIONS / "untitled.md").rename(docs / SOLUTIONS / "renamed.md")
    assert titles(docs)[f"{SOLUTIONS}/renamed.md"] == "renamed"


def test_an_edited_patterns_file_is_seen(docs: Path) -> None:
    patterns = CriticalPatterns(docs)
    assert patterns.sections().past_incidents == [
        "2025-06-01 inc-1 SEV-2 Search index lag: index lag"]
    assert PATTERNS in remembered(docs, "patterns")
    assert patterns.add_deployment_safety("Drain the queue before a schema migration")
    assert patterns.sections() == read_sections(PATTERNS, (docs / PATTERNS).read_text())
    assert "Drain the queue before a schema migration" in patterns.sections().deployment_safety


def test_a_patterns_file_edited_to_the_same_size_is_seen(docs: Path) -> None:
    CriticalPatterns(docs).sections()
    put(docs, PATTERNS, PATTERNS_TEXT.replace(": index lag", ": index lat"), at=LONG_AGO + 10**9)
    assert CriticalPatterns(docs).sections().past_incidents == [
        "2025-06-01 inc-1 SEV-2 Search index lag: index lat"]


def test_the_configured_patterns_file_replaces_the_remembered_one(docs: Path) -> None:
    CriticalPatterns(docs).sections()
    put(docs, "docs/critical-patterns.md", PATTERNS_TEXT.replace("inc-1", "inc-7"))
    (docs / ".incident-beads.toml").write_text(
        '[knowledge]\ncritical_patterns = "docs/critical-patterns.md"\n')
    found = Knowledge(docs).patterns.sections()
    assert found.path == "docs/critical-patterns.md"
    assert found.past_incidents == ["2025-06-01 inc-7 SEV-2 Search index lag: index lag"]


def test_a_removed_patterns_file_reads_as_empty(docs: Path) -> None:
    CriticalPatterns(docs).sections()
    (docs / PATTERNS).unlink()
    found = CriticalPatterns(docs).sections()
    assert (found.past_incidents, found.deployment_safety, found.proposed) == ([], [], [])
    assert remembered(docs, "patterns") == {}


# what is remembered, and when ---------------------------------------------------------------

def test_an_unchanged_scan_does_not_rewrite_the_index(docs: Path) -> None:
    Writeups(docs).scan()
    before = stat_key(index_file(docs, "writeups").stat())
    Writeups(docs).scan()
    assert stat_key(index_file(docs, "writeups").stat()) == before


def test_a_file_modified_just_now_is_remembered_with_the_hash_of_its_bytes(
        docs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = f"{SOLUTIONS}/just-now.md"
    put(docs, path, writeup("Just now", "inc-4"), at=time.time_ns())
    assert titles(docs)[path] == "Just now"
    assert remembered(docs)[path]["digest"]  # a change in the same clock tick could hide
    parsed: list[str] = []
    counting = writeup_module.read_summary

    def count(relative: str, file: Path) -> Any:
        parsed.append(relative)
        return counting(relative, file)

    monkeypatch.setattr(writeup_module, "read_summary", count)
    assert titles(docs)[path] == "Just now"
    assert parsed == []  # the same bytes: not parsed again
    # changed within the same tick: the same stat, other bytes
    put(docs, path, writeup("Just new", "inc-4"), at=time.time_ns())
    index = remembered(docs)
    index[path]["key"] = stat_key((docs / path).stat())
    write_cache(index_file(docs, "writeups"), summaries.VERSION, {"files": index})
    assert titles(docs)[path] == "Just new"
    assert parsed == [path]
    # settled: the hash is checked a last time and dropped
    os.utime(docs / path, ns=(LONG_AGO, LONG_AGO))
    Writeups(docs).scan()
    assert "digest" not in remembered(docs)[path]
    assert titles(docs)[path] == "Just new" and parsed == [path, path]


def test_a_file_changing_while_it_is_parsed_is_not_remembered(
        docs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = f"{SOLUTIONS}/moving.md"
    put(docs, path, writeup("Moving", "inc-5"), at=time.time_ns())
    reading = writeup_module.read_summary

    def read_then_edit(relative: str, file: Path) -> Any:
        found = reading(relative, file)
        if relative == path:
            file.write_text(writeup("Moved", "inc-5"))
        return found

    monkeypatch.setattr(writeup_module, "read_summary", read_then_edit)
    Writeups(docs).scan()
    assert path not in remembered(docs)


def test_the_same_answers_with_and_without_the_index(docs: Path) -> None:
    knowledge = Knowledge(docs)
    cold = knowledge.context("search index lag", service="search",
                             include_deployments=False).to_dict()
    assert remembered(docs) and remembered(docs, "patterns")
    warm = knowledge.context("search index lag", service="search",
                             include_deployments=False).to_dict()
    assert warm == cold and cold["similar"]
    assert Writeups(docs).find("inc-2") == f"{SOLUTIONS}/cache-stampede.md"


def test_a_corrupt_index_is_ignored_and_rewritten(docs: Path) -> None:
    expected = fresh(docs)
    Writeups(docs).scan()
    index_file(docs, "writeups").write_bytes(b'{"v": 1, "files": {"docs/sol\x00')
    assert Writeups(docs).scan() == expected
    assert set(remembered(docs)) == {w.path for w in expected}


def test_an_index_of_another_version_is_ignored_and_rewritten(docs: Path) -> None:
    expected = fresh(docs)
    Writeups(docs).scan()
    data = json.loads(index_file(docs, "writeups").read_text())
    for entry in data["files"].values():  # stats that match, summaries that lie
        entry["summary"]["title"] = "stale"
    data["v"] = summaries.VERSION + 1
    index_file(docs, "writeups").write_text(json.dumps(data))
    assert Writeups(docs).scan() == expected
    assert json.loads(index_file(docs, "writeups").read_text())["v"] == summaries.VERSION


@pytest.mark.parametrize("summary", [None, "title", {"front": [], "title": "t"},
                                     {"front": {}, "title": 3}, {"front": {}}])
def test_an_entry_that_is_no_summary_is_parsed_again(docs: Path, summary: Any) -> None:
    expected = fresh(docs)
    Writeups(docs).scan()
    data = json.loads(index_file(docs, "writeups").read_text())
    for entry in data["files"].values():
        entry["summary"] = summary
    index_file(docs, "writeups").write_text(json.dumps(data))
    assert Writeups(docs).scan() == expected
    assert all(isinstance(e["summary"]["title"], str) for e in remembered(docs).values())


@pytest.mark.parametrize("lists", [{"deployment_safety": [1], "past_incidents": [],
                                    "proposed": []},
                                   {"deployment_safety": [], "past_incidents": "x",
                                    "proposed": []},
                                   {"deployment_safety": [], "past_incidents": []}])
def test_remembered_sections_that_are_no_sections_are_parsed_again(
        docs: Path, lists: dict[str, Any]) -> None:
    CriticalPatterns(docs).sections()
    data = json.loads(index_file(docs, "patterns").read_text())
    data["files"][PATTERNS]["summary"] = lists
    index_file(docs, "patterns").write_text(json.dumps(data))
    assert CriticalPatterns(docs).sections() == read_sections(PATTERNS, PATTERNS_TEXT)


# front matter through JSON -------------------------------------------------------------------

RICH_FRONT = """---
title: "Rich: front matter"
date: 2025-06-01
detected: 2025-06-01T10:15:00Z
symptoms:
  - 502 on /search
  - 7
owners:
  primary: {name: ada, since: 2024-01-02}
  backups: [grace, null]
steps:
  - {run: "kubectl rollout undo", took: 1.5}
  - ok: true
duration_minutes: 45
ratio: 0.25
flag: false
empty:
incident_id: inc-5
---

# Rich
"""


def test_front_matter_values_come_back_from_the_index_exactly(docs: Path) -> None:
    path = f"{SOLUTIONS}/rich.md"
    put(docs, path, RICH_FRONT)
    expected = summarize(path, RICH_FRONT)
    assert expected.front["owners"]["primary"]["since"] == "2024-01-02"
    first = {w.path: w for w in Writeups(docs).scan()}[path]
    assert path in remembered(docs)
    second = {w.path: w for w in Writeups(docs).scan()}[path]
    assert first == second == expected
    assert [type(v) for v in second.front["symptoms"]] == [str, int]
    assert type(second.front["steps"][0]["took"]) is float


@pytest.mark.parametrize("value", ["!!set {a: null, b: null}", "!!binary aGVsbG8=",
                                   "!!omap [{a: 1}, {b: 2}]", ".nan", "[1, .inf]",
                                   '"\\uD800"'])
def test_front_matter_json_cannot_hold_is_not_remembered(docs: Path, value: str) -> None:
    path = f"{SOLUTIONS}/odd.md"
    text = f"---\nodd: {value}\nincident_id: inc-6\n---\n\n# Odd\n"
    put(docs, path, text)
    first = {w.path: w for w in Writeups(docs).scan()}[path]
    second = {w.path: w for w in Writeups(docs).scan()}[path]
    assert path not in remembered(docs)
    assert type(second.front["odd"]) is type(summarize(path, text).front["odd"])
    assert repr(second) == repr(first) == repr(summarize(path, text))


def test_json_exact() -> None:
    assert summaries.json_exact({"a": [1, 1.5, "x", None, True, {"b": []}]})
    for value in ((1, 2), {1: "x"}, {"a"}, b"x", float("nan"), float("inf"), "\ud800"):
        assert not summaries.json_exact(value)


# outside git ---------------------------------------------------------------------------------

def test_no_index_outside_git(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    put(root, f"{SOLUTIONS}/search-index-lag.md", writeup("Search index lag", "inc-1"))
    put(root, PATTERNS, PATTERNS_TEXT)
    for _ in range(2):
        assert titles(root) == {f"{SOLUTIONS}/search-index-lag.md": "Search index lag"}
        assert CriticalPatterns(root).sections() == read_sections(PATTERNS, PATTERNS_TEXT)
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) == [
        PATTERNS, f"{SOLUTIONS}/search-index-lag.md"]


def test_a_scan_stats_each_write_up_once_and_lists_regular_files_only(
        docs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outside = put(tmp_path, "elsewhere/linked.md", writeup("Linked", "inc-9"))
    (docs / SOLUTIONS / "linked.md").symlink_to(outside)
    (docs / SOLUTIONS / "folder-link").symlink_to(outside.parent, target_is_directory=True)
    (docs / SOLUTIONS / "notes.md.d").mkdir()  # a folder, whatever its name
    put(docs, f"{SOLUTIONS}/deeper/nested.md", writeup("Nested", "inc-3"))
    assert sorted(titles(docs).values()) == ["Cache stampede", "Nested", "Search index lag"]
    stats: list[str] = []
    real = Path.stat
    monkeypatch.setattr(Path, "stat",
                        lambda self, **kw: stats.append(self.name) or real(self, **kw))
    assert len(titles(docs)) == 3
    assert sorted(n for n in stats if n.endswith(".md") and n != "critical-patterns.md") == [
        "cache-stampede.md", "nested.md", "search-index-lag.md"]
