"""The facade's phase 3: mitigation attempts, and the risks a person acknowledged."""

from __future__ import annotations

from datetime import datetime

from incident_beads.lifecycle.api import Lifecycle
from incident_beads.lifecycle.model import (
    ConfigChange,
    Incident,
    MitigationOption,
    MitigationResult,
    RiskAcknowledgment,
)
from incident_beads.response.calls import LifecycleCalls, documented_by


class MitigatingCalls(LifecycleCalls):
    """Record mitigation attempts and acknowledged risks."""

    # phase 3: mitigate -------------------------------------------------------------------
    @documented_by(Lifecycle.mitigate)
    def mitigate(self, incident_id: str, option: MitigationOption | str,
                 result: MitigationResult | str, *, detail: str = "", reason: str = "",
                 config_change: ConfigChange | None = None,
                 actor: str | None = None) -> Incident:
        return self.lifecycle.mitigate(incident_id, option, result, detail=detail, reason=reason,
                                       config_change=config_change, actor=actor)

    @documented_by(Lifecycle.mark_mitigated)
    def mark_mitigated(self, incident_id: str, how: str, *, actor: str | None = None) -> Incident:
        return self.lifecycle.mark_mitigated(incident_id, how, actor=actor)

    # risk --------------------------------------------------------------------------------
    @documented_by(Lifecycle.decision_payload)
    def decision_payload(self, incident_id: str, risk: str, *, by: str, note: str,
                         at: datetime) -> str:
        return self.lifecycle.decision_payload(incident_id, risk, by=by, note=note, at=at)

    @documented_by(Lifecycle.acknowledge_risk)
    def acknowledge_risk(self, incident_id: str, risk: str, *, by: str, note: str = "",
                         at: datetime | str | None = None, actor: str | None = None,
                         signature: str = "", sign_key: str | None = None
                         ) -> RiskAcknowledgment:
        return self.lifecycle.acknowledge_risk(incident_id, risk, by=by, note=note, at=at,
                                               actor=actor, signature=signature, sign_key=sign_key)
