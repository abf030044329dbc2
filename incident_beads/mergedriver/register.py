"""Register the merge driver with git: `.git/config` says how to run it, `.gitattributes` where."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NamedTuple

from incident_beads.beads.fileio import atomic_write, find_git_dir
from incident_beads.errors import GitError
from incident_beads.process.shell import shell_quote

DRIVER = "incident-beads"
ISSUES_PATH = ".beads/issues.jsonl"
ATTRIBUTES_LINE = f"{ISSUES_PATH} merge={DRIVER}"
DRIVER_NAME = "incident_beads: three-way merge of beads issues by id"
_ARGS = "%O %A %B %P"


class Registration(NamedTuple):
    """What `register_merge_driver` changed."""

    config_written: bool
    attributes_written: Path | None


def driver_command(python: str | None = None) -> str:
    """The shell command git runs for a merge.

    Like pre-commit's hooks, it records the interpreter that installed it (so it works where
    `incident` is not on git's PATH), falls back to `incident` on PATH when that interpreter
    is gone, and otherwise fails the merge with a message that says how to repair it.
    """
    interpreter = python or sys.executable
    python = shell_quote(interpreter)
    gone = shell_quote(f"incident-beads merge driver: {interpreter} is gone and no `incident` "
                       "is on PATH; reinstall incident_beads, then run `incident init`")
    return (f"if test -x {python}; then exec {python} -m incident_beads merge-driver {_ARGS}; "
            f"elif command -v incident >/dev/null 2>&1; then exec incident merge-driver {_ARGS}; "
            f"else echo {gone} >&2; exit 1; fi")


def register_merge_driver(root: Path | str, *, python: str | None = None) -> Registration:
    """Point git at the driver for `.beads/issues.jsonl` (safe to run again; other lines kept)."""
    # The library's git seam, loaded here: GitPython only when the driver is registered.
    from incident_beads.repo import GitCommandError, GitRepo

    root = Path(root)
    if find_git_dir(root) is None:
        raise GitError(f"{root} is not a git repository", hint="run `git init` first")
    command = driver_command(python)
    config_written = False
    try:
        with GitRepo(root) as git:
            for key, value in (("driver", command), ("name", DRIVER_NAME)):
                if git.config_value(f'merge "{DRIVER}"', key, local=True) != value:
                    git.set_config(f"merge.{DRIVER}.{key}", value)
                    config_written = True
            active = git.attribute(ISSUES_PATH, "merge")
            top = git.top
    except GitCommandError as exc:
        raise GitError(f"cannot register the merge driver: {exc.stderr.strip() or exc}",
                       hint="check that `git config --local -l` works here") from None
    if active == DRIVER:
        return Registration(config_written, None)
    attributes = top / ".gitattributes"
    current = attributes.read_text(encoding="utf-8") if attributes.exists() else ""
    text = current + ("" if not current or current.endswith("\n") else "\n")
    atomic_write(attributes, [(text + ATTRIBUTES_LINE + "\n").encode("utf-8")])
    return Registration(config_written, attributes)
