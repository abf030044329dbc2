"""The configured commands a hotfix runs (gates, staging, deploy): arguments, environment,
log file and the record of a run."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from incident_beads.beads.fileio import find_git_dir
from incident_beads.hotfix.bead import Hotfix
from incident_beads.hotfix.model import RunRecord
from incident_beads.hotfix.runner import CommandResult
from incident_beads.hotfix.step_context import HotfixContext


def expand(argv: Sequence[str], values: dict[str, str]) -> list[str]:
    """Fill `{tag}`, `{commit}`, `{incident}`, `{branch}` inside each argument (no shell)."""
    out = []
    for arg in argv:
        for key, value in values.items():
            arg = arg.replace("{" + key + "}", value)
        out.append(arg)
    return out


def command_env(hotfix: Hotfix, commit: str) -> dict[str, str]:
    """`INCIDENT_ID`, `HOTFIX_ID`, `HOTFIX_BRANCH`, `HOTFIX_TAG`, `HOTFIX_COMMIT` for a command."""
    state = hotfix.state
    return {"INCIDENT_ID": state.incident_id, "HOTFIX_ID": hotfix.id, "HOTFIX_BRANCH": state.branch,
            "HOTFIX_TAG": state.tag, "HOTFIX_COMMIT": commit}


def values(hotfix: Hotfix, commit: str) -> dict[str, str]:
    """What `expand` fills in for this hotfix at `commit`."""
    state = hotfix.state
    return {"tag": state.tag, "commit": commit, "incident": state.incident_id,
            "branch": state.branch}


def run_record(ctx: HotfixContext, result: CommandResult, actor: str, timeout: float,
               commit: str, tag: str | None, log: Path | None = None) -> RunRecord:
    """The record of a staging or deploy run, its log shown relative to the repository."""
    shown = None
    if log is not None:
        shown = os.path.relpath(log, ctx.root) if log.is_relative_to(ctx.root) else str(log)
    return RunRecord(at=ctx.now(), by=actor, argv=list(result.argv),
                     exit_status=result.exit_status, timed_out=result.timed_out,
                     timeout_seconds=timeout, seconds=result.seconds, ok=result.ok,
                     output_tail=result.output_tail, commit=commit, tag=tag, log=shown)


def log_file(ctx: HotfixContext, hotfix_id: str, kind: str) -> Path | None:
    """`.git/incident-beads/logs/<hotfix>-<kind>-<UTC time>.log`: kept in the clone only."""
    git_dir = find_git_dir(ctx.root)
    if git_dir is None:
        return None
    stamp = ctx.now().strftime("%Y%m%dT%H%M%SZ")
    return git_dir / "incident-beads" / "logs" / f"{hotfix_id}-{kind}-{stamp}.log"


def outcome(result: RunRecord) -> str:
    """`passed`, `failed with exit status N`, `timed out after S s`, or a manual result."""
    if result.manual:
        return "passed (manual)" if result.ok else "failed (manual)"
    if result.timed_out:
        return f"timed out after {result.timeout_seconds:g} s"
    return "passed" if result.ok else f"failed with exit status {result.exit_status}"
