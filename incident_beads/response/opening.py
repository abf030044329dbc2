"""The facade's phases 1 and 2: declare and assess, status updates, reclassification."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from incident_beads.lifecycle.api import Lifecycle
from incident_beads.lifecycle.model import (
    Incident,
    UpdateStatus,
)
from incident_beads.lifecycle.severity import Severity
from incident_beads.response.calls import LifecycleCalls, documented_by


class OpeningCalls(LifecycleCalls):
    """Declare, assess, post status updates, reclassify."""

    # phase 1: declare / assess -----------------------------------------------------------
    @documented_by(Lifecycle.declare)
    def declare(self, title: str, *, severity: Severity | str | int, who_affected: str = "",
                what_broken: str = "", users_affected: str = "", workaround: str = "",
                data_at_risk: bool = False, security: bool = False,
                error_messages: Sequence[str] = (), alerts: Sequence[str] = (),
                recent_changes: Sequence[str] = (), reported_by: str = "",
                detected_at: datetime | str | None = None, services: Sequence[str] = (),
                description: str = "", actor: str | None = None,
                load_context: bool = True) -> Incident:
        return self.lifecycle.declare(title, severity=severity, who_affected=who_affected,
                                      what_broken=what_broken, users_affected=users_affected,
                                      workaround=workaround, data_at_risk=data_at_risk,
                                      security=security, error_messages=error_messages,
                                      alerts=alerts, recent_changes=recent_changes,
                                      reported_by=reported_by, detected_at=detected_at,
                                      services=services, description=description, actor=actor,
                                      load_context=load_context)

    @documented_by(Lifecycle.assess)
    def assess(self, incident_id: str, *, who_affected: str | None = None,
               what_broken: str | None = None, users_affected: str | None = None,
               workaround: str | None = None, data_at_risk: bool | None = None,
               security: bool | None = None, error_messages: Sequence[str] = (),
               alerts: Sequence[str] = (), recent_changes: Sequence[str] = (),
               services: Sequence[str] = (), reported_by: str | None = None,
               actor: str | None = None) -> Incident:
        return self.lifecycle.assess(incident_id, who_affected=who_affected,
                                     what_broken=what_broken, users_affected=users_affected,
                                     workaround=workaround, data_at_risk=data_at_risk,
                                     security=security, error_messages=error_messages,
                                     alerts=alerts, recent_changes=recent_changes,
                                     services=services, reported_by=reported_by, actor=actor)

    # phase 2: communicate ----------------------------------------------------------------
    @documented_by(Lifecycle.post_update)
    def post_update(self, incident_id: str, *, status: UpdateStatus | str, impact: str,
                    action: str, eta: datetime | str | None = None,
                    next_update: datetime | str | None = None,
                    actor: str | None = None) -> Incident:
        return self.lifecycle.post_update(incident_id, status=status, impact=impact, action=action,
                                          eta=eta, next_update=next_update, actor=actor)

    # reclassify --------------------------------------------------------------------------
    @documented_by(Lifecycle.reclassify)
    def reclassify(self, incident_id: str, severity: Severity | str | int, *, reason: str,
                   actor: str | None = None) -> Incident:
        return self.lifecycle.reclassify(incident_id, severity, reason=reason, actor=actor)
