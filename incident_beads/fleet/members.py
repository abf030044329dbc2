"""Who is in the fleet: the repository's `[fleet]` and the person's own fleet file, merged."""

from __future__ import annotations

import os
import re
from pathlib import Path

from incident_beads import digests
from incident_beads.config import CONFIG_FILE, Config, FleetConfig, config_from_bytes
from incident_beads.config.frozen import Frozen
from incident_beads.errors import MalformedFile

USER_FILE = "fleet.toml"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# What git accepts as a branch, without the characters a refspec or an option would read.
_BRANCH = re.compile(r"(?!-)(?!.*\.\.)(?!.*//)[A-Za-z0-9._/+-]+(?<![./])")


class Member(Frozen):
    """One repository of the fleet and where its cached copy lives."""

    name: str
    url: str
    branch: str  # empty: the remote's default branch
    cache: Path  # a bare repository kept by the tool

    @property
    def source(self) -> str:
        """What to fetch: the branch, or the remote's HEAD."""
        return f"refs/heads/{self.branch}" if self.branch else "HEAD"


def user_config_dir() -> Path:
    """`$XDG_CONFIG_HOME/incident-beads` (default `~/.config/incident-beads`)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "incident-beads"


def cache_dir() -> Path:
    """`$XDG_CACHE_HOME/incident-beads/fleet` (default `~/.cache/incident-beads/fleet`)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "incident-beads" / "fleet"


def user_fleet() -> FleetConfig:
    """The person's own fleet file (`[fleet]` only), for someone on call across teams."""
    path = user_config_dir() / USER_FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return FleetConfig()
    except OSError as exc:
        raise MalformedFile(str(path), None, f"cannot read: {exc.strerror}") from None
    config = config_from_bytes(str(path), raw)
    if config != Config(fleet=config.fleet):
        raise MalformedFile(str(path), None, "only a [fleet] table belongs in this file",
                            hint=f"move other settings to the repository's {CONFIG_FILE}")
    return config.fleet


def default_name(url: str) -> str:
    """The last part of a URL or path without `.git`: `git@host:org/payments.git` -> payments."""
    tail = re.split(r"[/:\\]", url.rstrip("/\\"))[-1]
    return _UNSAFE.sub("-", tail.removesuffix(".git")).strip("-.") or "repository"


def members_of(config: Config, *, user: FleetConfig | None = None,
               cache: Path | None = None) -> list[Member]:
    """The repository's fleet, then the person's; the same URL and branch counted once.

    Two different repositories under one name are refused: every answer names its repository,
    so a name must say which one.
    """
    mine = user if user is not None else user_fleet()
    top = cache or cache_dir()
    found: dict[str, Member] = {}
    seen: set[tuple[str, str]] = set()
    for entry in (*config.fleet.repositories, *mine.repositories):
        key = (entry.url, entry.branch)
        if key in seen:
            continue
        seen.add(key)
        if entry.branch and not _BRANCH.fullmatch(entry.branch):
            raise MalformedFile(CONFIG_FILE, None,
                                f"fleet branch {entry.branch!r} of {entry.url} is not a branch "
                                "name", hint="give the branch's short name, like `main`")
        name = entry.name.strip() or default_name(entry.url)
        if name in found:
            raise MalformedFile(CONFIG_FILE, None,
                                f"two fleet repositories are named {name!r} ({found[name].url} "
                                f"and {entry.url})", hint="give one of them a `name`")
        digest = digests.sha1(f"{entry.url}\n{entry.branch}".encode()).hexdigest()[:12]
        found[name] = Member(name, entry.url, entry.branch,
                             top / f"{_UNSAFE.sub('-', name)}-{digest}.git")
    return list(found.values())


def jobs_of(config: Config, user: FleetConfig | None = None) -> tuple[int, int]:
    """How many repositories to fetch at once, and each one's time limit in seconds."""
    mine = user if user is not None else FleetConfig()
    # the repository's settings when it names a fleet, else the person's
    chosen = config.fleet if config.fleet.repositories else mine
    return max(1, chosen.jobs), max(1, chosen.timeout_seconds)


def has_fleet(config: Config) -> bool:
    """True when the repository or the person names a fleet (a stat, no parsing, otherwise)."""
    return bool(config.fleet.repositories) or (user_config_dir() / USER_FILE).is_file()
