"""Read `.incident-beads.toml`: every key optional, unknown keys refused by name.

Standard library only: the push guard reads this file on every push. One module per concern:
`sections` (the dataclasses), `load` (the file), `fields` (a table to a dataclass), and one per
section family with rules of its own (`severity`, `monitoring`, `notify`, `fleet`).
"""

from __future__ import annotations

from incident_beads.config.fleet import parse_fleet
from incident_beads.config.load import config_from_bytes, load_config, time_zone
from incident_beads.config.sections import (
    CONFIG_FILE,
    BeadsConfig,
    Config,
    FleetConfig,
    FleetRepository,
    GitConfig,
    HotfixConfig,
    KnowledgeConfig,
    MetricCheck,
    MonitoringConfig,
    NotifyConfig,
    PeopleConfig,
    SeverityPolicy,
    TimeConfig,
)
from incident_beads.config.severity import SEED_CEILING_LEVELS, SEED_POSTMORTEM_HOURS

__all__ = [
    "CONFIG_FILE",
    "SEED_CEILING_LEVELS",
    "SEED_POSTMORTEM_HOURS",
    "BeadsConfig",
    "Config",
    "FleetConfig",
    "FleetRepository",
    "GitConfig",
    "HotfixConfig",
    "KnowledgeConfig",
    "MetricCheck",
    "MonitoringConfig",
    "NotifyConfig",
    "PeopleConfig",
    "SeverityPolicy",
    "TimeConfig",
    "config_from_bytes",
    "load_config",
    "parse_fleet",
    "time_zone",
]
