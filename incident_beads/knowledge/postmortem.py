"""The post-mortem draft: the seed's template filled from what was recorded.

Generated parts sit between markers and are refreshed on every run; the parts only people can
write (root cause analysis, contributing factors, what went well or wrong, lessons, prevention)
are left as prompts outside the markers, so what people write there is never touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from incident_beads.beads.issue import Issue, parse_ts
from incident_beads.config import Config
from incident_beads.config.frozen import Frozen
from incident_beads.knowledge import markdown
from incident_beads.knowledge.actions import ActionItem
from incident_beads.knowledge.facts import HotfixFacts, metadata_record
from incident_beads.knowledge.render import code_text, inline_text, mermaid_label, table_cell
from incident_beads.lifecycle.model import Incident, TimelineEvent
from incident_beads.lifecycle.resolution import assessed_impact, postmortem_required
from incident_beads.lifecycle.when import as_utc, format_duration, format_moment

# Section of the Mermaid chart for each kind of timeline event.
_PHASES = (
    ("Assess", ("declared", "escalation", "decision", "reclassified", "risk-acknowledged",
                "recurred", "alert")),
    ("Communicate", ("status-update",)),
    ("Mitigate", ("mitigation", "mitigated")),
    ("Hotfix", ("hotfix",)),
    ("Resolve", ("resolved", "postmortem-scheduled", "reopened", "evidence")),
)
PROMPTS = {
    "Root Cause": "_To be written by people: the technical explanation of what caused the "
                  "incident._",
    "Contributing Factors": "- _To be written by people: e.g. missing monitoring, insufficient "
                            "testing, deployment timing._",
    "What Went Well": "- _To be written by people._",
    "What Went Wrong": "- _To be written by people._",
    "Lessons Learned": "_To be written by people: what should we do differently next time?_",
    "Prevention": "_To be written by people: how do we prevent this class of issue?_",
}
# The document's sections in the seed's order; a name maps to a generated block or a prompt.
LAYOUT = ("Meeting", "Incident Summary", "Timeline", "Mitigations Tried", "Hotfix", "Root Cause",
          "Contributing Factors", "What Went Well", "What Went Wrong", "Action Items",
          "Lessons Learned", "Prevention")


class Meeting(Frozen):
    """The scheduled post-mortem: its bead, owner and time (None when not scheduled)."""

    postmortem_id: str | None
    owner: str
    at: datetime | None


def _phase(kind: str) -> str:
    for name, kinds in _PHASES:
        if kind in kinds or any(kind.startswith(k + "-") for k in kinds):
            return name
    return "Notes"


def _first_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.strip()), "")


def _mermaid_time(moment: datetime) -> str:
    return as_utc(moment).strftime("%Y-%m-%d %H:%M")


def timeline_table(events: Sequence[TimelineEvent]) -> list[str]:
    """The timeline as a UTC table."""
    rows = ["| Time (UTC) | Event |", "|------|-------|"]
    rows += [f"| {as_utc(e.at).strftime('%Y-%m-%d %H:%M')} | "
             f"{table_cell(_first_line(e.text))} |" for e in events]
    return rows


def timeline_chart(incident: Incident, events: Sequence[TimelineEvent]) -> list[str]:
    """The timeline as a Mermaid gantt chart (GitHub renders it): spans and milestones."""
    stamps = incident.state.timestamps
    end = stamps.resolved or (events[-1].at if events else stamps.detected)
    lines = ["```mermaid", "gantt",
             f"    title {mermaid_label(incident.id + ' ' + incident.title)} (UTC)",
             "    dateFormat YYYY-MM-DD HH:mm", "    axisFormat %H:%M",
             "    section Incident"]
    lines.append(f"    Detected to resolved :active, {_mermaid_time(stamps.detected)}, "
                 f"{_mermaid_time(end)}")
    if stamps.mitigated is not None:
        lines.append(f"    Detected to mitigated :crit, {_mermaid_time(stamps.detected)}, "
                     f"{_mermaid_time(stamps.mitigated)}")
    by_phase: dict[str, list[TimelineEvent]] = {}
    for event in events:
        by_phase.setdefault(_phase(event.kind), []).append(event)
    for name in [*(p for p, _ in _PHASES), "Notes"]:
        if name not in by_phase:
            continue
        lines.append(f"    section {name}")
        lines += [f"    {mermaid_label(_first_line(e.text), 50)} :milestone, "
                  f"{_mermaid_time(e.at)}, 0m" for e in by_phase[name]]
    lines.append("```")
    return lines


def _summary(incident: Incident) -> list[str]:
    state = incident.state
    stamps = state.timestamps
    end = stamps.resolved
    duration = (f"{format_duration(end - stamps.detected)} ({format_moment(stamps.detected)} "
                f"to {format_moment(end)})" if end is not None else
                f"ongoing since {format_moment(stamps.detected)}")
    impact = assessed_impact(state) or (
        state.resolution.impact if state.resolution is not None else "") or "not recorded"
    lines = [f"- **Title:** {inline_text(incident.title)}",
             f"- **Date:** {as_utc(stamps.detected).strftime('%Y-%m-%d')}",
             f"- **Duration:** {duration}",
             f"- **Severity:** {state.highest_severity.value}",
             f"- **Impact:** {inline_text(impact)}",
             f"- **Incident:** {code_text(incident.id)}"]
    return lines + _evidence(incident)


def _evidence(incident: Incident) -> list[str]:
    """Which kind of monitoring evidence resolution rested on: measured, or typed."""
    resolution = incident.state.resolution
    if resolution is None or not resolution.checklist.monitoring_evidence:
        return []
    checklist = resolution.checklist
    kind = ("measured by Prometheus checks" if checklist.evidence_kind == "measured"
            else "typed, not measured")
    return [f"- **Monitoring evidence ({kind}):** "
            f"{inline_text(checklist.monitoring_evidence)}"]


def _meeting(meeting: Meeting, incident: Incident) -> list[str]:
    if meeting.at is None:
        return [f"**Meeting:** not scheduled (optional for {incident.severity.value}). "
                f"Schedule it with `incident postmortem schedule {incident.id} --at WHEN "
                "--owner WHO`."]
    return [f"**Owner:** {inline_text(meeting.owner) or 'not named'}  ",
            f"**Meeting:** {format_moment(meeting.at)}  ",
            f"**Post-mortem bead:** {code_text(meeting.postmortem_id or '')}"]


def _mitigations(incident: Incident) -> list[str]:
    tried = incident.state.mitigations
    if not tried:
        return ["No mitigation was recorded."]
    rows = ["| # | Time (UTC) | Option | Result | Detail |", "|---|---|---|---|---|"]
    for n, m in enumerate(tried, start=1):
        detail = m.detail
        if m.config_change is not None:
            detail = f"{detail} ({m.config_change.render()})".strip()
        rows.append(f"| {n} | {as_utc(m.at).strftime('%H:%M')} | {m.option.value} | "
                    f"{m.result.value} | {table_cell(detail)} |")
    return rows


def _hotfix(hotfix: HotfixFacts | None) -> list[str]:
    if hotfix is None:
        return ["No hotfix was made."]
    return [f"- **Hotfix bead:** {code_text(hotfix.hotfix_id)}",
            f"- **Commit:** {code_text(hotfix.commit or 'not recorded')}",
            f"- **Tag:** {code_text(hotfix.tag or 'not tagged')}",
            f"- **Deployed:** {'yes' if hotfix.deployed else 'no'}",
            *(f"- **Gate {code_text(name)}:** {inline_text(how)}" for name, how in hotfix.gates)]


def _actions(items: Sequence[ActionItem]) -> list[str]:
    rows = ["| Action | Owner | Due Date | Priority | Kind | Bead |",
            "|--------|-------|----------|----------|------|------|"]
    if not items:
        return [*rows, "| _Add with `incident action add`_ | | | | | |"]
    rows += [f"| {table_cell(i.title)} | {table_cell(i.owner)} | "
             f"{table_cell((i.due_at or '')[:10])} | P{i.priority} | {table_cell(i.kind)} | "
             f"{code_text(i.id)} |" for i in items]
    return rows


def _root_cause_recorded(incident: Incident) -> list[str]:
    resolution = incident.state.resolution
    brief = resolution.root_cause if resolution is not None else "not recorded yet"
    return [f"Brief root cause given at resolution: {inline_text(brief)}"]


def generated_blocks(incident: Incident, meeting: Meeting, hotfix: HotfixFacts | None,
                     items: Sequence[ActionItem]) -> dict[str, list[str]]:
    """Every generated block of the draft, by section."""
    events = sorted(incident.state.timeline, key=lambda e: e.at)
    return {
        "Meeting": _meeting(meeting, incident),
        "Incident Summary": _summary(incident),
        "Timeline": [*timeline_table(events), "", *timeline_chart(incident, events)],
        "Mitigations Tried": _mitigations(incident),
        "Hotfix": _hotfix(hotfix),
        "Root Cause": _root_cause_recorded(incident),
        "Action Items": _actions(items),
    }


def block_name(section: str) -> str:
    """The marker name of a section's generated block."""
    return "postmortem-" + "-".join(section.lower().split())


def render_new(incident: Incident, blocks: dict[str, list[str]]) -> str:
    """A new draft: the seed's template with generated blocks and prompts."""
    lines = [f"# Post-Mortem: {inline_text(incident.title)}"]
    for section in LAYOUT:
        lines.append("")
        if section != "Meeting":
            lines += [f"## {section}", ""]
        if section in blocks:
            lines += markdown.block_lines(block_name(section), blocks[section])
        if section in PROMPTS:
            lines += ([""] if section in blocks else []) + [PROMPTS[section]]
    return "\n".join(lines) + "\n"


def refresh(text: str, blocks: dict[str, list[str]]) -> str:
    """Refresh the generated blocks of an existing draft; blocks people removed stay removed."""
    for section, body in blocks.items():
        if block_name(section) in markdown.Document(text).blocks():
            text = markdown.set_block(text, block_name(section), body)
    return text


def meeting_of(incident: Incident, issues: Sequence[Issue]) -> Meeting:
    """The incident's post-mortem bead: its id, owner and scheduled time (if scheduled)."""
    bead_id = incident.state.postmortem_id
    bead = next((i for i in issues if i.id == bead_id), None) if bead_id else None
    if bead is None or not bead.due_at:
        return Meeting(bead_id, "", None)
    record = metadata_record(bead)
    owner = str(record.get("owner") or bead.data.get("owner") or bead.data.get("assignee")
                or "")
    try:
        at: datetime | None = as_utc(parse_ts(bead.due_at))
    except ValueError:
        at = None
    return Meeting(bead.id, owner, at)


def postmortem_due(incidents: Sequence[Incident], issues: Sequence[Issue],
                   config: Config) -> dict[str, datetime | None]:
    """Closed incidents that need a post-mortem -> its scheduled time (None: not scheduled)."""
    needed = [i for i in incidents
              if i.status == "closed" and postmortem_required(i.state, config)]
    if not needed:
        return {}
    wanted = {i.state.postmortem_id for i in needed if i.state.postmortem_id}
    beads = [issue for issue in issues if issue.id in wanted]
    return {i.id: meeting_of(i, beads).at for i in needed}
