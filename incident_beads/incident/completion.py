"""`incident check`: the seed's five "task is COMPLETE when" criteria, each met or missing."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from incident_beads.config import Config
from incident_beads.incident.model import Incident
from incident_beads.incident.resolution import postmortem_required


class Criterion(BaseModel):
    """One completion criterion and whether it is met."""

    model_config = ConfigDict(defer_build=True)

    name: str
    met: bool
    detail: str


class CompletionReport(BaseModel):
    """Every criterion of one incident; `complete` only when all are met."""

    model_config = ConfigDict(defer_build=True)

    incident_id: str
    complete: bool
    criteria: list[Criterion]


def evaluate(incident: Incident, config: Config, *, postmortem_scheduled: bool) -> CompletionReport:
    """Check the seed's completion criteria against what was recorded."""
    state = incident.state
    resolution = state.resolution
    mitigated = state.timestamps.mitigated
    checklist_missing = resolution.checklist.missing() if resolution else ["not resolved"]
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
                  detail=f"evidence: {resolution.checklist.monitoring_evidence}"
                  if resolution else "not resolved"),
        Criterion(name="post-mortem scheduled for SEV-1 and SEV-2",
                  met=postmortem_scheduled or not required,
                  detail=(f"scheduled as {state.postmortem_id}" if postmortem_scheduled else
                          "required but not scheduled" if required else
                          f"not required for {state.highest_severity.value}")),
        Criterion(name="resolution message communicated to stakeholders",
                  met=resolution is not None and bool(resolution.message)
                  and resolution.checklist.stakeholders_notified,
                  detail="sent with the resolution" if resolution else "not resolved"),
    ]
    return CompletionReport(incident_id=incident.id, complete=all(c.met for c in criteria),
                            criteria=criteria)
