"""Into production: the deploy of the tagged fix and the verification window after it."""

from __future__ import annotations

from datetime import timedelta

from incident_beads.errors import CommandFailed, InvalidInput, Refused
from incident_beads.hotfix import bead, gates
from incident_beads.hotfix.bead import Hotfix
from incident_beads.hotfix.commands import (
    command_env,
    expand,
    log_file,
    outcome,
    run_record,
    values,
)
from incident_beads.hotfix.model import RunRecord, Verification
from incident_beads.hotfix.review import review_block
from incident_beads.hotfix.runner import run_command
from incident_beads.hotfix.scope_rule import check_scope
from incident_beads.hotfix.step_context import HotfixContext
from incident_beads.hotfix.worktree import require_clean
from incident_beads.lifecycle.when import format_moment

#: The monitoring window the seed asks for, in minutes.
VERIFY_MIN, VERIFY_MAX = 15, 30


def deploy(ctx: HotfixContext, hotfix_id: str, *, actor: str | None = None) -> RunRecord:
    """Run the deploy command in a clean work tree holding the tagged commit (at it, or at the
    main branch it was merged into); refused without approval, tag and gates."""
    hotfix = ctx.open(hotfix_id, "deploy")
    state = hotfix.state
    who = ctx.actor(actor)
    if state.tagged is None:
        raise Refused(f"{hotfix.id} is not tagged", hint=f"incident hotfix tag {hotfix.id}")
    commit = state.tagged.commit
    if state.approving_review(commit) is None:
        raise Refused(f"the tagged commit {commit[:12]} has no approving review",
                      hint=f"incident hotfix review {hotfix.id} --reviewer WHO --approve ...")
    ctx.require_signed(hotfix, review_block(hotfix, commit))
    with ctx.repo() as git:
        if not git.tag_exists(state.tag) or git.tag_info(state.tag) != ("tag", commit):
            raise Refused(f"the annotated tag {state.tag} is missing or moved",
                          hint=f"check `git show {state.tag}`")
        report = ctx.report(git, state)
        check_scope(report, state, ctx.incidents.get(state.incident_id).state,
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
    settings = ctx.config.hotfix
    if not settings.deploy_command:
        raise InvalidInput("no deploy command is configured (hotfix.deploy_command)",
                           hint='set it in .incident-beads.toml, for example: [hotfix] '
                                'deploy_command = ["./deploy.sh", "--monitor"]')
    ctx.check_risk(state.incident_id, [f.message for f in report.flags], who)
    log = log_file(ctx, hotfix.id, "deploy")
    result = run_command(expand(settings.deploy_command, values(hotfix, deployed)),
                         cwd=ctx.root, timeout=settings.deploy_timeout_seconds,
                         env=command_env(hotfix, deployed), log=log, progress=ctx.progress)
    record = run_record(ctx, result, who, settings.deploy_timeout_seconds, deployed, state.tag,
                        log)
    with ctx.editing(hotfix.id, who) as (_tx, _issue, edited):
        edited.deploys.append(record)
    ctx.event(state.incident_id, f"Hotfix deploy of {state.tag} ({deployed[:12]}) "
                                 f"{outcome(record)}", who,
              {"hotfix": hotfix.id, "ok": record.ok, "exit_status": record.exit_status,
               "tag": state.tag, "commit": deployed})
    if not record.ok:
        raise CommandFailed(f"deploy of {state.tag} {outcome(record)}; recorded on {hotfix.id}",
                            hint="look at the output (incident show " + hotfix.id + "), fix the "
                                 "cause and deploy again, or stop and ask")
    return record


def verify_start(ctx: HotfixContext, hotfix_id: str, *, minutes: int | None = None,
                 actor: str | None = None) -> Verification:
    """Start production verification: the monitoring window runs from now."""
    hotfix = ctx.open(hotfix_id, "verification")
    state = hotfix.state
    who = ctx.actor(actor)
    window = minutes if minutes is not None else ctx.config.hotfix.verify_minutes
    if not VERIFY_MIN <= window <= VERIFY_MAX:
        raise InvalidInput(f"the monitoring window is {VERIFY_MIN} to {VERIFY_MAX} minutes "
                           f"(got {window})", hint="adjust --minutes or hotfix.verify_minutes")
    if state.last_good_deploy() is None:
        raise Refused(f"{hotfix.id} has no successful deploy to verify",
                      hint=f"incident hotfix deploy {hotfix.id}")
    record = Verification(started_at=ctx.now(), started_by=who, window_minutes=window)
    with ctx.editing(hotfix.id, who) as (_tx, _issue, edited):
        edited.verification = record
    ctx.event(state.incident_id, f"Hotfix verification started: monitoring for {window} min",
              who, {"hotfix": hotfix.id})
    return record


def measured_evidence(ctx: HotfixContext, incident_id: str, typed: str, who: str) -> str:
    """Where monitoring checks apply to the incident's services, measure them now (a failure
    is recorded and raised); the typed evidence then is only a note beside the numbers."""
    monitoring = ctx.config.monitoring
    services = ctx.incidents.get(incident_id).state.assessment.services
    if monitoring.prometheus_url and monitoring.checks_for(services):
        # Loaded here: the HTTP client only when a check is measured.
        from incident_beads.metrics.evidence import measure

        records = measure(ctx.incidents, incident_id, actor=who)
        measured = "measured: " + "; ".join(r.summary() for r in records)
        return measured + (f" | noted: {typed.strip()}" if typed.strip() else "")
    if not typed.strip():
        raise InvalidInput("confirmation needs monitoring evidence",
                           hint="--evidence '...', or configure [monitoring] checks for the "
                                "service")
    return typed


def verify_confirm(ctx: HotfixContext, hotfix_id: str, *, evidence: str,
                   actor: str | None = None) -> Hotfix:
    """Confirm with evidence after the window; close the hotfix and create its follow-ups."""
    hotfix = ctx.open(hotfix_id, "verification")
    state = hotfix.state
    who = ctx.actor(actor)
    deployed = state.last_good_deploy()
    if deployed is None or state.verification is None:
        raise Refused(f"verification of {hotfix.id} was not started",
                      hint=f"incident hotfix verify {hotfix.id} --start")
    now = ctx.now()
    ends = state.verification.started_at + timedelta(minutes=state.verification.window_minutes)
    if now < ends:
        raise Refused(f"the monitoring window runs until {format_moment(ends)}",
                      hint="keep watching error rates; confirm after the window")
    evidence = measured_evidence(ctx, state.incident_id, evidence, who)
    reason = f"Deployed in {deployed.commit} ({deployed.tag})"
    with ctx.editing(hotfix.id, who) as (tx, issue, edited):
        assert edited.verification is not None
        edited.verification.confirmed_at = now
        edited.verification.confirmed_by = who
        edited.verification.evidence = evidence
        keys = ["tests", "cleanup", "docs"] + ([] if edited.merged else ["merge"])
        for key in keys:
            bead.follow_up(tx, issue, edited, key, created_by=who)
        tx.close(hotfix.id, reason)
    # Mitigated first: the verification is what ends the response window's clock.
    if ctx.incidents.get(state.incident_id).is_open:
        ctx.incidents.mark_mitigated(state.incident_id, f"hotfix {deployed.tag} verified",
                                     actor=who)
    ctx.event(state.incident_id, f"Hotfix verified in production ({evidence}); {reason}", who,
              {"hotfix": hotfix.id, "commit": deployed.commit, "tag": deployed.tag,
               "step": "verified"})
    return ctx.get(hotfix.id)
