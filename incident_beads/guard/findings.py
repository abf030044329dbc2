"""What the guard refuses, said so that a person can fix it with one command."""

from __future__ import annotations

from incident_beads.errors import Refused
from incident_beads.guard.tuples import NamedTuple
from incident_beads.process.shell import shell_quote

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

MISSING = "missing"  # no accepted tag at all
LIGHTWEIGHT = "lightweight"  # the tag exists but is not annotated
ELSEWHERE = "elsewhere"  # the annotated tag points at another commit
NO_REVIEW = "no-review"  # the annotated tag carries no review block (made by hand)
BAD_REVIEW = "bad-review"  # the block does not approve the fix the tag points at
BAD_SIGNATURE = "bad-signature"  # signed mode: the review's signature does not hold



class Finding(NamedTuple):
    """One hotfix that reaches a protected branch without its annotated tag."""

    branch: str  # the protected branch on the receiving side
    commit: str  # the merge (or trailer commit) that brings the hotfix
    subject: str
    incident_id: str
    via_merge: bool  # False: a fast-forwarded, rebased or squashed commit with a trailer
    kind: str  # MISSING, LIGHTWEIGHT or ELSEWHERE
    tag: str  # the tag the fix creates (the offending one for LIGHTWEIGHT / ELSEWHERE)
    accepted: tuple[str, ...]  # every tag name that would do
    found_target: str  # where the offending tag points (ELSEWHERE)
    remote: str  # where the fix pushes
    branch_spec: str  # how the fix names the branch to push
    detail: str = ""  # what is wrong with the review (NO_REVIEW, BAD_REVIEW, BAD_SIGNATURE)

    def problem(self) -> str:
        """Name the commit, the incident and what is missing, in one line."""
        short = self.commit[:12]
        if self.via_merge:
            what = (f'merge {short} ("{self.subject}") brings incident {self.incident_id} '
                    f"to {self.branch}")
            where = "the merge or its hotfix side"
        else:
            what = (f'commit {short} ("{self.subject}") brings incident {self.incident_id} to '
                    f"{self.branch} without a merge (Incident: trailer)")
            where = "it"
        if self.kind in (NO_REVIEW, BAD_REVIEW, BAD_SIGNATURE):
            missing = f"tag {self.tag} {self.detail}"
        elif self.kind == LIGHTWEIGHT:
            missing = f"tag {self.tag} is lightweight; an annotated tag must point at {where}"
        elif self.kind == ELSEWHERE:
            missing = f"tag {self.tag} points at {self.found_target[:12]}, not at {where}"
        else:
            missing = f"no annotated tag {' or '.join(self.accepted)} points at {where}"
        return f"{what}, but {missing}"

    def tag_command(self) -> str:
        """The commands that make the tag with its review: a person reviews, the tool tags.

        Never a bare `git tag -a`: a tag made by hand carries no review and is refused.
        """
        incident = shell_quote(self.incident_id)
        drop = f"git tag -d {shell_quote(self.tag)} && " if self.kind != MISSING else ""
        return (f"{drop}incident hotfix review {incident} --reviewer PERSON --approve "
                f"--fixes-issue yes --adds-issues no && incident hotfix tag {incident}")

    def push_spec(self) -> str:
        """The tag's refspec for the push that follows (forced when it replaces a tag)."""
        return ("+" if self.kind != MISSING else "") + f"refs/tags/{self.tag}"

    def fix(self) -> str:
        """The exact command that fixes this finding."""
        return (f"{self.tag_command()} && git push {shell_quote(self.remote)} "
                f"{shell_quote(self.push_spec())} {shell_quote(self.branch_spec)}")

    def line(self) -> str:
        """The finding and its fix, in one line."""
        return f"{self.problem()}; fix: {self.fix()}"

    def to_json(self) -> dict[str, Any]:
        """Describe the finding for `--json` output."""
        data = self._asdict()
        data["problem"] = self.problem()
        data["fix"] = self.fix()
        data["accepted"] = list(self.accepted)
        return data


class PushRefused(Refused):
    """The push brings hotfixes to a protected branch without their annotated tags."""

    def __init__(self, findings: list[Finding]) -> None:
        problems = "; ".join(f.problem() for f in findings)
        super().__init__(f"push refused: {problems}", hint=combined_fix(findings))
        self.findings = findings

    def to_json(self) -> dict[str, Any]:
        """Describe the refusal, one object per finding."""
        data = super().to_json()
        data["findings"] = [f.to_json() for f in self.findings]
        return data


def combined_fix(findings: list[Finding]) -> str:
    """One command that fixes every finding: the tags, then one push with tags and branches."""
    if len(findings) == 1:
        return findings[0].fix()
    tags = list(dict.fromkeys(f.tag_command() for f in findings))
    by_remote: dict[str, list[str]] = {}
    for f in findings:
        specs = by_remote.setdefault(f.remote, [])
        for spec in (f.push_spec(), f.branch_spec):
            if spec not in specs:
                specs.append(spec)
    pushes = [f"git push {shell_quote(remote)} {' '.join(shell_quote(s) for s in specs)}"
              for remote, specs in by_remote.items()]
    return " && ".join(tags + pushes)
