"""What every hotfix step shares: the hotfix and its incident, the editing transaction, events.

A step (`start`, `changes`, `review`, `gate_runs`, `release`, `rollout`) is a module of free
functions taking a `HotfixContext`; `HotfixProtocol` composes them. The context reaches the
incident through the lifecycle (`lifecycle.api.Lifecycle`), never through the facade.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from incident_beads import signing
from incident_beads.beads.issue import Issue
from incident_beads.beads.transaction import Changes
from incident_beads.errors import Escalation, NotFound, Refused
from incident_beads.guard.review import ReviewBlock
from incident_beads.hotfix import bead, gates
from incident_beads.hotfix.bead import Hotfix, hotfix_from, hotfix_state
from incident_beads.hotfix.model import KIND, GateRecord, HotfixState
from incident_beads.hotfix.runner import Progress
from incident_beads.hotfix.scope import ScopeReport, analyse
from incident_beads.lifecycle import hold
from incident_beads.lifecycle.api import Lifecycle
from incident_beads.lifecycle.hold import committed_signers_of
from incident_beads.lifecycle.model import MitigationOption
from incident_beads.lifecycle.risk import KnownRisk
from incident_beads.lifecycle.timeline import incident_state
from incident_beads.repo import GitRepo


class HotfixContext:
    """One repository's hotfixes: its store, configuration and incidents, and the shared steps."""

    def __init__(self, incidents: Lifecycle) -> None:
        self.incidents = incidents
        self.root = incidents.root
        self.config = incidents.config
        self.store = incidents.store
        #: Told each output line of a staging or deploy command as it runs (see `runner`).
        self.progress: Progress | None = None

    def now(self) -> datetime:
        """The current moment of the incidents' clock."""
        return self.incidents.now()

    def actor(self, actor: str | None) -> str:
        """`actor`, else whoever the incidents act as."""
        return actor or self.incidents.actor

    def repo(self) -> GitRepo:
        """The repository, to be used as `with ctx.repo() as git:`."""
        return GitRepo(self.root, self.config.git)

    # reading -----------------------------------------------------------------------------
    def get(self, hotfix_id: str) -> Hotfix:
        """A hotfix by its id, or the latest hotfix of an incident given by the incident's id."""
        issue = self.store.get(hotfix_id)
        if bead.is_hotfix(issue):
            return hotfix_from(issue)
        found = bead.hotfixes_of(self.store.issues_mentioning(KIND), hotfix_id)
        if not found:
            raise NotFound(f"{hotfix_id} is neither a hotfix nor an incident with one",
                           hint=f"start one: incident hotfix start {hotfix_id}")
        open_ones = [i for i in found if not i.is_closed]
        return hotfix_from((open_ones or found)[-1])

    def open(self, hotfix_id: str, action: str = "hotfix step") -> Hotfix:
        """The hotfix, refused when closed, held by an escalation, or behind the clock."""
        hotfix = self.get(hotfix_id)
        self.held(hotfix.state.incident_id, action)
        if hotfix.status == "closed":
            raise Refused(f"hotfix {hotfix.id} is closed ({hotfix.close_reason})")
        # Every step ends on the incident's timeline: a clock set back is refused up front.
        self.incidents.check_clock(hotfix.state.incident_id)
        return hotfix

    def held(self, incident_id: str, action: str) -> None:
        """Refuse before any git work while the incident is held by an escalation."""
        hold.refuse_if_held(incident_id, self.incidents.get(incident_id).state, action,
                            self.incidents.decision_trust)

    def report(self, git: GitRepo, state: HotfixState) -> ScopeReport:
        """The scope report of the hotfix's branch head (or its tag, once the branch is gone)."""
        head = (git.rev_parse(f"refs/heads/{state.branch}") if git.branch_exists(state.branch)
                else state.tagged.commit if state.tagged else state.base_commit)
        return analyse(git, state.base_commit, head, state.scope,
                       self.config.hotfix.max_changed_lines)

    # writing -----------------------------------------------------------------------------
    @contextlib.contextmanager
    def editing(self, hotfix_id: str,
                actor: str | None) -> Iterator[tuple[Changes, Issue, HotfixState]]:
        """Change the hotfix's state in one transaction, refused if its incident is held."""
        with self.store.transaction() as tx:
            issue = tx.get(hotfix_id)
            state = hotfix_state(issue)
            # Checked again under the lock: an escalation may have come in since `open`.
            hold.refuse_if_held(state.incident_id, incident_state(tx.get(state.incident_id)),
                                "hotfix step", self.incidents.decision_trust)
            yield tx, issue, state
            bead.save(tx, hotfix_id, state)

    def record_gate(self, tx: Changes, issue: Issue, state: HotfixState, gate: str, *,
                    done: bool, by: str, now: datetime, reason: str) -> GateRecord:
        """Record `gate` done or skipped; a skipped gate gets its follow-up bead."""
        cell = gates.rule(state.severity_level, gate)
        record = GateRecord(gate=gate, status="done" if done else "skipped", level=cell.level,
                            at=now, by=by, reason=reason)
        if not done:
            record.follow_up = bead.follow_up(
                tx, issue, state, bead.gate_follow_up_key(gate), created_by=by,
                detail=f"The {gate} gate was skipped: {reason}")
        state.gates[gate] = record
        return record

    def event(self, incident_id: str, text: str, actor: str | None,
              data: dict[str, Any] | None = None) -> None:
        """A `hotfix` event on the incident's timeline."""
        self.incidents.record_event(incident_id, text, kind="hotfix", actor=actor, data=data)

    # the holds ---------------------------------------------------------------------------
    def require_signed(self, hotfix: Hotfix, block: ReviewBlock,
                       at: datetime | None = None) -> None:
        """Signed mode: refuse an approval whose signature does not verify (checked whenever
        the approval is relied on: recording, tagging, deploying)."""
        if self.config.people.approvals != "signed":
            return
        reviewer = block.get("reviewer")
        if not block.signature.strip():
            moment = (at or self.now()).strftime("%Y-%m-%dT%H:%M:%SZ")
            raise Refused(
                f"signed approvals: the approval of {reviewer} must be signed with their SSH "
                f"key; payload:\n{block.payload()}",
                hint=f"{reviewer} signs it (ssh-keygen -Y sign -f KEY -n {signing.NAMESPACE} "
                     f"FILE), then: incident hotfix review {hotfix.id} --reviewer {reviewer} "
                     f"--approve --fixes-issue yes --adds-issues no --at {moment} --signature "
                     "FILE.sig; or on their machine: --sign")
        problem = signing.verify(block.payload(), block.signature, reviewer,
                                 committed_signers_of(self.root, self.config))
        if problem:
            raise Refused(f"the approval of {reviewer} is not accepted: {problem}",
                          hint=f"{reviewer} signs with the key listed for them in "
                               f"{self.config.people.allowed_signers} on the main branch")

    def check_risk(self, incident_id: str, why: list[str], actor: str | None) -> None:
        """STOP on significant risk without a rollback path, unless a person accepted it."""
        ruled_out = set(self.incidents.ruled_out(incident_id))
        if MitigationOption.ROLLBACK not in ruled_out or not why:
            return
        # A person's decision on this escalation accepts the same risk.
        if any(self.incidents.has_risk_ack(incident_id, risk) for risk in (
                KnownRisk.HOTFIX_WITHOUT_ROLLBACK, Escalation.RISKY_HOTFIX_NO_ROLLBACK)):
            return
        self.incidents.escalate(
            incident_id, Escalation.RISKY_HOTFIX_NO_ROLLBACK,
            "rollback is not possible and the hotfix carries significant risk: "
            + "; ".join(why), actor=actor, data={"why": why})
