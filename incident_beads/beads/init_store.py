"""Create a beads store in a repository (`incident init`)."""

from __future__ import annotations

from pathlib import Path

from incident_beads.beads.fileio import (
    atomic_write,
    inside_repository,
    read_regular,
)
from incident_beads.beads.ids import PREFIX_RE, configured_prefix, most_common_prefix
from incident_beads.beads.layout_cache import read_snapshot
from incident_beads.beads.store import ISSUES_FILE
from incident_beads.errors import InvalidInput, Refused

# Our temporary files never belong in git; bd's own entries are left to bd.
GITIGNORE_LINES = ("# incident_beads temporary files", ".*.incident-beads.tmp")


def init_store(root: Path, prefix: str = "") -> list[Path]:
    """Create `.beads/issues.jsonl` and `.beads/.gitignore` (safe twice); list what it wrote.

    The store alone: `mergedriver.setup.init_repository` also registers the merge driver, as
    `incident init` does. Every refusal comes before the first write, so a refused init leaves
    nothing behind.
    """
    if prefix and not PREFIX_RE.fullmatch(prefix):
        raise InvalidInput(f"invalid prefix {prefix!r}",
                           hint="a prefix is lowercase letters, digits and hyphens, "
                                "starting with a letter")
    beads = inside_repository(root, root / ".beads")
    if beads.exists() and not beads.is_dir():
        raise Refused(f"{beads} is not a folder")
    issues = inside_repository(root, beads / ISSUES_FILE)
    if issues.exists() or issues.is_symlink():
        read_regular(issues)  # a FIFO, device or socket there is refused before any write
    config = beads / "config.yaml"
    if prefix:
        existing = configured_prefix(beads)
        if existing and existing != prefix:
            raise Refused(f"the store already uses prefix {existing!r}",
                          hint="edit issue-prefix in .beads/config.yaml to change it")
        if not existing and config.exists():
            raise Refused(f"{config} exists without an issue-prefix",
                          hint=f"add `issue-prefix: \"{prefix}\"` to it")
        in_file = _prefix_in_file(issues)
        if in_file and in_file != prefix:
            raise Refused(f"the issues in {issues} use prefix {in_file!r}",
                          hint=f"run `incident init` without --prefix, or --prefix {in_file}")
    written: list[Path] = []
    beads.mkdir(exist_ok=True)
    if not issues.exists():
        atomic_write(issues, [b""])
        written.append(issues)
    ignore = beads / ".gitignore"
    current = ignore.read_text(encoding="utf-8") if ignore.exists() else ""
    missing = [line for line in GITIGNORE_LINES if line not in current.splitlines()]
    if missing:
        text = current + ("" if not current or current.endswith("\n") else "\n")
        atomic_write(ignore, [(text + "\n".join(missing) + "\n").encode()])
        written.append(ignore)
    if prefix and not configured_prefix(beads):
        atomic_write(config, [f'issue-prefix: "{prefix}"\n'.encode()])
        written.append(config)
    return written


def _prefix_in_file(issues: Path) -> str:
    if not issues.is_file():
        return ""
    return most_common_prefix(read_snapshot(issues, None).ids)
