"""The release of a hotfix: the staging test, the annotated tag, the merge into the main branch."""

from __future__ import annotations

from incident_beads.errors import CommandFailed, GitError, InvalidInput, Refused
from incident_beads.guard.commits import TRAILER
from incident_beads.hotfix import gates
from incident_beads.hotfix.bead import Hotfix
from incident_beads.hotfix.commands import (
    command_env,
    expand,
    log_file,
    outcome,
    run_record,
    values,
)
from incident_beads.hotfix.model import MergeRecord, RunRecord, TagRecord
from incident_beads.hotfix.review import review_block
from incident_beads.hotfix.runner import run_command
from incident_beads.hotfix.scope_rule import check_scope
from incident_beads.hotfix.step_context import HotfixContext
from incident_beads.hotfix.worktree import checkout, merge_no_ff, require_clean


def staging(ctx: HotfixContext, hotfix_id: str, *, passed: bool | None = None, note: str = "",
            actor: str | None = None) -> RunRecord:
    """Run the staging command time-boxed (15 min for SEV-1), or record a manual result."""
    hotfix = ctx.open(hotfix_id, "staging test")
    state = hotfix.state
    who = ctx.actor(actor)
    settings = ctx.config.hotfix
    minutes = (settings.sev1_staging_timeout_minutes if state.severity_level == 1
               else settings.staging_timeout_minutes)
    with ctx.repo() as git:
        head = git.rev_parse(f"refs/heads/{state.branch}")
    if passed is not None:
        if not note.strip():
            raise InvalidInput("a manual staging result needs a note saying what was checked",
                               hint="--note 'what was checked'")
        record = RunRecord(at=ctx.now(), by=who, manual=True, ok=passed, note=note,
                           commit=head, timeout_seconds=minutes * 60)
    else:
        if not settings.staging_command:
            raise InvalidInput("no staging command is configured (hotfix.staging_command)",
                               hint="set hotfix.staging_command in .incident-beads.toml, or "
                                    "record a manual result with --passed/--failed --note ...")
        log = log_file(ctx, hotfix.id, "staging")
        result = run_command(expand(settings.staging_command, values(hotfix, head)),
                             cwd=ctx.root, timeout=minutes * 60, env=command_env(hotfix, head),
                             log=log, progress=ctx.progress)
        record = run_record(ctx, result, who, minutes * 60, head, None, log)
        record.note = note
    with ctx.editing(hotfix.id, who) as (tx, issue, edited):
        edited.staging.append(record)
        if record.ok:
            ctx.record_gate(tx, issue, edited, gates.STAGING, done=True, by=who, now=record.at,
                            reason=f"staging {outcome(record)} at {head[:12]}")
        else:
            edited.gates.pop(gates.STAGING, None)
    ctx.event(state.incident_id, f"Hotfix staging test {outcome(record)} at {head[:12]} "
                                 f"(time box {minutes} min)", who,
              {"hotfix": hotfix.id, "ok": record.ok, "exit_status": record.exit_status})
    if not record.ok:
        raise CommandFailed(f"staging test of {hotfix.id} {outcome(record)}; recorded",
                            hint="fix the hotfix and run `incident hotfix staging` again")
    return record


def tag(ctx: HotfixContext, hotfix_id: str, *, actor: str | None = None) -> TagRecord:
    """Create the annotated `hotfix-<id>` tag on the reviewed head; refused without approval."""
    hotfix = ctx.open(hotfix_id, "hotfix tag")
    state = hotfix.state
    who = ctx.actor(actor)
    incident = ctx.incidents.get(state.incident_id)
    with ctx.repo() as git:
        head = git.rev_parse(f"refs/heads/{state.branch}")
        if state.approving_review(head) is None:
            raise Refused(f"{state.branch} at {head[:12]} has no approving review",
                          hint=f"incident hotfix review {hotfix.id} --reviewer WHO --approve ...")
        check_scope(ctx.report(git, state), state, incident.state, hotfix_id=hotfix.id,
                    step="tag")
        if git.tag_exists(state.tag):
            kind, target = git.tag_info(state.tag)
            if kind == "tag" and target == head and state.tagged is not None:
                return state.tagged
            if target == head:
                raise GitError(f"tag {state.tag} already exists on {head[:12]} but was not made "
                               "by this hotfix; it is not overwritten",
                               hint=f"look at it (git show {state.tag}); delete it only if it "
                                    f"is wrong: git tag -d {state.tag}")
            raise GitError(f"tag {state.tag} already exists and points at {target[:12]} "
                           f"({'annotated' if kind == 'tag' else 'lightweight'}), not at the "
                           f"reviewed {head[:12]}; it is not overwritten",
                           hint=f"look at it (git show {state.tag}); delete it only if it is "
                                f"wrong: git tag -d {state.tag}")
        ctx.require_signed(hotfix, review_block(hotfix, head))
        message = tag_message(hotfix, incident.title, head)
        git.annotated_tag(state.tag, head, message)
    record = TagRecord(name=state.tag, commit=head, at=ctx.now(), by=who)
    with ctx.editing(hotfix.id, who) as (_tx, _issue, edited):
        edited.tagged = record
    ctx.event(state.incident_id, f"Hotfix tagged {state.tag} at {head[:12]}", who,
              {"hotfix": hotfix.id, "tag": state.tag, "commit": head})
    return record


def tag_message_of(ctx: HotfixContext, hotfix_id: str) -> str:
    """The message `tag` would write for the hotfix's head; refused without approval."""
    hotfix = ctx.open(hotfix_id, "hotfix tag")
    with ctx.repo() as git:
        head = git.rev_parse(f"refs/heads/{hotfix.state.branch}")
    title = ctx.incidents.get(hotfix.state.incident_id).title
    return tag_message(hotfix, title, head)


def tag_message(hotfix: Hotfix, title: str, head: str) -> str:
    """The annotated tag's message: the incident, the trailer, and the approving review."""
    incident_id = hotfix.state.incident_id
    return (f"Hotfix for incident {incident_id}: {title}\n\n"
            f"{review_block(hotfix, head).render()}\n{trailer_line(incident_id)}\n")


def trailer_line(incident_id: str) -> str:
    """The `Incident: <id>` trailer line (the push guard's `TRAILER`)."""
    return f"{TRAILER}: {incident_id}"


def merge(ctx: HotfixContext, hotfix_id: str, *, push: bool = False,
          actor: str | None = None) -> MergeRecord:
    """Merge the tagged hotfix `--no-ff` into the main branch (and develop), as git-flow does."""
    hotfix = ctx.open(hotfix_id, "hotfix merge")
    state = hotfix.state
    who = ctx.actor(actor)
    if state.merged is not None:
        raise Refused(f"{hotfix.id} was already merged into {state.merged.main_branch}")
    if state.tagged is None:
        raise Refused(f"{hotfix.id} is not tagged; the push guard refuses untagged hotfix merges",
                      hint=f"incident hotfix tag {hotfix.id}")
    develop = ctx.config.git.develop_branch
    with ctx.repo() as git:
        require_clean(git, "merge the hotfix")
        if develop and not git.branch_exists(develop):
            raise GitError(f"the configured develop branch {develop!r} does not exist",
                           hint="fix git.develop_branch in .incident-beads.toml")
        main = git.main_branch()
        trailer = trailer_line(state.incident_id)
        main_commit = merge_no_ff(git, state.branch, main,
                                  f"Merge branch '{state.branch}'\n\n{trailer}\n")
        develop_commit = None
        if develop:
            develop_commit = merge_no_ff(
                git, state.branch, develop, f"Merge branch '{state.branch}' into {develop}\n\n"
                                            f"{trailer}\n")
        # Like `git flow hotfix finish`, end on the main branch, where the fix now lives.
        if develop:
            checkout(git, main)
        if push:
            refs = [f"refs/heads/{main}"] + ([f"refs/heads/{develop}"] if develop else [])
            git.push(ctx.config.git.remote, [*refs, f"refs/tags/{state.tag}"])
    record = MergeRecord(at=ctx.now(), by=who, main_branch=main, main_commit=main_commit,
                         develop_branch=develop or None, develop_commit=develop_commit,
                         pushed=push)
    with ctx.editing(hotfix.id, who) as (_tx, _issue, edited):
        edited.merged = record
    ctx.event(state.incident_id, f"Hotfix merged into {main} ({main_commit[:12]})"
                                 + (f" and {develop}" if develop else "")
                                 + (", pushed" if push else ""), who,
              {"hotfix": hotfix.id, "main_commit": main_commit})
    return record
