"""The entry point git hooks run: `pre-push <remote> <url>` or `pre-receive`, input on stdin.

It prints one line per refusal (what is missing and the command that fixes it) and exits 1,
or exits 0. Standard library only, and nothing imported that the check does not use.
`check_push` is the check itself, which `incident check-push` (CI) calls as well.
"""

from __future__ import annotations

import os
import sys

from incident_beads.errors import IncidentBeadsError, InvalidInput
from incident_beads.guard.findings import PushRefused
from incident_beads.guard.push_rule import PRE_PUSH, PRE_RECEIVE, RANGE, HotfixGuard, Verdict
from incident_beads.guard.refs import RefUpdate, parse_any, parse_pre_push, parse_pre_receive
from incident_beads.guard.settings import load_settings

USAGE = "usage: python -m incident_beads.guard (pre-push <remote> <url> | pre-receive) < refs"


def run_hook(argv: list[str], stdin: str, cwd: str) -> tuple[int, list[str]]:
    """Run the check as hook `argv[0]`; return the exit code and the lines for stderr."""
    if not argv or argv[0] not in (PRE_PUSH, PRE_RECEIVE):
        return 2, [USAGE]
    mode = argv[0]
    try:
        if mode == PRE_PUSH:
            if len(argv) < 3:
                return 2, [USAGE]
            updates = parse_pre_push(stdin)
            remote, url = argv[1], argv[2]
        else:
            updates = parse_pre_receive(stdin)
            remote = url = ""
        if not any(u.branch is not None or (u.is_deletion and u.tag is not None)
                   for u in updates):
            return 0, []  # nothing pushed, or only new tags and other refs: no config, no git
        # Hooks run at the top of the work tree, or in the repository folder on a bare server,
        # where the administrator's `.incident-beads.toml` (if any) is read.
        verdict = check_push(cwd, updates, mode=mode, remote=remote, remote_url=url)
    except PushRefused as refused:
        lines = [f"incident: push refused: {f.problem()}" for f in refused.findings]
        lines.append(f"incident: fix: {refused.hint}")
        return 1, lines
    except IncidentBeadsError as exc:
        return 1, [f"incident: {exc.one_line()}"]
    except Exception as exc:  # a bug: still one line, and the way around it
        if os.environ.get("INCIDENT_BEADS_DEBUG"):
            raise
        return 1, [f"incident: internal error in the push guard: {type(exc).__name__}: {exc} "
                   "(hint: set INCIDENT_BEADS_DEBUG=1 to see the traceback; "
                   "`git push --no-verify` skips the hook)"]
    return 0, [f"incident: note: {note}" for note in verdict.notes]


def check_push(root: str, updates: list[RefUpdate], *, mode: str, remote: str = "",
               remote_url: str = "") -> Verdict:
    """Judge these ref updates with the settings of `root`'s `.incident-beads.toml`.

    `PushRefused` lists every refusal; the verdict holds the notes and the hotfixes that pass.
    """
    guard = HotfixGuard(root, load_settings(root), mode=mode, remote=remote,
                        remote_url=remote_url)
    return guard.check(updates)


def lines_to_check(text: str) -> tuple[str, list[RefUpdate]]:
    """The mode and updates of pre-push or pre-receive lines handed to a check in CI.

    Pre-receive lines in CI are judged as ranges: a clone already has every ref.
    """
    kind, updates = parse_any(text)
    return (PRE_PUSH if kind == PRE_PUSH else RANGE), updates


def range_to_check(text: str, branch: str) -> RefUpdate:
    """`A..B` as the update of `branch` from A to B (what a CI job checks)."""
    old, sep, new = text.partition("..")
    if not sep or not old or not new or new.startswith("."):
        raise InvalidInput(f"--range must be A..B, got {text!r}",
                           hint="e.g. --range origin/main..HEAD")
    return RefUpdate(f"refs/heads/{branch}", old, new)


def main(argv: list[str] | None = None) -> None:
    """Run as a git hook: read stdin, check, print, exit."""
    code, lines = run_hook(sys.argv[1:] if argv is None else argv,
                           sys.stdin.buffer.read().decode("utf-8", "replace"), os.getcwd())
    if lines:
        # Bytes: a subject in UTF-8 must not trip over a non-UTF-8 terminal locale.
        sys.stderr.flush()
        sys.stderr.buffer.write(("\n".join(lines) + "\n").encode("utf-8", "replace"))
        sys.stderr.buffer.flush()
    sys.exit(code)
