"""`Fleet`: fetch the fleet, then answer across it: open incidents, context, report, recurrence."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from incident_beads import collector
from incident_beads.beads.issue import Issue, parse_ts
from incident_beads.beads.store import BeadsStore, utc_now
from incident_beads.clock import Clock
from incident_beads.config import Config, load_config
from incident_beads.errors import GitError, IncidentBeadsError, NotFound, Refused
from incident_beads.fleet import gitcache
from incident_beads.fleet.answers import OpenIncidents, Skipped, Source
from incident_beads.fleet.fetch import FetchResult, Progress, fetch_all
from incident_beads.fleet.members import Member, jobs_of, members_of, user_fleet
from incident_beads.fleet.reader import (
    ANSWER_PARTS,
    REPORT_PARTS,
    MemberStore,
    read_knowledge,
    read_store,
)
from incident_beads.knowledge.context import ContextReport, Elsewhere
from incident_beads.lifecycle.model import Assessment
from incident_beads.lifecycle.recurrence import RemoteMatch, matching_elsewhere
from incident_beads.lifecycle.timeline import incident_from, is_incident
from incident_beads.lifecycle.when import as_utc
from incident_beads.repo import GitRepo

if TYPE_CHECKING:
    from incident_beads.fleet.report import FleetReport



class Fleet:
    """The repositories named in `[fleet]` (the repository's and the person's own file).

    `fetch` brings the cached copies up to date over the network; everything else reads the
    cache (and this repository's own store from its work tree) and never the network.
    """

    def __init__(self, root: Path | str | None = None, *, config: Config | None = None,
                 clock: Clock | None = None, cache: Path | None = None) -> None:
        self.root = Path(root) if root is not None else None
        if config is None:
            config = load_config(self.root) if self.root is not None else Config()
        self.config = config
        mine = user_fleet()
        self.members = members_of(config, user=mine, cache=cache)
        self.jobs, self.timeout = jobs_of(config, mine)
        self._clock: Clock = clock or utc_now

    def now(self) -> datetime:
        """The current moment, in UTC."""
        return as_utc(self._clock())

    # fetching ----------------------------------------------------------------------------------
    def fetch(self, progress: Progress | None = None,
              names: Sequence[str] = ()) -> list[FetchResult]:
        """Fetch every member (or those named), several at once; failures are in the results."""
        self._require_members()
        chosen = self.members
        if names:
            known = {m.name for m in self.members}
            unknown = [n for n in names if n not in known]
            if unknown:
                raise NotFound(f"no fleet repository named {', '.join(unknown)}",
                               hint="`incident fleet status` lists them")
            chosen = [m for m in self.members if m.name in names]
        return fetch_all(chosen, jobs=self.jobs, timeout=self.timeout, now=self.now(),
                         progress=progress)

    def status(self) -> list[dict[str, Any]]:
        """Each member: name, URL, branch, cached tip and when it was fetched."""
        rows = []
        for member in self.members:
            cached = gitcache.cached_tip(member.cache)
            rows.append({"name": member.name, "url": member.url, "branch": member.branch or None,
                         "tip": cached[0] if cached else None,
                         "fetched_at": cached[1] if cached else None,
                         "this_repository": self._is_here(member)})
        return rows

    def _require_members(self) -> None:
        if not self.members:
            raise Refused("no fleet is configured",
                          hint="name repositories under [fleet] in .incident-beads.toml or in "
                               "~/.config/incident-beads/fleet.toml")

    # reading -----------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """This repository's name in answers: its fleet name if listed, else its folder's."""
        here = next((m for m in self.members if self._is_here(m)), None)
        if here is not None:
            return here.name
        return self.root.resolve().name if self.root is not None else ""

    def others(self) -> list[Member]:
        """The members other than this repository (whose work tree is read instead)."""
        return [m for m in self.members if not self._is_here(m)]

    def _is_here(self, member: Member) -> bool:
        if self.root is None:
            return False
        here = self.root.resolve()
        url = member.url.removeprefix("file://")
        with contextlib.suppress(OSError):
            if Path(url).is_absolute() and Path(url).resolve() == here:
                return True
        return member.url in self._remote_urls()

    def _remote_urls(self) -> set[str]:
        cached: set[str] | None = getattr(self, "_urls", None)
        if cached is None:
            cached = set()
            if self.root is not None:
                with contextlib.suppress(GitError, OSError), GitRepo(self.root) as repo:
                    cached = repo.remote_urls()
            self._urls = cached
        return cached

    def stores(self, keep: Callable[[dict[str, Any]], bool] | None = None,
               parts: frozenset[str] = ANSWER_PARTS) -> tuple[list[MemberStore], list[Skipped]]:
        """Every other member's store at its fetched tip; unreadable ones are skipped, named."""
        found: list[MemberStore] = []
        skipped: list[Skipped] = []
        for member in self.others():
            try:
                found.append(read_store(member, keep=keep or _everything, parts=parts))
            except IncidentBeadsError as exc:
                skipped.append(Skipped(member.name, exc.one_line()))
        return found, skipped

    def sources(self, parts: frozenset[str] = ANSWER_PARTS
                ) -> tuple[list[Source], list[Skipped]]:
        """This repository (from its work tree, if it has a store) and every other member."""
        stores, skipped = self.stores(parts=parts)
        found = [Source(s.member.name, s.member.url, s.config, s.issues, s.incidents)
                 for s in stores]
        skipped += [Skipped(s.member.name, note) for s in stores for note in s.notes]
        if self.root is not None:
            store = BeadsStore(self.root, config=self.config.beads)
            if store.persistent:
                issues = list(store.issues())
                incidents = []
                for issue in issues:
                    if is_incident(issue):
                        try:
                            incidents.append(incident_from(issue))
                        except IncidentBeadsError as exc:
                            skipped.append(Skipped(self.name, exc.one_line()))
                found.insert(0, Source(self.name, str(self.root), self.config, issues,
                                       incidents))
        return found, skipped

    # answers -----------------------------------------------------------------------------------
    def open_incidents(self) -> OpenIncidents:
        """Every open incident across the fleet."""
        self._require_members()
        with collector.paused():  # tens of thousands of records, no cycles
            sources, skipped = self.sources()
        rows = []
        for source in sources:
            for incident in source.incidents:
                if not incident.is_open:
                    continue
                state = incident.state
                rows.append({"repository": source.name, "id": incident.id,
                             "severity": state.severity.value, "phase": incident.phase,
                             "status": incident.status, "title": incident.title,
                             "services": list(state.assessment.services),
                             "detected_at": state.timestamps.detected.isoformat()})
        rows.sort(key=lambda r: (r["severity"], r["detected_at"], r["repository"], r["id"]))
        return OpenIncidents(rows, skipped)

    def context(self, text: str = "", *, service: str | None = None, limit: int = 5,
                include_deployments: bool = True) -> ContextReport:
        """`incident context` over this repository and every other member, each hit named."""
        from incident_beads.knowledge.api import Knowledge

        self._require_members()
        if self.root is None:
            raise Refused("the fleet context runs inside a repository",
                                     hint="run it in the repository of the incident (-C PATH)")
        with collector.paused():  # tens of thousands of records, no cycles
            stores, skipped = self.stores()
        elsewhere: list[Elsewhere] = []
        for store in stores:
            try:
                known = read_knowledge(store.member, store)
            except IncidentBeadsError as exc:
                skipped.append(Skipped(store.member.name, exc.one_line()))
                continue
            elsewhere.append(Elsewhere(store.member.name, store.incidents, known.writeups,
                                       known.patterns, known.runbooks))
        knowledge = Knowledge(self.root, config=self.config, clock=self.now)
        report = knowledge.context(text, service=service, limit=limit,
                                   include_deployments=include_deployments, fleet=elsewhere,
                                   name=self.name)
        report.notes += [s.line() for s in skipped]
        return report

    def report(self, since: datetime | str | None = None) -> FleetReport:
        """MTTA, time to mitigate, MTTR per repository, service and severity, with the chart."""
        from incident_beads.fleet.report import fleet_report

        self._require_members()
        with collector.paused():  # tens of thousands of records, no cycles
            sources, skipped = self.sources(REPORT_PARTS)
            return fleet_report(sources, skipped, now=self.now(), since=since)

    def recurrences(self, title: str, assessment: Assessment, *, now: datetime,
                    window: timedelta) -> list[RemoteMatch]:
        """Incidents resolved in another member within `window` that this one looks like.

        Reads the cache only; a member never fetched or unreadable is left out (the
        declaration must not wait on, or fail for, another team's repository).
        """
        since = now - window

        def recent(data: dict[str, Any]) -> bool:
            return _closed_incident_since(data, since)

        with collector.paused():  # tens of thousands of records, no cycles
            stores, _ = self.stores(keep=recent)
        candidates = [(s.member.name, s.member.url, i) for s in stores for i in s.incidents]
        return matching_elsewhere(title, assessment, candidates, now=now, window=window)


def _closed_incident_since(data: dict[str, Any], since: datetime) -> bool:
    """On the raw record: a closed incident closed since `since` (most lines fail fast)."""
    if data.get("status") != "closed" or not is_incident(Issue(data)):
        return False
    closed = data.get("closed_at")
    try:
        return not isinstance(closed, str) or parse_ts(closed) >= since
    except ValueError:
        return True  # unreadable: let the full check decide


def _everything(data: dict[str, Any]) -> bool:
    return True
