"""The recent deployments remembered under `.git/incident-beads/`, so that declaring an incident
in a repository whose refs have not moved reads no git and imports no GitPython.

The index holds the `DeploymentLog` read for some moment S0, under the fingerprint of the refs
and of the tool's git settings (`refs_state.py`). It answers for S0 or any later moment by
replaying git's walk (`DeploymentLog.answer`); an earlier moment, another fingerprint, or a file
that is missing, corrupt or of another version means reading the repository afresh through the
seam and writing the index again. A repository the fingerprint cannot read is never indexed.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from incident_beads.beads.cache_files import cache_path, read_cache, write_cache
from incident_beads.config import GitConfig
from incident_beads.hotfix.deploys import Deployment, DeploymentLog, read_log
from incident_beads.hotfix.refs_state import fingerprint

NAME = "deployments.json"
VERSION = 1


def remembered_deployments(root: Path | str, *, since: datetime,
                           config: GitConfig | None = None) -> list[Deployment]:
    """`recent_deployments`' answer, from the index when the refs have not moved since it was
    written for `since` or an earlier moment."""
    root, config = Path(root), config or GitConfig()
    # Taken before reading: refs that move during the reading leave an index that will not match.
    key = fingerprint(root, [config.main_branch, list(config.tag_names)])
    path = cache_path(root, NAME) if key is not None else None
    kept = _load(read_cache(path, VERSION), key)
    if kept is not None and kept.covers(since):
        return kept.answer(since)
    log = read_log(root, since=since, config=config)
    if path is not None:
        write_cache(path, VERSION, {"key": key, **_dump(log)})
    return log.answer(since)


def _dump(log: DeploymentLog) -> dict[str, Any]:
    return {"since": log.since.isoformat(), "tags": [list(tag) for tag in log.tags],
            "merges": [[reach, *merge] for reach, merge in log.merges],
            "no_main": list(log.no_main) if log.no_main is not None else None}


def _load(data: dict[str, Any] | None, key: str | None) -> DeploymentLog | None:
    """The log the index holds for `key`; None for another key or anything malformed."""
    if data is None or key is None or data.get("key") != key:
        return None
    try:
        since = datetime.fromisoformat(data["since"])
        tags = [_deployment(row) for row in data["tags"]]
        merges = [(_reach(row[0]), _deployment(row[1:])) for row in data["merges"]]
        no_main = _no_main(data["no_main"])
    except (KeyError, TypeError, ValueError, IndexError):
        return None
    return DeploymentLog(since, tags, merges, no_main) if since.tzinfo is not None else None


def _deployment(row: Any) -> Deployment:
    fields = Deployment._fields
    if (not isinstance(row, list) or len(row) != len(fields)
            or not all(isinstance(v, str) for v in row[:-1])
            or not isinstance(row[-1], str | None)):
        raise ValueError("not a deployment")
    return Deployment(*row)


def _reach(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("not a commit time")
    return value


def _no_main(value: Any) -> tuple[str, str | None] | None:
    if value is None:
        return None
    if (not isinstance(value, list) or len(value) != 2 or not isinstance(value[0], str)
            or not isinstance(value[1], str | None)):
        raise ValueError("not a reason")
    return value[0], value[1]
