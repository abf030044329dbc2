"""Severity parsing and the time forms people type."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from incident_beads import InvalidInput, Severity
from incident_beads.config import Config
from incident_beads.lifecycle.when import format_duration, parse_eta, parse_moment

NOW = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("text", ["SEV-1", "sev1", "1", "sev-1", " Sev 1 ", 1])
def test_severity_accepts_the_usual_spellings(text: object) -> None:
    assert Severity.parse(text) is Severity.SEV1


@pytest.mark.parametrize("text", ["SEV-5", "0", "", "high", "sev", None, True, "sev-11"])
def test_wrong_severity_is_refused(text: object) -> None:
    with pytest.raises(InvalidInput, match="unknown severity"):
        Severity.parse(text)


def test_severity_maps_to_priority_label_and_policy() -> None:
    assert [s.priority for s in Severity] == [0, 1, 2, 3]
    assert Severity.SEV3.label == "sev-3"
    assert Severity.SEV2.tag_title("[SEV-1] Login fails") == "[SEV-2] Login fails"
    assert Severity.SEV1.policy(Config()).update_minutes == 15
    assert Severity.SEV4.policy(Config()).update_minutes is None


def test_times_accept_now_relative_and_iso() -> None:
    assert parse_moment("now", NOW) == NOW
    assert parse_moment("+30m", NOW) == NOW + timedelta(minutes=30)
    assert parse_moment("-2h", NOW) == NOW - timedelta(hours=2)
    assert parse_moment("2026-01-15T12:00:00+02:00", NOW) == NOW
    assert parse_moment("2026-01-15T10:00", NOW) == NOW  # naive means UTC


@pytest.mark.parametrize(("text", "expected"), [
    ("+30m", NOW + timedelta(minutes=30)),
    ("+1h", NOW + timedelta(hours=1)),
    ("in 3 hours", NOW + timedelta(hours=3)),
    ("in 45 min", NOW + timedelta(minutes=45)),
    ("In 2h", NOW + timedelta(hours=2)),
    ("10:45", NOW.replace(hour=10, minute=45)),
    ("today 16:00", NOW.replace(hour=16)),
    ("tomorrow 09:00", NOW.replace(day=16, hour=9)),
    ("2026-01-15T12:00:00Z", NOW.replace(hour=12)),
    ("2026-01-15T14:00:00+02:00", NOW.replace(hour=12)),
    ("2026-01-15 12:30", NOW.replace(hour=12, minute=30)),
    ("investigating", "investigating"),
    (" Investigating ", "investigating"),
])
def test_every_eta_form_a_person_types_is_understood(text: str, expected: object) -> None:
    assert parse_eta(text, NOW) == expected


@pytest.mark.parametrize("text", ["tomorrow", "soon", "after lunch", "+3x", "25:00",
                                  "in 3 fortnights", "2026-13-01T10:00"])
def test_anything_else_is_refused_with_the_forms_that_are_understood(text: str) -> None:
    with pytest.raises(InvalidInput, match="cannot read the ETA") as refused:
        parse_eta(text, NOW)
    assert "in 3 hours" in (refused.value.hint or "") and "tomorrow 09:00" in (
        refused.value.hint or "")


@pytest.mark.parametrize("text", ["+99999999999d", "in 99999999999 days",
                                  "+9999999999999999999999w"])
def test_huge_relative_times_get_a_validation_message(text: str) -> None:
    with pytest.raises(InvalidInput, match="too far away"):
        parse_eta(text, NOW)
    with pytest.raises(InvalidInput, match="too far away"):
        parse_moment(text.replace("in ", "+").replace(" days", "d"), NOW)


def test_wall_clock_etas_are_read_in_the_configured_zone() -> None:
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    assert parse_eta("10:45", NOW, berlin) == NOW.replace(hour=9, minute=45)
    assert parse_eta("tomorrow 09:00", NOW, berlin) == NOW.replace(day=16, hour=8)
    assert parse_eta("2026-01-15 12:00", NOW, berlin) == NOW.replace(hour=11)


def test_durations_read_like_people_write_them() -> None:
    assert format_duration(timedelta(minutes=45)) == "45m"
    assert format_duration(timedelta(hours=2, minutes=5)) == "2h 05m"
    assert format_duration(timedelta(days=1, hours=3)) == "1d 3h 00m"


def test_the_public_names_import_from_the_package() -> None:
    import incident_beads

    for name in ("IncidentResponse", "Incident", "Severity", "KnownRisk", "StatusUpdate",
                 "Mitigation", "RiskAcknowledgment", "EscalationRecord", "Timestamps",
                 "CompletionReport", "PostmortemSchedule", "RootCauseHandoff"):
        assert getattr(incident_beads, name).__name__ == name
