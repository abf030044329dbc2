"""The records of a hotfix, kept in its bead's metadata under `incident_beads` (kind "hotfix")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from incident_beads.typedrecord import TypedRecord, field

#: The value of `kind` that marks a hotfix bead's record.
KIND = "hotfix"


class Record(TypedRecord, extra="allow"):
    """Base of the stored records: unknown keys are kept, so newer writers lose nothing."""


class Review(Record):
    """The expedited review: the seed's two questions, answered by someone else than the author."""

    at: datetime
    reviewer: str
    approved: bool
    fixes_issue: bool
    adds_issues: bool
    note: str = ""
    level: str = ""  # quick or standard, from the gate table
    head: str  # the commit reviewed; a later commit needs a new review
    flags_seen: list[dict[str, Any]] = field(default_factory=list)
    #: Signed mode: the reviewer's `ssh-keygen -Y sign` signature of `block_fields`.
    signature: str = ""
    #: The review block's fields as signed (see `guard/review.py`), so it can be verified again.
    block_fields: dict[str, str] = field(default_factory=dict)


class GateRecord(Record):
    """One quality gate: done, or skipped with a reason (and then a follow-up bead)."""

    gate: str
    status: str  # "done" or "skipped"
    level: str
    at: datetime
    by: str
    reason: str = ""
    follow_up: str | None = None
    run: RunRecord | None = None  # the configured command that passed it
    declared: bool = False  # marked done by hand (no command is configured for it)

    def describe(self) -> str:
        """How the gate was passed, for `hotfix status` and the post-mortem."""
        if self.status != "done":
            return f"{self.status}" + (f" ({self.reason})" if self.reason else "")
        if self.run is not None:
            return (f"done: ran {' '.join(self.run.argv)} at {(self.run.commit or '')[:12]}, "
                    f"exit {self.run.exit_status}")
        if self.declared:
            return f"done, declared by {self.by}" + (f" ({self.reason})" if self.reason else "")
        return "done" + (f" ({self.reason})" if self.reason else "")


class RunRecord(Record):
    """One staging test or deploy: the command or a manual result, and how it ended."""

    at: datetime
    by: str
    manual: bool = False
    argv: list[str] = field(default_factory=list)
    exit_status: int | None = None
    timed_out: bool = False
    timeout_seconds: float | None = None
    seconds: float | None = None
    ok: bool
    output_tail: str = ""
    note: str = ""
    commit: str | None = None
    gate: str | None = None  # the quality gate this run was for (tests, security-scan)
    tag: str | None = None
    log: str | None = None  # the full output, under .git/incident-beads/logs/ (not shared)


class TagRecord(Record):
    """The annotated hotfix tag."""

    name: str
    commit: str
    at: datetime
    by: str


class MergeRecord(Record):
    """The `--no-ff` merges into the main branch (and develop, when configured)."""

    at: datetime
    by: str
    main_branch: str
    main_commit: str
    develop_branch: str | None = None
    develop_commit: str | None = None
    pushed: bool = False


class Verification(Record):
    """Production verification over the monitoring window, confirmed with evidence."""

    started_at: datetime
    started_by: str
    window_minutes: int
    confirmed_at: datetime | None = None
    confirmed_by: str | None = None
    evidence: str = ""


class HotfixState(Record):
    """Everything recorded about one hotfix (the bead's `metadata["incident_beads"]`)."""

    kind: str = KIND
    incident_id: str
    severity_level: int
    branch: str
    tag: str
    main_branch: str
    base_commit: str
    started_at: datetime
    started_by: str
    risk: str = "normal"
    override: str = ""  # why the hotfix started although rollback or the flag was possible
    scope: list[str] = field(default_factory=list)
    commits: list[str] = field(default_factory=list)
    #: Who committed through `incident hotfix commit` (they cannot approve it).
    committed_by: list[str] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    gates: dict[str, GateRecord] = field(default_factory=dict)
    staging: list[RunRecord] = field(default_factory=list)
    gate_runs: list[RunRecord] = field(default_factory=list)  # every gate command run
    tagged: TagRecord | None = None
    merged: MergeRecord | None = None
    deploys: list[RunRecord] = field(default_factory=list)
    verification: Verification | None = None
    follow_ups: dict[str, str] = field(default_factory=dict)

    def approving_review(self, head: str) -> Review | None:
        """The latest review, when it approves commit `head`."""
        if self.reviews and self.reviews[-1].approved and self.reviews[-1].head == head:
            return self.reviews[-1]
        return None

    def last_good_deploy(self) -> RunRecord | None:
        """The latest deploy, when it succeeded."""
        if self.deploys and self.deploys[-1].ok:
            return self.deploys[-1]
        return None

