"""Whether a hotfix tag's review approves the fix it points at: the block's incident and
commit, and in signed mode the signature, checked against the protected branch as it was."""

from __future__ import annotations

from incident_beads.guard import review
from incident_beads.guard.findings import BAD_REVIEW, BAD_SIGNATURE, NO_REVIEW
from incident_beads.guard.settings import CONFIG_FILE, people_on_branch

TYPE_CHECKING = False
if TYPE_CHECKING:
    from incident_beads.guard.commits import HotfixCommit
    from incident_beads.guard.refs import RefUpdate
    from incident_beads.guard.settings import GuardSettings
    from incident_beads.guard.tags import TagInfo
    from incident_beads.process.git import Git


def review_problem(git: Git, settings: GuardSettings, update: RefUpdate, hotfix: HotfixCommit,
                   tag: TagInfo) -> tuple[str, str] | None:
    """(finding kind, what is wrong) when `tag` does not carry the approving review of the fix
    it points at; None when it does."""
    block = review.parse(review.tag_message_body(git.output("cat-file", "tag", tag.oid)))
    kind = BAD_REVIEW
    if block is None:
        kind, detail = NO_REVIEW, "carries no review block (a tag made by hand)"
    elif block.get("incident") != hotfix.incident_id:
        detail = f"carries the review of incident {block.get('incident')}"
    elif not block.approves:
        detail = "carries a review that does not approve the fix"
    elif block.get("commit") not in _fix_commits(hotfix, tag):
        detail = (f"carries the approval of {block.get('commit')[:12]}, not of the fix it "
                  f"points at")
    else:
        kind, detail = BAD_SIGNATURE, _signature_problem(git, settings, update, block)
        if not detail:
            return None
    return kind, detail


def _signature_problem(git: Git, settings: GuardSettings, update: RefUpdate,
                       block: review.ReviewBlock) -> str:
    """Signed mode: what is wrong with the review's signature ('' when it holds).

    The mode and the allowed signers come from the protected branch as it was before the
    push (a push cannot bring its own signer); the working folder's file may only add the
    requirement.
    """
    approvals, path = settings.approvals, settings.allowed_signers
    before = "" if update.is_creation else update.old_oid
    if before:
        code, text = git.run("show", f"{before}:{CONFIG_FILE}", ok_codes=(0, 128))
        if code == 0:
            branch_mode, branch_path = people_on_branch(text)
            if branch_mode == "signed":
                approvals, path = branch_mode, branch_path or path
    if approvals != "signed":
        return ""
    from incident_beads.signing import verify

    signers = ""
    if before and path:
        code, signers = git.run("show", f"{before}:{path}", ok_codes=(0, 128))
        signers = signers if code == 0 else ""
    reviewer = block.get("reviewer")
    problem = verify(block.payload(), block.signature, reviewer, signers)
    if problem:
        return (f"carries a review whose signature does not hold: {problem} (signers: "
                f"{path or 'not configured'} on {update.branch} before this push)")
    fix = block.get("commit")
    hands = git.output("log", "--format=%an%n%ae%n%cn%n%ce", fix,
                       *(["--not", before] if before else ["-1"]))
    if reviewer.strip().lower() in {h.strip().lower() for h in hands.splitlines()}:
        return f"carries a review signed by {reviewer}, who authored or committed the fix"
    return ""


def _fix_commits(hotfix: HotfixCommit, tag: TagInfo) -> set[str]:
    """The commit a review must approve: the one tagged, or the hotfix side of a tagged merge."""
    if tag.target == hotfix.commit.oid and hotfix.commit.is_merge:
        return set(hotfix.commit.parents[1:])
    return {tag.target}
