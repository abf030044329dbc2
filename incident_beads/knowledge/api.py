"""`Knowledge`: phases 0 and 6 and the toolkit integration, over the store and `docs/`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from incident_beads.beads.issue import Issue
from incident_beads.beads.store import BeadsStore, IssueLine, utc_now
from incident_beads.clock import Clock
from incident_beads.config import Config, load_config
from incident_beads.errors import IncidentBeadsError, NotFound, Refused
from incident_beads.hotfix.model import KIND as HOTFIX_KIND
from incident_beads.knowledge import trends
from incident_beads.knowledge.actions import LABEL as ACTION_LABEL
from incident_beads.knowledge.actions import ActionItem, ActionItems
from incident_beads.knowledge.facts import (
    hotfix_of,
    load_incident,
    service_of,
    writeup_facts,
)
from incident_beads.knowledge.incident_text import symptoms_of
from incident_beads.knowledge.outcomes import DraftResult, LearnResult
from incident_beads.knowledge.paths import check_name, read_inside, write_inside
from incident_beads.knowledge.patterns import CriticalPatterns
from incident_beads.knowledge.runbooks import Runbooks
from incident_beads.knowledge.writeup import Writeups
from incident_beads.lifecycle.model import Incident
from incident_beads.lifecycle.resolution import postmortem_required
from incident_beads.lifecycle.timeline import readable_incident
from incident_beads.lifecycle.when import as_utc
from incident_beads.people import resolve_actor

if TYPE_CHECKING:  # phase 0, post-mortems and the report load when asked for: not on `resolve`
    from incident_beads.knowledge import context as ctx
    from incident_beads.knowledge.report import Report

#: The names above, for whoever resolves these annotations at run time (the MCP server).
LATE_TYPES = {"ctx": "incident_beads.knowledge.context",
              "Report": "incident_beads.knowledge.report:Report"}


class Knowledge:
    """Institutional knowledge of one repository: load it before, and grow it after, incidents.

    Reads the incidents from the beads store and writes markdown under `docs/` (write-ups,
    critical patterns, runbooks, post-mortem drafts); action items are beads. Works without a
    `.beads/` folder too (then the store is in memory and only the markdown persists).
    """

    def __init__(self, root: Path | str, *, config: Config | None = None,
                 clock: Clock | None = None, store: BeadsStore | None = None,
                 actor: str | None = None) -> None:
        self.root = Path(root)
        self.config = config if config is not None else load_config(self.root)
        # One clock: a store given without a clock lends its own (the command's clock).
        self._clock: Clock = clock or (store.clock if store is not None else utc_now)
        self.store = store or BeadsStore(self.root, config=self.config.beads, clock=self.now)
        self.actor = actor or resolve_actor(str(root))
        self.patterns = CriticalPatterns(self.root, self.config.knowledge)
        self.runbooks = Runbooks(self.root, self.config.knowledge)
        self.writeups = Writeups(self.root, self.config.knowledge)
        self.actions = ActionItems(self.store, self.now)

    def now(self) -> datetime:
        """The current moment, in UTC."""
        return as_utc(self._clock())

    # reading the incidents -------------------------------------------------------------------
    def _incidents(self, issues: Sequence[Issue]) -> list[Incident]:
        return [i for i in map(readable_incident, issues) if i is not None]

    def _incident(self, incident_id: str,
                  lines: Sequence[IssueLine] | None = None,
                  ) -> tuple[Incident, list[Issue]]:
        # the incidents and the hotfixes (by their label or record's kind; `lines` when the
        # caller read them already), then its post-mortem by its label, or by its id if it lost
        # it: the rest of the store is not parsed. Words are searched, ids looked up: the lines
        # holding a word are remembered (a resolution's own write keeps them), and an id is no
        # word worth remembering.
        if lines is None:
            lines = self.store.issue_lines_mentioning("incident", HOTFIX_KIND)
        issues = [issue for _, issue in lines]
        issue = next((i for i in issues if i.id == incident_id), None)
        incident = load_incident(issue or self.store.get(incident_id))
        meeting = incident.state.postmortem_id
        if meeting and all(i.id != meeting for i in issues):
            issues += self.store.issues_mentioning(ACTION_LABEL)
            if all(i.id != meeting for i in issues):
                issues += self._live([meeting])
        return incident, issues

    def _live(self, issue_ids: Sequence[str]) -> list[Issue]:
        """The live issues of these ids, looked up by id (one that is gone is left out)."""
        found: list[Issue] = []
        for issue_id in issue_ids:
            try:
                found.append(self.store.get(issue_id))
            except NotFound:
                continue
        return found

    # phase 0 -----------------------------------------------------------------------------------
    def context(self, text: str = "", *, service: str | None = None, limit: int = 5,
                include_deployments: bool = True,
                fleet: Sequence[ctx.Elsewhere] | None = None,
                name: str = "") -> ctx.ContextReport:
        """Everything to load before responding: similar incidents (ranked), critical patterns,
        the service's runbook, recent deployments.

        `text` may be an incident id: then that incident describes itself and is left out.
        With `fleet` (other repositories' knowledge), incidents, write-ups and pattern entries
        of every repository are ranked together, each named by its repository (this one as
        `name`), and a runbook this repository lacks is taken from the fleet.
        """
        from incident_beads.knowledge import phase0

        sources = phase0.Sources(self.root, self.config, self.store, self.now, self.writeups,
                                 self.patterns, self.runbooks)
        return phase0.load(sources, text, service=service, limit=limit,
                           include_deployments=include_deployments, fleet=fleet, name=name)

    # phase 6: write-up and critical patterns ---------------------------------------------------
    def learn(self, incident_id: str, *, problem_type: str | None = None,
              component: str | None = None, module: str | None = None,
              root_cause: str | None = None, resolution_type: str | None = None,
              symptoms: Sequence[str] = (), tags: Sequence[str] = (),
              deployment_safety: Sequence[str] = (), diagnosis: Sequence[str] = (),
              escalation: Sequence[str] = ()) -> LearnResult:
        """The toolkit's steps after resolution, each safe to repeat.

        Writes (or refreshes) the incident's write-up, adds it to "Past Incidents" once, adds
        any `deployment_safety` lessons, proposes patterns for incidents that recur, and adds
        the incident to its service's runbook. Options override the recorded defaults; the
        runbook's issue takes `symptoms` (else the recorded ones), the `diagnosis` commands and
        the `escalation` path (primary first).
        """
        lines = self.store.issue_lines_mentioning("incident", HOTFIX_KIND)
        incident, issues = self._incident(incident_id, lines)
        if incident.state.resolution is None:
            raise Refused(f"{incident_id} is not resolved yet: its write-up needs the root cause",
                          hint=f"resolve it first: incident resolve {incident_id} ...")
        facts = writeup_facts(incident, issues)
        overrides = {"problem_type": problem_type, "component": component, "module": module,
                     "root_cause": root_cause, "resolution_type": resolution_type,
                     "symptoms": list(symptoms), "tags": list(tags)}
        path, created = self.writeups.write(facts, overrides=overrides,
                                            today=self.now().strftime("%Y-%m-%d"))
        added = self.patterns.add_past_incident(
            date=facts.date, incident_id=incident.id, severity=facts.severity,
            title=incident.title, root_cause=root_cause or facts.root_cause, writeup=path)
        found = trends.proposals(trends.recorded(self.root, lines), now=self.now(),
                                 window_days=self.config.knowledge.pattern_window_days,
                                 threshold=self.config.knowledge.pattern_threshold)
        self.patterns.propose(found)
        lessons = [text for text in deployment_safety if self.patterns.add_deployment_safety(text)]
        runbook = self._add_to_runbook(incident, symptoms=symptoms, diagnosis=diagnosis,
                                       escalation=escalation)
        return LearnResult(incident.id, path, created, self.patterns.relative_path, added, found,
                           runbook, lessons)

    def _add_to_runbook(self, incident: Incident, *, symptoms: Sequence[str] = (),
                        diagnosis: Sequence[str] = (),
                        escalation: Sequence[str] = ()) -> str | None:
        service = service_of(incident)
        resolution = incident.state.resolution
        if not service or resolution is None:
            return None
        try:
            check_name("service", service)
        except IncidentBeadsError:
            return None  # a service name that is no file name gets no runbook, the rest stands
        path, _ = self.runbooks.add(service, incident.title,
                                    symptoms=list(symptoms) or symptoms_of(incident)[:5],
                                    diagnosis=diagnosis, escalation=escalation,
                                    resolution=f"{resolution.summary} (incident {incident.id})")
        return path

    def after_resolution(self, incident_id: str) -> LearnResult:
        """The toolkit step after resolution: document it, check for patterns, update the file."""
        return self.learn(incident_id)

    # phase 6: post-mortem draft ----------------------------------------------------------------
    def postmortem_path(self, incident_id: str) -> str:
        """`docs/postmortems/<incident id>.md`."""
        name = check_name("incident id", incident_id)
        return f"{self.config.knowledge.postmortems_dir}/{name}.md"

    def postmortem_draft(self, incident_id: str) -> DraftResult:
        """Write or refresh the post-mortem draft from the recorded timeline.

        A SEV-1/2 incident needs its post-mortem scheduled first (the draft names the owner and
        the meeting time); regenerating refreshes only the generated parts.
        """
        from incident_beads.knowledge import postmortem as pm

        incident, issues = self._incident(incident_id)
        meeting = pm.meeting_of(incident, issues)
        if meeting.at is None and postmortem_required(incident.state, self.config):
            raise Refused(f"{incident_id} is {incident.state.highest_severity.value}: schedule "
                          "its post-mortem before drafting it",
                          hint=f"incident postmortem schedule {incident_id} --at +1d --owner WHO")
        blocks = pm.generated_blocks(incident, meeting, hotfix_of(issues, incident.id),
                                     self.actions.list(incident_id=incident.id,
                                                       include_closed=True))
        relative = self.postmortem_path(incident.id)
        text = read_inside(self.root, relative)
        new = pm.render_new(incident, blocks) if text is None else pm.refresh(text, blocks)
        write_inside(self.root, relative, new)
        return DraftResult(incident.id, relative, text is None, meeting.owner,
                           meeting.at.isoformat() if meeting.at else None)

    # phase 6: action items -----------------------------------------------------------------------
    def add_action(self, incident_id: str, text: str, *, priority: int, owner: str,
                   due: datetime | str, kind: str) -> ActionItem:
        """Create an action item bead (`post-mortem`, discovered-from the incident)."""
        from incident_beads.lifecycle.hold import signed_trust

        return self.actions.add(incident_id, text, priority=priority, owner=owner, due=due,
                                kind=kind, created_by=self.actor,
                                trust=signed_trust(self.root, self.config))

    # reporting -----------------------------------------------------------------------------------
    def report(self, since: datetime | str | None = None) -> Report:
        """MTTA, time to mitigate, MTTR, counts, post-mortem timeliness, overdue action items."""
        from incident_beads.hotfix.deploys import parse_since
        from incident_beads.knowledge.postmortem import postmortem_due
        from incident_beads.knowledge.report import Report

        now = self.now()
        start = parse_since(since, now) if since is not None else None
        # one read: the incidents, and the post-mortem beads and action items by their label
        issues = self.store.issues_mentioning("incident", ACTION_LABEL)
        incidents = [i for i in self._incidents(issues)
                     if start is None or i.state.timestamps.detected >= start]
        meetings = {i.state.postmortem_id for i in incidents} - {None, *(i.id for i in issues)}
        if meetings:  # post-mortem beads that lost their label, looked up by their ids
            issues += self._live(sorted(filter(None, meetings)))
        return Report(since=start, until=now, incidents=incidents,
                      overdue_actions=self.actions.list(overdue=True, among=issues),
                      postmortem_hours=self.config.knowledge.postmortem_within_hours,
                      postmortem_due=postmortem_due(incidents, issues, self.config))


def safe_after_resolution(knowledge: Knowledge, incident_id: str) -> LearnResult | str:
    """Run the post-resolution step; a failure is returned as text (the bead is already closed)."""
    try:
        return knowledge.after_resolution(incident_id)
    except (IncidentBeadsError, OSError) as exc:
        return exc.one_line() if isinstance(exc, IncidentBeadsError) else str(exc)
