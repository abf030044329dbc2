"""bd's `close` verb over this project's records: an incident closes only by its resolution.

`bd close ID --reason ...` is what a bd user's hands type. For an action item, a follow-up,
a root-cause hand-off or a reviewed post-mortem that is all there is to it. An incident is
closed by the seed's confirmation checklist (`resolve`), so closing one runs exactly that,
with the same options and the same refusals; a hotfix closes when production verification is
confirmed, which `close` never stands in for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from incident_beads.errors import Refused
from incident_beads.lifecycle.model import METADATA_KEY
from incident_beads.lifecycle.timeline import is_incident

if TYPE_CHECKING:
    from incident_beads.lifecycle.api import Lifecycle
    from incident_beads.lifecycle.model import Incident

#: bd's reason when none is given.
DEFAULT_REASON = "Closed"


class Checklist(NamedTuple):
    """What `resolve` asks, for closing an incident (`resolution` defaults to the reason)."""

    resolution: str = ""
    root_cause: str = ""
    no_longer_occurring: bool = False
    error_rates_normal: bool = False
    users_can_use_feature: bool = False
    monitoring_evidence: str = ""
    stakeholders_notified: bool = False
    impact: str = ""


class ClosedIssue(NamedTuple):
    """One closed bead, with the incident when it was one (its resolution message)."""

    issue_id: str
    reason: str
    incident: Incident | None = None


def close_issue(response: Lifecycle, issue_id: str, *, reason: str = "",
                checklist: Checklist | None = None, actor: str | None = None) -> ClosedIssue:
    """Close `issue_id` as bd does; an incident goes through `resolve`, a hotfix is refused."""
    issue = response.store.get(issue_id)
    if is_incident(issue):
        given = checklist or Checklist()
        incident = response.resolve(
            issue_id, resolution=given.resolution or reason, root_cause=given.root_cause,
            no_longer_occurring=given.no_longer_occurring,
            error_rates_normal=given.error_rates_normal,
            users_can_use_feature=given.users_can_use_feature,
            monitoring_evidence=given.monitoring_evidence,
            stakeholders_notified=given.stakeholders_notified, impact=given.impact,
            actor=actor)
        return ClosedIssue(issue_id, incident.close_reason, incident)
    record = issue.metadata.get(METADATA_KEY)
    if isinstance(record, dict) and record.get("kind") == "hotfix":
        raise Refused(f"{issue_id} is a hotfix: it closes when production verification is "
                      "confirmed", hint=f"incident hotfix verify {issue_id} --evidence '...'")
    text = reason.strip() or DEFAULT_REASON
    with response.store.transaction() as tx:
        tx.close(issue_id, text)
        tx.add_comment(issue_id, actor or response.actor, f"Closed: {text}")
    return ClosedIssue(issue_id, text)
