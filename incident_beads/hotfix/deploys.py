"""Recent deployments for phase 0: hotfix tags and merges on the main branch, newest first."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from incident_beads.config import GitConfig
from incident_beads.errors import GitError, InvalidInput
from incident_beads.guard.commits import body_incidents, incident_id_of, parse_merge_subject
from incident_beads.guard.tags import tag_pattern
from incident_beads.lifecycle.when import parse_duration

if TYPE_CHECKING:
    from incident_beads.repo import Commit

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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


class DeploymentLog(NamedTuple):
    """What one reading of the repository found for `since`: enough to answer for `since` and
    for any later moment, as the index keeps it (`deploy_index.py`).

    A merge carries its reach: the earliest committer time on the main line from the tip down
    to it. git's `--since` stops its walk at the first commit committed before the date (it is
    no filter), so a merge is listed for a later moment exactly when its reach is not before
    that moment's whole second, however skewed the dates.
    """

    since: datetime
    tags: list[Deployment]  # the hotfix tags made at or after `since`, as git lists them
    merges: list[tuple[int, Deployment]]  # (reach, merge), newest first
    no_main: tuple[str, str | None] | None = None  # the main branch is missing: why, the hint

    def covers(self, since: datetime) -> bool:
        """True when the log can answer for `since` (not earlier than what it was read for)."""
        return since >= self.since

    def answer(self, since: datetime) -> list[Deployment]:
        """The deployments since `since` (which the log covers), newest first."""
        if self.no_main is not None:
            raise GitError(self.no_main[0], hint=self.no_main[1])
        second = whole_seconds(since)
        found = [tag for tag in self.tags if not _before(tag.at, since)]
        found += [merge for reach, merge in self.merges if reach >= second]
        found.sort(key=lambda d: _moment(d.at), reverse=True)
        return found


def recent_deployments(root: Path | str, *, since: datetime,
                       config: GitConfig | None = None) -> list[Deployment]:
    """Hotfix tags, and merges made on the main branch, since `since`, newest first."""
    return read_log(root, since=since, config=config).answer(since)


def read_log(root: Path | str, *, since: datetime,
             config: GitConfig | None = None) -> DeploymentLog:
    """Read the hotfix tags and the main line's merges since `since` from the repository."""
    from incident_beads.repo import GitRepo  # GitPython: only when git is asked

    config = config or GitConfig()
    pattern = tag_pattern(config.tag_names)
    with GitRepo(root, config) as git:
        try:
            main = git.main_branch()
        except GitError as exc:
            return DeploymentLog(since, [], [], (exc.message, exc.hint))
        tags: list[Deployment] = []
        for tag in git.tags():
            match = pattern.fullmatch(tag.name)
            if match is None or _before(tag.at, since):
                continue
            ids = [v for v in match.groups() if v]
            tags.append(Deployment("tag", tag.name, tag.commit, tag.at, tag.who,
                                   ids[0] if ids else None))
        merges: list[tuple[int, Deployment]] = []
        reach: int | None = None
        for step in git.first_parent_line(main, since=whole_seconds(since)):
            reach = step.committed if reach is None else min(reach, step.committed)
            if step.merge is not None:
                merges.append((reach, _merge_deployment(step.merge)))
    return DeploymentLog(since, tags, merges)


def whole_seconds(moment: datetime) -> int:
    """The POSIX second `moment` falls in: git compares whole seconds, a fraction dropped."""
    return (moment - EPOCH) // timedelta(seconds=1)


def _merge_deployment(merge: Commit) -> Deployment:
    # The push guard's rules: an `Incident:` line, else the merged hotfix branch.
    trailers = body_incidents(merge.message)
    branch = parse_merge_subject(merge.subject)
    incident = trailers[0] if trailers else incident_id_of(branch[0]) if branch else None
    return Deployment("merge", merge.subject, merge.sha, merge.date, merge.author_name, incident)


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return datetime.fromtimestamp(0, UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _before(text: str, since: datetime) -> bool:
    return _moment(text) < since
