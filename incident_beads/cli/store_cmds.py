"""`incident init | list | show | doctor`: the store itself."""

from __future__ import annotations

import click

from incident_beads.beads.doctor import validate
from incident_beads.cli._common import emit, json_option, open_store, repo_root
from incident_beads.errors import MalformedFile


@click.command()
@click.option("--prefix", default="", help="Issue id prefix (default: from bd or the folder).")
@json_option
@click.pass_context
def init(ctx: click.Context, prefix: str, as_json: bool) -> None:
    """Create the beads store (.beads/issues.jsonl); safe to run twice."""
    from incident_beads.beads.setup import init_store  # brings the merge driver: init only

    root = repo_root(ctx)
    written = init_store(root, prefix)
    paths = [str(p.relative_to(root)) for p in written]
    emit(as_json, {"root": str(root), "written": paths},
         f"initialized {root / '.beads'}" + (f" ({', '.join(paths)})" if paths else
                                             " (already present, nothing changed)"))


@click.command("list")
@click.option("--status", help="Only issues with this status.")
@click.option("--type", "issue_type", help="Only issues of this type.")
@click.option("--label", help="Only issues with this label.")
@click.option("--priority", type=click.IntRange(0, 4), help="Only issues of this priority.")
@click.option("--all", "include_closed", is_flag=True, help="Include closed issues.")
@click.option("--ready", is_flag=True, help="Only open issues with no open blocker (bd ready).")
@click.option("--fleet", "fleet", is_flag=True,
              help="Every open incident across the fleet (as last fetched), repository first.")
@json_option
@click.pass_context
def list_(ctx: click.Context, status: str | None, issue_type: str | None, label: str | None,
          priority: int | None, include_closed: bool, ready: bool, fleet: bool,
          as_json: bool) -> None:
    """List issues, ids first."""
    if fleet:
        from incident_beads.cli.fleet_cmds import list_fleet

        list_fleet(ctx, as_json)
        return
    store = open_store(ctx)
    if ready:
        rows = [i.summary() for i in store.ready()
                if (issue_type is None or i.issue_type == issue_type)
                and (label is None or label in i.labels)
                and (priority is None or i.priority == priority)]
    else:
        rows = store.summaries(status=status, issue_type=issue_type, label=label,
                               priority=priority, include_closed=include_closed)
    emit(as_json, rows, lambda: "\n".join(
        f"{r['id']}  [P{r['priority']}] [{r['status']}] {r['title']}" for r in rows))


@click.command()
@click.argument("issue_id")
@json_option
@click.pass_context
def show(ctx: click.Context, issue_id: str, as_json: bool) -> None:
    """Show one issue with its dependencies and comments."""
    issue = open_store(ctx).get(issue_id)

    def text() -> str:
        lines = [f"{issue.id}: {issue.title}",
                 f"status: {issue.status}  priority: P{issue.priority}  type: {issue.issue_type}"]
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

    emit(as_json, issue.data, text)


@click.command()
@json_option
@click.pass_context
def doctor(ctx: click.Context, as_json: bool) -> None:
    """Report every line of the store that `bd import` would refuse."""
    store = open_store(ctx)
    problems = validate(store.path) if store.path.exists() else []
    emit(as_json, [p._asdict() for p in problems],
         lambda: "\n".join(f"{store.path}:{p.line}: {p.level}: {p.issue_id}: {p.rule}"
                           for p in problems)
         or f"{store.path}: every line passes bd's import rules")
    errors = [p for p in problems if p.level == "error"]
    if errors:
        failure = MalformedFile(str(store.path), errors[0].line, f"{len(errors)} line(s) that "
                                f"`bd import` refuses, first: {errors[0].issue_id}: "
                                f"{errors[0].rule}")
        if as_json:  # the report above is the one JSON document; the failure goes to stderr
            click.echo(f"incident: {failure.one_line()}", err=True)
            ctx.exit(failure.exit_code)
        raise failure
