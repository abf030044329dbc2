"""`incident check`: the seed's five "task is COMPLETE when" criteria, each met or missing."""

from __future__ import annotations

from datetime import datetime

from incident_beads.config import Config
from incident_beads.lifecycle.held import decision_command
from incident_beads.lifecycle.model import Incident, Resolution
from incident_beads.lifecycle.resolution import postmortem_required
from incident_beads.typedrecord import TypedRecord, field


class Criterion(TypedRecord):
    """One completion criterion and whether it is met."""

    name: str
    met: bool
    detail: str


class OpenEscalation(TypedRecord):
    """An escalation that holds the incident until a person decides on it."""

    condition: str
    since: datetime
    message: str
    decision_command: str


class CompletionReport(TypedRecord):
    """Every criterion of one incident; `complete` only when all are met and none is held."""

    incident_id: str
    complete: bool
    criteria: list[Criterion]
    open_escalations: list[OpenEscalation] = field(
        default_factory=list, metadata={"schema_default": []})


def evaluate(incident: Incident, config: Config, *, postmortem_scheduled: bool,
             resolution_delivered: bool = False) -> CompletionReport:
    """Check the seed's completion criteria against what was recorded.

    With notification channels configured, the resolution message counts as communicated only
    once its delivery is recorded on the timeline (`resolution_delivered`), not by a flag.
    """
    state = incident.state
    resolution = state.resolution
    mitigated = state.timestamps.mitigated
    channels = config.notify.configured
    checklist_missing = (resolution.checklist.missing(notified_by_channels=channels)
                         if resolution else ["not resolved"])
    required = postmortem_required(state, config)
    unanswered = [question for question, answer in (
        ("who is affected", state.assessment.who_affected),
        ("what is broken", state.assessment.what_broken)) if not answer.strip()]
    criteria = [
        Criterion(name="assessed with severity classification", met=not unanswered,
                  detail=f"{state.severity.value}; impact assessed" if not unanswered else
                  f"{state.severity.value}; not yet answered: {', '.join(unanswered)}"),
        Criterion(name="mitigation applied or hotfix deployed and verified",
                  met=mitigated is not None,
                  detail=f"mitigated at {mitigated.isoformat()}" if mitigated else
                  "no rung worked and no verified hotfix recorded"),
        Criterion(name="resolution confirmed with monitoring evidence",
                  met=resolution is not None and not checklist_missing,
                  detail=f"evidence ({resolution.checklist.evidence_kind}): "
                         f"{resolution.checklist.monitoring_evidence}"
                  if resolution else "not resolved"),
        Criterion(name="post-mortem scheduled for SEV-1 and SEV-2",
                  met=postmortem_scheduled or not required,
                  detail=(f"scheduled as {state.postmortem_id}" if postmortem_scheduled else
                          "required but not scheduled" if required else
                          f"not required for {state.highest_severity.value}")),
        _communicated(resolution, channels=channels, delivered=resolution_delivered),
    ]
    held = [OpenEscalation(condition=e.condition, since=e.at, message=e.message,
                           decision_command=decision_command(incident.id, e.condition))
            for e in state.open_escalations]
    return CompletionReport(incident_id=incident.id,
                            complete=all(c.met for c in criteria) and not held,
                            criteria=criteria, open_escalations=held)


def _communicated(resolution: Resolution | None, *, channels: bool,
                  delivered: bool) -> Criterion:
    name = "resolution message communicated to stakeholders"
    if resolution is None:
        return Criterion(name=name, met=False, detail="not resolved")
    if channels:
        return Criterion(name=name, met=bool(resolution.message) and delivered,
                         detail="delivery recorded on the timeline" if delivered else
                         "not delivered yet: `incident notify` retries the outbox")
    return Criterion(name=name, met=bool(resolution.message)
                     and resolution.checklist.stakeholders_notified,
                     detail="sent with the resolution")
