"""What the knowledge files are made of, read from the beads the lifecycle and hotfix wrote."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from incident_beads.beads.issue import Issue
from incident_beads.config.frozen import Frozen
from incident_beads.errors import MalformedFile, NotFound
from incident_beads.hotfix.bead import hotfix_state, hotfixes_of
from incident_beads.knowledge.incident_text import root_cause_of, symptoms_of
from incident_beads.knowledge.writeup import WriteupFacts
from incident_beads.lifecycle.model import METADATA_KEY, Incident, MitigationResult
from incident_beads.lifecycle.resolution import assessed_impact
from incident_beads.lifecycle.timeline import incident_from

# What fixed it -> the compound `resolution_type` (a person may override with `incident learn`).
_RESOLUTION_BY_RUNG = {
    "rollback": "code_fix", "feature-flag": "config_change", "config-change": "config_change",
    "scale": "environment_setup", "hotfix": "code_fix",
}


class HotfixFacts(Frozen):
    """The hotfix of an incident as recorded on its bead: the tag and the deployed commit."""

    hotfix_id: str
    tag: str | None
    commit: str | None
    deployed: bool
    gates: tuple[tuple[str, str], ...] = ()  # (gate, how it was passed or skipped)


def hotfix_of(issues: Iterable[Issue], incident_id: str) -> HotfixFacts | None:
    """The latest hotfix of an incident: its tag and the commit deployed (or tagged)."""
    found: HotfixFacts | None = None
    for issue in hotfixes_of(list(issues), incident_id):
        try:
            state = hotfix_state(issue)
        except (MalformedFile, NotFound):
            continue  # an unreadable hotfix record must not stop the write-up
        deployed = state.last_good_deploy()
        tagged = state.tagged
        commit = (deployed.commit if deployed else None) or (tagged.commit if tagged else None)
        tag = tagged.name if tagged else (deployed.tag if deployed else None)
        found = HotfixFacts(issue.id, tag, commit, deployed is not None,
                            tuple((name, g.describe()) for name, g in state.gates.items()))
    return found


def service_of(incident: Incident) -> str:
    """The incident's first affected service, or empty."""
    services = incident.state.assessment.services
    return services[0] if services else ""


def resolution_type_of(incident: Incident, hotfix: HotfixFacts | None) -> str:
    """The compound `resolution_type` from what worked."""
    if hotfix is not None and hotfix.deployed:
        return "code_fix"
    worked = [m for m in incident.state.mitigations if m.result is MitigationResult.WORKED]
    if worked:
        return _RESOLUTION_BY_RUNG.get(worked[-1].option.value, "code_fix")
    return "code_fix"


def writeup_facts(incident: Incident, issues: list[Issue]) -> WriteupFacts:
    """The write-up of an incident as its records tell it (classification by default)."""
    state = incident.state
    hotfix = hotfix_of(issues, incident.id)
    resolution = state.resolution
    moment = resolution.at if resolution is not None else state.timestamps.detected
    service = service_of(incident)
    not_worked = [f"{m.option.value}: {m.result.value}" + (f" ({m.detail})" if m.detail else "")
                  for m in state.mitigations if m.result is not MitigationResult.WORKED]
    related = [f"Recurrence of `{other}`" for other in state.recurrence_of]
    if state.postmortem_id:
        related.append(f"Post-mortem `{state.postmortem_id}`")
    return WriteupFacts(
        incident_id=incident.id, title=incident.title, date=moment.strftime("%Y-%m-%d"),
        severity=state.highest_severity.value, module=service or "production",
        component=service or "service_layer", symptoms=symptoms_of(incident),
        root_cause=root_cause_of(incident),
        resolution_type=resolution_type_of(incident, hotfix),
        tags=["incident", state.highest_severity.value.lower(),
              *(s.lower() for s in state.assessment.services)],
        hotfix_tag=hotfix.tag if hotfix else None,
        hotfix_commit=hotfix.commit if hotfix else None,
        duration_minutes=resolution.duration_minutes if resolution is not None else None,
        impact=assessed_impact(state) or (resolution.impact if resolution is not None else ""),
        summary=resolution.summary if resolution is not None else "",
        not_worked=not_worked, related=related,
    )


def load_incident(issue: Issue) -> Incident:
    """The lifecycle's view of an incident bead."""
    return incident_from(issue)


def metadata_record(issue: Issue) -> dict[str, Any]:
    """This project's metadata record on a bead (empty when it has none)."""
    value = issue.metadata.get(METADATA_KEY)
    return value if isinstance(value, dict) else {}
