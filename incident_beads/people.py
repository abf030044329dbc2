"""Who acts, and who is a person: the actor of every write, and who may decide or review.

Standard library only: the push guard asks the same questions of a tag's review block.
"""

from __future__ import annotations

import os

from incident_beads.errors import Refused

TYPE_CHECKING = False
if TYPE_CHECKING:
    from incident_beads.config import PeopleConfig

#: Environment variables naming the actor, in the order they are asked (bd's is second).
ACTOR_VARIABLES = ("INCIDENT_ACTOR", "BD_ACTOR")
AGENT_PREFIX = "agent:"
BOT_SUFFIX = "[bot]"


def resolve_actor(root: str, explicit: str | None = None) -> str:
    """Who acts: `explicit` (`--actor`), else `$INCIDENT_ACTOR`, `$BD_ACTOR`, the git user
    (`user.name`), `$USER`, and finally `incident_beads`."""
    for candidate in (explicit, *(os.environ.get(v) for v in ACTOR_VARIABLES)):
        if candidate and candidate.strip():
            return candidate.strip()
    name = _git_user(root)
    return name or os.environ.get("USER") or "incident_beads"


def _git_user(root: str) -> str:
    from incident_beads.errors import GitError
    from incident_beads.process.git import Git

    try:
        code, out = Git(root).run("config", "--get", "user.name", ok_codes=(0, 1, 128))
    except GitError:
        return ""
    return out.strip() if code == 0 else ""


def is_automated(name: str, people: PeopleConfig) -> bool:
    """True for an automated actor: `agent:...`, `...[bot]`, or one of `[people] agents`."""
    plain = name.strip()
    if plain.lower().startswith(AGENT_PREFIX) or plain.lower().endswith(BOT_SUFFIX):
        return True
    if not people.agents:
        return False
    from fnmatch import fnmatchcase

    return any(fnmatchcase(plain.lower(), pattern.lower()) for pattern in people.agents)


def who_may(people: PeopleConfig) -> str:
    """The people who may decide and review, in words, for refusals."""
    if people.approvers:
        return "one of the approvers in .incident-beads.toml: " + ", ".join(people.approvers)
    return "a person (not an automated actor)"


def require_person(name: str, people: PeopleConfig, *, what: str) -> str:
    """`name`, stripped, when it names a person allowed to give `what`; `Refused` otherwise."""
    plain = name.strip()
    if is_automated(plain, people):
        raise Refused(f"{plain} is an automated actor and cannot give {what}",
                      hint=f"{what} is given by {who_may(people)}")
    if people.approvers and plain.lower() not in {a.strip().lower() for a in people.approvers}:
        raise Refused(f"{plain} is not an approver and cannot give {what}",
                      hint=f"{what} is given by {who_may(people)} ([people] approvers)")
    return plain
