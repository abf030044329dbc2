"""The facade's phase 5 and the stakeholders' messages: resolve, hand off, notify, check."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, NoReturn

from incident_beads.lifecycle import announce
from incident_beads.lifecycle.api import Lifecycle
from incident_beads.lifecycle.completion import CompletionReport
from incident_beads.lifecycle.model import (
    Incident,
    PostmortemSchedule,
    RootCauseHandoff,
)
from incident_beads.response.calls import LifecycleCalls, documented_by

if TYPE_CHECKING:
    from incident_beads.notify.api import Outcome
    from incident_beads.notify.outbox import OutboxEntry


class ResolvingCalls(LifecycleCalls):
    """Schedule the post-mortem, resolve, reopen, hand off, notify."""

    # phase 5: resolve --------------------------------------------------------------------
    @documented_by(Lifecycle.schedule_postmortem)
    def schedule_postmortem(self, incident_id: str, *, at: datetime | str, owner: str,
                            actor: str | None = None) -> PostmortemSchedule:
        return self.lifecycle.schedule_postmortem(incident_id, at=at, owner=owner, actor=actor)

    @documented_by(Lifecycle.resolve)
    def resolve(self, incident_id: str, *, resolution: str, root_cause: str,
                no_longer_occurring: bool = False, error_rates_normal: bool = False,
                users_can_use_feature: bool = False, monitoring_evidence: str = "",
                stakeholders_notified: bool = False, impact: str = "",
                actor: str | None = None) -> Incident:
        return self.lifecycle.resolve(incident_id, resolution=resolution, root_cause=root_cause,
                                      no_longer_occurring=no_longer_occurring,
                                      error_rates_normal=error_rates_normal,
                                      users_can_use_feature=users_can_use_feature,
                                      monitoring_evidence=monitoring_evidence,
                                      stakeholders_notified=stakeholders_notified, impact=impact,
                                      actor=actor)

    @documented_by(Lifecycle.reopen)
    def reopen(self, incident_id: str, *, reason: str, actor: str | None = None) -> NoReturn:
        self.lifecycle.reopen(incident_id, reason=reason, actor=actor)

    @documented_by(Lifecycle.handoff)
    def handoff(self, incident_id: str, *, notes: str = "", assignee: str = "",
                actor: str | None = None) -> RootCauseHandoff:
        return self.lifecycle.handoff(incident_id, notes=notes, assignee=assignee, actor=actor)

    # phase 2 to stakeholders -------------------------------------------------------------
    @documented_by(Lifecycle.notify)
    def notify(self, *, incident_id: str | None = None) -> list[Outcome]:
        return self.lifecycle.notify(incident_id=incident_id)

    @documented_by(Lifecycle.messages)
    def messages(self, *, incident_id: str | None = None,
                 include_sent: bool = True) -> list[OutboxEntry]:
        return self.lifecycle.messages(incident_id=incident_id, include_sent=include_sent)

    @documented_by(Lifecycle.drop_message)
    def drop_message(self, message_id: str, *, reason: str, actor: str | None = None) -> None:
        return self.lifecycle.drop_message(message_id, reason=reason, actor=actor)

    @documented_by(Lifecycle.remind)
    def remind(self) -> list[announce.Reminder]:
        return self.lifecycle.remind()

    @documented_by(Lifecycle.check)
    def check(self, incident_id: str) -> CompletionReport:
        return self.lifecycle.check(incident_id)
