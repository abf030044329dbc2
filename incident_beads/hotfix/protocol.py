"""`HotfixProtocol`: phase 4 of the seed, from the hotfix branch to production verification.

A thin public class: each step lives in its own module over the shared `HotfixContext`
(`start`, `changes`, `review`, `gate_runs`, `release`, `rollout`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from incident_beads.guard.review import ReviewBlock
from incident_beads.hotfix import changes, gate_runs, release, review, rollout, start
from incident_beads.hotfix.bead import Hotfix
from incident_beads.hotfix.model import (
    GateRecord,
    MergeRecord,
    Review,
    RunRecord,
    TagRecord,
    Verification,
)
from incident_beads.hotfix.progress import HotfixStatus, status_of
from incident_beads.hotfix.runner import Progress
from incident_beads.hotfix.scope import ScopeReport
from incident_beads.hotfix.start import RISK_LEVELS, branch_name, tag_name
from incident_beads.hotfix.step_context import HotfixContext
from incident_beads.lifecycle.api import Lifecycle

__all__ = ["RISK_LEVELS", "HotfixProtocol", "branch_name", "tag_name"]


class HotfixProtocol:
    """Run an incident's hotfix in its git repository: branch, fix, review, gates, tag, deploy.

    Reached as `IncidentResponse(...).hotfixes`, over the incidents' `Lifecycle`. Every
    rule that says no raises `Refused` (or `InvalidInput`) before anything is written; a risky
    hotfix without a rollback path is recorded on the incident and raised as `Escalation`
    unless a person acknowledged the risk.
    """

    def __init__(self, incidents: Lifecycle) -> None:
        #: What every step shares (see `hotfix.step_context`).
        self.context = HotfixContext(incidents)
        self.incidents = incidents
        self.root = incidents.root
        self.config = incidents.config
        self.store = incidents.store

    @property
    def progress(self) -> Progress | None:
        """Told each output line of a staging or deploy command as it runs (see `runner`)."""
        return self.context.progress

    @progress.setter
    def progress(self, value: Progress | None) -> None:
        self.context.progress = value

    # reading -----------------------------------------------------------------------------
    def get(self, hotfix_id: str) -> Hotfix:
        """A hotfix by its id, or the latest hotfix of an incident given by the incident's id."""
        return self.context.get(hotfix_id)

    def status(self, hotfix_id: str) -> HotfixStatus:
        """The hotfix with its branch head, the gates still open and the next step."""
        hotfix = self.get(hotfix_id)
        with self.context.repo() as git:
            branch = hotfix.state.branch
            head = git.rev_parse(f"refs/heads/{branch}") if git.branch_exists(branch) else None
            current = git.current_branch()
        return status_of(hotfix, head, self.context.now(), current)

    def scope(self, hotfix_id: str, *, declare: Sequence[str] | None = None,
              actor: str | None = None) -> ScopeReport:
        """The diff from the base with its "while we're here" flags; `declare` sets the scope."""
        return changes.scope(self.context, hotfix_id, declare=declare, actor=actor)

    # start and the minimal fix -----------------------------------------------------------
    def start(self, incident_id: str, *, scope: Sequence[str] = (), risk: str = "normal",
              actor: str | None = None) -> Hotfix:
        """Create `hotfix/incident-<id>` from the main branch and the hotfix bead.

        Only for SEV-1/2 with rollback and feature flag ruled out, unless a person acknowledged
        the risk; refused, like git-flow, on a dirty tree or an existing branch or tag.
        """
        return start.start(self.context, incident_id, scope=scope, risk=risk, actor=actor)

    def commit(self, hotfix_id: str, message: str, *, actor: str | None = None) -> str:
        """Commit what is staged on the hotfix branch with the `Incident: <id>` trailer."""
        return changes.commit(self.context, hotfix_id, message, actor=actor)

    # review and gates --------------------------------------------------------------------
    def review(self, hotfix_id: str, *, reviewer: str, approve: bool, fixes_issue: bool,
               adds_issues: bool, note: str = "", actor: str | None = None,
               signature: str = "", sign_key: str | None = None,
               at: datetime | str | None = None) -> Review:
        """Record the expedited review: does it fix the issue, does it add new issues.

        An approval is refused from an automated actor, from whoever started or committed the
        hotfix or authored or committed its commits, and, with `[people] approvers`, from
        anyone not listed. In signed mode it counts only with the reviewer's SSH signature of
        `review_payload(...)` (`signature`, or made here with the private key `sign_key`).
        """
        return review.review(self.context, hotfix_id, reviewer=reviewer, approve=approve,
                             fixes_issue=fixes_issue, adds_issues=adds_issues, note=note,
                             actor=actor, signature=signature, sign_key=sign_key, at=at)

    def review_payload(self, hotfix_id: str, *, reviewer: str, at: datetime | str) -> str:
        """The text a reviewer signs to approve the hotfix's head (signed mode)."""
        return review.review_payload(self.context, hotfix_id, reviewer=reviewer, at=at)

    def require_signed(self, hotfix: Hotfix, block: ReviewBlock,
                       at: datetime | None = None) -> None:
        """Signed mode: refuse an approval whose signature does not verify (checked whenever
        the approval is relied on: recording, tagging, deploying)."""
        self.context.require_signed(hotfix, block, at)

    def gate(self, hotfix_id: str, gate: str, *, done: bool, reason: str = "",
             actor: str | None = None) -> GateRecord:
        """Record a quality gate as done, or skipped with a reason where the table allows it."""
        return gate_runs.record_gate(self.context, hotfix_id, gate, done=done, reason=reason,
                                     actor=actor)

    def gate_command(self, gate: str) -> tuple[str, ...]:
        """The command configured to run `gate` (`[hotfix] test_command`...), or ()."""
        return gate_runs.gate_command(self.context, gate)

    def run_gate(self, hotfix_id: str, gate: str, *, actor: str | None = None) -> GateRecord:
        """Run the gate's configured command on the hotfix head; record the result and the
        output's tail. A failure is recorded, then raised as `CommandFailed`."""
        return gate_runs.run_gate(self.context, hotfix_id, gate, actor=actor)

    def pending_gates(self, hotfix_id: str) -> list[str]:
        """The gates recorded neither as done nor as skipped."""
        return gate_runs.pending_gates(self.context, hotfix_id)

    # release -----------------------------------------------------------------------------
    def staging(self, hotfix_id: str, *, passed: bool | None = None, note: str = "",
                actor: str | None = None) -> RunRecord:
        """Run the staging command time-boxed (15 min for SEV-1), or record a manual result."""
        return release.staging(self.context, hotfix_id, passed=passed, note=note, actor=actor)

    def tag(self, hotfix_id: str, *, actor: str | None = None) -> TagRecord:
        """Create the annotated `hotfix-<id>` tag with the approving review written into its
        message (the block the push guard checks); refused without an approving review."""
        return release.tag(self.context, hotfix_id, actor=actor)

    def tag_message(self, hotfix_id: str) -> str:
        """The message `tag` would write, for tools that make the tag themselves
        (`git flow hotfix finish -f FILE`); refused without an approving review."""
        return release.tag_message_of(self.context, hotfix_id)

    def merge(self, hotfix_id: str, *, push: bool = False,
              actor: str | None = None) -> MergeRecord:
        """Merge `--no-ff` into the main branch (and develop), optionally pushing with the tag."""
        return release.merge(self.context, hotfix_id, push=push, actor=actor)

    def deploy(self, hotfix_id: str, *, actor: str | None = None) -> RunRecord:
        """Run the deploy command; refused without review, tag and recorded gates."""
        return rollout.deploy(self.context, hotfix_id, actor=actor)

    def verify_start(self, hotfix_id: str, *, minutes: int | None = None,
                     actor: str | None = None) -> Verification:
        """Start the production monitoring window (15 to 30 minutes)."""
        return rollout.verify_start(self.context, hotfix_id, minutes=minutes, actor=actor)

    def verify_confirm(self, hotfix_id: str, *, evidence: str,
                       actor: str | None = None) -> Hotfix:
        """Confirm with evidence after the window: closes the hotfix, creates its follow-ups."""
        return rollout.verify_confirm(self.context, hotfix_id, evidence=evidence, actor=actor)
