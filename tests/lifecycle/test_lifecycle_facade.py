"""The facade composes the lifecycle: the same public methods, signatures and docstrings."""

from __future__ import annotations

import inspect
from pathlib import Path

from incident_beads import IncidentResponse
from incident_beads.lifecycle.api import Extensions, Lifecycle
from tests.lifecycle.lifecycle_helpers import FakeClock, resolve

#: IncidentResponse's public methods as released; the facade keeps exactly these.
PUBLIC_METHODS = {
    "acknowledge_risk", "assess", "check", "check_clock", "decision_payload", "declare",
    "drop_message", "escalate", "get", "handoff", "has_risk_ack", "incidents", "mark_mitigated",
    "messages", "mitigate", "mitigations", "notify", "now", "overdue", "post_update",
    "reclassify", "record_event", "remind", "reopen", "require_risk_ack", "resolve",
    "risk_acknowledgments", "ruled_out", "schedule_postmortem", "window_closed_at",
}


def _methods(kind: type) -> set[str]:
    # the class and the per-phase parts it is assembled from
    return {name for part in kind.__mro__ for name, value in vars(part).items()
            if not name.startswith("_") and inspect.isfunction(value)}


def test_the_facade_keeps_its_public_methods() -> None:
    assert _methods(IncidentResponse) == PUBLIC_METHODS
    assert {"hotfixes", "knowledge"} <= set(dir(IncidentResponse))


def test_each_delegating_method_has_the_lifecycle_signature_and_docstring() -> None:
    for name in sorted(PUBLIC_METHODS):
        facade, lifecycle = getattr(IncidentResponse, name), getattr(Lifecycle, name)
        assert inspect.signature(facade) == inspect.signature(lifecycle), name
        assert facade.__doc__ and facade.__doc__ == lifecycle.__doc__, name


def test_the_lifecycle_alone_skips_what_the_layers_above_provide(
        store_repo: Path, clock: FakeClock) -> None:
    lifecycle = Lifecycle(store_repo, clock=clock, actor="ada")
    incident = lifecycle.declare("Search slow", severity=3)
    assert incident.state.context.status == "skipped"
    resolve(lifecycle, incident.id)  # type: ignore[arg-type]
    assert not (store_repo / "docs" / "solutions").exists()


def test_the_facade_lends_step0_and_the_write_up(store_repo: Path, clock: FakeClock) -> None:
    api = IncidentResponse(store_repo, clock=clock, actor="ada")
    assert isinstance(api.extensions, Extensions)
    incident = api.declare("Search slow", severity=3)
    assert incident.state.context.status != "skipped"
    resolve(api, incident.id)
    assert list((store_repo / "docs" / "solutions").rglob("*.md"))
