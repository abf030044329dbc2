"""`incident init | list | show | doctor`: the store itself."""

from __future__ import annotations

from typing import Any

import click

from incident_beads.beads.issue import Issue
from incident_beads.cli._common import emit, json_option, open_store, print_warnings, repo_root
from incident_beads.cli._errors import Reported
from incident_beads.errors import MalformedFile
from incident_beads.lifecycle.held import decision_command, open_escalations


@click.command()
@click.option("--prefix", default="", help="Issue id prefix (default: from bd or the folder).")
@json_option
@click.pass_context
def init(ctx: click.Context, prefix: str, as_json: bool) -> None:
    """Create the beads store (.beads/issues.jsonl); safe to run twice."""
    from incident_beads.mergedriver.setup import init_repository  # GitPython: init only

    root = repo_root(ctx)
    written = init_repository(root, prefix)
    paths = [str(p.relative_to(root)) for p in written]
    emit(as_json, {"root": str(root), "written": paths},
         f"initialized {root / '.beads'}" + (
             f"; changed {', '.join(paths)} (`incident sync` commits them)" if paths
             else " (already present, nothing changed)"))


@click.command("list")
@click.option("-s", "--status", help="Only issues with this status.")
@click.option("-t", "--type", "issue_type", help="Only issues of this type.")
@click.option("-l", "--label", help="Only issues with this label.")
@click.option("-p", "--priority", type=click.IntRange(0, 4), help="Only issues of this priority.")
@click.option("-n", "--limit", type=click.IntRange(min=0), default=0,
              help="Show at most N issues (default: all).")
@click.option("-a", "--all", "include_closed", is_flag=True, help="Include closed issues.")
@click.option("--ready", is_flag=True, help="Only open issues with no open blocker (bd ready).")
@click.option("--fleet", "fleet", is_flag=True,
              help="Every open incident across the fleet (as last fetched), repository first.")
@json_option
@click.pass_context
def list_(ctx: click.Context, status: str | None, issue_type: str | None, label: str | None,
          priority: int | None, limit: int, include_closed: bool, ready: bool, fleet: bool,
          as_json: bool) -> None:
    """List issues, ids first."""
    if fleet:
        from incident_beads.cli.fleet_cmds import list_fleet

        list_fleet(ctx, as_json)
        return
    store = open_store(ctx)
    if ready:
        rows = [_row(i) for i in store.ready()
                if (issue_type is None or i.issue_type == issue_type)
                and (label is None or label in i.labels)
                and (priority is None or i.priority == priority)]
    else:
        rows = store.summaries(row=_row, status=status, issue_type=issue_type, label=label,
                               priority=priority, include_closed=include_closed)
    total = len(rows)
    if limit:
        rows = rows[:limit]

    def text() -> str:
        if not rows:
            return _nothing_listed(status, issue_type, label, priority, include_closed, ready)
        lines = [f"{r['id']}  [P{r['priority']}] [{r['status']}] {r['title']}"
                 + (f"  HELD: {', '.join(e['condition'] for e in r['open_escalations'])}"
                    if r.get("open_escalations") else "") for r in rows]
        if total > len(rows):
            lines.append(f"({len(rows)} of {total} shown; --limit 0 shows all)")
        return "\n".join(lines)

    emit(as_json, rows, text)


def _row(issue: Issue) -> dict[str, Any]:
    """An issue's summary; an incident's also names the escalations that hold it."""
    row = issue.summary()
    held = _held(issue)
    if held is not None:
        row["open_escalations"] = held
    return row


def _held(issue: Issue) -> list[dict[str, Any]] | None:
    """The open escalations of an incident bead (None for other beads)."""
    record = issue.metadata.get("incident_beads")
    if not isinstance(record, dict) or record.get("kind") != "incident":
        return None
    found = open_escalations(record)
    for item in found:
        item["decision_command"] = decision_command(issue.id, item["condition"])
    return found


def _nothing_listed(status: str | None, issue_type: str | None, label: str | None,
                    priority: int | None, include_closed: bool, ready: bool) -> str:
    """An empty list said in a sentence, with the filters that made it empty."""
    kind = "ready issues" if ready else (
        "issues" if include_closed or status else "open issues")
    filters = [f"{name} {value}" for name, value in (
        ("status", status), ("type", issue_type), ("label", label),
        ("priority", None if priority is None else f"P{priority}")) if value is not None]
    where = f" with {', '.join(filters)}" if filters else ""
    more = "" if include_closed or status or ready else " (--all includes closed ones)"
    return f"No {kind}{where}.{more}"


@click.command()
@click.argument("issue_ids", metavar="ID...", nargs=-1, required=True)
@json_option
@click.pass_context
def show(ctx: click.Context, issue_ids: tuple[str, ...], as_json: bool) -> None:
    """Show issues with their dependencies and comments (--json: an array, as bd prints)."""
    store = open_store(ctx)
    issues = [store.get(issue_id) for issue_id in issue_ids]

    def text(issue: Issue) -> str:
        held = _held(issue)
        lines = [f"{issue.id}: {issue.title}",
                 f"status: {issue.status}  priority: P{issue.priority}  type: {issue.issue_type}"]
        for item in held or []:
            lines.append(f"HELD by escalation {item['condition']} since {item['since']}: "
                         f"{item['message']}\n  a person decides: {item['decision_command']}")
        if issue.labels:
            lines.append(f"labels: {', '.join(issue.labels)}")
        if issue.description:
            lines += ["", issue.description]
        for dep in issue.dependencies:
            lines.append(f"depends on {dep.get('depends_on_id')} ({dep.get('type')})")
        for comment in issue.comments:
            lines += ["", f"[{comment.get('created_at')}] {comment.get('author')}:",
                      str(comment.get("text", ""))]
        if issue.is_closed:
            lines.append(f"closed {issue.closed_at}: {issue.close_reason}")
        return "\n".join(lines)

    emit(as_json, [_shown(issue) for issue in issues],
         lambda: "\n\n".join(text(issue) for issue in issues))


def _shown(issue: Issue) -> dict[str, Any]:
    """The issue as bd prints it; an incident's open escalations beside it."""
    held = _held(issue)
    return issue.data if held is None else {**issue.data, "open_escalations": held}


@click.command()
@click.option("-v", "--verbose", is_flag=True,
              help="List every line of grouped warnings, not only a count per rule.")
@json_option
@click.pass_context
def doctor(ctx: click.Context, verbose: bool, as_json: bool) -> None:
    """Report every line of the store that `bd import` would refuse, and what the journal holds.

    Errors and the warnings of lines this tool wrote are listed one by one; warnings of lines
    other tools wrote are counted per rule (`--verbose` lists them). Custom types and statuses
    of bd's `.beads/config.yaml` count as bd counts them.
    """
    from incident_beads.beads.doctor import split_foreign, validate
    from incident_beads.beads.recovery import compare

    store = open_store(ctx)
    problems = validate(store.path) if store.path.exists() else []
    comparison = compare(store)
    late = comparison.behind
    journal = store.journal()
    ref = journal.ref if journal is not None else "the journal"
    rows = [p._asdict() for p in problems] + [
        {"line": 0, "issue_id": item.issue_id, "level": "warning",
         "rule": f"behind the journal {ref}: {item.describe().partition(': ')[2]}"}
        for item in late]

    def text() -> str:
        listed, groups = split_foreign(problems, comparison.written_lines)
        lines = [f"{store.path}:{p.line}: {p.level}: {p.issue_id}: {p.rule}" for p in listed]
        for group in groups:
            if verbose:
                lines += [f"{store.path}:{p.line}: {p.level}: {p.issue_id}: {p.rule}"
                          for p in group.violations]
            else:
                count = len(group.violations)
                lines.append(f"{store.path}: warning: {count} line(s) other tools wrote: "
                             f"{group.kind} (first: line {group.violations[0].line}, "
                             f"{group.violations[0].issue_id}; --verbose lists them)")
        if late:
            lines.append(f"{store.path}: warning: the work tree is behind the journal {ref} "
                         f"by {len(late)} issue(s); `incident recover` brings them back:")
            lines += [f"  {item.describe()}" for item in late]
        return "\n".join(lines) or f"{store.path}: every line passes bd's import rules"

    emit(as_json, rows, text)
    errors = [p for p in problems if p.level == "error"]
    if errors:
        failure = MalformedFile(str(store.path), errors[0].line, f"{len(errors)} line(s) that "
                                f"`bd import` refuses, first: {errors[0].issue_id}: "
                                f"{errors[0].rule}")
        if as_json:  # the report above is the one JSON document; the failure goes to stderr
            raise Reported(failure)
        raise failure


@click.command()
@click.option("--dry-run", is_flag=True, help="Only say what the journal would bring back.")
@json_option
@click.pass_context
def recover(ctx: click.Context, dry_run: bool, as_json: bool) -> None:
    """Bring back from the journal what the work tree lost (stash, reset, checkout, clean).

    Merges by issue id: an issue the work tree lacks comes back, one it holds in an older
    version is brought forward, and nothing newer is overwritten.
    """
    from incident_beads.beads.recovery import recover_repository
    from incident_beads.config import load_config

    root = repo_root(ctx)
    store, found = recover_repository(root, config=load_config(root).beads, dry_run=dry_run)
    print_warnings(store.warnings)
    verb = "would bring back" if dry_run else "brought back"

    def text() -> str:
        if not found:
            return f"{store.path}: the work tree holds everything the journal has"
        lines = [f"{verb} {len(found)} issue(s) from the journal:"]
        lines += [f"  {item.describe()}" for item in found]
        return "\n".join(lines)

    emit(as_json, {"dry_run": dry_run, "issues": [item.to_dict() for item in found]}, text)
