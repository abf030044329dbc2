"""Read and write hotfix beads: their state, their follow-up tasks, finding one by incident."""

from __future__ import annotations

from typing import Any, NamedTuple

from incident_beads.beads.issue import Issue
from incident_beads.beads.transaction import Changes
from incident_beads.errors import NotFound
from incident_beads.hotfix import gates
from incident_beads.hotfix.model import KIND, HotfixState
from incident_beads.lifecycle.timeline import stored_record

METADATA_KEY = "incident_beads"
LABEL = "hotfix"
FOLLOW_UP_LABEL = "hotfix-follow-up"
FOLLOW_UP_PRIORITY = 2

# The seed's follow-up tasks (step 7), in its order. A skipped documentation gate is the
# documentation task; other skipped gates get a task of their own (`gate:<name>`).
STANDARD_FOLLOW_UPS: dict[str, str] = {
    "tests": "Add proper tests for the hotfix",
    "cleanup": "Clean up the hotfix code",
    "docs": "Document the hotfix",
    "merge": "Merge the hotfix into the main branch",
}


class Hotfix(NamedTuple):
    """A hotfix as the API returns it: the bead's headline fields and its recorded state."""

    id: str
    title: str
    status: str
    close_reason: str
    state: HotfixState

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {"id": self.id, "title": self.title, "status": self.status,
                "close_reason": self.close_reason,
                "state": self.state.model_dump(mode="json", exclude_none=True)}


def is_hotfix(issue: Issue) -> bool:
    """True for a bead that carries a hotfix record."""
    value = issue.metadata.get(METADATA_KEY)
    return isinstance(value, dict) and value.get("kind") == KIND


def hotfix_state(issue: Issue) -> HotfixState:
    """The recorded state of a hotfix bead."""
    if not is_hotfix(issue):
        raise NotFound(f"{issue.id} is not a hotfix",
                       hint="hotfixes carry the `hotfix` label: incident list --label hotfix")
    return stored_record(issue, HotfixState)


def hotfix_from(issue: Issue) -> Hotfix:
    """The API's view of a hotfix bead."""
    return Hotfix(issue.id, issue.title, issue.status, issue.close_reason, hotfix_state(issue))


def save(tx: Changes, hotfix_id: str, state: HotfixState) -> Issue:
    """Write the state back under the one metadata key, leaving other keys alone."""
    return tx.set_metadata(hotfix_id, METADATA_KEY, state.model_dump(mode="json",
                                                                     exclude_none=True))


def hotfixes_of(issues: list[Issue], incident_id: str) -> list[Issue]:
    """The hotfix beads of one incident, in file order."""
    return [issue for issue in issues if is_hotfix(issue)
            and incident_id in issue.depends_on("parent-child")]


def follow_up(tx: Changes, hotfix: Issue, state: HotfixState, key: str, *, created_by: str,
              detail: str = "") -> str:
    """The follow-up task `key` of the hotfix, created (discovered-from the hotfix) if missing."""
    existing = state.follow_ups.get(key)
    if existing:
        return existing
    if key.startswith("gate:"):
        gate = key.removeprefix("gate:")
        title = f"Complete the skipped {gate} gate of the hotfix"
    else:
        title = STANDARD_FOLLOW_UPS[key]
    title = f"{title} for incident {state.incident_id}"
    description = (f"Follow-up of hotfix {hotfix.id} ({state.branch}, tag {state.tag}) "
                   f"for incident {state.incident_id}." + (f"\n\n{detail}" if detail else ""))
    issue = tx.create(title, issue_type="task", priority=FOLLOW_UP_PRIORITY,
                      description=description, labels=[FOLLOW_UP_LABEL],
                      dependencies=[("discovered-from", hotfix.id)], created_by=created_by)
    state.follow_ups[key] = issue.id
    return issue.id


def gate_follow_up_key(gate: str) -> str:
    """The follow-up a skipped gate becomes (documentation is the seed's own docs task)."""
    return "docs" if gate == gates.DOCUMENTATION else f"gate:{gate}"
