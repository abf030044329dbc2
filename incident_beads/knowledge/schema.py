"""The compound-engineering write-up front matter, as a typed record, and where files go."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from incident_beads.typedrecord import RecordError, TypedRecord, literal_choices

BUG_TRACK = ("build_error", "test_failure", "runtime_error", "performance_issue",
             "database_issue", "security_issue", "ui_bug", "integration_issue", "logic_error")
KNOWLEDGE_TRACK = ("best_practice", "documentation_gap", "workflow_issue", "developer_experience",
                   "architecture_pattern", "design_pattern", "tooling_decision", "convention")
RESOLUTION_TYPES = ("code_fix", "migration", "config_change", "test_fix", "dependency_update",
                    "environment_setup", "workflow_improvement", "documentation_update",
                    "tooling_addition", "seed_data_update")
SEVERITIES = ("critical", "high", "medium", "low")
# Key order of a written file: the compound fields, then ours.
FIELD_ORDER = ("title", "category", "module", "date", "last_updated", "problem_type",
               "component", "symptoms", "root_cause", "resolution_type", "severity", "tags",
               "incident_id", "hotfix_tag", "duration_minutes")

# Folder per problem type, as compound-engineering lays out docs/solutions/.
_IRREGULAR = {"performance_issue": "performance-issues"}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TAG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")

ProblemType = Literal[
    "build_error", "test_failure", "runtime_error", "performance_issue", "database_issue",
    "security_issue", "ui_bug", "integration_issue", "logic_error", "best_practice",
    "documentation_gap", "workflow_issue", "developer_experience", "architecture_pattern",
    "design_pattern", "tooling_decision", "convention"]
ResolutionType = Literal[
    "code_fix", "migration", "config_change", "test_fix", "dependency_update",
    "environment_setup", "workflow_improvement", "documentation_update", "tooling_addition",
    "seed_data_update"]


def category_folder(problem_type: str) -> str:
    """The `docs/solutions/` folder of a problem type (`runtime_error` -> `runtime-errors`)."""
    if problem_type in _IRREGULAR:
        return _IRREGULAR[problem_type]
    words = problem_type.split("_")
    last = words[-1]
    if not last.endswith("s"):
        words[-1] = last + "s"
    return "-".join(words)


class SolutionFrontMatter(TypedRecord, extra="allow"):
    """The front matter of `docs/solutions/<category>/<slug>.md`; unknown keys are kept.

    Besides the types: `module` and `component` are not empty, `date` and `last_updated` are
    `YYYY-MM-DD`, at most 5 symptoms and 8 lower-case-hyphen tags, `duration_minutes` >= 0,
    and a bug-track problem type needs symptoms (1 to 5), a root cause and a resolution type.
    """

    title: str | None = None
    category: str | None = None
    module: str
    date: str
    last_updated: str | None = None
    problem_type: ProblemType
    component: str
    severity: Literal["critical", "high", "medium", "low"]
    symptoms: list[str] | None = None
    root_cause: str | None = None
    resolution_type: ResolutionType | None = None
    tags: list[str] | None = None
    incident_id: str | None = None
    hotfix_tag: str | None = None
    duration_minutes: int | None = None

    @classmethod
    def model_validate(cls, obj: Any) -> SolutionFrontMatter:
        """The front matter from a dict; `RecordError` names the first problem found."""
        if isinstance(obj, cls):
            return obj
        if isinstance(obj, Mapping):
            problems = _problems(obj)
            if problems:
                raise RecordError(*problems[0])
        return cls._from(obj, ())


def _problems(data: Mapping[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """Every way `data` breaks the schema, as (where, what), in the order of the fields."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    hints = SolutionFrontMatter.record_fields()
    for name in hints:
        if name not in data:
            if name in _REQUIRED:
                found.append(((name,), "Field required"))
            continue
        problem = _field_problem(name, data[name])
        if problem:
            found.append(problem)
    if found:
        return found
    problem_type = str(data["problem_type"])
    if problem_type in BUG_TRACK:
        missing = [name for name in ("symptoms", "root_cause", "resolution_type")
                   if not data.get(name)]
        if missing:
            return [((), f"Value error, a {problem_type} write-up needs {', '.join(missing)}")]
    return []


_REQUIRED = ("module", "date", "problem_type", "component", "severity")
_MAX_ITEMS = {"symptoms": 5, "tags": 8}


def _field_problem(name: str, value: Any) -> tuple[tuple[str | int, ...], str] | None:
    if value is None:
        return None if name not in _REQUIRED else ((name,), "Input should be a valid string")
    choices = _LITERALS.get(name)
    if choices is not None:
        if value in choices:
            return None
        return (name,), f"Input should be {literal_choices(choices)}"
    if name == "duration_minutes":
        if isinstance(value, bool) or not isinstance(value, int | str):
            return (name,), "Input should be a valid integer"
        if isinstance(value, str) and not value.strip().lstrip("+-").isdigit():
            return (name,), "Input should be a valid integer, unable to parse string as an integer"
        return None if int(value) >= 0 else ((name,), "Input should be greater than or equal to 0")
    if name in _MAX_ITEMS:
        if not isinstance(value, list):
            return (name,), "Input should be a valid list"
        for index, item in enumerate(value):
            if not isinstance(item, str):
                return (name, index), "Input should be a valid string"
        if len(value) > _MAX_ITEMS[name]:
            return ((name,), f"List should have at most {_MAX_ITEMS[name]} items after "
                             f"validation, not {len(value)}")
        if name == "tags":
            for tag in value:
                if not _TAG.fullmatch(tag):
                    return (name,), f"Value error, tag {tag!r} is not lower-case-hyphen"
        return None
    if not isinstance(value, str):
        return (name,), "Input should be a valid string"
    if name in ("module", "component") and not value:
        return (name,), "String should have at least 1 character"
    if name in ("date", "last_updated") and not _DATE.fullmatch(value):
        return (name,), "Value error, must be YYYY-MM-DD"
    return None


_LITERALS: dict[str, tuple[str, ...]] = {
    "problem_type": BUG_TRACK + KNOWLEDGE_TRACK, "severity": SEVERITIES,
    "resolution_type": RESOLUTION_TYPES}


def schema_problems(data: dict[str, Any]) -> list[str]:
    """Every way `data` breaks the write-up schema, one line each (empty when it is valid)."""
    return [f"{'.'.join(str(p) for p in loc) or 'front matter'}: {msg}"
            for loc, msg in _problems(data)]


def ordered(data: dict[str, Any]) -> dict[str, Any]:
    """`data` with the schema's keys first, in the written order, other keys after."""
    result = {key: data[key] for key in FIELD_ORDER if key in data}
    result.update({k: v for k, v in data.items() if k not in result})
    return result
