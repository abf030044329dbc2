"""The release half of a hotfix: staging test, annotated tag, merge, deploy, verification."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from incident_beads.beads.fileio import find_git_dir
from incident_beads.errors import CommandFailed, GitError, InvalidInput, Refused
from incident_beads.guard.review import APPROVED, ReviewBlock
from incident_beads.hotfix import bead, gates
from incident_beads.hotfix.bead import Hotfix
from incident_beads.hotfix.gitrepo import GitRepo, require_clean
from incident_beads.hotfix.model import MergeRecord, RunRecord, TagRecord, Verification
from incident_beads.hotfix.runner import CommandResult, run_command
from incident_beads.hotfix.scope_rule import check_scope
from incident_beads.lifecycle.when import as_utc, format_moment

if TYPE_CHECKING:
    from incident_beads.hotfix.protocol import HotfixProtocol

#: The monitoring window the seed asks for, in minutes.
VERIFY_MIN, VERIFY_MAX = 15, 30


def expand(argv: Sequence[str], values: dict[str, str]) -> list[str]:
    """Fill `{tag}`, `{commit}`, `{incident}`, `{branch}` inside each argument (no shell)."""
    out = []
    for arg in argv:
        for key, value in values.items():
            arg = arg.replace("{" + key + "}", value)
        out.append(arg)
    return out


def _command_env(hotfix: Hotfix, commit: str) -> dict[str, str]:
    state = hotfix.state
    return {"INCIDENT_ID": state.incident_id, "HOTFIX_ID": hotfix.id, "HOTFIX_BRANCH": state.branch,
            "HOTFIX_TAG": state.tag, "HOTFIX_COMMIT": commit}


def _values(hotfix: Hotfix, commit: str) -> dict[str, str]:
    state = hotfix.state
    return {"tag": state.tag, "commit": commit, "incident": state.incident_id,
            "branch": state.branch}


def _run_record(p: HotfixProtocol, result: CommandResult, actor: str, timeout: float,
                commit: str, tag: str | None, log: Path | None = None) -> RunRecord:
    shown = None
    if log is not None:
        shown = os.path.relpath(log, p.root) if log.is_relative_to(p.root) else str(log)
    return RunRecord(at=p.incidents.now(), by=actor, argv=list(result.argv),
                     exit_status=result.exit_status, timed_out=result.timed_out,
                     timeout_seconds=timeout, seconds=result.seconds, ok=result.ok,
                     output_tail=result.output_tail, commit=commit, tag=tag, log=shown)


def log_file(p: HotfixProtocol, hotfix_id: str, kind: str) -> Path | None:
    """`.git/incident-beads/logs/<hotfix>-<kind>-<UTC time>.log`: kept in the clone only."""
    git_dir = find_git_dir(p.root)
    if git_dir is None:
        return None
    stamp = p.incidents.now().strftime("%Y%m%dT%H%M%SZ")
    return git_dir / "incident-beads" / "logs" / f"{hotfix_id}-{kind}-{stamp}.log"


def _outcome(result: RunRecord) -> str:
    if result.manual:
        return "passed (manual)" if result.ok else "failed (manual)"
    if result.timed_out:
        return f"timed out after {result.timeout_seconds:g} s"
    return "passed" if result.ok else f"failed with exit status {result.exit_status}"


def staging(p: HotfixProtocol, hotfix_id: str, *, passed: bool | None = None, note: str = "",
            actor: str | None = None) -> RunRecord:
    """Run the staging command time-boxed (15 min for SEV-1), or record a manual result."""
    hotfix = p._open(hotfix_id, "staging test")
    state = hotfix.state
    who = actor or p.incidents.actor
    settings = p.config.hotfix
    minutes = (settings.sev1_staging_timeout_minutes if state.severity_level == 1
               else settings.staging_timeout_minutes)
    with GitRepo(p.root, p.config.git) as git:
        head = git.rev_parse(f"refs/heads/{state.branch}")
    if passed is not None:
        if not note.strip():
            raise InvalidInput("a manual staging result needs a note saying what was checked",
                               hint="--note 'what was checked'")
        record = RunRecord(at=p.incidents.now(), by=who, manual=True, ok=passed, note=note,
                           commit=head, timeout_seconds=minutes * 60)
    else:
        if not settings.staging_command:
            raise InvalidInput("no staging command is configured (hotfix.staging_command)",
                               hint="set hotfix.staging_command in .incident-beads.toml, or "
                                    "record a manual result with --passed/--failed --note ...")
        log = log_file(p, hotfix.id, "staging")
        result = run_command(expand(settings.staging_command, _values(hotfix, head)),
                             cwd=p.root, timeout=minutes * 60, env=_command_env(hotfix, head),
                             log=log, progress=p.progress)
        record = _run_record(p, result, who, minutes * 60, head, None, log)
        record.note = note
    with p._editing(hotfix.id, who) as (tx, issue, edited):
        edited.staging.append(record)
        if record.ok:
            p._record_gate(tx, issue, edited, gates.STAGING, done=True, by=who, now=record.at,
                           reason=f"staging {_outcome(record)} at {head[:12]}")
        else:
            edited.gates.pop(gates.STAGING, None)
    p._event(state.incident_id, f"Hotfix staging test {_outcome(record)} at {head[:12]} "
                                f"(time box {minutes} min)", who,
             {"hotfix": hotfix.id, "ok": record.ok, "exit_status": record.exit_status})
    if not record.ok:
        raise CommandFailed(f"staging test of {hotfix.id} {_outcome(record)}; recorded",
                            hint="fix the hotfix and run `incident hotfix staging` again")
    return record


def tag(p: HotfixProtocol, hotfix_id: str, *, actor: str | None = None) -> TagRecord:
    """Create the annotated `hotfix-<id>` tag on the reviewed head; refused without approval."""
    hotfix = p._open(hotfix_id, "hotfix tag")
    state = hotfix.state
    who = actor or p.incidents.actor
    incident = p.incidents.get(state.incident_id)
    with GitRepo(p.root, p.config.git) as git:
        head = git.rev_parse(f"refs/heads/{state.branch}")
        if state.approving_review(head) is None:
            raise Refused(f"{state.branch} at {head[:12]} has no approving review",
                          hint=f"incident hotfix review {hotfix.id} --reviewer WHO --approve ...")
        check_scope(p._report(git, state), state, incident.state, hotfix_id=hotfix.id,
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
        p.require_signed(hotfix, review_block(hotfix, head))
        message = tag_message(hotfix, incident.title, head)
        git.annotated_tag(state.tag, head, message)
    record = TagRecord(name=state.tag, commit=head, at=p.incidents.now(), by=who)
    with p._editing(hotfix.id, who) as (_tx, _issue, edited):
        edited.tagged = record
    p._event(state.incident_id, f"Hotfix tagged {state.tag} at {head[:12]}", who,
             {"hotfix": hotfix.id, "tag": state.tag, "commit": head})
    return record


def review_block(hotfix: Hotfix, head: str) -> ReviewBlock:
    """The approving review of `head` as the block the push guard reads from the tag."""
    review = hotfix.state.approving_review(head)
    if review is None:
        raise Refused(f"{hotfix.state.branch} at {head[:12]} has no approving review",
                      hint=f"incident hotfix review {hotfix.id} --reviewer WHO --approve ...")
    fields = review.block_fields or review_fields(hotfix, review.reviewer, head, review.at,
                                                  fixes_issue=review.fixes_issue,
                                                  adds_issues=review.adds_issues)
    return ReviewBlock(fields, review.signature)


def review_fields(hotfix: Hotfix, reviewer: str, head: str, at: datetime, *, fixes_issue: bool,
                  adds_issues: bool) -> dict[str, str]:
    """The fields of an approving review's block, in the guard's format."""
    return {"incident": hotfix.state.incident_id, "hotfix": hotfix.id, "reviewer": reviewer,
            "commit": head, "verdict": APPROVED, "fixes-issue": "yes" if fixes_issue else "no",
            "adds-issues": "yes" if adds_issues else "no",
            "reviewed-at": as_utc(at).strftime("%Y-%m-%dT%H:%M:%SZ")}


def tag_message(hotfix: Hotfix, title: str, head: str) -> str:
    """The annotated tag's message: the incident, the trailer, and the approving review."""
    incident_id = hotfix.state.incident_id
    return (f"Hotfix for incident {incident_id}: {title}\n\n"
            f"{review_block(hotfix, head).render()}\n{trailer_line(incident_id)}\n")


def trailer_line(incident_id: str) -> str:
    """The `Incident: <id>` trailer line."""
    return f"Incident: {incident_id}"


def merge(p: HotfixProtocol, hotfix_id: str, *, push: bool = False,
          actor: str | None = None) -> MergeRecord:
    """Merge the tagged hotfix `--no-ff` into the main branch (and develop), as git-flow does."""
    hotfix = p._open(hotfix_id, "hotfix merge")
    state = hotfix.state
    who = actor or p.incidents.actor
    if state.merged is not None:
        raise Refused(f"{hotfix.id} was already merged into {state.merged.main_branch}")
    if state.tagged is None:
        raise Refused(f"{hotfix.id} is not tagged; the push guard refuses untagged hotfix merges",
                      hint=f"incident hotfix tag {hotfix.id}")
    develop = p.config.git.develop_branch
    with GitRepo(p.root, p.config.git) as git:
        require_clean(git, "merge the hotfix")
        if develop and not git.branch_exists(develop):
            raise GitError(f"the configured develop branch {develop!r} does not exist",
                           hint="fix git.develop_branch in .incident-beads.toml")
        main = git.main_branch()
        trailer = trailer_line(state.incident_id)
        main_commit = git.merge_no_ff(state.branch, main,
                                      f"Merge branch '{state.branch}'\n\n{trailer}\n")
        develop_commit = None
        if develop:
            develop_commit = git.merge_no_ff(
                state.branch, develop, f"Merge branch '{state.branch}' into {develop}\n\n"
                                       f"{trailer}\n")
        # Like `git flow hotfix finish`, end on the main branch, where the fix now lives.
        if develop:
            git.checkout(main)
        if push:
            refs = [f"refs/heads/{main}"] + ([f"refs/heads/{develop}"] if develop else [])
            git.push(p.config.git.remote, [*refs, f"refs/tags/{state.tag}"])
    record = MergeRecord(at=p.incidents.now(), by=who, main_branch=main, main_commit=main_commit,
                         develop_branch=develop or None, develop_commit=develop_commit,
                         pushed=push)
    with p._editing(hotfix.id, who) as (_tx, _issue, edited):
        edited.merged = record
    p._event(state.incident_id, f"Hotfix merged into {main} ({main_commit[:12]})"
                                + (f" and {develop}" if develop else "")
                                + (", pushed" if push else ""), who,
             {"hotfix": hotfix.id, "main_commit": main_commit})
    return record


def deploy(p: HotfixProtocol, hotfix_id: str, *, actor: str | None = None) -> RunRecord:
    """Run the deploy command in a clean work tree holding the tagged commit (at it, or at the
    main branch it was merged into); refused without approval, tag and gates."""
    hotfix = p._open(hotfix_id, "deploy")
    state = hotfix.state
    who = actor or p.incidents.actor
    if state.tagged is None:
        raise Refused(f"{hotfix.id} is not tagged", hint=f"incident hotfix tag {hotfix.id}")
    commit = state.tagged.commit
    if state.approving_review(commit) is None:
        raise Refused(f"the tagged commit {commit[:12]} has no approving review",
                      hint=f"incident hotfix review {hotfix.id} --reviewer WHO --approve ...")
    p.require_signed(hotfix, review_block(hotfix, commit))
    with GitRepo(p.root, p.config.git) as git:
        if not git.tag_exists(state.tag) or git.tag_info(state.tag) != ("tag", commit):
            raise Refused(f"the annotated tag {state.tag} is missing or moved",
                          hint=f"check `git show {state.tag}`")
        report = p._report(git, state)
        check_scope(report, state, p.incidents.get(state.incident_id).state,
                    hotfix_id=hotfix.id, step="deploy")
        # The deploy command runs in the work tree: it must hold the tagged fix, as committed.
        require_clean(git, "deploy")
        deployed = git.rev_parse("HEAD")
        if not git.is_ancestor(commit, deployed):
            where = git.current_branch() or "a detached HEAD"
            raise Refused(f"the work tree ({where} at {deployed[:12]}) does not contain "
                          f"{state.tag}", hint=f"check out the tag or the branch it was merged "
                                               f"into: git checkout {state.main_branch}")
    pending = [g for g in gates.GATES if g not in state.gates]
    if pending:
        raise Refused(f"quality gates not recorded: {', '.join(pending)}",
                      hint=f"incident hotfix gate {hotfix.id} GATE --done (or --skip --reason "
                           "... where the table allows it)")
    settings = p.config.hotfix
    if not settings.deploy_command:
        raise InvalidInput("no deploy command is configured (hotfix.deploy_command)",
                           hint='set it in .incident-beads.toml, for example: [hotfix] '
                                'deploy_command = ["./deploy.sh", "--monitor"]')
    p._check_risk(state.incident_id, [f.message for f in report.flags], who)
    log = log_file(p, hotfix.id, "deploy")
    result = run_command(expand(settings.deploy_command, _values(hotfix, deployed)),
                         cwd=p.root, timeout=settings.deploy_timeout_seconds,
                         env=_command_env(hotfix, deployed), log=log, progress=p.progress)
    record = _run_record(p, result, who, settings.deploy_timeout_seconds, deployed, state.tag,
                         log)
    with p._editing(hotfix.id, who) as (_tx, _issue, edited):
        edited.deploys.append(record)
    p._event(state.incident_id, f"Hotfix deploy of {state.tag} ({deployed[:12]}) "
                                f"{_outcome(record)}", who,
             {"hotfix": hotfix.id, "ok": record.ok, "exit_status": record.exit_status,
              "tag": state.tag, "commit": deployed})
    if not record.ok:
        raise CommandFailed(f"deploy of {state.tag} {_outcome(record)}; recorded on {hotfix.id}",
                            hint="look at the output (incident show " + hotfix.id + "), fix the "
                                 "cause and deploy again, or stop and ask")
    return record


def verify_start(p: HotfixProtocol, hotfix_id: str, *, minutes: int | None = None,
                 actor: str | None = None) -> Verification:
    """Start production verification: the monitoring window runs from now."""
    hotfix = p._open(hotfix_id, "verification")
    state = hotfix.state
    who = actor or p.incidents.actor
    window = minutes if minutes is not None else p.config.hotfix.verify_minutes
    if not VERIFY_MIN <= window <= VERIFY_MAX:
        raise InvalidInput(f"the monitoring window is {VERIFY_MIN} to {VERIFY_MAX} minutes "
                           f"(got {window})", hint="adjust --minutes or hotfix.verify_minutes")
    if state.last_good_deploy() is None:
        raise Refused(f"{hotfix.id} has no successful deploy to verify",
                      hint=f"incident hotfix deploy {hotfix.id}")
    record = Verification(started_at=p.incidents.now(), started_by=who, window_minutes=window)
    with p._editing(hotfix.id, who) as (_tx, _issue, edited):
        edited.verification = record
    p._event(state.incident_id, f"Hotfix verification started: monitoring for {window} min", who,
             {"hotfix": hotfix.id})
    return record


def _measured_evidence(p: HotfixProtocol, incident_id: str, typed: str, who: str) -> str:
    """Where monitoring checks apply to the incident's services, measure them now (a failure
    is recorded and raised); the typed evidence then is only a note beside the numbers."""
    monitoring = p.config.monitoring
    services = p.incidents.get(incident_id).state.assessment.services
    if monitoring.prometheus_url and monitoring.checks_for(services):
        from incident_beads.monitoring.evidence import measure

        records = measure(p.incidents, incident_id, actor=who)
        measured = "measured: " + "; ".join(r.summary() for r in records)
        return measured + (f" | noted: {typed.strip()}" if typed.strip() else "")
    if not typed.strip():
        raise InvalidInput("confirmation needs monitoring evidence",
                           hint="--evidence '...', or configure [monitoring] checks for the "
                                "service")
    return typed


def verify_confirm(p: HotfixProtocol, hotfix_id: str, *, evidence: str,
                   actor: str | None = None) -> Hotfix:
    """Confirm with evidence after the window; close the hotfix and create its follow-ups."""
    hotfix = p._open(hotfix_id, "verification")
    state = hotfix.state
    who = actor or p.incidents.actor
    deployed = state.last_good_deploy()
    if deployed is None or state.verification is None:
        raise Refused(f"verification of {hotfix.id} was not started",
                      hint=f"incident hotfix verify {hotfix.id} --start")
    now = p.incidents.now()
    ends = state.verification.started_at + timedelta(minutes=state.verification.window_minutes)
    if now < ends:
        raise Refused(f"the monitoring window runs until {format_moment(ends)}",
                      hint="keep watching error rates; confirm after the window")
    evidence = _measured_evidence(p, state.incident_id, evidence, who)
    reason = f"Deployed in {deployed.commit} ({deployed.tag})"
    with p._editing(hotfix.id, who) as (tx, issue, edited):
        assert edited.verification is not None
        edited.verification.confirmed_at = now
        edited.verification.confirmed_by = who
        edited.verification.evidence = evidence
        keys = ["tests", "cleanup", "docs"] + ([] if edited.merged else ["merge"])
        for key in keys:
            bead.follow_up(tx, issue, edited, key, created_by=who)
        tx.close(hotfix.id, reason)
    # Mitigated first: the verification is what ends the response window's clock.
    if p.incidents.get(state.incident_id).is_open:
        p.incidents.mark_mitigated(state.incident_id, f"hotfix {deployed.tag} verified",
                                   actor=who)
    p._event(state.incident_id, f"Hotfix verified in production ({evidence}); {reason}", who,
             {"hotfix": hotfix.id, "commit": deployed.commit, "tag": deployed.tag,
              "step": "verified"})
    return p.get(hotfix.id)
