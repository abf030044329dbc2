"""`IncidentResponse`: the public API, composing the lifecycle with hotfixes, knowledge and fleet.

The lifecycle (`lifecycle/api.py`) holds phases 1, 2, 3 and 5 and imports nothing above it; the
facade lends it what the layers above provide (step 0's context, recurrences elsewhere in the
fleet, the write-up after a resolution) and hands phase 4 to `HotfixProtocol` and phases 0 and 6
to `Knowledge`. It is the lifecycle with those lent, so every lifecycle method is the facade's
own, with one signature and one docstring.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from incident_beads.beads.store import BeadsStore
from incident_beads.clock import Clock
from incident_beads.config import Config
from incident_beads.errors import IncidentBeadsError
from incident_beads.lifecycle.api import Extensions, Lifecycle
from incident_beads.lifecycle.model import Assessment, ContextRecord, Incident
from incident_beads.lifecycle.recurrence import RemoteMatch

if TYPE_CHECKING:
    from incident_beads.hotfix.protocol import HotfixProtocol
    from incident_beads.knowledge.api import Knowledge


class IncidentResponse(Lifecycle):
    """Drive production incidents through the seed workflow, stored as beads in one repository.

    Every write is one locked, atomic store transaction. A rule that says no raises `Refused` or
    `InvalidInput` and writes nothing; an escalation condition is recorded first (state, timeline
    and a bead comment) and then raised as `Escalation`, so nothing is lost when the orchestrator
    stops to ask a person. Without a `.beads/` folder the records are kept in memory.
    """

    def __init__(self, root: Path | str, *, clock: Clock | None = None,
                 config: Config | None = None, actor: str | None = None,
                 store: BeadsStore | None = None) -> None:
        super().__init__(root, clock=clock, config=config, actor=actor, store=store,
                         extensions=Extensions(context=self._context,
                                               elsewhere=self._fleet_matches,
                                               after_resolution=self._document_resolution,
                                               before_resolution=self._prepare_documents))

    @property
    def hotfixes(self) -> HotfixProtocol:
        """Phase 4: the hotfix protocol over this repository and store."""
        from incident_beads.hotfix.protocol import HotfixProtocol

        return HotfixProtocol(self)

    @property
    def knowledge(self) -> Knowledge:
        """Phases 0 and 6 over the same store, clock and configuration: context, write-ups,
        critical patterns, runbooks, post-mortem drafts, action items, reports."""
        from incident_beads.knowledge.api import Knowledge

        return Knowledge(self.root, config=self.config, clock=self.now, store=self.store,
                         actor=self.actor)

    # what the layers above lend the lifecycle ----------------------------------------------
    def _context(self, title: str, services: list[str],
                 incidents: list[Incident]) -> ContextRecord:
        """Step 0 of a declaration: past incidents, patterns and deployments like this one."""
        from incident_beads.knowledge.phase0 import Sources
        from incident_beads.knowledge.step0 import gather

        return gather(Sources.of(self.root, self.config, self.store, self.now), title, services,
                      incidents)

    def _fleet_matches(self, plain: str, assessment: Assessment) -> list[RemoteMatch]:
        """Incidents resolved elsewhere in the fleet (as last fetched) that this one resembles."""
        from incident_beads.fleet.members import has_fleet

        if not has_fleet(self.config):
            return []
        from incident_beads.fleet.api import Fleet

        window = timedelta(days=self.config.knowledge.recurrence_window_days)
        try:
            return Fleet(self.root, config=self.config).recurrences(
                plain, assessment, now=assessment.detected_at, window=window)
        except (IncidentBeadsError, OSError):
            # a broken fleet file or cache must not stop a declaration; `incident fleet
            # status` names what is wrong
            return []

    def _prepare_documents(self) -> None:
        """As a resolution starts: load the markdown parser its write-up needs in the background,
        while the store is read and written (the processor is idle then; 15 ms of a `resolve` at
        100,000 issues, 7 ms at 10,000)."""
        from incident_beads.knowledge.document import load_parser_in_background

        load_parser_in_background()

    def _document_resolution(self, incident_id: str, actor: str) -> None:
        """Phase 6 right after resolution: the write-up and the critical patterns entry.

        The bead is closed before the documents are written: a failure to write them is put on
        the incident's timeline with the command that retries, and the resolution stands.
        """
        from incident_beads.knowledge.api import safe_after_resolution

        outcome = safe_after_resolution(self.knowledge, incident_id)
        if isinstance(outcome, str):
            self.record_event(incident_id, f"Write-up not written: {outcome}. Retry with "
                              f"`incident learn {incident_id}`.", kind="learn-failed",
                              actor=actor)
