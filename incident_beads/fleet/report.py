"""`incident report --fleet`: the one-repository report over every repository, then broken
down per repository, service and severity."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from incident_beads.hotfix.deploys import parse_since
from incident_beads.knowledge.actions import action_item, is_action
from incident_beads.knowledge.postmortem import postmortem_due
from incident_beads.knowledge.render import inline_text, table_cell
from incident_beads.knowledge.report import SEVERITIES, Report, response_times
from incident_beads.lifecycle.model import Incident

if TYPE_CHECKING:
    from incident_beads.fleet.answers import Skipped, Source

_GROUPS = (("by_repository", "Repository"), ("by_service", "Service"),
           ("by_severity", "Severity"))


@dataclass
class FleetReport:
    """The figures of every repository together (`total`), and per group."""

    total: Report
    groups: dict[str, dict[str, dict[str, Any]]]  # group -> key -> figures
    skipped: list[Skipped]

    def figures(self) -> dict[str, Any]:
        """The numbers, as JSON: the single-repository figures plus the breakdowns."""
        return {**self.total.figures(), "breakdown": self.groups,
                "skipped": [s.__dict__ for s in self.skipped]}

    def render(self) -> str:
        """The report as markdown: the whole fleet, then a table per breakdown."""
        text = self.total.render().replace("# Incident report:", "# Fleet incident report:", 1)
        lines = [text.rstrip("\n")]
        for group, heading in _GROUPS:
            lines += ["", f"## Response times by {heading.lower()}", "",
                      f"| {heading} | Incidents | MTTA | Time to mitigate | MTTR |",
                      "|---|---|---|---|---|"]
            for key, row in self.groups[group].items():
                lines.append(f"| {table_cell(key)} | {row['incidents']} | "
                             f"{_minutes(row['mtta_minutes'])} | "
                             f"{_minutes(row['mean_time_to_mitigate_minutes'])} | "
                             f"{_minutes(row['mttr_minutes'])} |")
        if self.skipped:
            lines += ["", "## Skipped", ""]
            lines += [f"- {inline_text(s.repository)}: {inline_text(s.reason)}"
                      for s in self.skipped]
        return "\n".join(lines) + "\n"


def _minutes(value: float | None) -> str:
    return "n/a" if value is None else f"{value} min"


def _figures(incidents: Sequence[Incident]) -> dict[str, Any]:
    return {"incidents": len(incidents), **response_times(incidents)}


def fleet_report(sources: Sequence[Source], skipped: list[Skipped], *, now: datetime,
                 since: datetime | str | None) -> FleetReport:
    """Build the report; ids are named `repository/id`, as two repositories may share ids."""
    start = parse_since(since, now) if since is not None else None
    everything: list[Incident] = []
    due: dict[str, datetime | None] = {}
    overdue = []
    by_repository: dict[str, list[Incident]] = {}
    by_service: dict[str, list[Incident]] = {}
    by_severity: dict[str, list[Incident]] = {s: [] for s in SEVERITIES}
    hours: int | None = None
    for source in sources:
        # the strictest window of the fleet: configuration tightens, never loosens
        window = source.config.knowledge.postmortem_within_hours
        hours = window if hours is None else min(hours, window)
        chosen = [i for i in source.incidents
                  if start is None or i.state.timestamps.detected >= start]
        named = [i.model_copy(update={"id": f"{source.name}/{i.id}"}) for i in chosen]
        for key, when in postmortem_due(chosen, source.issues, source.config).items():
            due[f"{source.name}/{key}"] = when
        for issue in source.issues:
            if is_action(issue) and not issue.is_closed:
                item = action_item(issue, now)
                if item.overdue:
                    overdue.append(item._replace(id=f"{source.name}/{item.id}",
                                                 incident_id=f"{source.name}/{item.incident_id}"))
        everything += named
        by_repository[source.name] = named
        for incident in named:
            by_severity[incident.state.highest_severity.value].append(incident)
            for service in dict.fromkeys(incident.state.assessment.services) or ["(none)"]:
                by_service.setdefault(service, []).append(incident)
    overdue.sort(key=lambda a: (a.due_at or "9999", a.id))
    total = Report(since=start, until=now, incidents=everything, overdue_actions=overdue,
                   postmortem_hours=48 if hours is None else hours, postmortem_due=due)
    groups = {
        "by_repository": {k: _figures(v) for k, v in by_repository.items()},
        "by_service": {k: _figures(v) for k, v in sorted(by_service.items())},
        "by_severity": {k: _figures(v) for k, v in by_severity.items()},
    }
    return FleetReport(total, groups, skipped)
