"""The compound-engineering write-up front matter, as a pydantic model, and where files go."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

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


class SolutionFrontMatter(BaseModel):
    """The front matter of `docs/solutions/<category>/<slug>.md`; unknown keys are kept."""

    model_config = ConfigDict(extra="allow")

    title: str | None = None
    category: str | None = None
    module: str = Field(min_length=1)
    date: str
    last_updated: str | None = None
    problem_type: ProblemType
    component: str = Field(min_length=1)
    severity: Literal["critical", "high", "medium", "low"]
    symptoms: list[str] | None = Field(default=None, max_length=5)
    root_cause: str | None = None
    resolution_type: ResolutionType | None = None
    tags: list[str] | None = Field(default=None, max_length=8)
    incident_id: str | None = None
    hotfix_tag: str | None = None
    duration_minutes: int | None = Field(default=None, ge=0)

    @field_validator("date", "last_updated")
    @classmethod
    def _date(cls, value: str | None) -> str | None:
        if value is not None and not _DATE.fullmatch(value):
            raise ValueError("must be YYYY-MM-DD")
        return value

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str] | None) -> list[str] | None:
        for tag in value or []:
            if not _TAG.fullmatch(tag):
                raise ValueError(f"tag {tag!r} is not lower-case-hyphen")
        return value

    @model_validator(mode="after")
    def _bug_track(self) -> SolutionFrontMatter:
        if self.problem_type in BUG_TRACK:
            missing = [name for name in ("symptoms", "root_cause", "resolution_type")
                       if not getattr(self, name)]
            if missing:
                raise ValueError(f"a {self.problem_type} write-up needs {', '.join(missing)}")
            if self.symptoms is not None and not 1 <= len(self.symptoms) <= 5:
                raise ValueError("symptoms must have 1 to 5 items")
        return self


def schema_problems(data: dict[str, Any]) -> list[str]:
    """Every way `data` breaks the write-up schema, one line each (empty when it is valid)."""
    try:
        SolutionFrontMatter.model_validate(data)
    except ValidationError as exc:
        return [f"{'.'.join(str(p) for p in err['loc']) or 'front matter'}: {err['msg']}"
                for err in exc.errors()]
    return []


def ordered(data: dict[str, Any]) -> dict[str, Any]:
    """`data` with the schema's keys first, in the written order, other keys after."""
    result = {key: data[key] for key in FIELD_ORDER if key in data}
    result.update({k: v for k, v in data.items() if k not in result})
    return result
