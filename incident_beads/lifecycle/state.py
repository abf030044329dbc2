"""An incident's whole state, its resolution, and the records the API returns.

`IncidentState` (the bead's `metadata["incident_beads"]`) with its timestamps and phase-5
resolution; `Incident` (the bead's headline fields and that state); the post-mortem schedule
and root-cause hand-off that resolving produces.
"""

from __future__ import annotations

from datetime import datetime

from incident_beads.lifecycle.held import normalize_risk, open_positions
from incident_beads.lifecycle.observations import MetricEvidence
from incident_beads.lifecycle.phases import Phase, Record
from incident_beads.lifecycle.responses import (
    Assessment,
    ContextRecord,
    EscalationRecord,
    Mitigation,
    RiskAcknowledgment,
    StatusUpdate,
    TimelineEvent,
)
from incident_beads.lifecycle.severity import Severity
from incident_beads.typedrecord import TypedRecord, field


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
