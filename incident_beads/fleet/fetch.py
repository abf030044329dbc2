"""`incident fleet fetch`: bring every member's cached copy up to date, several at once."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from incident_beads.config import CONFIG_FILE, KnowledgeConfig
from incident_beads.errors import IncidentBeadsError
from incident_beads.fleet import gitcache
from incident_beads.fleet.members import Member
from incident_beads.fleet.reader import STORE, knowledge_paths, member_config


@dataclass(frozen=True)
class FetchResult:
    """How one member's fetch went."""

    name: str
    url: str
    ok: bool
    tip: str | None = None
    changed: bool = False
    mode: str = ""  # partial (blobs on demand) or shallow (the server cannot filter)
    blobs: int = 0  # blobs fetched on demand
    seconds: float = 0.0
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return dict(self.__dict__)

    def line(self) -> str:
        """One line for people."""
        if not self.ok:
            return f"{self.name}: FAILED: {self.error}"
        what = "updated" if self.changed else "up to date"
        extra = f", {self.blobs} files fetched" if self.blobs else ""
        return (f"{self.name}: {what} at {(self.tip or '')[:12]} ({self.mode}{extra}, "
                f"{self.seconds:.1f} s)")


def fetch_member(member: Member, *, timeout: float, now: datetime) -> FetchResult:
    """Fetch one member's tip and the blobs its store and knowledge need; errors are returned."""
    began = time.perf_counter()
    state = gitcache.load_state(member.cache)
    before = state.get("tip")
    try:
        tip, mode = gitcache.fetch_tip(member.cache, member.url, member.source, timeout, state)
        blobs = 0
        if state.get("complete") != tip:
            blobs = _fetch_needed(member, tip, timeout)
            state["complete"] = tip
        state.update(tip=tip, fetched_at=now.astimezone(UTC).isoformat(timespec="seconds"))
        gitcache.save_state(member.cache, state)
    except (IncidentBeadsError, OSError) as exc:
        error = exc.one_line() if isinstance(exc, IncidentBeadsError) else str(exc)
        return FetchResult(member.name, member.url, False, error=error,
                           seconds=time.perf_counter() - began)
    return FetchResult(member.name, member.url, True, tip, before != tip, mode, blobs,
                       time.perf_counter() - began)


def _fetch_needed(member: Member, tip: str, timeout: float) -> int:
    """Fetch the missing blobs of the store, the configuration and the knowledge folders.

    The member's own `.incident-beads.toml` may move its knowledge folders: it is read first,
    and any folder it names beyond the defaults is fetched in a second round.
    """
    missing = gitcache.missing_blobs(member.cache, tip)
    if not missing:
        return 0
    default = knowledge_paths(KnowledgeConfig())
    wanted = gitcache.files_under(member.cache, tip, [STORE, CONFIG_FILE, *default])
    count = gitcache.fetch_blobs(member.cache, (o for o in wanted.values() if o in missing),
                                 timeout)
    try:
        with gitcache.BlobReader(member.cache) as reader:
            config = member_config(reader, tip, member.name)
    except IncidentBeadsError:
        return count  # reading names a malformed configuration; fetching goes on
    extra = [p for p in knowledge_paths(config.knowledge) if p not in default]
    if extra:
        more = gitcache.files_under(member.cache, tip, extra)
        count += gitcache.fetch_blobs(member.cache, (o for o in more.values() if o in missing),
                                      timeout)
    return count


Progress = Callable[[FetchResult, int, int], None]


def fetch_all(members: Sequence[Member], *, jobs: int, timeout: float, now: datetime,
              progress: Progress | None = None) -> list[FetchResult]:
    """Fetch every member, `jobs` at a time; one that fails is reported, the others go on.

    `progress` is called as each one finishes, with the number done and the total.
    """
    results: dict[str, FetchResult] = {}
    with ThreadPoolExecutor(max_workers=max(1, min(jobs, len(members) or 1))) as pool:
        futures = [pool.submit(fetch_member, m, timeout=timeout, now=now) for m in members]
        for future in as_completed(futures):
            result = future.result()
            results[result.name] = result
            if progress is not None:
                progress(result, len(results), len(members))
    return [results[m.name] for m in members]
