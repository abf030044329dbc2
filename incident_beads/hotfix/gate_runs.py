"""Gates that run: the tests and security-scan gates run their configured commands.

The command runs in the work tree, which must be the hotfix branch at its head and clean, so
what passed is what gets tagged. Its result and the output's tail are kept with the gate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from incident_beads.errors import CommandFailed, InvalidInput, Refused
from incident_beads.hotfix import gates
from incident_beads.hotfix.gitrepo import GitRepo, require_clean
from incident_beads.hotfix.model import GateRecord, RunRecord
from incident_beads.hotfix.release import _command_env, _outcome, _values, expand
from incident_beads.hotfix.runner import run_command

if TYPE_CHECKING:
    from incident_beads.hotfix.protocol import HotfixProtocol


def run_gate(p: HotfixProtocol, hotfix_id: str, gate: str, *,
             actor: str | None = None) -> GateRecord:
    """Run `gate`'s command on the hotfix head; record it done, or record the failure and raise."""
    hotfix = p._open(hotfix_id)
    state = hotfix.state
    name = gates.parse_gate(gate)
    key = gates.COMMAND_KEYS.get(name)
    command = p.gate_command(name)
    if not command:
        raise InvalidInput(f"no command is configured for the {name} gate"
                           + (f" (hotfix.{key})" if key else ""),
                           hint=f"set hotfix.{key} in .incident-beads.toml, or record it by hand: "
                                f"incident hotfix gate {hotfix.id} {name} --done"
                           if key else f"record it: incident hotfix gate {hotfix.id} {name} --done")
    who = actor or p.incidents.actor
    with GitRepo(p.root, p.config.git) as git:
        head = git.rev_parse(f"refs/heads/{state.branch}")
        if git.rev_parse("HEAD") != head:
            raise Refused(f"the {name} gate runs in the work tree, which is not {state.branch} "
                          f"at {head[:12]}", hint=f"git checkout {state.branch}")
        require_clean(git, f"run the {name} gate")
    timeout = p.config.hotfix.gate_timeout_seconds
    result = run_command(expand(command, _values(hotfix, head)), cwd=p.root, timeout=timeout,
                         env=_command_env(hotfix, head))
    run = RunRecord(at=p.incidents.now(), by=who, argv=list(result.argv),
                    exit_status=result.exit_status, timed_out=result.timed_out,
                    timeout_seconds=timeout, seconds=result.seconds, ok=result.ok,
                    output_tail=result.output_tail, commit=head, gate=name)
    record: GateRecord | None = None
    with p._editing(hotfix.id, who) as (tx, issue, edited):
        edited.gate_runs.append(run)
        if run.ok:
            record = p._record_gate(tx, issue, edited, name, done=True, by=who, now=run.at,
                                    reason=f"{' '.join(run.argv)} {_outcome(run)}")
            record.run = run
        elif name in edited.gates and edited.gates[name].status == "done":
            edited.gates.pop(name)  # a pass recorded before no longer stands
    p._event(state.incident_id, f"Hotfix gate {name}: {' '.join(run.argv)} {_outcome(run)} at "
                                f"{head[:12]}", who,
             {"hotfix": hotfix.id, "gate": name, "ok": run.ok, "exit_status": run.exit_status})
    if record is None:
        raise CommandFailed(f"the {name} gate of {hotfix.id} {_outcome(run)}; recorded",
                            hint=f"look at the output (incident hotfix status {hotfix.id} "
                                 "--json), fix the hotfix and run the gate again")
    return record
