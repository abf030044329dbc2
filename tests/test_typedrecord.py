"""The stored records as typed dataclasses: the same bytes as before, the same errors, no pydantic.

`tests/corpus/records/pydantic-dumps.jsonl` holds records taken from the stores the test suite
builds, each with what pydantic's `model_dump(mode="json", exclude_none=True)` gave for it when the
records were pydantic models (`pydantic_dump`, given only where it differs from `stored`).
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from incident_beads import IncidentResponse
from incident_beads.beads.issue import Issue
from incident_beads.errors import MalformedFile
from incident_beads.hotfix.model import HotfixState
from incident_beads.lifecycle.model import (
    METADATA_KEY,
    Assessment,
    Incident,
    IncidentState,
    MitigationOption,
    StatusUpdate,
    Timestamps,
    UpdateStatus,
)
from incident_beads.lifecycle.severity import Severity
from incident_beads.lifecycle.timeline import stored_record
from incident_beads.typedrecord import RecordError, TypedRecord, field, format_datetime
from tests.clocks import FakeClock

CORPUS = Path(__file__).parent / "corpus"
RECORDS = [json.loads(line) for line in
           (CORPUS / "records" / "pydantic-dumps.jsonl").read_text().splitlines()]


def _class_of(record: dict[str, Any]) -> type[TypedRecord]:
    return IncidentState if record["kind"] == "incident" else HotfixState


@pytest.mark.parametrize("entry", RECORDS, ids=[str(i) for i in range(len(RECORDS))])
def test_a_stored_record_is_written_back_as_pydantic_wrote_it(entry: dict[str, Any]) -> None:
    stored = entry["stored"]
    expected = entry.get("pydantic_dump", stored)
    dumped = _class_of(stored).model_validate(stored).model_dump(mode="json", exclude_none=True)
    # Same keys in the same order, same values: the same bytes in issues.jsonl.
    assert json.dumps(dumped, ensure_ascii=False) == json.dumps(expected, ensure_ascii=False)


def test_the_corpus_holds_both_kinds_and_unknown_keys() -> None:
    kinds = {entry["stored"]["kind"] for entry in RECORDS}
    assert kinds == {"incident", "hotfix"}


def test_stores_written_now_are_what_pydantic_would_write(store_repo: Path) -> None:
    """A whole incident recorded today, each record compared with pydantic's serialization of
    the same data (pydantic stays installed for the MCP server)."""
    from incident_beads.mcp_server.schema import pydantic_model

    clock = FakeClock()
    api = IncidentResponse(store_repo, actor="ada", clock=clock)
    incident = api.declare("Checkout down", severity="SEV-2", who_affected="buyers",
                           what_broken="checkout", services=["shop"], load_context=False)
    clock.advance(minutes=5)
    api.post_update(incident.id, status="identified", impact="checkout fails",
                    action="rolling back", eta="2026-01-15T13:00:00+02:00")
    clock.advance(minutes=5)
    api.mitigate(incident.id, "rollback", "worked", detail="back to v1.2")
    lines = (store_repo / ".beads" / "issues.jsonl").read_text().splitlines()
    records = [json.loads(line)["metadata"][METADATA_KEY] for line in lines
               if METADATA_KEY in json.loads(line).get("metadata", {})]
    assert records
    model = pydantic_model(IncidentState)
    for record in records:
        ours = IncidentState.model_validate(record).model_dump(mode="json", exclude_none=True)
        theirs = model.model_validate(record).model_dump(mode="json", exclude_none=True)
        assert json.dumps(ours) == json.dumps(theirs) == json.dumps(record)


@pytest.mark.parametrize("moment", [
    datetime(2026, 1, 15, 10, 0, tzinfo=UTC),
    datetime(2026, 1, 15, 10, 0, 0, 120000, tzinfo=UTC),
    datetime(2026, 1, 15, 10, 0, 0, 1, tzinfo=timezone(timedelta(hours=2))),
    datetime(2026, 1, 15, 10, 0, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
    datetime(2026, 1, 15, 10, 0),
    datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC),
])
def test_datetimes_are_formatted_as_pydantic_formats_them(moment: datetime) -> None:
    from pydantic_core import to_jsonable_python

    assert format_datetime(moment) == to_jsonable_python(moment)


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-01-15T10:00:00Z", datetime(2026, 1, 15, 10, 0, tzinfo=UTC)),
    ("2026-01-15 10:00:00+02:00",
     datetime(2026, 1, 15, 10, 0, tzinfo=timezone(timedelta(hours=2)))),
    ("2026-01-15T10:00:00.123456789Z",
     datetime(2026, 1, 15, 10, 0, 0, 123456, tzinfo=UTC)),
    ("2026-01-15T10:00:00", datetime(2026, 1, 15, 10, 0)),
    ("2026-01-15T10:00:00.5Z", datetime(2026, 1, 15, 10, 0, 0, 500000, tzinfo=UTC)),
    ("2026-01-15T10:00:00.000001Z", datetime(2026, 1, 15, 10, 0, 0, 1, tzinfo=UTC)),
    ("2026-01-15T10:00Z", datetime(2026, 1, 15, 10, 0, tzinfo=UTC)),
    ("2026-01-15t10:00:00z", datetime(2026, 1, 15, 10, 0, tzinfo=UTC)),
    (1768471200, datetime(2026, 1, 15, 10, 0, tzinfo=UTC)),
])
def test_datetimes_are_read_as_pydantic_read_them(text: Any, expected: datetime) -> None:
    update = StatusUpdate.model_validate({"at": text, "by": "ada", "status": "identified",
                                          "impact": "i", "action": "a"})
    assert update.at == expected and update.at.utcoffset() == expected.utcoffset()
    assert update.status is UpdateStatus.IDENTIFIED  # an enum by value, its own lookup too


def test_unknown_keys_are_kept_in_order_and_written_back_after_the_fields() -> None:
    data = {"at": "2026-01-15T10:00:00Z", "zeta": 1, "by": "ada", "status": "Identified",
            "impact": "i", "action": "a", "alpha": {"nested": None}}
    update = StatusUpdate.model_validate(data)
    dumped = update.model_dump(mode="json")
    assert list(dumped)[-2:] == ["zeta", "alpha"]
    assert dumped["alpha"] == {"nested": None}
    assert update.model_copy(update={"by": "bob"}).model_dump(mode="json")["zeta"] == 1


def test_a_forbidding_record_refuses_unknown_keys() -> None:
    incident = {"id": "x-1", "title": "t", "severity": "SEV-1", "status": "open",
                "phase": "assess", "created_at": "", "updated_at": "", "surprise": True,
                "state": {"severity": "SEV-1",
                          "assessment": {"detected_at": "2026-01-15T10:00:00Z"},
                          "timestamps": {"detected": "2026-01-15T10:00:00Z"}}}
    with pytest.raises(RecordError) as info:
        Incident.model_validate(incident)
    assert info.value.loc == ("surprise",)


@pytest.mark.parametrize(("change", "where"), [
    ({"severity": "SEV-9"}, "severity"),
    ({"timestamps": {"detected": "yesterday"}}, "timestamps.detected"),
    ({"updates": [{"at": "2026-01-15T10:00:00Z", "by": "ada", "status": "bored",
                   "impact": "i", "action": "a"}]}, "updates.0.status"),
    ({"mitigations": "none"}, "mitigations"),
    ({"assessment": {"data_at_risk": "maybe", "detected_at": "2026-01-15T10:00:00Z"}},
     "assessment.data_at_risk"),
    ({"assessment": None}, "assessment"),
])
def test_a_malformed_value_is_refused_with_the_field_named(change: dict[str, Any],
                                                           where: str) -> None:
    state = {"kind": "incident", "severity": "SEV-2",
             "assessment": {"detected_at": "2026-01-15T10:00:00Z"},
             "timestamps": {"detected": "2026-01-15T10:00:00Z"}}
    IncidentState.model_validate(state)  # the unchanged state is fine
    issue = Issue({"id": "x-1", "title": "t", "metadata": {METADATA_KEY: {**state, **change}}})
    with pytest.raises(MalformedFile, match=rf"x-1: metadata\.incident_beads\.{where}: "):
        stored_record(issue, IncidentState)


def test_a_missing_field_is_named() -> None:
    with pytest.raises(RecordError, match=r"^timestamps: Field required$"):
        IncidentState.model_validate({"severity": "SEV-2",
                                      "assessment": {"detected_at": "2026-01-15T10:00:00Z"}})


def test_the_constructor_checks_and_converts_as_validation_does() -> None:
    update = StatusUpdate(at=datetime(2026, 1, 15, tzinfo=UTC), by="ada",
                          status="mitigating", impact="i", action="a")  # type: ignore[arg-type]
    assert update.status is UpdateStatus.MITIGATING
    with pytest.raises(RecordError, match="status"):
        StatusUpdate(at=datetime(2026, 1, 15), by="ada", status="bored",  # type: ignore[arg-type]
                     impact="i", action="a")


def test_the_constructor_refuses_unknown_and_missing_arguments_and_fills_defaults() -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument 'mood'"):
        StatusUpdate(at=datetime(2026, 1, 15, tzinfo=UTC), by="ada",  # type: ignore[call-arg]
                     status=UpdateStatus.MITIGATING, impact="i", action="a", mood="calm")
    with pytest.raises(TypeError, match="missing required keyword argument 'impact'"):
        StatusUpdate(at=datetime(2026, 1, 15, tzinfo=UTC), by="ada",  # type: ignore[call-arg]
                     status=UpdateStatus.MITIGATING, action="a")
    first, second = (IncidentState(severity=Severity.SEV2, peak_severity=Severity.SEV2,
                                   assessment=Assessment(detected_at=datetime.now(UTC)),
                                   timestamps=Timestamps(detected=datetime.now(UTC)))
                     for _ in range(2))
    first.updates.append(second.updates)  # type: ignore[arg-type]
    assert second.updates == [] and first.model_extra == {}  # each gets its own list

def test_python_mode_keeps_objects_and_json_mode_gives_text() -> None:
    class Sample(TypedRecord):
        """A sample."""

        option: MitigationOption
        severity: Severity | None = None
        when: datetime
        counts: dict[str, float | None] = field(default_factory=dict)

    sample = Sample.model_validate({"option": "rollback", "when": "2026-01-15T10:00:00Z",
                                    "counts": {"a": 1, "b": None}})
    assert sample.counts == {"a": 1.0, "b": None} and isinstance(sample.counts["a"], float)
    assert sample.model_dump()["option"] is MitigationOption.ROLLBACK
    assert sample.model_dump(mode="json", exclude_none=True) == {
        "option": "rollback", "when": "2026-01-15T10:00:00Z", "counts": {"a": 1.0, "b": None}}
    assert Sample.model_validate(sample.model_dump()) == sample


def test_writing_and_reading_incidents_loads_no_pydantic(store_repo: Path) -> None:
    """From `create` to `resolve` (which writes the write-up), and the reads, in a fresh
    interpreter each."""
    runs = [["create", "Checkout down", "--sev", "3", "--no-context"],
            ["update", "{id}", "--status", "identified", "--impact", "i", "--action", "a"],
            ["mitigate", "{id}", "--option", "rollback", "--result", "worked"],
            ["list", "--label", "incident"], ["list", "--json"], ["overdue"],
            ["resolve", "{id}", "--resolution", "r", "--root-cause", "c",
             "--no-longer-occurring", "--error-rates-normal", "--users-can-use-feature",
             "--monitoring", "graphs", "--stakeholders-notified"],
            ["check", "{id}"], ["report"], ["context", "checkout"]]
    code = ("import sys\nfrom incident_beads.cli import main\n"
            "try:\n    main(['-C', sys.argv[1], *sys.argv[2:]])\n"
            "except SystemExit as exc:\n    assert exc.code in (None, 0) or "
            "sys.argv[2] == 'check', exc.code\n"
            "print('LOADED' if 'pydantic' in sys.modules else 'CLEAN')")
    incident_id = ""
    for args in runs:
        argv = [a.replace("{id}", incident_id) for a in args]
        done = subprocess.run([sys.executable, "-c", code, str(store_repo), *argv],
                              capture_output=True, text=True,
                              env={**_env(), "INCIDENT_BEADS_NOW": "2026-01-15T10:00:00Z"})
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        assert done.stdout.rstrip().endswith("CLEAN"), f"{args[0]} imported pydantic"
        if args[0] == "create":
            incident_id = done.stdout.split()[0]
    assert incident_id
    assert list((store_repo / "docs" / "solutions").rglob("*.md")), "no write-up was written"


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)


def test_write_up_front_matter_problems_read_as_before() -> None:
    from incident_beads.knowledge.schema import SolutionFrontMatter, schema_problems

    valid = {"title": "Pool", "module": "checkout", "date": "2026-01-15",
             "problem_type": "runtime_error", "component": "payments", "severity": "critical",
             "symptoms": ["500 on /pay"], "root_cause": "pool exhausted",
             "resolution_type": "code_fix", "custom": "kept"}
    assert schema_problems(valid) == []
    assert SolutionFrontMatter.model_validate(valid).model_dump()["custom"] == "kept"
    # The messages pydantic gave, word for word.
    assert schema_problems({**valid, "date": "y", "severity": "x", "tags": ["A"]}) == [
        "date: Value error, must be YYYY-MM-DD",
        "severity: Input should be 'critical', 'high', 'medium' or 'low'",
        "tags: Value error, tag 'A' is not lower-case-hyphen"]
    assert schema_problems({**valid, "symptoms": ["a"] * 6}) == [
        "symptoms: List should have at most 5 items after validation, not 6"]
    assert schema_problems({**valid, "module": "", "duration_minutes": -1}) == [
        "module: String should have at least 1 character",
        "duration_minutes: Input should be greater than or equal to 0"]
    assert schema_problems({**valid, "root_cause": None}) == [
        "front matter: Value error, a runtime_error write-up needs root_cause"]
    with pytest.raises(RecordError, match=r"^date: Value error"):
        SolutionFrontMatter.model_validate({**valid, "date": "15/01/2026"})


# The old import paths: both modules became packages of parts, and callers keep their imports.

TYPEDRECORD_NAMES = ["RecordError", "TypedRecord", "field", "format_datetime", "jsonable",
                     "literal_choices", "parse_datetime"]
MODEL_NAMES = ["METADATA_KEY", "Assessment", "ConfigChange", "ContextRecord", "EscalationRecord",
               "Incident", "IncidentState", "Mitigation", "MitigationOption", "MitigationResult",
               "Phase", "PostmortemSchedule", "Record", "Resolution", "ResolutionChecklist",
               "RiskAcknowledgment", "RootCauseHandoff", "StatusUpdate", "TimelineEvent",
               "Timestamps", "UpdateStatus", "normalize_risk"]


@pytest.mark.parametrize(("module", "names"), [
    ("incident_beads.typedrecord", TYPEDRECORD_NAMES),
    ("incident_beads.lifecycle.model", MODEL_NAMES),
])
def test_the_split_modules_keep_every_name_callers_import(module: str, names: list[str]) -> None:
    imported = importlib.import_module(module)
    assert [name for name in names if not hasattr(imported, name)] == []
    assert sorted(imported.__all__) == sorted(names)


def test_every_model_record_resolves_its_annotations_where_it_now_lives() -> None:
    import incident_beads.lifecycle.model as model

    records = [getattr(model, name) for name in MODEL_NAMES]
    records = [r for r in records if isinstance(r, type) and issubclass(r, TypedRecord)
               and r is not model.Record]
    assert len(records) == 15
    for record in records:
        record.model_rebuild()
        assert record.record_fields()


def test_type_hints_are_what_typing_gives_for_every_record_of_the_package() -> None:
    import importlib
    import pkgutil
    import typing

    import incident_beads
    from incident_beads.typedrecord.record import type_hints

    for module in pkgutil.walk_packages(incident_beads.__path__, "incident_beads."):
        if not module.name.startswith(("incident_beads.demo", "incident_beads.mcp_server")):
            importlib.import_module(module.name)
    records: list[type[TypedRecord]] = []
    pending: list[type[TypedRecord]] = [TypedRecord]
    while pending:
        cls = pending.pop()
        records.append(cls)
        pending.extend(cls.__subclasses__())
    assert len(records) > 30
    for cls in records:
        assert type_hints(cls) == typing.get_type_hints(cls), cls


Shadowed = int


class _Outer(TypedRecord):
    class Shadowed:  # a name the class itself holds: not the module's
        pass

    Inner = str
    plain: Shadowed | None = None
    own: Inner = ""


def test_an_annotation_naming_the_class_s_own_names_is_evaluated_for_that_class() -> None:
    from incident_beads.typedrecord.record import type_hints

    class Other(TypedRecord):
        Inner = int
        own: Inner = 0

    hints = type_hints(_Outer)
    assert hints["plain"] == int | None  # the module's name first, as typing looks it up
    assert hints["own"] is str and type_hints(Other)["own"] is int
