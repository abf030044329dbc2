"""The facade's base: the lifecycle it delegates to, the reads, and the timeline.

Each method keeps the lifecycle method's signature and takes its docstring (`documented_by`),
so the text lives once, beside the rule.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from incident_beads.lifecycle.api import Lifecycle
from incident_beads.lifecycle.model import (
    Incident,
    Mitigation,
    MitigationOption,
    Phase,
    RiskAcknowledgment,
    TimelineEvent,
)

_Method = TypeVar("_Method", bound=Callable[..., Any])


def documented_by(source: Callable[..., Any]) -> Callable[[_Method], _Method]:
    """Give a delegating method the docstring of the method it calls: one text, one home."""
    def document(method: _Method) -> _Method:
        method.__doc__ = source.__doc__
        return method
    return document


class LifecycleCalls:
    """What every part of the facade shares: the lifecycle, its reads and its timeline."""

    lifecycle: Lifecycle

    @documented_by(Lifecycle.now)
    def now(self) -> datetime:
        return self.lifecycle.now()


    # reading -----------------------------------------------------------------------------
    @documented_by(Lifecycle.get)
    def get(self, incident_id: str) -> Incident:
        return self.lifecycle.get(incident_id)

    @documented_by(Lifecycle.incidents)
    def incidents(self, *, include_closed: bool = False) -> list[Incident]:
        return self.lifecycle.incidents(include_closed=include_closed)

    @documented_by(Lifecycle.overdue)
    def overdue(self) -> list[Incident]:
        return self.lifecycle.overdue()

    @documented_by(Lifecycle.window_closed_at)
    def window_closed_at(self, incident: Incident) -> datetime | None:
        return self.lifecycle.window_closed_at(incident)

    @documented_by(Lifecycle.mitigations)
    def mitigations(self, incident_id: str) -> list[Mitigation]:
        return self.lifecycle.mitigations(incident_id)

    @documented_by(Lifecycle.ruled_out)
    def ruled_out(self, incident_id: str) -> list[MitigationOption]:
        return self.lifecycle.ruled_out(incident_id)

    @documented_by(Lifecycle.risk_acknowledgments)
    def risk_acknowledgments(self, incident_id: str,
                             risk: str | None = None) -> list[RiskAcknowledgment]:
        return self.lifecycle.risk_acknowledgments(incident_id, risk)

    @documented_by(Lifecycle.has_risk_ack)
    def has_risk_ack(self, incident_id: str, risk: str) -> bool:
        return self.lifecycle.has_risk_ack(incident_id, risk)

    @documented_by(Lifecycle.check_clock)
    def check_clock(self, incident_id: str) -> None:
        return self.lifecycle.check_clock(incident_id)

    @documented_by(Lifecycle.require_risk_ack)
    def require_risk_ack(self, incident_id: str, risk: str, *, step: str) -> RiskAcknowledgment:
        return self.lifecycle.require_risk_ack(incident_id, risk, step=step)

    # the timeline, for every record kind -------------------------------------------------
    @documented_by(Lifecycle.record_event)
    def record_event(self, incident_id: str, text: str, *, kind: str = "note",
                     actor: str | None = None, data: dict[str, Any] | None = None,
                     phase: Phase | str | None = None) -> TimelineEvent:
        return self.lifecycle.record_event(incident_id, text, kind=kind, actor=actor, data=data,
                                           phase=phase)

    @documented_by(Lifecycle.escalate)
    def escalate(self, incident_id: str, condition: str, message: str, *,
                 actor: str | None = None, data: dict[str, Any] | None = None,
                 hint: str | None = None) -> None:
        return self.lifecycle.escalate(incident_id, condition, message, actor=actor, data=data,
                                       hint=hint)
