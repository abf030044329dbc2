"""Alerts in: one Alertmanager notification declares an incident, attaches to one, or is a retry.

The lookup and the write happen in one store transaction, under the writers' lock, so two
deliveries of the same group arriving together still make one incident.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from incident_beads.beads.import_rules import MAX_TITLE
from incident_beads.beads.issue import Issue
from incident_beads.beads.transaction import Changes
from incident_beads.config import MonitoringConfig
from incident_beads.errors import Escalation, IncidentBeadsError
from incident_beads.lifecycle import declare as declaring
from incident_beads.lifecycle.edit import IncidentEdit
from incident_beads.lifecycle.model import METADATA_KEY, Assessment, IncidentState
from incident_beads.lifecycle.observations import FiredAlert
from incident_beads.lifecycle.severity import Severity
from incident_beads.lifecycle.timeline import incident_state, is_incident, save_state
from incident_beads.monitoring.alertmanager import WebhookPayload
from incident_beads.response import IncidentResponse

#: Delivery digests kept per incident (Alertmanager retries for minutes, not days).
MAX_KEPT_DELIVERIES = 500
#: Who takes alerts in when no one is named: an automated actor, which never decides.
ALERT_ACTOR = "alertmanager[bot]"


class Delivery(NamedTuple):
    """What one notification did: `declared`, `attached`, `resolved`, `duplicate`, `ignored`."""

    outcome: str
    incident_id: str | None
    detail: str
    escalation: Escalation | None = None

    def as_data(self) -> dict[str, object]:
        """JSON-ready, for `--json` and the receiver's answer."""
        data: dict[str, object] = {"outcome": self.outcome, "incident_id": self.incident_id,
                                   "detail": self.detail}
        if self.escalation is not None:
            data["escalation"] = self.escalation.condition
        return data


def receive(response: IncidentResponse, payload: WebhookPayload, *,
            actor: str | None = None) -> Delivery:
    """Take one notification in; an escalation from a declaration is returned, not raised."""
    now = response.now()
    who = actor or ALERT_ACTOR
    key = payload.delivery_key()
    fingerprints = {a.key for a in payload.alerts}
    with response.store.transaction() as tx:
        target = _find_incident(tx, payload, key, fingerprints)
        if target is not None:
            issue, state = target
            if key in state.alert_deliveries:
                return Delivery("duplicate", issue.id, "already taken in; nothing changed")
            edit = IncidentEdit(tx, issue, state, now=now, actor=who)
            delivery = _attach(edit, payload, key, response.config.monitoring)
            save_state(tx, issue.id, state)
            return delivery
        if payload.status == "resolved" or not payload.firing:
            return Delivery("ignored", None, "resolved alerts of a group with no incident")
        edit = _declare(tx, response, payload, key, now=now, actor=who)
    return Delivery("declared", edit.incident_id,
                    f"{len(payload.firing)} alert(s) firing", edit.escalation)


def _find_incident(tx: Changes, payload: WebhookPayload, key: str,
                   fingerprints: set[str]) -> tuple[Issue, IncidentState] | None:
    """The open incident of this group or of one of these alerts; else the most recently
    closed one that this notification is no news to (a retry, a repeat of alerts still firing
    from before the resolution, or their resolved notice). Anything else firing is new."""
    firing = {a.as_fired().identity for a in payload.firing}
    closed: tuple[Issue, IncidentState] | None = None
    for issue in tx.issues_mentioning("incident"):  # an incident names it: label or kind
        if not is_incident(issue) or not _may_match(issue, payload.group_key, fingerprints):
            continue
        try:
            state = incident_state(issue)
        except IncidentBeadsError:
            continue  # an unreadable old record must not stop the alert
        known = {a.fingerprint for a in state.assessment.fired_alerts}
        if payload.group_key not in state.alert_groups and not known & fingerprints:
            continue
        if not issue.is_closed:
            return issue, state
        seen = {a.identity for a in state.assessment.fired_alerts}
        no_news = (payload.status == "resolved" or key in state.alert_deliveries
                   or (firing and firing <= seen))
        if no_news and (closed is None or (issue.closed_at or "") > (closed[0].closed_at or "")):
            closed = issue, state
    return closed


def _may_match(issue: Issue, group_key: str, fingerprints: set[str]) -> bool:
    # Sift on the raw metadata first: a big store holds many incidents, few from alerts.
    record = issue.metadata.get(METADATA_KEY)
    if not isinstance(record, dict) or not record.get("alert_groups"):
        return False
    if group_key in record["alert_groups"]:
        return True
    assessment = record.get("assessment")
    fired = assessment.get("fired_alerts") if isinstance(assessment, dict) else None
    return isinstance(fired, list) and any(
        isinstance(a, dict) and a.get("fingerprint") in fingerprints for a in fired)


def _declare(tx: Changes, response: IncidentResponse, payload: WebhookPayload, key: str, *,
             now: datetime, actor: str) -> IncidentEdit:
    config = response.config.monitoring
    level_name, unknown = payload.severity(config)
    level = Severity.parse(level_name)
    fired = [a.as_fired() for a in payload.firing]
    detected = min([a.starts_at for a in fired if a.starts_at <= now], default=now)
    notes = [f"Declared from Alertmanager group `{payload.group_key}`"
             + (f" ({payload.external_url})" if payload.external_url else "") + "."]
    if unknown:
        notes.append(f"Severity label {config.severity_label!r} not mapped "
                     f"({', '.join(sorted(set(unknown)))}): taken as "
                     f"{config.default_severity}.")
    if payload.truncated_alerts:
        notes.append(f"Alertmanager left out {payload.truncated_alerts} alert(s) of the group.")
    assessment = Assessment(
        detected_at=detected, reported_by=f"Alertmanager ({payload.receiver or 'webhook'})",
        what_broken=payload.description(), alerts=[a.render() for a in fired],
        services=payload.services(config), fired_alerts=fired, notes=" ".join(notes))
    state = declaring.initial_state(response.config, level, assessment, now)
    state.alert_groups = [payload.group_key]
    state.alert_deliveries = [key]
    return declaring.write_incident(tx, response.config, plain=_title(payload, level), state=state,
                                    now=now, actor=actor)


def _title(payload: WebhookPayload, level: Severity) -> str:
    """The summary as a one-line title that fits once tagged `[SEV-N] `."""
    text = "".join(ch if ch.isprintable() else " " for ch in payload.summary())
    text = " ".join(text.split())
    room = MAX_TITLE - len(level.tag_title(""))
    return text if len(text) <= room else text[: room - 1].rstrip() + "…"


def _attach(edit: IncidentEdit, payload: WebhookPayload, key: str,
            config: MonitoringConfig) -> Delivery:
    """Add what is new in this notification to the incident's alerts and timeline."""
    state = edit.state
    # Only recent deliveries can come again as retries; keep the record on its line small.
    state.alert_deliveries = [*state.alert_deliveries, key][-MAX_KEPT_DELIVERIES:]
    if payload.group_key not in state.alert_groups:
        state.alert_groups.append(payload.group_key)
    known = {a.identity: a for a in state.assessment.fired_alerts}
    new: list[FiredAlert] = []
    ended: list[str] = []
    for alert in payload.alerts:
        fired = alert.as_fired()
        before = known.get(fired.identity)
        if before is not None:
            if before.status != fired.status and fired.status == "resolved":
                ended.append(fired.name)
            before.status, before.ends_at = fired.status, fired.ends_at
        elif fired.status == "firing":
            new.append(fired)
    state.assessment.fired_alerts.extend(new)
    state.assessment.alerts.extend(a.render() for a in new)
    if new:
        declaring.refresh_description(edit)
    parts = []
    if new:
        parts.append(f"{len(new)} more alert(s) firing\n\n"
                     + "\n".join(f"- {a.render()}" for a in new))
    if ended or payload.status == "resolved":
        names = ", ".join(sorted(set(ended) or {a.name for a in payload.alerts}))
        parts.insert(0, f"resolved: {names}")
    if not parts:
        parts.append("the group's alerts are still firing")
    level = Severity.parse(payload.severity(config)[0])
    if payload.firing and level.level < state.severity.level and not edit.issue.is_closed:
        # Severity is a person's call once declared: say so, do not reclassify behind them.
        parts.append(f"the alerts now say {level.value}, the incident is "
                     f"{state.severity.value} (incident reclassify {edit.incident_id} --sev "
                     f"{level.level} --reason ...)")
    kind = "alert-resolved" if payload.status == "resolved" else "alert-firing"
    edit.event(kind, "Alertmanager: " + "; ".join(parts),
               {"group_key": payload.group_key, "new_alerts": len(new), "ended": len(ended)})
    outcome = "resolved" if payload.status == "resolved" else "attached"
    return Delivery(outcome, edit.incident_id, parts[0].split("\n")[0])
