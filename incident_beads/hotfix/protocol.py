"""`HotfixProtocol`: phase 4 of the seed, from the hotfix branch to production verification."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from incident_beads import defaults, signing
from incident_beads.beads.import_rules import MAX_TITLE
from incident_beads.beads.issue import Issue
from incident_beads.beads.store import Changes
from incident_beads.errors import Escalation, InvalidInput, NotFound, Refused
from incident_beads.guard.commits import TRAILER
from incident_beads.guard.review import ReviewBlock, payload
from incident_beads.guard.tags import hotfix_tag_name
from incident_beads.hotfix import bead, gate_runs, gates, release
from incident_beads.hotfix.bead import Hotfix, hotfix_from, hotfix_state
from incident_beads.hotfix.gitrepo import Commit, GitRepo, require_clean, require_up_to_date
from incident_beads.hotfix.model import (
    GateRecord,
    HotfixState,
    MergeRecord,
    Review,
    RunRecord,
    TagRecord,
    Verification,
)
from incident_beads.hotfix.progress import HotfixStatus, status_of
from incident_beads.hotfix.runner import Progress
from incident_beads.hotfix.scope import ScopeReport, analyse, is_store_path
from incident_beads.lifecycle import hold
from incident_beads.lifecycle.hold import committed_signers_of
from incident_beads.lifecycle.model import MitigationOption, Phase
from incident_beads.lifecycle.risk import KnownRisk
from incident_beads.lifecycle.severity import Severity
from incident_beads.lifecycle.timeline import incident_state
from incident_beads.lifecycle.when import parse_moment
from incident_beads.people import require_person, who_may

if TYPE_CHECKING:
    from incident_beads.response import IncidentResponse

#: Declared risk levels; "high" is significant risk by itself (see docs/hotfix.md).
RISK_LEVELS = ("low", "normal", "high")


def branch_name(incident_id: str) -> str:
    """`hotfix/incident-<id>`, the contract's branch name."""
    return f"hotfix/incident-{incident_id}"


def _bead_title(incident_title: str) -> str:
    title = f"Hotfix: {incident_title}"
    # The incident title may use the whole limit; the hotfix must still start.
    return title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1] + "\u2026"


def tag_name(incident_id: str, templates: Iterable[str] = defaults.TAG_NAMES) -> str:
    """The annotated tag: the first of `[git] tag_names`, by default `hotfix-<id>`."""
    return hotfix_tag_name(incident_id, templates)


class HotfixProtocol:
    """Run an incident's hotfix in its git repository: branch, fix, review, gates, tag, deploy.

    Reached as `IncidentResponse(...).hotfixes`. Every rule that says no raises `Refused` (or
    `InvalidInput`) before anything is written; a risky hotfix without a rollback path is
    recorded on the incident and raised as `Escalation` unless a person acknowledged the risk.
    """

    def __init__(self, incidents: IncidentResponse) -> None:
        self.incidents = incidents
        self.root = incidents.root
        self.config = incidents.config
        self.store = incidents.store
        #: Told each output line of a staging or deploy command as it runs (see `runner`).
        self.progress: Progress | None = None

    # reading -----------------------------------------------------------------------------
    def get(self, hotfix_id: str) -> Hotfix:
        """A hotfix by its id, or the latest hotfix of an incident given by the incident's id."""
        issue = self.store.get(hotfix_id)
        if bead.is_hotfix(issue):
            return hotfix_from(issue)
        found = bead.hotfixes_of(list(self.store.issues()), hotfix_id)
        if not found:
            raise NotFound(f"{hotfix_id} is neither a hotfix nor an incident with one",
                           hint=f"start one: incident hotfix start {hotfix_id}")
        open_ones = [i for i in found if not i.is_closed]
        return hotfix_from((open_ones or found)[-1])

    def status(self, hotfix_id: str) -> HotfixStatus:
        """The hotfix with its branch head, the gates still open and the next step."""
        hotfix = self.get(hotfix_id)
        with GitRepo(self.root, self.config.git) as git:
            branch = hotfix.state.branch
            head = git.rev_parse(f"refs/heads/{branch}") if git.branch_exists(branch) else None
            current = git.current_branch()
        return status_of(hotfix, head, self.incidents.now(), current)

    def scope(self, hotfix_id: str, *, declare: Sequence[str] | None = None,
              actor: str | None = None) -> ScopeReport:
        """The diff from the base with its "while we're here" flags; `declare` sets the scope."""
        hotfix = self.get(hotfix_id)
        if declare is not None:
            paths = [p.strip().removeprefix("./") for p in declare]
            if not all(paths):
                raise InvalidInput("a declared scope entry is empty",
                                   hint="give each one as --declare PATH (a file, folder or glob)")
            self._held(hotfix.state.incident_id, "hotfix scope change")
            with self._editing(hotfix.id, actor) as (_tx, _issue, state):
                state.scope = paths
            self._event(hotfix.state.incident_id, f"Hotfix scope declared: {', '.join(paths)}",
                        actor, {"hotfix": hotfix.id, "scope": paths})
            hotfix = self.get(hotfix.id)
        with GitRepo(self.root, self.config.git) as git:
            return self._report(git, hotfix.state)

    # start -------------------------------------------------------------------------------
    def start(self, incident_id: str, *, scope: Sequence[str] = (), risk: str = "normal",
              actor: str | None = None) -> Hotfix:
        """Create `hotfix/incident-<id>` from the main branch and the hotfix bead.

        Only for SEV-1/2 with rollback and feature flag ruled out, unless a person acknowledged
        the risk; refused, like git-flow, on a dirty tree or an existing branch or tag.
        """
        who = actor or self.incidents.actor
        if risk not in RISK_LEVELS:
            raise InvalidInput(f"unknown risk level {risk!r}", hint="use low, normal or high")
        incident = self.incidents.get(incident_id)
        hold.refuse_if_held(incident_id, incident.state, "hotfix", self.incidents.decision_trust)
        if not incident.is_open:
            raise Refused(f"{incident_id} is closed; a hotfix needs an open incident")
        self.incidents.check_clock(incident_id)
        if any(not i.is_closed for i in bead.hotfixes_of(list(self.store.issues()),
                                                            incident_id)):
            raise Refused(f"{incident_id} already has an open hotfix",
                          hint=f"continue it: incident hotfix scope {incident_id}")
        override = self._check_protocol(incident_id, incident.severity.level)
        if risk == "high":
            self._check_risk(incident_id, ["the declared risk level is high"], who)
        branch, tag = branch_name(incident_id), tag_name(incident_id, self.config.git.tag_names)
        with GitRepo(self.root, self.config.git) as git:
            git.check_branch_name(branch)
            main = git.main_branch()
            if git.branch_exists(branch):
                raise Refused(f"branch {branch} already exists",
                              hint=f"finish or delete it first: git branch -D {branch}")
            if git.tag_exists(tag):
                raise Refused(f"tag {tag} already exists",
                              hint=f"a hotfix for {incident_id} was tagged before; check "
                                   f"`git show {tag}`")
            require_clean(git, "start a hotfix")
            require_up_to_date(git, main)
            base = git.rev_parse(f"refs/heads/{main}")
            back = git.current_branch() or git.rev_parse("HEAD")
            git.create_branch(branch, base)
            try:
                hotfix_id = self._create_bead(incident_id, incident.title, incident.severity,
                                              main, base, who, risk, override, scope)
            except BaseException:
                # Nothing half-made: without its bead, the branch goes too.
                git.drop_branch(branch, back)
                raise
        self.incidents.record_event(
            incident_id, f"Hotfix {hotfix_id} started: branch {branch} from {main} "
                         f"({base[:12]})" + (f"; override: {override}" if override else ""),
            kind="hotfix-started", actor=who, phase=Phase.HOTFIX,
            data={"hotfix": hotfix_id, "branch": branch, "base": base})
        return self.get(hotfix_id)

    def _create_bead(self, incident_id: str, title: str, severity: Severity, main: str,
                     base: str, who: str, risk: str, override: str, scope: Sequence[str]) -> str:
        branch, tag = branch_name(incident_id), tag_name(incident_id, self.config.git.tag_names)
        level = severity.level
        now = self.incidents.now()
        state = HotfixState(incident_id=incident_id, severity_level=level, branch=branch, tag=tag,
                            main_branch=main, base_commit=base, started_at=now, started_by=who,
                            risk=risk, override=override, scope=list(scope))
        with self.store.transaction() as tx:
            issue = tx.create(_bead_title(title), issue_type="task",
                              priority=severity.priority, labels=[bead.LABEL],
                              parent=incident_id, created_by=who,
                              description=f"Hotfix for incident {incident_id} on branch {branch} "
                                          f"from {main} at {base[:12]}.",
                              metadata={bead.METADATA_KEY: {"kind": "hotfix"}})
            for gate in gates.GATES:
                cell = gates.rule(level, gate)
                if cell.skipped_by_table:
                    self._record_gate(tx, issue, state, gate, done=False, by=who, now=now,
                                      reason=f"the quality-gate table says {cell.level!r} "
                                             f"for SEV-{level}")
            bead.save(tx, issue.id, state)
        return issue.id

    def _check_protocol(self, incident_id: str, level: int) -> str:
        ruled_out = set(self.incidents.ruled_out(incident_id))
        reasons: list[tuple[str, str]] = []
        if level > 2:
            reasons.append((KnownRisk.HOTFIX_MINOR_SEVERITY,
                            f"the incident is SEV-{level} (hotfixes are for SEV-1/2)"))
        for rung in (MitigationOption.ROLLBACK, MitigationOption.FEATURE_FLAG):
            if rung not in ruled_out:
                reasons.append((KnownRisk.HOTFIX_WITHOUT_ROLLBACK,
                                f"{rung.value} is not recorded as failed or unavailable"))
        missing = [(risk, why) for risk, why in reasons
                   if not self.incidents.has_risk_ack(incident_id, risk)]
        if missing:
            risks = sorted({risk for risk, _ in missing})
            raise Refused("a hotfix is only for SEV-1/2 once rollback and the feature flag are "
                          "ruled out: " + "; ".join(why for _, why in missing),
                          hint=f"record them (incident mitigate {incident_id} --option rollback "
                               f"--result unavailable ...) or have a person accept the risk: "
                               + " and ".join(f"incident risk ack {incident_id} --risk {r} "
                                              "--by WHO" for r in risks))
        return "; ".join(f"{why} (accepted: {risk})" for risk, why in reasons)

    def _check_risk(self, incident_id: str, why: list[str], actor: str | None) -> None:
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

    # the minimal fix ---------------------------------------------------------------------
    def commit(self, hotfix_id: str, message: str, *, actor: str | None = None) -> str:
        """Commit what is staged on the hotfix branch with the `Incident: <id>` trailer."""
        hotfix = self._open(hotfix_id, "hotfix commit")
        if not message.strip():
            raise InvalidInput("a commit needs a message")
        state = hotfix.state
        with GitRepo(self.root, self.config.git) as git:
            current = git.current_branch()
            if current != state.branch:
                where = f"on {current}" if current else "detached"
                raise Refused(f"HEAD is {where}, not on {state.branch}",
                              hint=f"git checkout {state.branch}")
            # The store records the incident; it never travels in the fix itself.
            staged = git.staged_paths()
            store = [p for p in staged if is_store_path(p)]
            if len(store) == len(staged):
                raise Refused("nothing is staged" + (" but the beads store, which a hotfix "
                                                     "commit leaves out" if store else ""),
                              hint="git add the files of the fix first")
            if store:
                git.unstage_store()
            sha = git.commit_staged(message, [(TRAILER, state.incident_id)])
        who = actor or self.incidents.actor
        with self._editing(hotfix.id, actor) as (_tx, _issue, edited):
            edited.commits.append(sha)
            if who not in edited.committed_by:
                edited.committed_by.append(who)
            # The review, the staging test and any gate command ran on the previous head.
            for gate in (gates.CODE_REVIEW, gates.STAGING):
                edited.gates.pop(gate, None)
            for gate, record in list(edited.gates.items()):
                if record.run is not None:
                    edited.gates.pop(gate)
        self._event(state.incident_id, f"Hotfix commit {sha[:12]}: {message.splitlines()[0]}",
                    actor, {"hotfix": hotfix.id, "commit": sha})
        return sha

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
        hotfix = self._open(hotfix_id, "hotfix review")
        state = hotfix.state
        name = reviewer.strip()
        if not name:
            raise InvalidInput("a review needs the reviewer's name", hint="--reviewer WHO")
        if approve and (not fixes_issue or adds_issues):
            raise Refused("an approval must say the change fixes the issue and adds no new "
                          "issue", hint="request changes instead (--request-changes --note ...)")
        if not approve and not note.strip():
            raise InvalidInput("a request for changes needs a note saying what to change",
                               hint="--note 'what to change'")
        with GitRepo(self.root, self.config.git) as git:
            head = git.rev_parse(f"refs/heads/{state.branch}")
            commits = git.commits(state.base_commit, head)
            report = self._report(git, state)
        if not commits:
            raise Refused(f"{state.branch} has no commit to review",
                          hint=f"commit the fix: incident hotfix commit {hotfix.id} -m ...")
        authors = {a.lower() for c in commits for a in (c.author_name, c.author_email) if a}
        if name.lower() in authors:
            raise Refused(f"{name} wrote this hotfix and cannot review it",
                          hint="ask someone else to review")
        if approve:
            self._check_approver(name, state, commits)
        now = self.incidents.now()
        if at is not None:
            now = parse_moment(at, now).replace(microsecond=0)
            if now > self.incidents.now():
                raise InvalidInput("a review is dated when it was given, not in the future")
        review = Review(at=now, reviewer=name, approved=approve, fixes_issue=fixes_issue,
                        adds_issues=adds_issues, note=note, head=head,
                        level=gates.rule(state.severity_level, gates.CODE_REVIEW).level,
                        flags_seen=[f._asdict() for f in report.flags])
        if approve:
            review.block_fields = release.review_fields(
                hotfix, name, head, now, fixes_issue=fixes_issue, adds_issues=adds_issues)
            if self.config.people.approvals == "signed":
                block = ReviewBlock(review.block_fields,
                                    signing.sign(payload(review.block_fields), sign_key)
                                    if sign_key else signature)
                self.require_signed(hotfix, block, at=now)
                review.signature = block.signature
        with self._editing(hotfix.id, actor) as (tx, issue, edited):
            edited.reviews.append(review)
            if approve:
                self._record_gate(tx, issue, edited, gates.CODE_REVIEW, done=True, by=name,
                                  now=now, reason=note)
            else:
                edited.gates.pop(gates.CODE_REVIEW, None)
        verdict = "approved" if approve else "requested changes"
        self._event(state.incident_id,
                    f"Hotfix review by {name}: {verdict} at {head[:12]} (fixes the issue: "
                    f"{'yes' if fixes_issue else 'no'}; adds new issues: "
                    f"{'yes' if adds_issues else 'no'}; flags: {len(report.flags)})"
                    + (f"\n{note}" if note else ""), actor or self.incidents.actor,
                    {"hotfix": hotfix.id, "approved": approve, "head": head})
        return review

    def review_payload(self, hotfix_id: str, *, reviewer: str, at: datetime | str) -> str:
        """The text a reviewer signs to approve the hotfix's head (signed mode)."""
        hotfix = self.get(hotfix_id)
        with GitRepo(self.root, self.config.git) as git:
            head = git.rev_parse(f"refs/heads/{hotfix.state.branch}")
        moment = parse_moment(at, self.incidents.now()).replace(microsecond=0)
        return payload(release.review_fields(hotfix, reviewer.strip(), head, moment,
                                             fixes_issue=True, adds_issues=False))

    def require_signed(self, hotfix: Hotfix, block: ReviewBlock,
                       at: datetime | None = None) -> None:
        """Signed mode: refuse an approval whose signature does not verify (checked whenever
        the approval is relied on: recording, tagging, deploying)."""
        if self.config.people.approvals != "signed":
            return
        reviewer = block.get("reviewer")
        if not block.signature.strip():
            moment = (at or self.incidents.now()).strftime("%Y-%m-%dT%H:%M:%SZ")
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

    def _check_approver(self, name: str, state: HotfixState, commits: list[Commit]) -> None:
        """A person who had no hand in the fix approves it: not who started or committed the
        hotfix through the tool, nor any author or committer of its commits."""
        people = self.config.people
        require_person(name, people, what="an approving review")
        hands = {state.started_by, *state.committed_by,
                 *(x for c in commits for x in (c.author_name, c.author_email,
                                                c.committer_name, c.committer_email))}
        if name.lower() in {h.strip().lower() for h in hands if h}:
            raise Refused(f"{name} started, committed or authored this hotfix and cannot "
                          "approve it", hint=f"an approving review is given by {who_may(people)} "
                                             "who had no hand in the fix")

    def gate(self, hotfix_id: str, gate: str, *, done: bool, reason: str = "",
             actor: str | None = None) -> GateRecord:
        """Record a quality gate as done, or skipped with a reason where the table allows it."""
        hotfix = self._open(hotfix_id, "hotfix gate")
        name = gates.parse_gate(gate)
        level = hotfix.state.severity_level
        if done:
            gates.check_manual_done(name, self.gate_command(name))
        else:
            gates.check_skip(level, name, reason)
        who = actor or self.incidents.actor
        with self._editing(hotfix.id, who) as (tx, issue, state):
            record = self._record_gate(tx, issue, state, name, done=done, by=who,
                                       now=self.incidents.now(), reason=reason)
            # Marked done by hand: the record says who declared it, as nothing ran.
            record.declared = done
        self._event(hotfix.state.incident_id,
                    f"Hotfix gate {name}: {record.status}" + (f" ({reason})" if reason else ""),
                    who, {"hotfix": hotfix.id, "gate": name, "status": record.status})
        return record

    def gate_command(self, gate: str) -> tuple[str, ...]:
        """The command configured to run `gate` (`[hotfix] test_command`...), or ()."""
        key = gates.COMMAND_KEYS.get(gates.parse_gate(gate))
        return tuple(getattr(self.config.hotfix, key)) if key else ()

    def run_gate(self, hotfix_id: str, gate: str, *, actor: str | None = None) -> GateRecord:
        """Run the gate's configured command on the hotfix head; record the result and the
        output's tail. A failure is recorded, then raised as `CommandFailed`."""
        return gate_runs.run_gate(self, hotfix_id, gate, actor=actor)

    def pending_gates(self, hotfix_id: str) -> list[str]:
        """The gates recorded neither as done nor as skipped."""
        state = self.get(hotfix_id).state
        return [g for g in gates.GATES if g not in state.gates]

    # release -----------------------------------------------------------------------------
    def staging(self, hotfix_id: str, *, passed: bool | None = None, note: str = "",
                actor: str | None = None) -> RunRecord:
        """Run the staging command time-boxed (15 min for SEV-1), or record a manual result."""
        return release.staging(self, hotfix_id, passed=passed, note=note, actor=actor)

    def tag(self, hotfix_id: str, *, actor: str | None = None) -> TagRecord:
        """Create the annotated `hotfix-<id>` tag with the approving review written into its
        message (the block the push guard checks); refused without an approving review."""
        return release.tag(self, hotfix_id, actor=actor)

    def tag_message(self, hotfix_id: str) -> str:
        """The message `tag` would write, for tools that make the tag themselves
        (`git flow hotfix finish -f FILE`); refused without an approving review."""
        hotfix = self._open(hotfix_id, "hotfix tag")
        with GitRepo(self.root, self.config.git) as git:
            head = git.rev_parse(f"refs/heads/{hotfix.state.branch}")
        title = self.incidents.get(hotfix.state.incident_id).title
        return release.tag_message(hotfix, title, head)

    def merge(self, hotfix_id: str, *, push: bool = False,
              actor: str | None = None) -> MergeRecord:
        """Merge `--no-ff` into the main branch (and develop), optionally pushing with the tag."""
        return release.merge(self, hotfix_id, push=push, actor=actor)

    def deploy(self, hotfix_id: str, *, actor: str | None = None) -> RunRecord:
        """Run the deploy command; refused without review, tag and recorded gates."""
        return release.deploy(self, hotfix_id, actor=actor)

    def verify_start(self, hotfix_id: str, *, minutes: int | None = None,
                     actor: str | None = None) -> Verification:
        """Start the production monitoring window (15 to 30 minutes)."""
        return release.verify_start(self, hotfix_id, minutes=minutes, actor=actor)

    def verify_confirm(self, hotfix_id: str, *, evidence: str,
                       actor: str | None = None) -> Hotfix:
        """Confirm with evidence after the window: closes the hotfix, creates its follow-ups."""
        return release.verify_confirm(self, hotfix_id, evidence=evidence, actor=actor)

    # internals ---------------------------------------------------------------------------
    def _record_gate(self, tx: Changes, issue: Issue, state: HotfixState, gate: str, *,
                     done: bool, by: str, now: datetime, reason: str) -> GateRecord:
        cell = gates.rule(state.severity_level, gate)
        record = GateRecord(gate=gate, status="done" if done else "skipped", level=cell.level,
                            at=now, by=by, reason=reason)
        if not done:
            record.follow_up = bead.follow_up(
                tx, issue, state, bead.gate_follow_up_key(gate), created_by=by,
                detail=f"The {gate} gate was skipped: {reason}")
        state.gates[gate] = record
        return record

    def _open(self, hotfix_id: str, action: str = "hotfix step") -> Hotfix:
        hotfix = self.get(hotfix_id)
        self._held(hotfix.state.incident_id, action)
        if hotfix.status == "closed":
            raise Refused(f"hotfix {hotfix.id} is closed ({hotfix.close_reason})")
        # Every step ends on the incident's timeline: a clock set back is refused up front.
        self.incidents.check_clock(hotfix.state.incident_id)
        return hotfix

    def _held(self, incident_id: str, action: str) -> None:
        """Refuse before any git work while the incident is held by an escalation."""
        hold.refuse_if_held(incident_id, self.incidents.get(incident_id).state, action,
                            self.incidents.decision_trust)

    def _report(self, git: GitRepo, state: HotfixState) -> ScopeReport:
        head = (git.rev_parse(f"refs/heads/{state.branch}") if git.branch_exists(state.branch)
                else state.tagged.commit if state.tagged else state.base_commit)
        return analyse(git, state.base_commit, head, state.scope,
                       self.config.hotfix.max_changed_lines)

    @contextlib.contextmanager
    def _editing(self, hotfix_id: str,
                 actor: str | None) -> Iterator[tuple[Changes, Issue, HotfixState]]:
        with self.store.transaction() as tx:
            issue = tx.get(hotfix_id)
            state = hotfix_state(issue)
            # Checked again under the lock: an escalation may have come in since `_open`.
            hold.refuse_if_held(state.incident_id, incident_state(tx.get(state.incident_id)),
                                "hotfix step", self.incidents.decision_trust)
            yield tx, issue, state
            bead.save(tx, hotfix_id, state)

    def _event(self, incident_id: str, text: str, actor: str | None,
               data: dict[str, Any] | None = None) -> None:
        self.incidents.record_event(incident_id, text, kind="hotfix", actor=actor, data=data)

