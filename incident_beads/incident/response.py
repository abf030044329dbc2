"""`IncidentResponse`: the public API that drives an incident through phases 1, 2, 3 and 5."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from incident_beads.beads.store import BeadsStore, utc_now
from incident_beads.config import Config, load_config
from incident_beads.errors import Escalation, IncidentBeadsError, InvalidInput, NotFound, Refused
from incident_beads.incident import declare as declaring
from incident_beads.incident import mitigation as ladder
from incident_beads.incident import resolution as closing
from incident_beads.incident.communicate import next_update_due, parse_update_status, record_update
from incident_beads.incident.completion import CompletionReport, evaluate
from incident_beads.incident.edit import editing
from incident_beads.incident.followups import write_postmortem, write_root_cause
from incident_beads.incident.model import (
    Assessment,
    ConfigChange,
    Incident,
    IncidentState,
    Mitigation,
    MitigationOption,
    MitigationResult,
    Phase,
    PostmortemSchedule,
    ResolutionChecklist,
    RiskAcknowledgment,
    RootCauseHandoff,
    TimelineEvent,
    Timestamps,
    UpdateStatus,
)
from incident_beads.incident.recurrence import RemoteMatch
from incident_beads.incident.severity import Severity
from incident_beads.incident.timeline import incident_from, is_incident
from incident_beads.incident.when import as_utc, format_moment, parse_moment

if TYPE_CHECKING:
    from incident_beads.hotfix.protocol import HotfixProtocol
    from incident_beads.knowledge.api import Knowledge

Clock = Callable[[], datetime]


def default_actor() -> str:
    """Who acts when no one is named: `$USER`, else `incident_beads`."""
    return os.environ.get("USER") or "incident_beads"


class IncidentResponse:
    """Drive production incidents through the seed workflow, stored as beads in one repository.

    Every write is one locked, atomic store transaction. A rule that says no raises `Refused` or
    `InvalidInput` and writes nothing; an escalation condition is recorded first (state, timeline
    and a bead comment) and then raised as `Escalation`, so nothing is lost when the orchestrator
    stops to ask a person. Without a `.beads/` folder the records are kept in memory.
    """

    def __init__(self, root: Path | str, *, clock: Clock | None = None,
                 config: Config | None = None, actor: str | None = None,
                 store: BeadsStore | None = None) -> None:
        self.root = Path(root)
        self.config = config if config is not None else load_config(self.root)
        self._clock: Clock = clock or utc_now
        self.actor = actor or default_actor()
        self.store = store or BeadsStore(self.root, config=self.config.beads, clock=self.now)

    def now(self) -> datetime:
        """The current moment from the injected clock, in UTC, to the second (as bd writes)."""
        return as_utc(self._clock()).replace(microsecond=0)

    @property
    def hotfixes(self) -> HotfixProtocol:
        """Phase 4: the hotfix protocol over this repository and store."""
        from incident_beads.hotfix.protocol import HotfixProtocol

        return HotfixProtocol(self)

    @property
    def knowledge(self) -> Knowledge:
        """Phases 0 and 6 over the same store, clock and configuration: context, write-ups,
        critical patterns, runbooks, post-mortem drafts, action items, reports."""
        from incident_beads.knowledge.api import Knowledge

        return Knowledge(self.root, config=self.config, clock=self.now, store=self.store,
                         actor=self.actor)

    # reading -----------------------------------------------------------------------------
    def get(self, incident_id: str) -> Incident:
        """One incident by id; `NotFound` for an unknown id or a bead that is no incident."""
        return incident_from(self.store.get(incident_id))

    def incidents(self, *, include_closed: bool = False) -> list[Incident]:
        """Every incident, oldest first; closed ones only when asked."""
        found = [incident_from(issue)
                 for issue in self.store.query(label="incident", include_closed=include_closed)
                 if is_incident(issue)]
        return sorted(found, key=lambda i: (i.state.timestamps.detected, i.id))

    def overdue(self) -> list[Incident]:
        """Open incidents whose next status update is past, the most overdue first."""
        now = self.now()
        late = [i for i in self.incidents()
                if i.state.next_update_at is not None and i.state.next_update_at < now]
        return sorted(late, key=lambda i: (i.state.next_update_at or now, i.id))

    def mitigations(self, incident_id: str) -> list[Mitigation]:
        """Every mitigation attempt recorded, in order."""
        return list(self.get(incident_id).state.mitigations)

    def ruled_out(self, incident_id: str) -> list[MitigationOption]:
        """The ladder rungs whose latest outcome is failed or unavailable."""
        mitigations = self.mitigations(incident_id)
        return [rung for rung in ladder.LADDER if ladder.is_ruled_out(mitigations, rung)]

    def risk_acknowledgments(self, incident_id: str,
                             risk: str | None = None) -> list[RiskAcknowledgment]:
        """The risk acknowledgments recorded, all or those of one risk."""
        state = self.get(incident_id).state
        return list(state.risk_acknowledgments if risk is None else state.acknowledgments_of(risk))

    def has_risk_ack(self, incident_id: str, risk: str) -> bool:
        """True when someone explicitly acknowledged `risk` on this incident."""
        return bool(self.risk_acknowledgments(incident_id, risk))

    def require_risk_ack(self, incident_id: str, risk: str, *, step: str) -> RiskAcknowledgment:
        """The acknowledgment of `risk`, or `Refused` naming the command that records one."""
        acks = self.risk_acknowledgments(incident_id, risk)
        if not acks:
            raise risk_refusal(incident_id, risk, step)
        return acks[-1]

    # phase 1: declare / assess -------------------------------------------------------------
    def declare(self, title: str, *, severity: Severity | str | int, who_affected: str = "",
                what_broken: str = "", users_affected: str = "", workaround: str = "",
                data_at_risk: bool = False, security: bool = False,
                error_messages: Sequence[str] = (), alerts: Sequence[str] = (),
                recent_changes: Sequence[str] = (), reported_by: str = "",
                detected_at: datetime | str | None = None, services: Sequence[str] = (),
                description: str = "", actor: str | None = None) -> Incident:
        """Declare an incident with its assessment: writes the `[SEV-N] <title>` bug bead.

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
        state = IncidentState(
            severity=level, peak_severity=level, assessment=assessment,
            timestamps=Timestamps(detected=detected, declared=now),
            next_update_at=now + timedelta(minutes=cadence) if cadence else None)
        elsewhere = self._fleet_matches(plain, assessment)
        with self.store.transaction() as tx:
            edit = declaring.write_incident(tx, self.config, plain=plain, state=state, now=now,
                                        actor=actor or self.actor, elsewhere=elsewhere)
        if edit.escalation is not None:
            raise edit.escalation
        return self.get(edit.incident_id)

    def _fleet_matches(self, plain: str, assessment: Assessment) -> list[RemoteMatch]:
        """Incidents resolved elsewhere in the fleet (as last fetched) that this one resembles."""
        from incident_beads.fleet.members import has_fleet

        if not has_fleet(self.config):
            return []
        from incident_beads.fleet.api import Fleet

        window = timedelta(days=self.config.knowledge.recurrence_window_days)
        try:
            return Fleet(self.root, config=self.config).recurrences(
                plain, assessment, now=assessment.detected_at, window=window)
        except (IncidentBeadsError, OSError):
            # a broken fleet file or cache must not stop a declaration; `incident fleet
            # status` names what is wrong
            return []

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
        with editing(self.store, incident_id, now=self.now(), actor=actor or self.actor,
                     open_only=True, action="assess") as edit:
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
        update is recorded, unless a person acknowledged `eta-beyond-window` for it.
        """
        level = parse_update_status(status, incident_id)
        with editing(self.store, incident_id, now=self.now(), actor=actor or self.actor,
                     open_only=True, action="update") as edit:
            record_update(edit, self.config, status=level, impact=impact, action=action,
                          eta=eta, next_update=next_update)
        return self.get(incident_id)

    # phase 3: mitigate ---------------------------------------------------------------------
    def mitigate(self, incident_id: str, option: MitigationOption | str,
                 result: MitigationResult | str, *, detail: str = "", reason: str = "",
                 config_change: ConfigChange | None = None,
                 actor: str | None = None) -> Incident:
        """Record one rung of the ladder (rollback, feature-flag, config-change, scale, hotfix).

        Taking a rung while earlier ones are neither tried nor ruled out needs `reason`; a
        config change needs `config_change`. The first rung that works marks the incident
        mitigated; when rollback, flag, config change and scale are all failed or unavailable,
        the attempt is recorded and `Escalation` (mitigations exhausted) is raised.
        """
        rung, outcome = ladder.parse_option(option), ladder.parse_result(result)
        with editing(self.store, incident_id, now=self.now(), actor=actor or self.actor,
                     open_only=True, action="mitigate") as edit:
            ladder.record_attempt(edit, rung, outcome, detail=detail, reason=reason,
                                  config_change=config_change)
        return self.get(incident_id)

    def mark_mitigated(self, incident_id: str, how: str, *, actor: str | None = None) -> Incident:
        """Mark the incident mitigated by something off the ladder (a verified hotfix)."""
        if not how.strip():
            raise InvalidInput("say what mitigated the incident")
        with editing(self.store, incident_id, now=self.now(), actor=actor or self.actor,
                     open_only=True, action="mark mitigated") as edit:
            if edit.state.timestamps.mitigated is None:
                edit.state.timestamps.mitigated = edit.now
            edit.state.phase = Phase.MITIGATED.value
            edit.event("mitigated", f"Mitigated: {how}")
        return self.get(incident_id)

    # risk ----------------------------------------------------------------------------------
    def acknowledge_risk(self, incident_id: str, risk: str, *, by: str, note: str = "",
                         at: datetime | str | None = None) -> RiskAcknowledgment:
        """Record that the person `by` explicitly accepts `risk` (before the risky step)."""
        if not risk.strip():
            raise InvalidInput("name the risk being accepted", hint="--risk NAME")
        if not by.strip():
            raise InvalidInput("a risk is accepted by a named person", hint="--by WHO")
        now = self.now()
        moment = parse_moment(at, now) if at is not None else now
        if moment > now:
            raise InvalidInput("a risk is acknowledged when it is accepted, not in the future",
                               hint="leave out the time, or give one already past")
        ack = RiskAcknowledgment(risk=risk.strip(), by=by.strip(), at=moment, note=note)
        with editing(self.store, incident_id, now=now, actor=by.strip()) as edit:
            edit.state.risk_acknowledgments.append(ack)
            edit.event("risk-acknowledged",
                       f"Risk accepted by {ack.by}: {ack.risk}" + (f" ({note})" if note else ""),
                       {"risk": ack.risk})
        return ack

    # reclassify ----------------------------------------------------------------------------
    def reclassify(self, incident_id: str, severity: Severity | str | int, *, reason: str,
                   actor: str | None = None) -> Incident:
        """Move the incident to another severity, with a reason; title, label, priority follow."""
        level = Severity.parse(severity)
        if not reason.strip():
            raise InvalidInput("a reclassification needs a reason", hint="--reason TEXT")
        now = self.now()
        with editing(self.store, incident_id, now=now, actor=actor or self.actor,
                     open_only=True, action="reclassify") as edit:
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
        with editing(self.store, incident_id, now=now, actor=actor or self.actor) as edit:
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
        closing.check_checklist(checklist, incident_id)
        with editing(self.store, incident_id, now=self.now(), actor=actor or self.actor,
                     open_only=True, action="resolve") as edit:
            closing.record_resolution(edit, self.config, checklist, resolution=resolution,
                                      root_cause=root_cause, impact=impact)
        self._document_resolution(incident_id, actor or self.actor)
        return self.get(incident_id)

    def _document_resolution(self, incident_id: str, actor: str) -> None:
        """Phase 6 right after resolution: the write-up and the critical patterns entry.

        The bead is closed before the documents are written: a failure to write them is put on
        the incident's timeline with the command that retries, and the resolution stands.
        """
        from incident_beads.knowledge.api import safe_after_resolution

        outcome = safe_after_resolution(self.knowledge, incident_id)
        if isinstance(outcome, str):
            self.record_event(incident_id, f"Write-up not written: {outcome}. Retry with "
                              f"`incident learn {incident_id}`.", kind="learn-failed",
                              actor=actor)

    def reopen(self, incident_id: str, *, reason: str, actor: str | None = None) -> NoReturn:
        """Reopen a resolved incident: it recurred, so this always escalates (after recording)."""
        if not reason.strip():
            raise InvalidInput("say why the incident is reopened", hint="--reason TEXT")
        now = self.now()
        with editing(self.store, incident_id, now=now, actor=actor or self.actor) as edit:
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
        with editing(self.store, incident_id, now=now, actor=actor or self.actor) as edit:
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
        return evaluate(incident, self.config, postmortem_scheduled=scheduled)

    # the timeline, for every record kind ----------------------------------------------------
    def record_event(self, incident_id: str, text: str, *, kind: str = "note",
                     actor: str | None = None, data: dict[str, Any] | None = None,
                     phase: Phase | str | None = None) -> TimelineEvent:
        """Append a timeline event to an incident: a bead comment and an entry in its state."""
        if not text.strip():
            raise InvalidInput("a timeline event needs text")
        with editing(self.store, incident_id, now=self.now(), actor=actor or self.actor) as edit:
            event = edit.event(kind, text, data)
            if phase is not None:
                edit.state.phase = Phase(phase).value
        return event

    def escalate(self, incident_id: str, condition: str, message: str, *,
                 actor: str | None = None, data: dict[str, Any] | None = None,
                 hint: str | None = None) -> NoReturn:
        """Record an escalation on the incident's timeline, then raise it."""
        with editing(self.store, incident_id, now=self.now(), actor=actor or self.actor) as edit:
            edit.escalate(condition, message, data, hint=hint)
        raise AssertionError("unreachable: editing() raises the recorded escalation")


def risk_refusal(incident_id: str, risk: str, step: str) -> Refused:
    """The refusal of a step that needs an explicit risk acknowledgment."""
    return Refused(f"{step} needs an explicit acknowledgment of the risk {risk!r}",
                   hint=f"a person accepts it first: incident risk ack {incident_id} "
                        f"--risk {risk} --by WHO")
