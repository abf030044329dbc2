"""The records of an incident, as kept in its bead's metadata under the key `incident_beads`."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from incident_beads.lifecycle.held import normalize_risk as normalize_risk
from incident_beads.lifecycle.held import open_positions
from incident_beads.lifecycle.observations import FiredAlert, MetricEvidence
from incident_beads.lifecycle.severity import Severity
from incident_beads.lifecycle.when import format_moment
from incident_beads.typedrecord import TypedRecord, field

#: The one metadata key every record of this project lives under.
METADATA_KEY = "incident_beads"


class Record(TypedRecord, extra="allow"):
    """Base of every stored record: unknown keys are kept, so newer writers lose nothing."""


class Phase(StrEnum):
    """Where an incident stands in the seed workflow."""

    ASSESS = "assess"
    MITIGATE = "mitigate"
    HOTFIX = "hotfix"
    MITIGATED = "mitigated"
    RESOLVED = "resolved"


class UpdateStatus(StrEnum):
    """The `Status:` line of the seed's update template."""

    INVESTIGATING = "Investigating"
    IDENTIFIED = "Identified"
    MITIGATING = "Mitigating"
    RESOLVED = "Resolved"

    @classmethod
    def _missing_(cls, value: object) -> UpdateStatus | None:
        if isinstance(value, str):
            for member in cls:
                if member.value.lower() == value.strip().lower():
                    return member
        return None


class MitigationOption(StrEnum):
    """The rungs of the mitigation ladder, in the order the seed tries them."""

    ROLLBACK = "rollback"
    FEATURE_FLAG = "feature-flag"
    CONFIG_CHANGE = "config-change"
    SCALE = "scale"
    HOTFIX = "hotfix"


class MitigationResult(StrEnum):
    """What came of trying one rung."""

    WORKED = "worked"
    FAILED = "failed"
    UNAVAILABLE = "unavailable"
    IN_PROGRESS = "in-progress"


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


class Timestamps(Record):
    """The moments metrics are made of (time to acknowledge, to mitigate, to resolve)."""

    detected: datetime
    declared: datetime | None = None
    acknowledged: datetime | None = None
    mitigated: datetime | None = None
    resolved: datetime | None = None


class ResolutionChecklist(Record):
    """Phase 5: the seed's confirmation before declaring an incident resolved."""

    no_longer_occurring: bool = False
    error_rates_normal: bool = False
    users_can_use_feature: bool = False
    monitoring_evidence: str = ""
    stakeholders_notified: bool = False
    # "typed" by a person, or "measured" by checks against Prometheus (see `evidence`).
    evidence_kind: str = "typed"

    def missing(self, *, notified_by_channels: bool = False) -> list[str]:
        """The items not yet confirmed, in the seed's words (stakeholders: unless channels
        deliver the resolution message)."""
        items = [
            ("issue no longer occurring", self.no_longer_occurring),
            ("error rates back to normal", self.error_rates_normal),
            ("affected users can use the feature", self.users_can_use_feature),
            ("monitoring confirms stability (evidence required)",
             bool(self.monitoring_evidence.strip())),
            ("stakeholders notified", self.stakeholders_notified or notified_by_channels),
        ]
        return [name for name, done in items if not done]


class Resolution(Record):
    """Phase 5: how the incident ended, and the message sent to stakeholders."""

    at: datetime
    by: str
    checklist: ResolutionChecklist
    summary: str
    root_cause: str
    impact: str
    duration_minutes: int
    message: str
    postmortem_at: datetime | None = None
    postmortem_owner: str = ""


class IncidentState(Record):
    """Everything recorded about one incident (the bead's `metadata["incident_beads"]`)."""

    kind: str = "incident"
    severity: Severity
    peak_severity: Severity | None = None
    phase: str = Phase.ASSESS.value
    assessment: Assessment
    timestamps: Timestamps
    updates: list[StatusUpdate] = field(default_factory=list)
    next_update_at: datetime | None = None
    mitigations: list[Mitigation] = field(default_factory=list)
    risk_acknowledgments: list[RiskAcknowledgment] = field(default_factory=list)
    escalations: list[EscalationRecord] = field(default_factory=list)
    timeline: list[TimelineEvent] = field(default_factory=list)
    resolution: Resolution | None = None
    past_resolutions: list[Resolution] = field(default_factory=list)
    postmortem_id: str | None = None
    root_cause_id: str | None = None
    recurrence_of: list[str] = field(default_factory=list)
    context: ContextRecord | None = None  # step 0, done at declaration
    # Alertmanager group keys this incident was declared from or attached to, and the
    # digests of deliveries already taken in, so that a retried delivery changes nothing.
    alert_groups: list[str] = field(default_factory=list)
    alert_deliveries: list[str] = field(default_factory=list)
    evidence: list[MetricEvidence] = field(default_factory=list)

    #: The fingerprint of the latest API call that changed the incident and named one.
    last_request: str = ""

    @property
    def open_escalations(self) -> list[EscalationRecord]:
        """The escalations no person has decided on yet, oldest first: they hold the incident."""
        positions = open_positions(
            [(e.condition, e.at, not e.is_open, not e.decision_required)
             for e in self.escalations],
            [(a.risk, a.at) for a in self.risk_acknowledgments])
        return [self.escalations[i] for i in positions]

    @property
    def highest_severity(self) -> Severity:
        """The most severe level the incident has held (it decides the post-mortem rule)."""
        peak = self.peak_severity or self.severity
        return min(peak, self.severity, key=lambda s: s.level)

    def acknowledgments_of(self, risk: str) -> list[RiskAcknowledgment]:
        """The acknowledgments recorded for `risk`, oldest first."""
        wanted = normalize_risk(risk)
        return [ack for ack in self.risk_acknowledgments if normalize_risk(ack.risk) == wanted]


class Incident(TypedRecord, extra="forbid"):
    """An incident as the API returns it: the bead's headline fields and its recorded state."""

    id: str
    title: str
    severity: Severity
    status: str
    phase: str
    created_at: str
    updated_at: str
    closed_at: str | None = None
    close_reason: str = ""
    labels: list[str] = field(default_factory=list)
    state: IncidentState

    @property
    def is_open(self) -> bool:
        """True until the incident bead is closed."""
        return self.status != "closed"

    @property
    def latest_update(self) -> StatusUpdate | None:
        """The most recent status update, if any."""
        return self.state.updates[-1] if self.state.updates else None

    @property
    def latest_escalation(self) -> EscalationRecord | None:
        """The most recent escalation recorded, if any."""
        return self.state.escalations[-1] if self.state.escalations else None


class PostmortemSchedule(TypedRecord):
    """A post-mortem scheduled for an incident: its bead, when, and who runs it."""

    incident_id: str
    postmortem_id: str
    due_at: datetime
    owner: str
    created: bool


class RootCauseHandoff(TypedRecord):
    """The root-cause investigation handed on from an incident."""

    incident_id: str
    root_cause_id: str
    created: bool


