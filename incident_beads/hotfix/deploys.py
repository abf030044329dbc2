"""Recent deployments for phase 0: hotfix tags and merges on the main branch, newest first."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from incident_beads.config import GitConfig
from incident_beads.errors import InvalidInput
from incident_beads.guard.commits import body_incidents, incident_id_of, parse_merge_subject
from incident_beads.guard.tags import tag_pattern
from incident_beads.lifecycle.when import parse_duration


class Deployment(NamedTuple):
    """One tag or merge that changed what runs in production."""

    kind: str  # "tag" or "merge"
    name: str  # the tag name, or the merge subject
    commit: str
    at: str  # ISO 8601
    author: str
    incident_id: str | None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return self._asdict()


def parse_since(text: str | datetime | None, now: datetime) -> datetime:
    """`7d`, `24h`, `90m`, `2w` ago, or an ISO 8601 moment; None means 7 days ago."""
    if text is None:
        return now - timedelta(days=7)
    if isinstance(text, datetime):
        return text if text.tzinfo else text.replace(tzinfo=UTC)
    value = text.strip()
    if value and value[0].isdigit() and not value[-1].isdigit():
        with contextlib.suppress(InvalidInput):
            return now - parse_duration(value)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"cannot read --since {text!r}",
                           hint="use 7d, 24h, 90m, 2w or an ISO 8601 time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def recent_deployments(root: Path | str, *, since: datetime,
                       config: GitConfig | None = None) -> list[Deployment]:
    """Hotfix tags, and merges made on the main branch, since `since`, newest first."""
    from incident_beads.repo import GitRepo  # GitPython: only when git is asked

    config = config or GitConfig()
    found: list[Deployment] = []
    pattern = tag_pattern(config.tag_names)
    with GitRepo(root, config) as git:
        main = git.main_branch()
        for tag in git.tags():
            match = pattern.fullmatch(tag.name)
            if match is None or _before(tag.at, since):
                continue
            ids = [v for v in match.groups() if v]
            found.append(Deployment("tag", tag.name, tag.commit, tag.at, tag.who,
                                    ids[0] if ids else None))
        for merge in git.merges(main, since=since):
            # The push guard's rules: an `Incident:` line, else the merged hotfix branch.
            trailers = body_incidents(merge.message)
            branch = parse_merge_subject(merge.subject)
            incident = (trailers[0] if trailers else incident_id_of(branch[0]) if branch
                        else None)
            found.append(Deployment("merge", merge.subject, merge.sha, merge.date,
                                    merge.author_name, incident))
    found.sort(key=lambda d: _moment(d.at), reverse=True)
    return found


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return datetime.fromtimestamp(0, UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _before(text: str, since: datetime) -> bool:
    return _moment(text) < since
