"""Read `.incident-beads.toml`: every key optional, unknown keys refused by name.

Standard library only: the push guard reads this file on every push.
"""

from __future__ import annotations

from pathlib import Path

from incident_beads.config.fields import build
from incident_beads.config.fleet import parse_fleet
from incident_beads.config.monitoring import parse_monitoring
from incident_beads.config.sections import (
    CONFIG_FILE,
    BeadsConfig,
    Config,
    GitConfig,
    HotfixConfig,
    KnowledgeConfig,
    PeopleConfig,
    TimeConfig,
)
from incident_beads.config.severity import check_knowledge, parse_severities
from incident_beads.errors import MalformedFile

# typing and tomllib stay out of the push hook's imports unless a file is there to parse.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def load_config(root: Path | str) -> Config:
    """Read the repository's `.incident-beads.toml`; defaults when it is absent."""
    path = Path(root) / CONFIG_FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as exc:
        raise MalformedFile(str(path), None, f"cannot read: {exc.strerror}") from None
    return config_from_bytes(str(path), raw)


def config_from_bytes(path: str, raw: bytes) -> Config:
    """Parse the text of a `.incident-beads.toml` (read from a file or a git object)."""
    import tomllib

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise MalformedFile(str(path), line, f"not valid TOML: {exc}") from None
    return _parse_config(str(path), data)


def _parse_config(path: str, data: dict[str, Any]) -> Config:
    sections: dict[str, Any] = {}
    for name, value in data.items():
        if name == "severity":
            sections[name] = parse_severities(path, value)
            continue
        if name == "monitoring":
            sections[name] = parse_monitoring(path, value)
            continue
        if name == "notify":
            from incident_beads.config.notify import parse_notify

            sections[name] = parse_notify(path, value)
            continue
        if name == "fleet":
            sections[name] = parse_fleet(path, value)
            continue
        kind = _SECTIONS.get(name)
        if kind is None:
            raise MalformedFile(path, None, f"unknown section [{name}]",
                                hint=f"known sections: {', '.join(sorted(_SECTIONS))}, "
                                     "fleet, monitoring, notify, severity")
        sections[name] = build(path, name, kind, value)
    people = sections.get("people")
    if people is not None:
        _check_people(path, people)
    if "knowledge" in sections:
        check_knowledge(path, sections["knowledge"])
    if "time" in sections:
        _check_zone(path, sections["time"].zone)
    return Config(**sections)


def _check_people(path: str, people: PeopleConfig) -> None:
    if people.approvals not in ("named", "signed"):
        raise MalformedFile(path, None, f"people.approvals is {people.approvals!r}",
                            hint='use "named" or "signed"')
    if people.approvals == "signed" and not people.allowed_signers:
        raise MalformedFile(path, None, "signed approvals need people.allowed_signers",
                            hint='add allowed_signers = "PATH" (git\'s allowed-signers format)')


_SECTIONS: dict[str, type[Any]] = {
    "beads": BeadsConfig, "git": GitConfig, "hotfix": HotfixConfig, "knowledge": KnowledgeConfig,
    "people": PeopleConfig,
    "time": TimeConfig,
}



def _check_zone(path: str, zone: str) -> None:
    if zone == "UTC":
        return
    import zoneinfo  # only when a zone other than UTC is configured

    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise MalformedFile(path, None, f"time.zone {zone!r} is not a known time zone",
                            hint='use an IANA name such as "Europe/Berlin", or "UTC"') from None


def time_zone(config: Config) -> Any:
    """The configured zone as a `tzinfo` (UTC unless `[time] zone` names another)."""
    from datetime import UTC

    if config.time.zone == "UTC":
        return UTC
    import zoneinfo

    return zoneinfo.ZoneInfo(config.time.zone)
