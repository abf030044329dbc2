"""What the guard needs from `.incident-beads.toml`, read only when the file is there."""

from __future__ import annotations

import os

from incident_beads import defaults
from incident_beads.guard.tuples import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from incident_beads.config import GitConfig, PeopleConfig

CONFIG_FILE = defaults.CONFIG_FILE


class GuardSettings(NamedTuple):
    """Protected branches, accepted tag name templates and the remote named in fixes."""

    protected_branches: tuple[str, ...] = defaults.PROTECTED_BRANCHES
    tag_names: tuple[str, ...] = defaults.TAG_NAMES
    remote: str = defaults.REMOTE
    approvals: str = "named"  # [people] approvals: "signed" needs verified signatures
    allowed_signers: str = ""  # [people] allowed_signers, a path in the repository

    @classmethod
    def from_git_config(cls, config: GitConfig, people: PeopleConfig | None = None
                        ) -> GuardSettings:
        """The guard's part of a loaded `[git]` (and `[people]`) section."""
        if people is None:
            return cls(config.protected_branches, config.tag_names, config.remote)
        return cls(config.protected_branches, config.tag_names, config.remote,
                   people.approvals, people.allowed_signers)


def load_settings(folder: str) -> GuardSettings:
    """Read `folder/.incident-beads.toml` when it exists; the defaults otherwise."""
    if not os.path.exists(os.path.join(folder, CONFIG_FILE)):
        return GuardSettings()
    from incident_beads.config import load_config

    config = load_config(folder)
    return GuardSettings.from_git_config(config.git, config.people)


def people_on_branch(text: str) -> tuple[str, str]:
    """`[people] approvals` and `allowed_signers` of a committed `.incident-beads.toml`."""
    import tomllib

    try:
        people = tomllib.loads(text).get("people", {})
    except tomllib.TOMLDecodeError:
        return "named", ""
    if not isinstance(people, dict):
        return "named", ""
    return str(people.get("approvals", "named")), str(people.get("allowed_signers", ""))
