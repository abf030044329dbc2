"""Phase 5: the confirmation checklist, the post-mortem rule, the resolution message."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from incident_beads import Escalation, IncidentResponse, InvalidInput, KnownRisk, Refused
from incident_beads.beads.transaction import Changes
from incident_beads.lifecycle.model import METADATA_KEY
from tests.lifecycle.lifecycle_helpers import CONFIRMED, FakeClock, assert_importable, resolve


@pytest.mark.parametrize("missing", sorted(CONFIRMED))
def test_must_confirm_every_checklist_item_before_resolving(
        api: IncidentResponse, missing: str) -> None:
    incident = api.declare("Search slow", severity=3)
    blank = "   " if missing == "monitoring_evidence" else False
    with pytest.raises(Refused, match="not confirmed"):
        resolve(api, incident.id, **{missing: blank})
    assert api.get(incident.id).is_open


def test_resolution_needs_what_fixed_it_and_a_root_cause(api: IncidentResponse) -> None:
    incident = api.declare("Search slow", severity=3)
    with pytest.raises(InvalidInput):
        api.resolve(incident.id, resolution=" ", root_cause="x", **CONFIRMED)
    with pytest.raises(InvalidInput):
        api.resolve(incident.id, resolution="x", root_cause="", **CONFIRMED)


@pytest.mark.parametrize("severity", [1, 2])
def test_must_not_skip_postmortem_for_sev1_and_sev2(api: IncidentResponse,
                                                    severity: int) -> None:
    incident = api.declare("Checkout down", severity=severity)
    with pytest.raises(Refused, match="post-mortem scheduled first"):
        resolve(api, incident.id)
    api.schedule_postmortem(incident.id, at="+1d", owner="grace")
    assert not resolve(api, incident.id).is_open


def test_a_downgraded_sev1_still_needs_its_postmortem(api: IncidentResponse) -> None:
    incident = api.declare("Checkout down", severity=1)
    api.reclassify(incident.id, 3, reason="only EU users affected")
    with pytest.raises(Refused, match="SEV-1 incident needs its post-mortem"):
        resolve(api, incident.id)


def test_sev3_resolves_without_a_postmortem(api: IncidentResponse) -> None:
    incident = api.declare("Search slow", severity=3)
    done = resolve(api, incident.id)
    assert done.state.resolution is not None
    assert "No post-mortem scheduled" in done.state.resolution.message


def test_resolution_closes_the_bead_with_the_message(
        api: IncidentResponse, clock: FakeClock, store_repo: Path) -> None:
    incident = api.declare("Checkout down", severity=1, who_affected="all users")
    api.schedule_postmortem(incident.id, at="2026-01-16T14:00:00Z", owner="grace")
    api.mitigate(incident.id, "rollback", "worked", detail="rolled back to v1.4.1")
    clock.advance(hours=1, minutes=23)
    done = resolve(api, incident.id)
    issue = api.store.get(incident.id)
    assert issue.is_closed and issue.closed_at == "2026-01-15T11:23:00Z"
    assert issue.close_reason == (
        "Resolution: rolled back to v1.4.1 | Root cause: connection pool exhausted by v1.4.2 | "
        "Duration: 1h 23m (2026-01-15 10:00 UTC to 2026-01-15 11:23 UTC)")
    assert done.state.resolution is not None
    assert done.state.resolution.message == (
        "Duration: 2026-01-15 10:00 UTC to 2026-01-15 11:23 UTC (1h 23m)\n"
        "Impact: all users\n"
        "Resolution: rolled back to v1.4.1\n"
        "Root cause: connection pool exhausted by v1.4.2 (full post-mortem to follow)\n"
        "Follow-up: Post-mortem scheduled for 2026-01-16 14:00 UTC (owner: grace)")
    assert done.state.resolution.duration_minutes == 83
    assert done.state.timestamps.resolved == clock.moment
    assert done.state.next_update_at is None
    assert done.state.resolution.message in issue.comments[-1]["text"]
    assert_importable(store_repo)


def test_resolving_twice_is_refused(api: IncidentResponse) -> None:
    incident = api.declare("Search slow", severity=3)
    resolve(api, incident.id)
    with pytest.raises(Refused, match="closed"):
        resolve(api, incident.id)


def test_postmortem_bead_follows_the_contract(api: IncidentResponse, store_repo: Path) -> None:
    incident = api.declare("Checkout down", severity=2)
    scheduled = api.schedule_postmortem(incident.id, at="+1d", owner="grace")
    bead = api.store.get(scheduled.postmortem_id)
    assert bead.title == "Post-mortem: Checkout down"
    assert (bead.issue_type, bead.priority, bead.labels) == ("task", 1, ["post-mortem"])
    assert bead.depends_on("parent-child") == [incident.id]
    assert bead.due_at == "2026-01-16T10:00:00Z"
    assert bead.data["owner"] == "grace"
    assert bead.metadata["incident_beads"]["kind"] == "postmortem"
    assert api.get(incident.id).state.postmortem_id == bead.id
    assert_importable(store_repo)


def test_rescheduling_moves_the_same_postmortem(api: IncidentResponse) -> None:
    incident = api.declare("Checkout down", severity=2)
    first = api.schedule_postmortem(incident.id, at="+1d", owner="grace")
    second = api.schedule_postmortem(incident.id, at="+30h", owner="linus")
    assert second.postmortem_id == first.postmortem_id and not second.created
    bead = api.store.get(first.postmortem_id)
    assert bead.due_at == "2026-01-16T16:00:00Z" and bead.data["owner"] == "linus"


def test_postmortem_within_48_hours_unless_acknowledged(api: IncidentResponse) -> None:
    incident = api.declare("Checkout down", severity=1)
    with pytest.raises(Refused, match="more than 48 h"):
        api.schedule_postmortem(incident.id, at="+3d", owner="grace")
    api.acknowledge_risk(incident.id, KnownRisk.POSTMORTEM_BEYOND_WINDOW, by="Grace (IC)",
                         note="team offsite")
    assert api.schedule_postmortem(incident.id, at="+3d", owner="grace").created


def test_postmortem_window_counts_from_the_resolution(
        api: IncidentResponse, clock: FakeClock) -> None:
    incident = api.declare("Search slow", severity=3)
    resolve(api, incident.id)
    clock.advance(hours=10)
    with pytest.raises(Refused, match="more than 48 h"):
        api.schedule_postmortem(incident.id, at="+40h", owner="grace")
    assert api.schedule_postmortem(incident.id, at="+30h", owner="grace").created


def test_postmortem_moved_by_hand_is_checked_again_at_resolution(
        api: IncidentResponse, clock: FakeClock) -> None:
    incident = api.declare("Checkout down", severity=1)
    scheduled = api.schedule_postmortem(incident.id, at="+1d", owner="grace")
    api.store.update(scheduled.postmortem_id, due_at=clock.moment + timedelta(days=5))
    with pytest.raises(Refused, match="more than 48 h"):
        resolve(api, incident.id)


@pytest.mark.parametrize(("at", "owner"), [("-2h", "grace"), ("+1d", " "), ("soon", "grace")])
def test_bad_postmortem_schedules_are_refused(api: IncidentResponse, at: str,
                                              owner: str) -> None:
    incident = api.declare("Checkout down", severity=1)
    with pytest.raises(InvalidInput):
        api.schedule_postmortem(incident.id, at=at, owner=owner)


def test_must_stop_when_the_incident_recurs_after_resolution(api: IncidentResponse) -> None:
    incident = api.declare("Search slow", severity=3)
    resolve(api, incident.id)
    with pytest.raises(Escalation) as raised:
        api.reopen(incident.id, reason="p99 back at 4 s")
    assert raised.value.condition == Escalation.RECURRENCE
    stored = api.get(incident.id)
    assert stored.is_open and stored.closed_at is None
    assert stored.state.resolution is None and len(stored.state.past_resolutions) == 1
    assert stored.state.timestamps.resolved is None
    assert "closed_at" not in api.store.get(incident.id).data


def test_reopening_an_open_incident_is_refused(api: IncidentResponse) -> None:
    incident = api.declare("Search slow", severity=3)
    with pytest.raises(Refused, match="not resolved"):
        api.reopen(incident.id, reason="x")


def test_resolve_needs_a_working_mitigation_or_a_verified_hotfix(api: IncidentResponse) -> None:
    incident = api.declare("Search slow", severity=3)
    api.mitigate(incident.id, "rollback", "failed", detail="same error after rollback")
    api.mitigate(incident.id, "scale", "in-progress", reason="CPU bound")
    before = api.store.path.read_bytes()
    with pytest.raises(Refused, match="no working mitigation and no verified hotfix"):
        api.resolve(incident.id, resolution="r", root_cause="c", **CONFIRMED)
    assert api.store.path.read_bytes() == before and api.get(incident.id).is_open
    api.mitigate(incident.id, "scale", "worked", reason="CPU bound")
    assert not api.resolve(incident.id, resolution="r", root_cause="c", **CONFIRMED).is_open


def test_a_verified_hotfix_is_found_without_parsing_the_rest_of_the_store(
        api: IncidentResponse, monkeypatch: pytest.MonkeyPatch) -> None:
    incident = api.declare("Search slow", severity=3)
    api.mitigate(incident.id, "rollback", "failed", detail="same error after rollback")
    verified = {"kind": "hotfix", "incident_id": incident.id,
                "verification": {"confirmed_at": "2026-01-01T00:00:00Z"}}
    api.store.create("Hotfix: search index", metadata={METADATA_KEY: verified})
    api.store.create("Unrelated work")
    monkeypatch.setattr(Changes, "issues", lambda self: pytest.fail("parsed every issue"))
    assert not api.resolve(incident.id, resolution="r", root_cause="c", **CONFIRMED).is_open
