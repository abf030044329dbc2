"""`incident hotfix ...`: phase 4 in the repository."""

from __future__ import annotations

from typing import Any

import click

from incident_beads.cli._common import (
    actor_for,
    config_for,
    emit,
    json_option,
    open_store,
    repo_root,
    signature_args,
    signing_options,
)
from incident_beads.hotfix.protocol import HotfixProtocol
from incident_beads.hotfix.runner import Progress
from incident_beads.response import IncidentResponse

by_option = click.option("--by", "actor", metavar="WHO", default=None,
                         help="Who does this (the same as the global --actor).")


def _protocol(ctx: click.Context) -> HotfixProtocol:
    root = repo_root(ctx)
    return IncidentResponse(root, config=config_for(ctx), store=open_store(ctx),
                            actor=actor_for(ctx, root)).hotfixes


def _progress(what: str) -> Progress:
    """Stream a command's output to stderr, each line stamped with the time against its box."""

    def show(elapsed: float, box: float, line: str) -> None:
        stamp = f"[{what} {_clock(elapsed)} of {_clock(box)}]"
        click.echo(f"{stamp} {line}" if line else f"{stamp} still running", err=True)

    return show


def _clock(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}:{rest:02d}"


def _dump(value: Any) -> Any:
    return value.model_dump(mode="json", exclude_none=True)


@click.group()
def hotfix() -> None:
    """Phase 4: branch, minimal fix, review, gates, staging, tag, merge, deploy, verify."""


@hotfix.command()
@click.argument("incident_id")
@click.option("--scope", "scope", multiple=True, metavar="PATH",
              help="A file, folder or glob the fix may touch (repeat).")
@click.option("--risk", type=click.Choice(["low", "normal", "high"]), default="normal",
              show_default=True, help="Declared risk; high without rollback escalates.")
@by_option
@json_option
@click.pass_context
def start(ctx: click.Context, incident_id: str, scope: tuple[str, ...], risk: str,
          actor: str | None, as_json: bool) -> None:
    """Create hotfix/incident-ID from the main branch and the hotfix bead."""
    made = _protocol(ctx).start(incident_id, scope=scope, risk=risk, actor=actor)
    emit(as_json, made.to_dict(),
         f"{made.id}  {made.state.branch} from {made.state.main_branch} "
         f"({made.state.base_commit[:12]})")


@hotfix.command()
@click.argument("hotfix_id")
@json_option
@click.pass_context
def status(ctx: click.Context, hotfix_id: str, as_json: bool) -> None:
    """Show where a hotfix stands (by hotfix or incident id) and the next step."""
    found = _protocol(ctx).status(hotfix_id)
    state = found.hotfix.state

    def text() -> str:
        lines = [f"{found.hotfix.id}  [{found.hotfix.status}] {found.hotfix.title}",
                 f"branch: {state.branch} from {state.main_branch} ({state.base_commit[:12]})"
                 + (f", head {found.head[:12]}" if found.head else "")]
        lines += [f"gate {name}: {record.describe()}" for name, record in state.gates.items()]
        if found.pending_gates:
            lines.append(f"gates not recorded: {', '.join(found.pending_gates)}")
        for kind, runs in (("staging", state.staging), ("deploy", state.deploys)):
            if runs and runs[-1].log:
                lines.append(f"{kind} log: {runs[-1].log}")
        if found.on_work_branch:
            lines.append(f"be on: {found.work_branch} (you are)")
        else:
            now_on = found.current_branch or "a detached HEAD"
            lines.append(f"be on: {found.work_branch} (you are on {now_on}: "
                         f"git checkout {found.work_branch})")
        lines.append(f"next: {found.next_step}")
        return "\n".join(lines)

    emit(as_json, found.to_dict(), text)


@hotfix.command()
@click.argument("hotfix_id")
@click.option("-m", "--message", required=True, help="The commit message.")
@by_option
@json_option
@click.pass_context
def commit(ctx: click.Context, hotfix_id: str, message: str, actor: str | None,
           as_json: bool) -> None:
    """Commit the staged fix with the `Incident: <id>` trailer."""
    sha = _protocol(ctx).commit(hotfix_id, message, actor=actor)
    emit(as_json, {"hotfix": hotfix_id, "commit": sha}, sha)


@hotfix.command()
@click.argument("hotfix_id")
@click.option("--declare", multiple=True, metavar="PATH",
              help="Set the declared scope (repeat); replaces the earlier one.")
@by_option
@json_option
@click.pass_context
def scope(ctx: click.Context, hotfix_id: str, declare: tuple[str, ...], actor: str | None,
          as_json: bool) -> None:
    """Show the diff from the base and flag "while we're here" changes."""
    report = _protocol(ctx).scope(hotfix_id, declare=list(declare) if declare else None,
                                  actor=actor)

    def text() -> str:
        lines = [f"{report.base[:12]}..{report.head[:12]}: {len(report.files)} file(s), "
                 f"{report.lines} line(s) (limit {report.max_lines})"]
        lines += [f"  {f.path}" + (f" (from {f.old_path})" if f.old_path else "")
                  + f"  +{f.added} -{f.removed}" for f in report.files]
        lines += [f"FLAG {f.kind}: {f.message}" for f in report.flags] or ["no flags"]
        return "\n".join(lines)

    emit(as_json, report.to_dict(), text)


@hotfix.command()
@click.argument("hotfix_id")
@click.option("--reviewer", required=True, metavar="WHO", help="Who reviewed (not an author).")
@click.option("--approve/--request-changes", "approve", default=None, required=True,
              help="The verdict.")
@click.option("--fixes-issue", type=click.Choice(["yes", "no"]), required=True,
              help="Does it fix the issue?")
@click.option("--adds-issues", type=click.Choice(["yes", "no"]), required=True,
              help="Does it introduce new issues?")
@click.option("--note", default="", help="What the reviewer saw or asks for.")
@signing_options(when="reviewed", signer="reviewer")
@json_option
@click.pass_context
def review(ctx: click.Context, hotfix_id: str, reviewer: str, approve: bool, fixes_issue: str,
           adds_issues: str, note: str, at: str | None, sign: bool, signature_file: str | None,
           print_payload: bool, as_json: bool) -> None:
    """Record the expedited review and its two questions (an approval: by a person with no
    hand in the fix; signed in signed mode)."""
    protocol = _protocol(ctx)
    if print_payload:
        moment = at or protocol.incidents.now().isoformat()
        text = protocol.review_payload(hotfix_id, reviewer=reviewer, at=moment)
        emit(as_json, {"payload": text}, text.rstrip("\n"))
        return
    done = protocol.review(
        hotfix_id, reviewer=reviewer, approve=approve, fixes_issue=fixes_issue == "yes",
        adds_issues=adds_issues == "yes", note=note, at=at,
        **signature_args(protocol.root, signature_file, sign))
    verdict = "approved" if done.approved else "changes requested"
    emit(as_json, _dump(done), f"{hotfix_id}  {verdict} by {done.reviewer} at {done.head[:12]}")


@hotfix.command()
@click.argument("hotfix_id")
@click.argument("gate_name", metavar="GATE")
@click.option("--done/--skip", "done", default=None,
              help="Passed (declared by hand, where no command is configured), or skipped "
                   "with a reason.")
@click.option("--run", "run_it", is_flag=True,
              help="Run the gate's configured command (hotfix.test_command, "
                   "hotfix.security_command) and record its result.")
@click.option("--reason", default="", help="Why it was skipped (or a note).")
@by_option
@json_option
@click.pass_context
def gate(ctx: click.Context, hotfix_id: str, gate_name: str, done: bool | None, run_it: bool,
         reason: str, actor: str | None, as_json: bool) -> None:
    """Record a quality gate (tests, security-scan, documentation...), or run its command."""
    if (done is None) == (not run_it):
        raise click.UsageError("give one of --done, --skip or --run")
    protocol = _protocol(ctx)
    if run_it:
        record = protocol.run_gate(hotfix_id, gate_name, actor=actor)
    else:
        assert done is not None
        record = protocol.gate(hotfix_id, gate_name, done=done, reason=reason, actor=actor)
    emit(as_json, _dump(record), f"{hotfix_id}  {record.gate}: {record.status}"
         + (f" (follow-up {record.follow_up})" if record.follow_up else ""))


@hotfix.command()
@click.argument("hotfix_id")
@click.option("--passed/--failed", "passed", default=None,
              help="Record a manual result instead of running hotfix.staging_command.")
@click.option("--note", default="", help="What was checked.")
@by_option
@json_option
@click.pass_context
def staging(ctx: click.Context, hotfix_id: str, passed: bool | None, note: str,
            actor: str | None, as_json: bool) -> None:
    """Run the staging test (time-boxed) or record a manual result."""
    protocol = _protocol(ctx)
    protocol.progress = _progress("staging")
    record = protocol.staging(hotfix_id, passed=passed, note=note, actor=actor)
    emit(as_json, _dump(record), f"{hotfix_id}  staging passed"
         + (f" (log: {record.log})" if record.log else ""))


@hotfix.command()
@click.argument("hotfix_id")
@click.option("--print-message", is_flag=True,
              help="Print the tag message with its review block instead of tagging "
                   "(for `git flow hotfix finish -f FILE`).")
@by_option
@json_option
@click.pass_context
def tag(ctx: click.Context, hotfix_id: str, print_message: bool, actor: str | None,
        as_json: bool) -> None:
    """Create the annotated hotfix-<incident id> tag carrying the approving review."""
    if print_message:
        message = _protocol(ctx).tag_message(hotfix_id)
        emit(as_json, {"message": message}, message.rstrip("\n"))
        return
    record = _protocol(ctx).tag(hotfix_id, actor=actor)
    emit(as_json, _dump(record), f"{record.name}  {record.commit}")


@hotfix.command()
@click.argument("hotfix_id")
@click.option("--push", is_flag=True, help="Push the branches and the tag in one push.")
@by_option
@json_option
@click.pass_context
def merge(ctx: click.Context, hotfix_id: str, push: bool, actor: str | None,
          as_json: bool) -> None:
    """Merge the tagged hotfix --no-ff into the main branch (and develop), as git-flow does."""
    record = _protocol(ctx).merge(hotfix_id, push=push, actor=actor)
    emit(as_json, _dump(record), f"{record.main_commit}  merged into {record.main_branch}")


@hotfix.command()
@click.argument("hotfix_id")
@by_option
@json_option
@click.pass_context
def deploy(ctx: click.Context, hotfix_id: str, actor: str | None, as_json: bool) -> None:
    """Run hotfix.deploy_command on the tagged commit (needs review, tag and gates)."""
    protocol = _protocol(ctx)
    protocol.progress = _progress("deploy")
    record = protocol.deploy(hotfix_id, actor=actor)
    emit(as_json, _dump(record), f"{hotfix_id}  deployed {record.tag} ({record.commit})"
         + (f" (log: {record.log})" if record.log else ""))


@hotfix.command()
@click.argument("hotfix_id")
@click.option("--start", "start_", is_flag=True, help="Start the monitoring window.")
@click.option("--minutes", type=int, default=None, help="Window length (15 to 30).")
@click.option("--evidence", default=None, help="Monitoring evidence that confirms the fix.")
@by_option
@json_option
@click.pass_context
def verify(ctx: click.Context, hotfix_id: str, start_: bool, minutes: int | None,
           evidence: str | None, actor: str | None, as_json: bool) -> None:
    """Verify in production: --start the window, then confirm with --evidence (or, where
    monitoring checks apply, with the checks measured now)."""
    protocol = _protocol(ctx)
    if start_ and evidence is not None:
        raise click.UsageError("give either --start or --evidence")
    if start_:
        started = protocol.verify_start(hotfix_id, minutes=minutes, actor=actor)
        emit(as_json, _dump(started), f"{hotfix_id}  monitoring for {started.window_minutes} min")
        return
    done = protocol.verify_confirm(hotfix_id, evidence=evidence or "", actor=actor)
    emit(as_json, done.to_dict(), f"{done.id}  closed: {done.close_reason}; follow-ups: "
         + ", ".join(done.state.follow_ups.values()))
