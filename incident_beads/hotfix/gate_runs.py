"""The quality gates of a hotfix: recorded by hand, or run by their configured command.

A command runs in the work tree, which must be the hotfix branch at its head and clean, so
what passed is what gets tagged. Its result and the output's tail are kept with the gate.
"""

from __future__ import annotations

from incident_beads.errors import CommandFailed, InvalidInput, Refused
from incident_beads.hotfix import gates
from incident_beads.hotfix.commands import command_env, expand, outcome, values
from incident_beads.hotfix.model import GateRecord, RunRecord
from incident_beads.hotfix.runner import run_command
from incident_beads.hotfix.step_context import HotfixContext
from incident_beads.hotfix.worktree import require_clean


def gate_command(ctx: HotfixContext, gate: str) -> tuple[str, ...]:
    """The command configured to run `gate` (`[hotfix] test_command`...), or ()."""
    key = gates.COMMAND_KEYS.get(gates.parse_gate(gate))
    return tuple(getattr(ctx.config.hotfix, key)) if key else ()


def pending_gates(ctx: HotfixContext, hotfix_id: str) -> list[str]:
    """The gates recorded neither as done nor as skipped."""
    state = ctx.get(hotfix_id).state
    return [g for g in gates.GATES if g not in state.gates]


def record_gate(ctx: HotfixContext, hotfix_id: str, gate: str, *, done: bool, reason: str = "",
                actor: str | None = None) -> GateRecord:
    """Record a quality gate as done, or skipped with a reason where the table allows it."""
    hotfix = ctx.open(hotfix_id, "hotfix gate")
    name = gates.parse_gate(gate)
    level = hotfix.state.severity_level
    if done:
        gates.check_manual_done(name, gate_command(ctx, name))
    else:
        gates.check_skip(level, name, reason)
    who = ctx.actor(actor)
    with ctx.editing(hotfix.id, who) as (tx, issue, state):
        record = ctx.record_gate(tx, issue, state, name, done=done, by=who, now=ctx.now(),
                                 reason=reason)
        # Marked done by hand: the record says who declared it, as nothing ran.
        record.declared = done
    ctx.event(hotfix.state.incident_id,
              f"Hotfix gate {name}: {record.status}" + (f" ({reason})" if reason else ""),
              who, {"hotfix": hotfix.id, "gate": name, "status": record.status})
    return record


def run_gate(ctx: HotfixContext, hotfix_id: str, gate: str, *,
             actor: str | None = None) -> GateRecord:
    """Run `gate`'s command on the hotfix head; record it done, or record the failure and raise."""
    hotfix = ctx.open(hotfix_id)
    state = hotfix.state
    name = gates.parse_gate(gate)
    key = gates.COMMAND_KEYS.get(name)
    command = gate_command(ctx, name)
    if not command:
        raise InvalidInput(f"no command is configured for the {name} gate"
                           + (f" (hotfix.{key})" if key else ""),
                           hint=f"set hotfix.{key} in .incident-beads.toml, or record it by hand: "
                                f"incident hotfix gate {hotfix.id} {name} --done"
                           if key else f"record it: incident hotfix gate {hotfix.id} {name} --done")
    who = ctx.actor(actor)
    with ctx.repo() as git:
        head = git.rev_parse(f"refs/heads/{state.branch}")
        if git.rev_parse("HEAD") != head:
            raise Refused(f"the {name} gate runs in the work tree, which is not {state.branch} "
                          f"at {head[:12]}", hint=f"git checkout {state.branch}")
        require_clean(git, f"run the {name} gate")
    timeout = ctx.config.hotfix.gate_timeout_seconds
    result = run_command(expand(command, values(hotfix, head)), cwd=ctx.root, timeout=timeout,
                         env=command_env(hotfix, head))
    run = RunRecord(at=ctx.now(), by=who, argv=list(result.argv),
                    exit_status=result.exit_status, timed_out=result.timed_out,
                    timeout_seconds=timeout, seconds=result.seconds, ok=result.ok,
                    output_tail=result.output_tail, commit=head, gate=name)
    record: GateRecord | None = None
    with ctx.editing(hotfix.id, who) as (tx, issue, edited):
        edited.gate_runs.append(run)
        if run.ok:
            record = ctx.record_gate(tx, issue, edited, name, done=True, by=who, now=run.at,
                                     reason=f"{' '.join(run.argv)} {outcome(run)}")
            record.run = run
        elif name in edited.gates and edited.gates[name].status == "done":
            edited.gates.pop(name)  # a pass recorded before no longer stands
    ctx.event(state.incident_id, f"Hotfix gate {name}: {' '.join(run.argv)} {outcome(run)} at "
                                 f"{head[:12]}", who,
              {"hotfix": hotfix.id, "gate": name, "ok": run.ok, "exit_status": run.exit_status})
    if record is None:
        raise CommandFailed(f"the {name} gate of {hotfix.id} {outcome(run)}; recorded",
                            hint=f"look at the output (incident hotfix status {hotfix.id} "
                                 "--json), fix the hotfix and run the gate again")
    return record
