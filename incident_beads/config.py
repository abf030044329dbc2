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

CONFIG_FILE = ".incident-beads.toml"


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
        if name == "fleet":
            sections[name] = parse_fleet(path, value)
            continue
        kind = _SECTIONS.get(name)
        if kind is None:
            raise MalformedFile(path, None, f"unknown section [{name}]",
                                hint=f"known sections: {', '.join(sorted(_SECTIONS))}, severity, "
                                     "fleet")
        sections[name] = _build(path, name, kind, value)
    return Config(**sections)


_SECTIONS: dict[str, type[Any]] = {
    "beads": BeadsConfig, "git": GitConfig, "hotfix": HotfixConfig, "knowledge": KnowledgeConfig,
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
    return result


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
