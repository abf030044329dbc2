"""The write-up front matter: the compound quoting rule, read back by a strict YAML parser."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from incident_beads.knowledge.frontmatter import (
    FrontMatterError,
    dump_front_matter,
    needs_quotes,
    parse_front_matter,
)
from incident_beads.knowledge.schema import category_folder, schema_problems


@pytest.mark.parametrize("item", ["`cmd` fails", "[x] broken", "*star", "&anchor", "!tag",
                                  "|pipe", ">gt", "%pct", "@at", "?q", "error: boom"])
def test_reserved_items_are_double_quoted(item: str) -> None:
    lines = dump_front_matter({"symptoms": [item]})
    assert lines[1].startswith('  - "')
    assert yaml.safe_load("\n".join(lines)) == {"symptoms": [item]}


def test_plain_items_stay_plain() -> None:
    assert dump_front_matter({"symptoms": ["checkout returns 500"]}) == \
        ["symptoms:", "  - checkout returns 500"]
    assert not needs_quotes("checkout returns 500")


@pytest.mark.parametrize("value", ["yes", "null", "123", "1.5", "0x1f", "-dash", "# hash",
                                   "trailing:", "a #b", "  padded", "tab\there", "line\nbreak",
                                   "quote\"s", "'single", "2026-01-15", "~", "{brace"])
def test_values_yaml_would_misread_are_quoted(value: str) -> None:
    lines = dump_front_matter({"root_cause": value})
    assert yaml.safe_load("\n".join(lines)) == {"root_cause": value}
    assert parse_front_matter(lines) == {"root_cause": value}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=5),
       st.text(min_size=1, max_size=40))
def test_any_text_round_trips_through_pyyaml_and_our_reader(items: list[str], cause: str) -> None:
    data = {"symptoms": items, "root_cause": cause, "duration_minutes": 42}
    lines = dump_front_matter(data)
    assert yaml.safe_load("\n".join(lines)) == data
    assert parse_front_matter(lines) == data


def test_reader_accepts_flow_lists_comments_and_quotes() -> None:
    lines = ["# comment", "module: Checkout", "tags: [performance, \"a, b\", 'c''d']",
             "symptoms:", "  - one", "  - \"two: x\"", "date: 2026-01-15  # solved"]
    assert parse_front_matter(lines) == {
        "module": "Checkout", "tags": ["performance", "a, b", "c'd"],
        "symptoms": ["one", "two: x"], "date": "2026-01-15"}


def test_reader_reads_what_people_edit_as_yaml() -> None:
    lines = ["module: x", "owners:", "  primary: payments team", "  secondary: sre",
             "notes: |", "  first line", "  second: line", "related: &r [a, b]", "again: *r",
             "reviewed: 2026-01-20", "score: 1.5"]
    assert parse_front_matter(lines) == {
        "module": "x", "owners": {"primary": "payments team", "secondary": "sre"},
        "notes": "first line\nsecond: line\n", "related": ["a", "b"], "again": ["a", "b"],
        "reviewed": "2026-01-20", "score": 1.5}


def test_reader_reports_invalid_yaml_by_line() -> None:
    with pytest.raises(FrontMatterError) as info:
        parse_front_matter(["module: x", "tags: [a, b", "date: 2026-01-15"])
    assert info.value.line >= 2 and "not valid YAML" in info.value.what
    with pytest.raises(FrontMatterError):
        parse_front_matter(["- just", "- a list"])
    # A scan of many files keeps going: the lines it can read, line by line.
    assert parse_front_matter(["module: x", "tags: [a, b"], strict=False) == {"module": "x"}


def test_values_people_added_are_written_back_as_yaml() -> None:
    data = {"module": "x", "owners": {"primary": "payments team"}, "score": 1.5,
            "checked": True, "tags": ["a", "b"]}
    lines = dump_front_matter(data)
    assert yaml.safe_load("\n".join(lines)) == data
    assert parse_front_matter(lines) == data


def _valid() -> dict[str, object]:
    return {"module": "Checkout", "date": "2026-01-15", "problem_type": "runtime_error",
            "component": "payments", "severity": "critical", "symptoms": ["500 on /pay"],
            "root_cause": "pool exhausted", "resolution_type": "code_fix"}


def test_schema_accepts_a_complete_bug_track_write_up() -> None:
    assert schema_problems(_valid()) == []


@pytest.mark.parametrize(("key", "value"), [
    ("date", "15/01/2026"), ("severity", "sev-1"), ("problem_type", "oops"),
    ("resolution_type", "prayer"), ("symptoms", []), ("symptoms", ["a"] * 6),
    ("tags", ["t"] * 9), ("module", ""),
])
def test_schema_refuses_each_broken_field(key: str, value: object) -> None:
    data = _valid()
    data[key] = value
    assert schema_problems(data)


@pytest.mark.parametrize("key", ["module", "date", "problem_type", "component", "severity",
                                 "symptoms", "root_cause", "resolution_type"])
def test_schema_requires_each_bug_track_field(key: str) -> None:
    data = _valid()
    del data[key]
    assert schema_problems(data)


def test_knowledge_track_needs_no_bug_fields() -> None:
    data = {k: v for k, v in _valid().items()
            if k not in ("symptoms", "root_cause", "resolution_type")}
    data["problem_type"] = "best_practice"
    assert schema_problems(data) == []


def test_category_folders_follow_compound_layout() -> None:
    assert category_folder("runtime_error") == "runtime-errors"
    assert category_folder("performance_issue") == "performance-issues"
    assert category_folder("ui_bug") == "ui-bugs"
    assert category_folder("developer_experience") == "developer-experiences"
