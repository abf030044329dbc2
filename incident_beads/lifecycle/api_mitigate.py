"""Phase 3 of the lifecycle: the mitigation ladder, and people's decisions on risks."""

from __future__ import annotations

from datetime import datetime

from incident_beads import signing
from incident_beads.errors import InvalidInput, Refused
from incident_beads.lifecycle import hold
from incident_beads.lifecycle import mitigation as ladder
from incident_beads.lifecycle.api_core import LifecycleCore
from incident_beads.lifecycle.model import (
    ConfigChange,
    Incident,
    MitigationOption,
    MitigationResult,
    Phase,
    RiskAcknowledgment,
)
from incident_beads.lifecycle.when import as_utc, format_moment, parse_moment
from incident_beads.people import require_person


class Mitigating(LifecycleCore):
    """Take rungs of the ladder, mark the incident mitigated, record decisions on risks."""

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
