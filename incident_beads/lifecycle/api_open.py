"""Phases 1 and 2 of the lifecycle: declare and assess, status updates, reclassification."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from incident_beads.errors import InvalidInput, Refused
from incident_beads.lifecycle import declare as declaring
from incident_beads.lifecycle import hold
from incident_beads.lifecycle.api_core import LifecycleCore
from incident_beads.lifecycle.communicate import (
    next_update_due,
    parse_update_status,
    record_update,
)
from incident_beads.lifecycle.model import (
    Assessment,
    ContextRecord,
    Incident,
    IncidentState,
    Timestamps,
    UpdateStatus,
)
from incident_beads.lifecycle.severity import Severity
from incident_beads.lifecycle.timeline import incident_from
from incident_beads.lifecycle.when import parse_moment


class Opening(LifecycleCore):
    """Declare, assess, post status updates, reclassify."""

    # phase 1: declare / assess -------------------------------------------------------------
    def declare(self, title: str, *, severity: Severity | str | int, who_affected: str = "",
                what_broken: str = "", users_affected: str = "", workaround: str = "",
                data_at_risk: bool = False, security: bool = False,
                error_messages: Sequence[str] = (), alerts: Sequence[str] = (),
                recent_changes: Sequence[str] = (), reported_by: str = "",
                detected_at: datetime | str | None = None, services: Sequence[str] = (),
                description: str = "", actor: str | None = None,
                load_context: bool = True) -> Incident:
        """Declare an incident with its assessment: writes the `[SEV-N] <title>` bug bead.

        Step 0 comes with it: similar past incidents, the critical patterns naming them and
        recent deployments are looked up and recorded on the incident (`state.context`), with
        open incidents on the same service and a similar title as likely duplicates;
        `load_context=False` records that step 0 was skipped.
        Escalates (after writing) when data is at risk, it is a security incident, or it
        matches an incident resolved within the recurrence window (then the two are linked).
        """
        level = Severity.parse(severity)
        plain = declaring.check_title(title, level)
        now = self.now()
        detected = parse_moment(detected_at, now) if detected_at is not None else now
        declaring.check_detected_at(detected, now)
        assessment = Assessment(
            detected_at=detected, reported_by=reported_by, who_affected=who_affected,
            what_broken=what_broken, users_affected=users_affected, workaround=workaround,
            data_at_risk=data_at_risk, security=security,
            error_messages=declaring.clean_list(error_messages),
            alerts=declaring.clean_list(alerts),
            recent_changes=declaring.clean_list(recent_changes),
            services=declaring.clean_list(services), notes=description)
        cadence = level.policy(self.config).update_minutes
        context = ContextRecord(status="skipped")
        if load_context and self.extensions.context is not None:
            context = self.extensions.context(plain, assessment.services, self.incidents())
        state = IncidentState(
            context=context,
            severity=level, peak_severity=level, assessment=assessment,
            timestamps=Timestamps(detected=detected, declared=now),
            next_update_at=now + timedelta(minutes=cadence) if cadence else None)
        # Made again after it escalated (a retry), the declaration returns the incident it made.
        request = hold.request_key("declare", plain, level, who_affected, what_broken,
                                   users_affected, workaround, data_at_risk, security,
                                   list(error_messages), list(alerts), list(recent_changes),
                                   reported_by, detected_at, list(services), description)
        find_elsewhere = self.extensions.elsewhere
        elsewhere = find_elsewhere(plain, assessment) if find_elsewhere is not None else []
        with self.store.transaction() as tx:
            incidents = declaring.possible_incidents(tx)
            earlier = declaring.declared_before(incidents, request)
            if earlier is None:
                edit = declaring.write_incident(tx, self.config, plain=plain, state=state,
                                                now=now, actor=actor or self.actor,
                                                request=request, elsewhere=elsewhere,
                                                incidents=incidents)
        if earlier is not None:
            hold.refuse_if_held(earlier.id, incident_from(earlier).state, "declaration",
                                self.decision_trust)
            return self.get(earlier.id)
        if edit.escalation is not None:
            raise edit.escalation
        return self.get(edit.incident_id)

    def assess(self, incident_id: str, *, who_affected: str | None = None,
               what_broken: str | None = None, users_affected: str | None = None,
               workaround: str | None = None, data_at_risk: bool | None = None,
               security: bool | None = None, error_messages: Sequence[str] = (),
               alerts: Sequence[str] = (), recent_changes: Sequence[str] = (),
               services: Sequence[str] = (), reported_by: str | None = None,
               actor: str | None = None) -> Incident:
        """Refine the assessment as facts come in: texts and flags given replace, lists add.

        Newly finding data at risk or a security breach escalates, after it is recorded.
        """
        changes = {"who_affected": who_affected, "what_broken": what_broken,
                   "users_affected": users_affected, "workaround": workaround,
                   "data_at_risk": data_at_risk, "security": security,
                   "error_messages": error_messages, "alerts": alerts,
                   "recent_changes": recent_changes, "services": services,
                   "reported_by": reported_by}
        with self._edit(incident_id, now=self.now(), actor=actor or self.actor,
                     open_only=True, action="assess",
                     request=hold.request_key("assess", incident_id, changes),
                     before_save=self._window_check) as edit:
            declaring.apply_assessment(edit, changes)
        return self.get(incident_id)

    # phase 2: communicate -----------------------------------------------------------------
    def post_update(self, incident_id: str, *, status: UpdateStatus | str, impact: str,
                    action: str, eta: datetime | str | None = None,
                    next_update: datetime | str | None = None,
                    actor: str | None = None) -> Incident:
        """Post a status update in the seed's template; the first one acknowledges the incident.

        The next update is due after the severity's cadence unless `next_update` is given.
        An ETA beyond the severity's response window (from detection) escalates after the
        update is recorded, unless a person acknowledged `eta-beyond-window` for it. The ETA is
        a moment (`+30m`, `in 3 hours`, `10:45`, `tomorrow 09:00`, ISO 8601) or `investigating`,
        which is refused once the window has closed on an unmitigated incident; such an
        incident escalates `eta-beyond-window` on this, or any, change (once per lapse).
        """
        level = parse_update_status(status, incident_id)
        request = hold.request_key("update", incident_id, level, impact, action, eta,
                                   next_update)
        with self._edit(incident_id, now=self.now(), actor=actor or self.actor,
                     open_only=True, action="update", held_ok=True, request=request,
                     before_save=self._window_check) as edit:
            record_update(edit, self.config, status=level, impact=impact, action=action,
                          eta=eta, next_update=next_update)
        return self.get(incident_id)

    # reclassify ----------------------------------------------------------------------------
    def reclassify(self, incident_id: str, severity: Severity | str | int, *, reason: str,
                   actor: str | None = None) -> Incident:
        """Move the incident to another severity, with a reason; title, label, priority follow."""
        level = Severity.parse(severity)
        if not reason.strip():
            raise InvalidInput("a reclassification needs a reason", hint="--reason TEXT")
        now = self.now()
        with self._edit(incident_id, now=now, actor=actor or self.actor,
                     open_only=True, action="reclassification",
                     before_save=self._window_check) as edit:
            state, before = edit.state, edit.state.severity
            if level is before:
                raise Refused(f"{incident_id} is already {level.value}")
            edit.tx.update(incident_id, title=level.tag_title(edit.issue.title),
                           priority=level.priority)
            edit.tx.remove_label(incident_id, before.label)
            edit.tx.add_label(incident_id, level.label)
            state.severity = level
            state.peak_severity = state.highest_severity
            declaring.refresh_description(edit)
            due = next_update_due(state, self.config, now)
            if due is None or state.next_update_at is None or due < state.next_update_at:
                state.next_update_at = due
            edit.event("reclassified", f"Reclassified {before.value} -> {level.value}: {reason}",
                       {"from": before.value, "to": level.value, "reason": reason})
        return self.get(incident_id)
