"""Files kept for speed under `.git/incident-beads/`: never the record, always checked.

A cache file is one JSON object carrying its format version. Reading one that is missing,
unreadable, of another version or not JSON gives None (the caller computes afresh); writing one
is atomic but not durable, and a failed write is ignored: a lost cache only costs the work it
saved. Whatever a cache holds must be checked against what it stands for before it is used.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from incident_beads.beads.fileio import atomic_write, find_git_dir

FOLDER = "incident-beads"


def cache_path(start: Path, name: str) -> Path | None:
    """Where the cache `name` of the repository holding `start` lives; None outside git."""
    git_dir = find_git_dir(start)
    return git_dir / FOLDER / name if git_dir is not None else None


def read_cache(path: Path | None, version: int) -> dict[str, Any] | None:
    """The cache's JSON object if it is there and of `version`, else None."""
    if path is None:
        return None
    try:
        found = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) and found.get("v") == version else None


def write_cache(path: Path | None, version: int, data: dict[str, Any]) -> None:
    """Replace the cache with `data` (and its version); errors are ignored."""
    if path is None:
        return
    try:  # ASCII: a lone surrogate in a text is written as an escape, not refused
        text = json.dumps({"v": version, **data}, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError):
        return  # not JSON: nothing is remembered, the work is done again next time
    with contextlib.suppress(OSError):
        path.parent.mkdir(exist_ok=True)
        atomic_write(path, [text.encode("ascii")], durable=False)
