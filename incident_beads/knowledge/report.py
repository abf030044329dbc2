"""The incident report: response times, counts by severity, post-mortem and action item health."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from incident_beads.knowledge.actions import ActionItem
from incident_beads.knowledge.render import code_text, mermaid_label, table_cell
from incident_beads.lifecycle.model import Incident
from incident_beads.lifecycle.when import as_utc, format_moment

SEVERITIES = ("SEV-1", "SEV-2", "SEV-3", "SEV-4")


def _mean_minutes(deltas: Sequence[timedelta]) -> float | None:
    if not deltas:
        return None
    return round(sum(d.total_seconds() for d in deltas) / len(deltas) / 60, 1)


#: The colour of each severity's line in the chart, and its name in the legend.
LINE_COLOURS = {"SEV-1": ("#d62728", "red"), "SEV-2": ("#ff7f0e", "orange"),
                "SEV-3": ("#1f77b4", "blue"), "SEV-4": ("#7f7f7f", "grey")}


def _bucket_start(key: str) -> str:
    """The first day of a bucket: `2026-W03` -> `2026-01-12`, `2026-01` -> `2026-01-01`."""
    if "-W" in key:
        year, week = key.split("-W")
        return date.fromisocalendar(int(year), int(week), 1).isoformat()
    return f"{key}-01"


def bucket_of(moment: datetime, monthly: bool) -> str:
    """The chart bucket of a moment: ISO week `2026-W03`, or month `2026-01` for long spans."""
    moment = as_utc(moment)
    if monthly:
        return moment.strftime("%Y-%m")
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def response_times(incidents: Sequence[Incident]) -> dict[str, float | None]:
    """MTTA, mean time to mitigate and MTTR in minutes, from detection (None without data)."""
    acknowledged, mitigated, resolved = [], [], []
    for incident in incidents:
        stamps = incident.state.timestamps
        if stamps.acknowledged is not None:
            acknowledged.append(stamps.acknowledged - stamps.detected)
        if stamps.mitigated is not None:
            mitigated.append(stamps.mitigated - stamps.detected)
        if stamps.resolved is not None:
            resolved.append(stamps.resolved - stamps.detected)
    return {"mtta_minutes": _mean_minutes(acknowledged),
            "mean_time_to_mitigate_minutes": _mean_minutes(mitigated),
            "mttr_minutes": _mean_minutes(resolved)}


@dataclass
class Report:
    """Figures over the incidents detected since a moment."""

    since: datetime | None
    until: datetime
    incidents: list[Incident]
    overdue_actions: list[ActionItem]
    postmortem_hours: int
    postmortem_due: dict[str, datetime | None]  # SEV-1/2 incident id -> post-mortem time

    def figures(self) -> dict[str, Any]:
        """The numbers, as JSON."""
        by_severity = dict.fromkeys(SEVERITIES, 0)
        for incident in self.incidents:
            by_severity[incident.state.highest_severity.value] += 1
        on_time: list[str] = []
        late: list[str] = []
        for incident in self.incidents:
            if incident.id not in self.postmortem_due:
                continue
            due = self.postmortem_due[incident.id]
            end = incident.state.timestamps.resolved
            limit = end + timedelta(hours=self.postmortem_hours) if end is not None else None
            ok = due is not None and (limit is None or due <= limit)
            (on_time if ok else late).append(incident.id)
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat(),
            "incidents": len(self.incidents),
            "by_severity": by_severity,
            **response_times(self.incidents),
            "postmortems": {"required": len(on_time) + len(late),
                            "scheduled_within_hours": len(on_time),
                            "window_hours": self.postmortem_hours, "missing_or_late": late},
            "overdue_action_items": [a.to_dict() for a in self.overdue_actions],
            "over_time": self.over_time(),
        }

    def over_time(self) -> dict[str, dict[str, int]]:
        """Incidents per bucket and severity (weeks, or months beyond half a year)."""
        if not self.incidents:
            return {}
        first = min(i.state.timestamps.detected for i in self.incidents)
        monthly = self.until - first > timedelta(days=183)
        buckets: dict[str, dict[str, int]] = {}
        for incident in sorted(self.incidents, key=lambda i: i.state.timestamps.detected):
            key = bucket_of(incident.state.timestamps.detected, monthly)
            counts = buckets.setdefault(key, dict.fromkeys(SEVERITIES, 0))
            counts[incident.state.highest_severity.value] += 1
        return buckets

    def chart(self) -> list[str]:
        """A Mermaid xychart: one line per severity over the buckets (GitHub renders it).

        xychart has no legend of its own: the lines get fixed colours, named below the chart.
        """
        buckets = self.over_time()
        if not buckets:
            return ["No incidents in this period."]
        keys = list(buckets)
        top = max(max(c.values()) for c in buckets.values())
        monthly = len(keys[0]) == len("2026-01")
        labels = [_bucket_start(k) for k in keys]
        title = (f"Incidents per {'month' if monthly else 'week'} by severity, "
                 f"{labels[0]} to {as_utc(self.until).strftime('%Y-%m-%d')}")
        palette = ", ".join(colour for colour, _ in LINE_COLOURS.values())
        lines = ["```mermaid", "---", "config:", "  themeVariables:", "    xyChart:",
                 f'      plotColorPalette: "{palette}"', "---", "xychart-beta",
                 f'    title "{mermaid_label(title, 100)}"',
                 "    x-axis [" + ", ".join(f'"{mermaid_label(k)}"' for k in labels) + "]",
                 f'    y-axis "Incidents" 0 --> {max(top, 1)}']
        for severity in SEVERITIES:
            lines.append("    line [" + ", ".join(str(buckets[k][severity]) for k in keys) + "]")
        lines += ["```", "",
                  "Legend: " + ", ".join(f"{name} {severity}" for severity, (_, name)
                                         in LINE_COLOURS.items())
                  + f"; each point is the {'month' if monthly else 'week'} starting on its "
                    "date (UTC)."]
        return lines

    def render(self) -> str:
        """The report as markdown."""
        f = self.figures()

        def minutes(value: float | None) -> str:
            return "n/a" if value is None else f"{value} min"

        first = min((i.state.timestamps.detected for i in self.incidents), default=None)
        start = self.since or first
        since = format_moment(start) if start is not None else "the beginning"
        pm = f["postmortems"]
        lines = [f"# Incident report: {since} to {format_moment(self.until)}", "",
                 f"- Incidents: {f['incidents']}",
                 f"- MTTA (mean time to acknowledge): {minutes(f['mtta_minutes'])}",
                 f"- Mean time to mitigate: {minutes(f['mean_time_to_mitigate_minutes'])}",
                 f"- MTTR (mean time to resolve): {minutes(f['mttr_minutes'])}",
                 f"- SEV-1/2 post-mortems scheduled within {pm['window_hours']} h: "
                 f"{pm['scheduled_within_hours']} of {pm['required']}"
                 + (f" (missing or late: {', '.join(pm['missing_or_late'])})"
                    if pm["missing_or_late"] else ""),
                 "", "## By severity", "", "| Severity | Incidents |", "|---|---|"]
        lines += [f"| {s} | {n} |" for s, n in f["by_severity"].items()]
        lines += ["", "## Over time", "", *self.chart(), ""]
        lines += ["## Overdue action items", ""]
        if self.overdue_actions:
            lines += ["| Action | Owner | Due | Incident | Bead |", "|---|---|---|---|---|"]
            lines += [f"| {table_cell(a.title)} | {table_cell(a.owner)} | "
                      f"{table_cell(a.due_at or '')} | {code_text(a.incident_id)} | "
                      f"{code_text(a.id)} |" for a in self.overdue_actions]
        else:
            lines.append("None.")
        return "\n".join(lines) + "\n"
