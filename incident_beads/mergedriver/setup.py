"""Set a repository up for incidents: the beads store, and git told how to merge it."""

from __future__ import annotations

from pathlib import Path

from incident_beads.beads.fileio import find_git_dir
from incident_beads.beads.init_store import init_store
from incident_beads.mergedriver.register import register_merge_driver


def init_repository(root: Path | str, prefix: str = "") -> list[Path]:
    """Create the store (`init_store`) and, inside git, register its merge driver; safe twice.

    This is what `incident init` does; it lists the files it wrote. The store sits below the
    merge driver, so the store alone never reaches for git's configuration.
    """
    root = Path(root)
    written = init_store(root, prefix)
    if find_git_dir(root) is not None:
        attributes = register_merge_driver(root).attributes_written
        if attributes is not None:
            written.append(attributes)
    return written
