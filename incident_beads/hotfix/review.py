"""The expedited review: who may approve, what an approval records, the block a tag carries."""

from __future__ import annotations

from datetime import datetime

from incident_beads import signing
from incident_beads.errors import InvalidInput, Refused
from incident_beads.guard.review import APPROVED, ReviewBlock, payload
from incident_beads.hotfix import gates
from incident_beads.hotfix.bead import Hotfix
from incident_beads.hotfix.model import HotfixState, Review
from incident_beads.hotfix.step_context import HotfixContext
from incident_beads.lifecycle.when import as_utc, parse_moment
from incident_beads.people import require_person, who_may
from incident_beads.repo import Commit


def review(ctx: HotfixContext, hotfix_id: str, *, reviewer: str, approve: bool,
           fixes_issue: bool, adds_issues: bool, note: str = "", actor: str | None = None,
           signature: str = "", sign_key: str | None = None,
           at: datetime | str | None = None) -> Review:
    """Record the expedited review: does it fix the issue, does it add new issues."""
    hotfix = ctx.open(hotfix_id, "hotfix review")
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
    with ctx.repo() as git:
        head = git.rev_parse(f"refs/heads/{state.branch}")
        commits = git.commits(state.base_commit, head)
        report = ctx.report(git, state)
    if not commits:
        raise Refused(f"{state.branch} has no commit to review",
                      hint=f"commit the fix: incident hotfix commit {hotfix.id} -m ...")
    authors = {a.lower() for c in commits for a in (c.author_name, c.author_email) if a}
    if name.lower() in authors:
        raise Refused(f"{name} wrote this hotfix and cannot review it",
                      hint="ask someone else to review")
    if approve:
        check_approver(ctx, name, state, commits)
    now = ctx.now()
    if at is not None:
        now = parse_moment(at, now).replace(microsecond=0)
        if now > ctx.now():
            raise InvalidInput("a review is dated when it was given, not in the future")
    recorded = Review(at=now, reviewer=name, approved=approve, fixes_issue=fixes_issue,
                      adds_issues=adds_issues, note=note, head=head,
                      level=gates.rule(state.severity_level, gates.CODE_REVIEW).level,
                      flags_seen=[f._asdict() for f in report.flags])
    if approve:
        recorded.block_fields = review_fields(hotfix, name, head, now, fixes_issue=fixes_issue,
                                              adds_issues=adds_issues)
        if ctx.config.people.approvals == "signed":
            block = ReviewBlock(recorded.block_fields,
                                signing.sign(payload(recorded.block_fields), sign_key)
                                if sign_key else signature)
            ctx.require_signed(hotfix, block, at=now)
            recorded.signature = block.signature
    with ctx.editing(hotfix.id, actor) as (tx, issue, edited):
        edited.reviews.append(recorded)
        if approve:
            ctx.record_gate(tx, issue, edited, gates.CODE_REVIEW, done=True, by=name,
                            now=now, reason=note)
        else:
            edited.gates.pop(gates.CODE_REVIEW, None)
    verdict = "approved" if approve else "requested changes"
    ctx.event(state.incident_id,
              f"Hotfix review by {name}: {verdict} at {head[:12]} (fixes the issue: "
              f"{'yes' if fixes_issue else 'no'}; adds new issues: "
              f"{'yes' if adds_issues else 'no'}; flags: {len(report.flags)})"
              + (f"\n{note}" if note else ""), ctx.actor(actor),
              {"hotfix": hotfix.id, "approved": approve, "head": head})
    return recorded


def review_payload(ctx: HotfixContext, hotfix_id: str, *, reviewer: str,
                   at: datetime | str) -> str:
    """The text a reviewer signs to approve the hotfix's head (signed mode)."""
    hotfix = ctx.get(hotfix_id)
    with ctx.repo() as git:
        head = git.rev_parse(f"refs/heads/{hotfix.state.branch}")
    moment = parse_moment(at, ctx.now()).replace(microsecond=0)
    return payload(review_fields(hotfix, reviewer.strip(), head, moment,
                                 fixes_issue=True, adds_issues=False))


def check_approver(ctx: HotfixContext, name: str, state: HotfixState,
                   commits: list[Commit]) -> None:
    """A person who had no hand in the fix approves it: not who started or committed the
    hotfix through the tool, nor any author or committer of its commits."""
    people = ctx.config.people
    require_person(name, people, what="an approving review")
    hands = {state.started_by, *state.committed_by,
             *(x for c in commits for x in (c.author_name, c.author_email,
                                            c.committer_name, c.committer_email))}
    if name.lower() in {h.strip().lower() for h in hands if h}:
        raise Refused(f"{name} started, committed or authored this hotfix and cannot "
                      "approve it", hint=f"an approving review is given by {who_may(people)} "
                                         "who had no hand in the fix")


def review_block(hotfix: Hotfix, head: str) -> ReviewBlock:
    """The approving review of `head` as the block the push guard reads from the tag."""
    approval = hotfix.state.approving_review(head)
    if approval is None:
        raise Refused(f"{hotfix.state.branch} at {head[:12]} has no approving review",
                      hint=f"incident hotfix review {hotfix.id} --reviewer WHO --approve ...")
    fields = approval.block_fields or review_fields(
        hotfix, approval.reviewer, head, approval.at, fixes_issue=approval.fixes_issue,
        adds_issues=approval.adds_issues)
    return ReviewBlock(fields, approval.signature)


def review_fields(hotfix: Hotfix, reviewer: str, head: str, at: datetime, *, fixes_issue: bool,
                  adds_issues: bool) -> dict[str, str]:
    """The fields of an approving review's block, in the guard's format."""
    return {"incident": hotfix.state.incident_id, "hotfix": hotfix.id, "reviewer": reviewer,
            "commit": head, "verdict": APPROVED, "fixes-issue": "yes" if fixes_issue else "no",
            "adds-issues": "yes" if adds_issues else "no",
            "reviewed-at": as_utc(at).strftime("%Y-%m-%dT%H:%M:%SZ")}
