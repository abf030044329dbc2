"""Read `.incident-beads.toml`: every key optional, unknown keys refused by name.

Standard library only: the push guard reads this file on every push.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from incident_beads import defaults
from incident_beads.errors import MalformedFile

# typing and tomllib stay out of the push hook's imports unless a file is there to parse.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CONFIG_FILE = defaults.CONFIG_FILE


@dataclass(frozen=True)
class SeverityPolicy:
    """Response window and status-update cadence of one severity, in minutes."""

    response_minutes: int
    update_minutes: int | None
    postmortem_required: bool


def _default_severities() -> dict[str, SeverityPolicy]:
    return {
        "SEV-1": SeverityPolicy(15, 15, True),
        "SEV-2": SeverityPolicy(60, 30, True),
        "SEV-3": SeverityPolicy(240, 60, False),
        # "next business day": at most three days over a weekend.
        "SEV-4": SeverityPolicy(72 * 60, None, False),
    }


@dataclass(frozen=True)
class BeadsConfig:
    """How the store is named and how it talks to a `bd` binary."""

    prefix: str = ""
    bd_import: bool = True
    bd_export_merge: bool = True


@dataclass(frozen=True)
class GitConfig:
    """Branches the hotfix flow and the guard work with."""

    main_branch: str = ""  # empty: detect `main`, then `master`
    develop_branch: str = ""  # empty: no back-merge
    remote: str = defaults.REMOTE
    protected_branches: tuple[str, ...] = defaults.PROTECTED_BRANCHES
    # `{id}` is the incident id, `{branch}` the name after `hotfix/` (the push guard's docs).
    tag_names: tuple[str, ...] = defaults.TAG_NAMES


@dataclass(frozen=True)
class HotfixConfig:
    """Commands and limits of phase 4."""

    deploy_command: tuple[str, ...] = ()
    deploy_timeout_seconds: int = 900
    staging_command: tuple[str, ...] = ()
    staging_timeout_minutes: int = 30
    sev1_staging_timeout_minutes: int = 15
    verify_minutes: int = 15
    max_changed_lines: int = 50
    test_command: tuple[str, ...] = ()
    security_command: tuple[str, ...] = ()
    gate_timeout_seconds: int = 900


@dataclass(frozen=True)
class KnowledgeConfig:
    """Where learnings live, and when repeated incidents become a pattern."""

    critical_patterns: str = "docs/critical-patterns.md"
    solutions_dir: str = "docs/solutions"
    runbooks_dir: str = "docs/runbooks"
    postmortems_dir: str = "docs/postmortems"
    recurrence_window_days: int = 14
    pattern_threshold: int = 3
    pattern_window_days: int = 90
    postmortem_within_hours: int = 48


@dataclass(frozen=True)
class PeopleConfig:
    """`[people]`: who may decide and review, who is automated, and whether proof is needed."""

    approvers: tuple[str, ...] = ()  # empty: any person (not an automated actor)
    agents: tuple[str, ...] = ()  # globs; `agent:*` and `*[bot]` are always automated
    approvals: str = "named"  # or "signed": SSH signatures checked against allowed_signers
    allowed_signers: str = ""  # repository path of git's allowed-signers file


@dataclass(frozen=True)
class TimeConfig:
    """The zone that wall-clock ETAs (`10:45`, `tomorrow 09:00`) are read in."""

    zone: str = "UTC"  # an IANA name such as "Europe/Berlin"


@dataclass(frozen=True)
class NotifyConfig:
    """Where stakeholders hear about incidents: Apprise URLs, for all and routed ones."""

    urls: tuple[str, ...] = ()
    # "SEV-1" -> URLs that also get the messages of incidents of that severity
    severity: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # message kind ("escalation", "resolved", ...) -> URLs that also get that kind
    kind: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def configured(self) -> bool:
        """True when at least one channel is named."""
        return bool(self.urls or any(self.severity.values()) or any(self.kind.values()))


@dataclass(frozen=True)
class FleetRepository:
    """One repository of the fleet: a URL or path, a short name, the branch to read."""

    url: str
    name: str = ""  # empty: the last part of the URL
    branch: str = ""  # empty: the remote's default branch (its HEAD)


@dataclass(frozen=True)
class FleetConfig:
    """The repositories whose stores and knowledge `--fleet` reads (fetched by `fleet fetch`)."""

    repositories: tuple[FleetRepository, ...] = ()
    jobs: int = 4
    timeout_seconds: int = 300


@dataclass(frozen=True)
class Config:
    """All settings of one repository."""

    beads: BeadsConfig = field(default_factory=BeadsConfig)
    git: GitConfig = field(default_factory=GitConfig)
    hotfix: HotfixConfig = field(default_factory=HotfixConfig)
    knowledge: KnowledgeConfig = field(default_factory=KnowledgeConfig)
    severity: dict[str, SeverityPolicy] = field(default_factory=_default_severities)
    people: PeopleConfig = field(default_factory=PeopleConfig)
    time: TimeConfig = field(default_factory=TimeConfig)
    monitoring: MonitoringConfig = field(default_factory=lambda: MonitoringConfig())
    notify: NotifyConfig = field(default_factory=NotifyConfig)
    fleet: FleetConfig = field(default_factory=FleetConfig)


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
            sections[name] = _parse_severities(path, value)
            continue
        if name == "monitoring":
            sections[name] = _parse_monitoring(path, value)
            continue
        if name == "notify":
            from incident_beads.notify.channels import parse_notify

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
        sections[name] = _build(path, name, kind, value)
    people = sections.get("people")
    if people is not None:
        _check_people(path, people)
    if "knowledge" in sections:
        _check_knowledge(path, sections["knowledge"])
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


def _build(path: str, section: str, kind: type[Any], value: Any) -> Any:
    if not isinstance(value, dict):
        raise MalformedFile(path, None, f"[{section}] must be a table")
    hints = {f.name: f.type for f in dataclasses.fields(kind)}  # strings: postponed annotations
    known = {f.name for f in dataclasses.fields(kind)}
    values: dict[str, Any] = {}
    for key, item in value.items():
        if key not in known:
            raise MalformedFile(path, None, f"unknown key {section}.{key}",
                                hint=f"known keys: {', '.join(sorted(known))}")
        values[key] = _coerce(path, f"{section}.{key}", hints[key], item)
    return kind(**values)


def _coerce(path: str, key: str, hint: Any, item: Any) -> Any:
    text = str(hint)
    if hint is bool or text == "bool":
        ok = isinstance(item, bool)
    elif hint is int or text == "int":
        ok = isinstance(item, int) and not isinstance(item, bool) and item >= 0
    elif hint is str or text == "str":
        ok = isinstance(item, str)
    elif text.startswith("tuple"):
        ok = isinstance(item, list) and all(isinstance(x, str) for x in item)
        item = tuple(item) if ok else item
    else:
        ok = True
    if not ok:
        raise MalformedFile(path, None, f"{key} has the wrong type ({type(item).__name__})",
                            hint=f"expected {text}")
    return item


def _parse_severities(path: str, value: Any) -> dict[str, SeverityPolicy]:
    result = _default_severities()
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


def _check_knowledge(path: str, knowledge: KnowledgeConfig) -> None:
    """The SEV-1/2 post-mortem is due within 48 hours; configuration may only shorten that."""
    hours = knowledge.postmortem_within_hours
    if hours > SEED_POSTMORTEM_HOURS:
        raise _loosens(path, "knowledge.postmortem_within_hours", hours, SEED_POSTMORTEM_HOURS)
    if hours < 1:
        raise MalformedFile(path, None, "knowledge.postmortem_within_hours must be at least 1")


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


@dataclass(frozen=True)
class MetricCheck:
    """One named Prometheus check: the query and the bound its every value must keep."""

    name: str
    query: str
    below: float | None = None
    above: float | None = None
    service: str = ""  # empty: the check applies to every incident
    description: str = ""


def _default_severity_map() -> dict[str, str]:
    return {"critical": "SEV-1", "high": "SEV-2", "error": "SEV-2", "warning": "SEV-3",
            "info": "SEV-4"}


@dataclass(frozen=True)
class MonitoringConfig:
    """Alertmanager in (the alert receiver), Prometheus out (evidence checks)."""

    prometheus_url: str = ""  # empty: no measured evidence; typed evidence works as before
    timeout_seconds: int = 10
    watch_interval_seconds: int = 30
    severity_label: str = "severity"
    default_severity: str = "SEV-3"  # an alert without a known severity label
    service_labels: tuple[str, ...] = ("service", "job")
    token_env: str = ""  # the environment variable holding the receiver's bearer token
    max_body_bytes: int = 1024 * 1024
    severity_map: dict[str, str] = field(default_factory=_default_severity_map)
    checks: dict[str, MetricCheck] = field(default_factory=dict)

    def checks_for(self, services: list[str] | tuple[str, ...]) -> list[MetricCheck]:
        """The checks of these services, and those that name no service."""
        wanted = {s.strip().casefold() for s in services}
        return [c for c in self.checks.values()
                if not c.service or c.service.strip().casefold() in wanted]


_SEVERITY_NAMES = ("SEV-1", "SEV-2", "SEV-3", "SEV-4")


def _parse_monitoring(path: str, value: Any) -> MonitoringConfig:
    if not isinstance(value, dict):
        raise MalformedFile(path, None, "[monitoring] must be a table")
    plain = dict(value)
    mapping, checks = plain.pop("severity_map", None), plain.pop("checks", {})
    base: MonitoringConfig = _build(path, "monitoring", MonitoringConfig, plain)
    if base.default_severity.upper() not in _SEVERITY_NAMES:
        raise MalformedFile(path, None, "monitoring.default_severity must be SEV-1..SEV-4")
    severity_map = base.severity_map
    if mapping is not None:
        if not isinstance(mapping, dict) or not all(
                isinstance(v, str) and v.upper() in _SEVERITY_NAMES for v in mapping.values()):
            raise MalformedFile(path, None, "[monitoring.severity_map] maps label values to "
                                "SEV-1..SEV-4", hint='critical = "SEV-1"')
        severity_map = {str(k): str(v).upper() for k, v in mapping.items()}
    if not isinstance(checks, dict):
        raise MalformedFile(path, None, "[monitoring.checks] must hold [monitoring.checks.NAME]")
    return dataclasses.replace(
        base, default_severity=base.default_severity.upper(), severity_map=severity_map,
        checks={name: _parse_check(path, name, table) for name, table in checks.items()})


def _parse_check(path: str, name: str, table: Any) -> MetricCheck:
    where = f"monitoring.checks.{name}"
    if not isinstance(table, dict):
        raise MalformedFile(path, None, f"[{where}] must be a table")
    known = {"query", "below", "above", "service", "description"}
    for key in table:
        if key not in known:
            raise MalformedFile(path, None, f"unknown key {where}.{key}",
                                hint=f"known keys: {', '.join(sorted(known))}")
    query = table.get("query")
    if not isinstance(query, str) or not query.strip():
        raise MalformedFile(path, None, f"{where}.query must be a PromQL query")
    bounds: dict[str, float | None] = {}
    for key in ("below", "above"):
        item = table.get(key)
        if item is not None and (isinstance(item, bool) or not isinstance(item, int | float)):
            raise MalformedFile(path, None, f"{where}.{key} must be a number")
        bounds[key] = float(item) if item is not None else None
    if bounds["below"] is None and bounds["above"] is None:
        raise MalformedFile(path, None, f"{where} needs `below` or `above`",
                            hint="below = 0.01 passes while every value is under 0.01")
    for key in ("service", "description"):
        if not isinstance(table.get(key, ""), str):
            raise MalformedFile(path, None, f"{where}.{key} must be a string")
    return MetricCheck(name=name, query=query.strip(), below=bounds["below"],
                       above=bounds["above"], service=table.get("service", ""),
                       description=table.get("description", ""))


def parse_fleet(path: str, value: Any) -> FleetConfig:
    """Read a `[fleet]` table: `repositories` as URLs/paths or tables of url, name, branch.

    A relative path is taken from the folder of the file that names it.
    """
    if not isinstance(value, dict):
        raise MalformedFile(path, None, "[fleet] must be a table")
    items = value.get("repositories", [])
    rest = {k: v for k, v in value.items() if k != "repositories"}
    base: FleetConfig = _build(path, "fleet", FleetConfig, rest)
    if not isinstance(items, list):
        raise MalformedFile(path, None, "fleet.repositories must be a list",
                            hint='repositories = ["../payments", {url = "...", name = "api"}]')
    found: list[FleetRepository] = []
    for n, item in enumerate(items, 1):
        where = f"fleet.repositories[{n}]"
        entry = {"url": item} if isinstance(item, str) else item
        if not isinstance(entry, dict):
            raise MalformedFile(path, None, f"{where} must be a URL, a path or a table")
        repository: FleetRepository = _build(path, where, FleetRepository,
                                             {"url": "", **entry})
        if not repository.url.strip():
            raise MalformedFile(path, None, f"{where} needs a url (a URL or a path)")
        found.append(dataclasses.replace(repository, url=_fleet_url(path, repository.url)))
    return dataclasses.replace(base, repositories=tuple(found))


def _fleet_url(path: str, url: str) -> str:
    url = url.strip()
    if "://" in url or _scp_like(url) or Path(url).is_absolute():
        return url
    return str((Path(path).parent / url).resolve())


def _scp_like(url: str) -> bool:
    """`host:path` as git reads it: a colon before the first slash (not a Windows drive)."""
    colon, slash = url.find(":"), url.find("/")
    return colon > 1 and (slash < 0 or colon < slash)
