"""The records of the response itself, phases 1 to 3: what was assessed, said, tried and raised.

The assessment, status updates, mitigations (with the configuration they changed), risk
acknowledgments, escalations, the step-0 context found at declaration, and timeline events.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from incident_beads.lifecycle.observations import FiredAlert
from incident_beads.lifecycle.phases import (
    MitigationOption,
    MitigationResult,
    Record,
    UpdateStatus,
)
from incident_beads.lifecycle.severity import Severity
from incident_beads.lifecycle.when import format_moment
from incident_beads.typedrecord import field


class Assessment(Record):
    """Phase 1: the seed's impact assessment and initial observations."""

    detected_at: datetime
    reported_by: str = ""
    who_affected: str = ""
    what_broken: str = ""
    users_affected: str = ""
    workaround: str = ""
    data_at_risk: bool = False
    security: bool = False
    error_messages: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)
    recent_changes: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    notes: str = ""
    fired_alerts: list[FiredAlert] = field(default_factory=list)

    def render(self, severity: Severity) -> str:
        """The seed's `Incident Assessment` block, as markdown."""
        lines = [
            "## Incident Assessment",
            f"**Time detected:** {format_moment(self.detected_at)}",
            f"**Reported by:** {self.reported_by or 'unknown'}",
            f"**Severity:** {severity.value}",
            "",
            "### Impact Assessment",
            f"- Who is affected: {self.who_affected or 'unknown'}",
            f"- What is broken: {self.what_broken or 'unknown'}",
            f"- How many users: {self.users_affected or 'unknown'}",
            f"- Workaround: {self.workaround or 'none known'}",
            f"- Data at risk: {'YES' if self.data_at_risk else 'no'}",
        ]
        if self.security:
            lines.append("- Security incident: YES")
        if self.services:
            lines.append(f"- Services: {', '.join(self.services)}")
        lines += ["", "### Initial Observations"]
        lines.append("- Error messages: " + ("; ".join(self.error_messages) or "none recorded"))
        lines.append("- Monitoring alerts: " + (", ".join(self.alerts) or "none recorded"))
        lines.append("- Recent changes: " + ("; ".join(self.recent_changes) or "none recorded"))
        return "\n".join(lines)


class StatusUpdate(Record):
    """Phase 2: one status update, in the seed's template."""

    at: datetime
    by: str
    status: UpdateStatus
    impact: str
    action: str
    eta: datetime | None = None
    eta_text: str = ""
    next_update_at: datetime | None = None

    def render(self) -> str:
        """The seed's update template, one field a line."""
        eta = format_moment(self.eta) if self.eta else (self.eta_text or "investigating")
        following = format_moment(self.next_update_at) if self.next_update_at else "none planned"
        return (f"Status: {self.status.value}\nImpact: {self.impact}\n"
                f"Current action: {self.action}\nETA to resolution: {eta}\n"
                f"Next update: {following}")


class ConfigChange(Record):
    """What a production configuration change changed: the seed forbids undocumented ones."""

    setting: str
    from_value: str
    to_value: str
    where: str

    def render(self) -> str:
        """`setting: from -> to (where)`."""
        return f"{self.setting}: {self.from_value} -> {self.to_value} ({self.where})"


class Mitigation(Record):
    """Phase 3: one attempt at one rung of the ladder, with its outcome."""

    at: datetime
    by: str
    option: MitigationOption
    result: MitigationResult
    detail: str = ""
    skip_reason: str = ""
    skipped: list[MitigationOption] = field(default_factory=list)
    config_change: ConfigChange | None = None


class RiskAcknowledgment(Record):
    """An explicit acceptance of a named risk by a person, before the risky step."""

    risk: str
    by: str
    at: datetime
    note: str = ""
    signature: str = ""  # signed mode: the person's signature of the decision


class EscalationRecord(Record):
    """An escalation that was raised: the condition, why, when, and the person's decision."""

    condition: str
    message: str
    at: datetime
    by: str
    data: dict[str, Any] = field(default_factory=dict)
    #: A fingerprint of the call that raised it, so that the same call retried records nothing.
    request: str = ""
    #: Only a decision stored on it settles it (False: written before decisions were stored).
    decision_required: bool = False
    decided_at: datetime | None = None
    decided_by: str = ""
    decision_note: str = ""
    decision_recorded_by: str = ""
    #: Signed mode: the risk name as signed, and the person's signature of the decision.
    decision_risk: str = ""
    decision_signature: str = ""

    @property
    def is_open(self) -> bool:
        """True until a person recorded a decision on it."""
        return self.decided_at is None


class ContextRecord(Record):
    """Step 0 as done at declaration: what `incident context` found, or why it was not loaded."""

    status: str  # "loaded", "skipped" (--no-context) or "failed" (then `notes` says why)
    similar: list[dict[str, Any]] = field(default_factory=list)  # id, title, score, status
    patterns: list[str] = field(default_factory=list)  # Past Incidents entries of similar ones
    deployment_safety: list[str] = field(default_factory=list)
    deployments: list[dict[str, Any]] = field(default_factory=list)  # name, kind, commit, at
    duplicates: list[dict[str, Any]] = field(default_factory=list)  # id, title, score
    notes: list[str] = field(default_factory=list)

    def render(self) -> str:
        """One timeline entry for people."""
        if self.status == "skipped":
            return ("Step 0 skipped (--no-context): no past incidents, patterns or deployments "
                    "loaded")
        if self.status == "failed":
            return "Step 0 could not load the context: " + "; ".join(self.notes)
        similar = ", ".join(f"{s['id']} ({s['score']:.2f})" for s in self.similar) or "none"
        lines = [f"Step 0: similar past incidents: {similar}; matching critical patterns: "
                 f"{len(self.patterns)}; deployment safety entries: "
                 f"{len(self.deployment_safety)}; recent deployments: {len(self.deployments)}"]
        lines += [f"Likely duplicate of {d['id']} ({d['title']}; title similarity "
                  f"{d['score']:.2f})" for d in self.duplicates]
        return "\n".join(lines)


class TimelineEvent(Record):
    """One line of the incident's timeline (also a comment on the bead)."""

    at: datetime
    by: str
    kind: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)
