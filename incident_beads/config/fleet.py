"""`[fleet]`: the repositories whose stores and knowledge `--fleet` reads."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from incident_beads.config.fields import build
from incident_beads.config.sections import FleetConfig, FleetRepository
from incident_beads.errors import MalformedFile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def parse_fleet(path: str, value: Any) -> FleetConfig:
    """Read a `[fleet]` table: `repositories` as URLs/paths or tables of url, name, branch.

    A relative path is taken from the folder of the file that names it.
    """
    if not isinstance(value, dict):
        raise MalformedFile(path, None, "[fleet] must be a table")
    items = value.get("repositories", [])
    rest = {k: v for k, v in value.items() if k != "repositories"}
    base: FleetConfig = build(path, "fleet", FleetConfig, rest)
    if not isinstance(items, list):
        raise MalformedFile(path, None, "fleet.repositories must be a list",
                            hint='repositories = ["../payments", {url = "...", name = "api"}]')
    found: list[FleetRepository] = []
    for n, item in enumerate(items, 1):
        where = f"fleet.repositories[{n}]"
        entry = {"url": item} if isinstance(item, str) else item
        if not isinstance(entry, dict):
            raise MalformedFile(path, None, f"{where} must be a URL, a path or a table")
        repository: FleetRepository = build(path, where, FleetRepository,
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
