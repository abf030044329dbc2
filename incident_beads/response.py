"""`IncidentResponse`: the public API that drives an incident through phases 1, 2, 3 and 5."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from incident_beads import signing
from incident_beads.beads.store import BeadsStore, utc_now
from incident_beads.clock import Clock
from incident_beads.config import Config, load_config
from incident_beads.errors import Escalation, IncidentBeadsError, InvalidInput, NotFound, Refused
from incident_beads.lifecycle import announce, hold
from incident_beads.lifecycle import declare as declaring
from incident_beads.lifecycle import mitigation as ladder
from incident_beads.lifecycle import resolution as closing
from incident_beads.lifecycle.communicate import (
    check_window,
    next_update_due,
    parse_update_status,
    record_update,
    window_deadline,
    window_lapsed,
)
from incident_beads.lifecycle.completion import CompletionReport, evaluate
from incident_beads.lifecycle.edit import IncidentEdit, editing
from incident_beads.lifecycle.followups import write_postmortem, write_root_cause
from incident_beads.lifecycle.model import (
    Assessment,
    ConfigChange,
    ContextRecord,
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
from incident_beads.lifecycle.recurrence import RemoteMatch
from incident_beads.lifecycle.severity import Severity
from incident_beads.lifecycle.timeline import check_not_before_last, incident_from, is_incident
from incident_beads.lifecycle.when import as_utc, format_moment, parse_moment
from incident_beads.people import require_person, resolve_actor

if TYPE_CHECKING:
    from incident_beads.hotfix.protocol import HotfixProtocol
    from incident_beads.knowledge.api import Knowledge
    from incident_beads.notify.api import Outcome
    from incident_beads.notify.outbox import OutboxEntry

#: Timeline events that change nothing about the response: they never trip the window check.
QUIET_EVENTS = frozenset({"note", "learn-failed"})


def default_actor(root: Path | str = ".") -> str:
    """Who acts when no one is named: `$INCIDENT_ACTOR`, `$BD_ACTOR`, the git user, `$USER`."""
    return resolve_actor(str(root))


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
        # One clock: a store given without a clock lends its own (the command's clock).
        self._clock: Clock = clock or (store.clock if store is not None else utc_now)
        self.actor = actor or default_actor(self.root)
        self.store = store or BeadsStore(self.root, config=self.config.beads, clock=self.now)
        #: Signed mode: whether a recorded decision still verifies (None: names are trusted).
        self.decision_trust = hold.signed_trust(self.root, self.config)
        # Stakeholders hear of what is written: messages are staged and sent with each write.
        self.notifications = announce.notifier_for(self)

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
        """Open incidents whose next status update is past, or that are still unmitigated after
        their response window: the most overdue first."""
        now = self.now()

        def late_since(incident: Incident) -> datetime | None:
            state = incident.state
            moments = [state.next_update_at] if (
                state.next_update_at is not None and state.next_update_at < now) else []
            if window_lapsed(state, self.config, now):
                moments.append(window_deadline(state, self.config))
            return min(moments, default=None)

        late = [(since, i) for i in self.incidents() if (since := late_since(i)) is not None]
        return [i for since, i in sorted(late, key=lambda pair: (pair[0], pair[1].id))]

    def window_closed_at(self, incident: Incident) -> datetime | None:
        """When the response window closed, for an incident still unmitigated past it; else
        None."""
        if not window_lapsed(incident.state, self.config, self.now()):
            return None
        return window_deadline(incident.state, self.config)

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

    def check_clock(self, incident_id: str) -> None:
        """Refuse, before anything is written, a clock behind the incident's latest event
        (steps that write elsewhere first, such as a hotfix's branch, ask this up front)."""
        check_not_before_last(self.get(incident_id).state, incident_id, self.now())

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
        if load_context:
            from incident_beads.knowledge.step0 import gather

            context = gather(self.knowledge, plain, assessment.services, self.incidents())
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
        elsewhere = self._fleet_matches(plain, assessment)
        with self.store.transaction() as tx:
            earlier = declaring.declared_before(tx, request)
            if earlier is None:
                edit = declaring.write_incident(tx, self.config, plain=plain, state=state,
                                                now=now, actor=actor or self.actor,
                                                request=request, elsewhere=elsewhere)
        if earlier is not None:
            hold.refuse_if_held(earlier.id, incident_from(earlier).state, "declaration",
                                self.decision_trust)
            return self.get(earlier.id)
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
        request = hold.request_key("mitigate", incident_id, rung, outcome, detail, reason,
                                   config_change.model_dump() if config_change else None)
        with self._edit(incident_id, now=self.now(), actor=actor or self.actor,
                     open_only=True, action="mitigate", request=request,
                     before_save=self._window_check) as edit:
            ladder.record_attempt(edit, rung, outcome, detail=detail, reason=reason,
                                  config_change=config_change)
        return self.get(incident_id)

    def mark_mitigated(self, incident_id: str, how: str, *, actor: str | None = None) -> Incident:
        """Mark the incident mitigated by something off the ladder (a verified hotfix)."""
        if not how.strip():
            raise InvalidInput("say what mitigated the incident")
        with self._edit(incident_id, now=self.now(), actor=actor or self.actor,
                     open_only=True, action="mark it mitigated",
                     before_save=self._window_check) as edit:
            if edit.state.timestamps.mitigated is None:
                edit.state.timestamps.mitigated = edit.now
            edit.state.phase = Phase.MITIGATED.value
            edit.event("mitigated", f"Mitigated: {how}")
        return self.get(incident_id)

    # risk ----------------------------------------------------------------------------------
    def decision_payload(self, incident_id: str, risk: str, *, by: str, note: str,
                         at: datetime) -> str:
        """The text a person signs to decide on an escalation (signed mode)."""
        return signing.decision_payload(incident_id, risk.strip(), by.strip(), note.strip(),
                                        as_utc(at).replace(microsecond=0).isoformat())

    def acknowledge_risk(self, incident_id: str, risk: str, *, by: str, note: str = "",
                         at: datetime | str | None = None, actor: str | None = None,
                         signature: str = "", sign_key: str | None = None
                         ) -> RiskAcknowledgment:
        """Record that the person `by` explicitly accepts `risk`, or decides on an escalation.

        When `risk` names an open escalation's condition, this is the person's decision on it
        (a `note` saying why is required): the escalations of that condition recorded up to
        then are settled, and the incident is held no longer unless another stays open. `by`
        must be a person (and, when `[people] approvers` is set, one of them); `actor` is who
        records it (by default the actor of this API). The same acknowledgment made again
        records nothing twice. With `[people] approvals = "signed"`, a decision counts only
        with the person's SSH signature of `decision_payload(...)` (`signature`, or made here
        with the private key `sign_key`), verified against the committed allowed-signers file.
        """
        if not risk.strip():
            raise InvalidInput("name the risk being accepted", hint="--risk NAME")
        if not by.strip():
            raise InvalidInput("a risk is accepted by a named person", hint="--by WHO")
        person = require_person(by, self.config.people, what="a decision or acknowledgment")
        now = self.now()
        # UTC to the second: the moment is part of what a person signs, and is stored as signed.
        moment = as_utc(parse_moment(at, now)).replace(microsecond=0) if at is not None else now
        if moment > now:
            raise InvalidInput("a risk is acknowledged when it is accepted, not in the future",
                               hint="leave out the time, or give one already past")
        ack = RiskAcknowledgment(risk=risk.strip(), by=person, at=moment, note=note.strip())
        if self.decision_trust is not None and hold.decide(self.get(incident_id).state,
                                                           ack.risk):
            ack.signature = self._signed_decision(incident_id, ack, signature, sign_key)
        recorder = actor or self.actor
        state = self.get(incident_id).state
        previous = state.acknowledgments_of(ack.risk)
        if not [e for e in hold.decide(state, ack.risk) if e.at <= moment] and previous and (
                previous[-1].by, previous[-1].note) == (ack.by, ack.note):
            return previous[-1]  # the same acknowledgment made again: nothing new to record
        with self._edit(incident_id, now=now, actor=recorder, held_ok=True,
                     action="decision") as edit:
            settled = [e for e in hold.decide(edit.state, ack.risk) if e.at <= moment]
            if settled and not ack.note:
                raise InvalidInput(f"a decision on the escalation {settled[0].condition} needs "
                                   "a note saying why", hint="--note WHY")
            edit.state.risk_acknowledgments.append(ack)
            for escalation in settled:
                escalation.decided_at = moment
                escalation.decided_by = person
                escalation.decision_note = ack.note
                escalation.decision_recorded_by = recorder
                escalation.decision_risk = ack.risk
                escalation.decision_signature = ack.signature
            if settled:
                edit.event("decision",
                           f"Decision by {person} on ESCALATION [{settled[0].condition}] "
                           f"(raised {format_moment(settled[0].at)}): {ack.note}",
                           {"risk": ack.risk, "condition": settled[0].condition,
                            "decided_by": person, "escalated_at": [
                                e.at.isoformat() for e in settled]})
            else:
                edit.event("risk-acknowledged",
                           f"Risk accepted by {person}: {ack.risk}"
                           + (f" ({ack.note})" if ack.note else ""), {"risk": ack.risk})
        return ack

    def _signed_decision(self, incident_id: str, ack: RiskAcknowledgment, signature: str,
                         sign_key: str | None) -> str:
        payload = self.decision_payload(incident_id, ack.risk, by=ack.by, note=ack.note,
                                        at=ack.at)
        if sign_key:
            signature = signing.sign(payload, sign_key)
        if not signature.strip():
            raise Refused(
                f"signed approvals: the decision of {ack.by} on {ack.risk} must be signed "
                f"with their SSH key; payload:\n{payload}",
                hint=f"{ack.by} signs it (ssh-keygen -Y sign -f KEY -n {signing.NAMESPACE} "
                     f"FILE), then: incident risk ack {incident_id} --risk {ack.risk} --by "
                     f"{ack.by} --note ... --at {ack.at.isoformat()} --signature FILE.sig; "
                     "or on their machine: --sign")
        problem = signing.verify(payload, signature, ack.by,
                                 hold.committed_signers_of(self.root, self.config))
        if problem:
            raise Refused(f"the decision of {ack.by} on {ack.risk} is not accepted: {problem}",
                          hint=f"{ack.by} signs with the key listed for them in "
                               f"{self.config.people.allowed_signers} on the main branch")
        return signature

    def _edit(self, incident_id: str, **options: Any) -> AbstractContextManager[IncidentEdit]:
        """`editing()` with this repository's trust in recorded decisions."""
        return editing(self.store, incident_id, trust=self.decision_trust, **options)

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
        with self._edit(incident_id, now=self.now(), actor=actor or self.actor,
                     open_only=True, action="resolution") as edit:
            closing.record_resolution(edit, self.config, checklist, resolution=resolution,
                                      root_cause=root_cause, impact=impact)
        del edit  # it holds the bytes of the store as read: the write-up reads it again
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

    # the timeline, for every record kind ----------------------------------------------------
    def record_event(self, incident_id: str, text: str, *, kind: str = "note",
                     actor: str | None = None, data: dict[str, Any] | None = None,
                     phase: Phase | str | None = None) -> TimelineEvent:
        """Append a timeline event to an incident: a bead comment and an entry in its state.

        A plain note is allowed while the incident is held; one that moves the phase is not.
        """
        if not text.strip():
            raise InvalidInput("a timeline event needs text")
        check = None if kind in QUIET_EVENTS else self._window_check
        with self._edit(incident_id, now=self.now(), actor=actor or self.actor,
                     action=f"{kind} event", held_ok=phase is None,
                     before_save=check) as edit:
            event = edit.event(kind, text, data)
            if phase is not None:
                edit.state.phase = Phase(phase).value
        return event

    def _window_check(self, edit: IncidentEdit) -> None:
        check_window(edit, self.config)

    def escalate(self, incident_id: str, condition: str, message: str, *,
                 actor: str | None = None, data: dict[str, Any] | None = None,
                 hint: str | None = None) -> None:
        """Record an escalation on the incident's timeline, then raise it.

        Any condition name holds the incident until a person decides on it. The same call made
        again (a retry) records nothing twice: it raises the recorded escalation, or returns
        quietly once a person has decided.
        """
        if not condition.strip() or not message.strip():
            raise InvalidInput("an escalation needs a condition and a message")
        request = hold.request_key("escalate", incident_id, condition, message, data)
        with self._edit(incident_id, now=self.now(), actor=actor or self.actor,
                     held_ok=True, request=request) as edit:
            if hold.is_retry(edit.state, request):
                hold.refuse_if_held(incident_id, edit.state, "escalation")
                return  # a person decided on it already: nothing more to stop for
            edit.escalate(condition, message, data, hint=hint)


def risk_refusal(incident_id: str, risk: str, step: str) -> Refused:
    """The refusal of a step that needs an explicit risk acknowledgment."""
    return Refused(f"{step} needs an explicit acknowledgment of the risk {risk!r}",
                   hint=f"a person accepts it first: incident risk ack {incident_id} "
                        f"--risk {risk} --by WHO")
