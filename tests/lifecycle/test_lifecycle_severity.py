"""Severity parsing and the time forms people type."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from incident_beads import InvalidInput, Severity
from incident_beads.config import Config
from incident_beads.incident.when import format_duration, parse_eta, parse_moment

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


def test_eta_may_be_text_but_a_mistyped_time_is_refused() -> None:
    assert parse_eta("investigating", NOW) == "investigating"
    assert parse_eta("+1h", NOW) == NOW + timedelta(hours=1)
    with pytest.raises(InvalidInput, match="cannot read the time"):
        parse_eta("+3x", NOW)


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
