"""The minimal fix: its declared scope and its commits on the hotfix branch."""

from __future__ import annotations

from collections.abc import Sequence

from incident_beads.errors import InvalidInput, Refused
from incident_beads.guard.commits import TRAILER
from incident_beads.hotfix import gates
from incident_beads.hotfix.scope import ScopeReport, is_store_path
from incident_beads.hotfix.step_context import HotfixContext
from incident_beads.hotfix.worktree import unstage_store


def scope(ctx: HotfixContext, hotfix_id: str, *, declare: Sequence[str] | None = None,
          actor: str | None = None) -> ScopeReport:
    """The diff from the base with its "while we're here" flags; `declare` sets the scope."""
    hotfix = ctx.get(hotfix_id)
    if declare is not None:
        paths = [p.strip().removeprefix("./") for p in declare]
        if not all(paths):
            raise InvalidInput("a declared scope entry is empty",
                               hint="give each one as --declare PATH (a file, folder or glob)")
        ctx.held(hotfix.state.incident_id, "hotfix scope change")
        with ctx.editing(hotfix.id, actor) as (_tx, _issue, state):
            state.scope = paths
        ctx.event(hotfix.state.incident_id, f"Hotfix scope declared: {', '.join(paths)}",
                  actor, {"hotfix": hotfix.id, "scope": paths})
        hotfix = ctx.get(hotfix.id)
    with ctx.repo() as git:
        return ctx.report(git, hotfix.state)


def commit(ctx: HotfixContext, hotfix_id: str, message: str, *,
           actor: str | None = None) -> str:
    """Commit what is staged on the hotfix branch with the `Incident: <id>` trailer."""
    hotfix = ctx.open(hotfix_id, "hotfix commit")
    if not message.strip():
        raise InvalidInput("a commit needs a message")
    state = hotfix.state
    with ctx.repo() as git:
        current = git.current_branch()
        if current != state.branch:
            where = f"on {current}" if current else "detached"
            raise Refused(f"HEAD is {where}, not on {state.branch}",
                          hint=f"git checkout {state.branch}")
        # The store records the incident; it never travels in the fix itself.
        staged = git.staged_paths()
        store = [p for p in staged if is_store_path(p)]
        if len(store) == len(staged):
            raise Refused("nothing is staged" + (" but the beads store, which a hotfix "
                                                 "commit leaves out" if store else ""),
                          hint="git add the files of the fix first")
        if store:
            unstage_store(git)
        sha = git.commit_staged(message, [(TRAILER, state.incident_id)])
    who = ctx.actor(actor)
    with ctx.editing(hotfix.id, actor) as (_tx, _issue, edited):
        edited.commits.append(sha)
        if who not in edited.committed_by:
            edited.committed_by.append(who)
        # The review, the staging test and any gate command ran on the previous head.
        for gate in (gates.CODE_REVIEW, gates.STAGING):
            edited.gates.pop(gate, None)
        for gate, record in list(edited.gates.items()):
            if record.run is not None:
                edited.gates.pop(gate)
    ctx.event(state.incident_id, f"Hotfix commit {sha[:12]}: {message.splitlines()[0]}",
              actor, {"hotfix": hotfix.id, "commit": sha})
    return sha
