"""Phase 5 of the lifecycle: post-mortem, resolution, reopening, hand-off; and stakeholders."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, NoReturn

from incident_beads.errors import Escalation, InvalidInput, NotFound, Refused
from incident_beads.lifecycle import announce, hold
from incident_beads.lifecycle import resolution as closing
from incident_beads.lifecycle.api_core import LifecycleCore
from incident_beads.lifecycle.communicate import next_update_due
from incident_beads.lifecycle.completion import CompletionReport, evaluate
from incident_beads.lifecycle.followups import write_postmortem, write_root_cause
from incident_beads.lifecycle.model import (
    Incident,
    Phase,
    PostmortemSchedule,
    ResolutionChecklist,
    RootCauseHandoff,
)
from incident_beads.lifecycle.timeline import incident_from
from incident_beads.lifecycle.when import format_moment, parse_moment

if TYPE_CHECKING:
    from incident_beads.notify.api import Outcome
    from incident_beads.notify.outbox import OutboxEntry


class Resolving(LifecycleCore):
    """Schedule the post-mortem, resolve, reopen, hand off; reach stakeholders; check the end."""

    # phase 5: resolve ---------------------------------------------------------------------
    def schedule_postmortem(self, incident_id: str, *, at: datetime | str, owner: str,
                            actor: str | None = None) -> PostmortemSchedule:
        """Schedule the post-mortem: a `post-mortem` bead under the incident, due at `at`.

        It must fall within the post-mortem window (48 h) of the resolution (or of now, before
        resolution) unless a person acknowledged `postmortem-beyond-window`. Scheduling again
        moves the open post-mortem instead of adding one.
        """
        if not owner.strip():
            raise InvalidInput("a post-mortem needs an owner", hint="--owner WHO")
        now = self.now()
        due = parse_moment(at, now)
        if due < now - timedelta(minutes=1):
            raise InvalidInput(f"the post-mortem time {format_moment(due)} is past",
                               hint="give --at as +1d or a future ISO time")
        with self._edit(incident_id, now=now, actor=actor or self.actor,
                     action="post-mortem scheduling",
                     before_save=self._window_check) as edit:
            incident = incident_from(edit.issue)
            resolved = edit.state.resolution.at if edit.state.resolution else now
            closing.check_postmortem_window(edit.state, self.config, due=due, resolved=resolved,
                                            incident_id=incident_id)
            issue, created = write_postmortem(edit.tx, incident, due=due, owner=owner.strip(),
                                              by=edit.actor)
            edit.state.postmortem_id = issue.id
            edit.event("postmortem-scheduled",
                       f"Post-mortem {'scheduled' if created else 'moved'}: {issue.id} on "
                       f"{format_moment(due)}, owner {owner.strip()}",
                       {"postmortem_id": issue.id, "due_at": due.isoformat()})
        return PostmortemSchedule(incident_id=incident_id, postmortem_id=issue.id, due_at=due,
                                  owner=owner.strip(), created=created)

    def resolve(self, incident_id: str, *, resolution: str, root_cause: str,
                no_longer_occurring: bool = False, error_rates_normal: bool = False,
                users_can_use_feature: bool = False, monitoring_evidence: str = "",
                stakeholders_notified: bool = False, impact: str = "",
                actor: str | None = None) -> Incident:
        """Resolve after the seed's confirmation checklist; closes the incident bead.

        Every checklist item is required (monitoring with its evidence). SEV-1/2 incidents (by
        the most severe level they held) need a post-mortem scheduled first. The resolution
        message is rendered, posted as the final update, and kept with the duration.
        """
        closing.check_texts(resolution, root_cause)
        checklist = ResolutionChecklist(
            no_longer_occurring=no_longer_occurring, error_rates_normal=error_rates_normal,
            users_can_use_feature=users_can_use_feature,
            monitoring_evidence=monitoring_evidence.strip(),
            stakeholders_notified=stakeholders_notified)
        if self.extensions.before_resolution is not None:
            self.extensions.before_resolution()
        with self._edit(incident_id, now=self.now(), actor=actor or self.actor,
                     open_only=True, action="resolution") as edit:
            closing.record_resolution(edit, self.config, checklist, resolution=resolution,
                                      root_cause=root_cause, impact=impact)
        del edit  # it holds the bytes of the store as read: the write-up reads it again
        if self.extensions.after_resolution is not None:
            self.extensions.after_resolution(incident_id, actor or self.actor)
        return self.get(incident_id)

    def reopen(self, incident_id: str, *, reason: str, actor: str | None = None) -> NoReturn:
        """Reopen a resolved incident: it recurred, so this always escalates (after recording)."""
        if not reason.strip():
            raise InvalidInput("say why the incident is reopened", hint="--reason TEXT")
        now = self.now()
        with self._edit(incident_id, now=now, actor=actor or self.actor,
                     action="reopening",
                     request=hold.request_key("reopen", incident_id, reason)) as edit:
            if not edit.issue.is_closed:
                raise Refused(f"{incident_id} is not resolved, nothing to reopen")
            state = edit.state
            edit.tx.reopen(incident_id)
            if state.resolution is not None:
                state.past_resolutions.append(state.resolution)
            state.resolution = None
            state.timestamps.resolved = None
            state.phase = Phase.MITIGATE.value
            state.next_update_at = next_update_due(state, self.config, now)
            edit.event("reopened", f"Reopened: {reason}", {"reason": reason})
            edit.escalate(Escalation.RECURRENCE,
                          f"{incident_id} recurred after it was resolved: {reason}")
        raise AssertionError("unreachable: editing() raises the recorded escalation")

    def handoff(self, incident_id: str, *, notes: str = "", assignee: str = "",
                actor: str | None = None) -> RootCauseHandoff:
        """Hand the root-cause investigation on: a `root-cause` bead discovered from the incident.

        Only once the incident is stable (mitigated or resolved); a second call returns the
        bead made by the first.
        """
        now = self.now()
        with self._edit(incident_id, now=now, actor=actor or self.actor,
                     action="hand-off",
                     before_save=self._window_check) as edit:
            state = edit.state
            if state.root_cause_id and edit.tx.exists(state.root_cause_id):
                return RootCauseHandoff(incident_id=incident_id,
                                        root_cause_id=state.root_cause_id, created=False)
            if state.timestamps.mitigated is None and state.resolution is None:
                raise Refused(f"{incident_id} is not stable yet: hand off the root cause once "
                              "it is mitigated or resolved",
                              hint=f"incident mitigate {incident_id} ... first")
            issue = write_root_cause(edit.tx, incident_from(edit.issue), notes=notes,
                                     assignee=assignee, by=edit.actor)
            state.root_cause_id = issue.id
            edit.event("handoff", f"Root cause investigation handed off: {issue.id}",
                       {"root_cause_id": issue.id})
        return RootCauseHandoff(incident_id=incident_id, root_cause_id=issue.id, created=True)

    # phase 2 to stakeholders ------------------------------------------------------------
    def notify(self, *, incident_id: str | None = None) -> list[Outcome]:
        """Send every message still pending in the outbox now, whatever its backoff."""
        if incident_id is not None:
            self.get(incident_id)  # an unknown id is refused, not an empty answer
        return self.notifications.deliver(incident_id=incident_id)

    def messages(self, *, incident_id: str | None = None,
                 include_sent: bool = True) -> list[OutboxEntry]:
        """The outbox's messages, oldest first: those pending, and those sent when asked."""
        if incident_id is not None:
            self.get(incident_id)
        return self.notifications.messages(incident_id=incident_id, include_sent=include_sent)

    def drop_message(self, message_id: str, *, reason: str, actor: str | None = None) -> None:
        """Give up a pending message on purpose (its channel is gone); the reason is recorded."""
        announce.drop(self, message_id, reason=reason, actor=actor)

    def remind(self) -> list[announce.Reminder]:
        """Remind the channels of every status update due or overdue, once per due time."""
        return announce.remind(self)

    def check(self, incident_id: str) -> CompletionReport:
        """The seed's five completion criteria, each met or missing."""
        incident = self.get(incident_id)
        found = incident.state.postmortem_id
        scheduled = False
        if found:
            try:
                scheduled = self.store.get(found).due_at is not None
            except NotFound:
                scheduled = False
        return evaluate(incident, self.config, postmortem_scheduled=scheduled,
                        resolution_delivered=announce.resolution_delivered(incident.state))
