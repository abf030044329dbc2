"""`[severity]` and the seed's ceilings: SEV-1/2 rules may be tightened, never loosened."""

from __future__ import annotations

import dataclasses

from incident_beads.config.sections import KnowledgeConfig, SeverityPolicy, default_severities
from incident_beads.errors import MalformedFile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def parse_severities(path: str, value: Any) -> dict[str, SeverityPolicy]:
    """Read `[severity.SEV-n]` tables over the defaults, refusing a loosened seed rule."""
    result = default_severities()
    if not isinstance(value, dict):
        raise MalformedFile(path, None, "[severity] must be a table of SEV-1..SEV-4")
    for level, table in value.items():
        if level not in result:
            raise MalformedFile(path, None, f"unknown severity [severity.{level}]",
                                hint="use SEV-1, SEV-2, SEV-3 or SEV-4")
        base = result[level]
        if not isinstance(table, dict):
            raise MalformedFile(path, None, f"[severity.{level}] must be a table")
        merged = dataclasses.asdict(base)
        for key, item in table.items():
            if key not in merged:
                raise MalformedFile(path, None, f"unknown key severity.{level}.{key}")
            expected = bool if key == "postmortem_required" else int
            if not isinstance(item, expected) or (expected is int and isinstance(item, bool)):
                raise MalformedFile(path, None,
                                    f"severity.{level}.{key} must be {expected.__name__}")
            merged[key] = item
        result[level] = SeverityPolicy(**merged)
        _check_ceilings(path, level, base, result[level])
    return result


#: The severities whose seed rules are ceilings: configuration may tighten them, never loosen.
SEED_CEILING_LEVELS = ("SEV-1", "SEV-2")
#: The seed's post-mortem window (hours after resolution) for SEV-1/2.
SEED_POSTMORTEM_HOURS = 48


def _loosens(path: str, key: str, value: object, seed: object) -> MalformedFile:
    return MalformedFile(path, None, f"{key} = {_toml(value)} loosens a seed rule (the seed's "
                                     f"value is {_toml(seed)})",
                         hint="SEV-1 and SEV-2 rules can be tightened, never loosened: give "
                              f"{_toml(seed)} or less, or remove the key")


def _toml(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _check_ceilings(path: str, level: str, seed: SeverityPolicy, given: SeverityPolicy) -> None:
    """Refuse a SEV-1/2 window, cadence or post-mortem rule looser than the seed's."""
    if level not in SEED_CEILING_LEVELS:
        return
    prefix = f"severity.{level}"
    if given.response_minutes < 1:
        raise MalformedFile(path, None, f"{prefix}.response_minutes must be at least 1")
    if given.response_minutes > seed.response_minutes:
        raise _loosens(path, f"{prefix}.response_minutes", given.response_minutes,
                       seed.response_minutes)
    # A cadence of 0 would mean "no status updates": the loosest value of all.
    if seed.update_minutes is not None and given.update_minutes is not None and (
            given.update_minutes < 1 or given.update_minutes > seed.update_minutes):
        raise _loosens(path, f"{prefix}.update_minutes", given.update_minutes,
                       seed.update_minutes)
    if seed.postmortem_required and not given.postmortem_required:
        raise _loosens(path, f"{prefix}.postmortem_required", False, True)


def check_knowledge(path: str, knowledge: KnowledgeConfig) -> None:
    """The SEV-1/2 post-mortem is due within 48 hours; configuration may only shorten that."""
    hours = knowledge.postmortem_within_hours
    if hours > SEED_POSTMORTEM_HOURS:
        raise _loosens(path, "knowledge.postmortem_within_hours", hours, SEED_POSTMORTEM_HOURS)
    if hours < 1:
        raise MalformedFile(path, None, "knowledge.postmortem_within_hours must be at least 1")

