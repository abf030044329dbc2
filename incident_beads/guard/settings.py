"""What the guard needs from `.incident-beads.toml`, read only when the file is there."""

from __future__ import annotations

import os

from incident_beads import defaults
from incident_beads.guard.records import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from incident_beads.config import GitConfig

CONFIG_FILE = ".incident-beads.toml"  # config.CONFIG_FILE, without importing config


class GuardSettings(NamedTuple):
    """Protected branches, accepted tag name templates and the remote named in fixes."""

    protected_branches: tuple[str, ...] = defaults.PROTECTED_BRANCHES
    tag_names: tuple[str, ...] = defaults.TAG_NAMES
    remote: str = defaults.REMOTE

    @classmethod
    def from_git_config(cls, config: GitConfig) -> GuardSettings:
        """The guard's part of a loaded `[git]` section."""
        return cls(config.protected_branches, config.tag_names, config.remote)


def load_settings(folder: str) -> GuardSettings:
    """Read `folder/.incident-beads.toml` when it exists; the defaults otherwise."""
    if not os.path.exists(os.path.join(folder, CONFIG_FILE)):
        return GuardSettings()
    from incident_beads.config import load_config

    return GuardSettings.from_git_config(load_config(folder).git)
