"""Where a hotfix stands, and the one command that moves it on."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NamedTuple

from incident_beads.hotfix import gates
from incident_beads.hotfix.bead import Hotfix
from incident_beads.lifecycle.when import format_moment


class HotfixStatus(NamedTuple):
    """A hotfix, the head of its branch, the gates still open and the next step."""

    hotfix: Hotfix
    head: str | None
    pending_gates: tuple[str, ...]
    next_step: str
    work_branch: str = ""  # the branch the work tree should hold for the next step
    current_branch: str | None = None  # the branch it holds now (None: detached HEAD)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {**self.hotfix.to_dict(), "head": self.head,
                "pending_gates": list(self.pending_gates), "next_step": self.next_step,
                "work_branch": self.work_branch, "current_branch": self.current_branch}

    @property
    def on_work_branch(self) -> bool:
        """True when the work tree already holds the branch the next step needs."""
        return not self.work_branch or self.current_branch == self.work_branch


def status_of(hotfix: Hotfix, head: str | None, now: datetime,
              current_branch: str | None = None) -> HotfixStatus:
    """Work out the next step of the seed's order: fix, review, gates, tag, deploy, verify."""
    state = hotfix.state
    hid = hotfix.id
    pending = tuple(g for g in gates.GATES if g not in state.gates)
    if hotfix.status == "closed":
        step = f"done ({hotfix.close_reason}); follow-ups: {', '.join(state.follow_ups.values())}"
    elif head is None or head == state.base_commit:
        step = f"commit the minimal fix: incident hotfix commit {hid} -m '...'"
    elif state.tagged is None and state.approving_review(head) is None:
        step = (f"get a review: incident hotfix review {hid} --reviewer WHO --approve "
                "--fixes-issue yes --adds-issues no")
    elif gates.STAGING in pending:
        step = f"test on staging: incident hotfix staging {hid}"
    elif [g for g in pending if g != gates.CODE_REVIEW]:
        names = ", ".join(g for g in pending if g != gates.CODE_REVIEW)
        step = f"record the gates ({names}): incident hotfix gate {hid} GATE --done"
    elif state.tagged is None:
        step = f"tag it: incident hotfix tag {hid}"
    elif state.last_good_deploy() is None:
        step = f"deploy it: incident hotfix deploy {hid}"
    elif state.verification is None:
        step = f"watch production: incident hotfix verify {hid} --start"
    else:
        ends = state.verification.started_at + timedelta(
            minutes=state.verification.window_minutes)
        when = "now" if now >= ends else f"after {format_moment(ends)}"
        step = f"confirm {when}: incident hotfix verify {hid} --evidence '...'"
    # The fix is made, reviewed, tested and tagged on its branch; deploy and verification run
    # from a work tree that holds the tag: the main branch once merged, else the branch.
    if hotfix.status == "closed" or (state.tagged is not None and state.merged is not None):
        work_branch = state.main_branch
    else:
        work_branch = state.branch
    return HotfixStatus(hotfix, head, pending, step, work_branch, current_branch)
