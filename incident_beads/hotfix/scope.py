"""Measure a hotfix against its base and flag what looks like a "while we're here" change."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from typing import Any, NamedTuple

from incident_beads.repo import GitRepo

#: Flag kinds; any of them makes the hotfix "significant risk" (see docs/hotfix.md).
NO_SCOPE = "no-scope"
OUT_OF_SCOPE = "out-of-scope"
RENAME = "rename"
FORMATTING = "formatting-only"
TOO_MANY_LINES = "too-many-lines"
#: The beads store committed on the hotfix branch: never part of a fix, never accepted.
STORE = "store-file"

# The store records the incident itself; its changes are never part of the fix.
STORE_FOLDER = ".beads"


def is_store_path(path: str | None) -> bool:
    """True for the beads store folder and anything in it."""
    return path is not None and (path == STORE_FOLDER or path.startswith(STORE_FOLDER + "/"))


class FileChange(NamedTuple):
    """One file the hotfix changes."""

    path: str
    old_path: str | None  # set for a rename
    added: int
    removed: int
    binary: bool
    hunks: int
    formatting_hunks: int


class ScopeFlag(NamedTuple):
    """One thing the reviewer should look at twice."""

    kind: str
    path: str | None
    message: str


class ScopeReport(NamedTuple):
    """The diff from the hotfix base to its head, with the flags raised on it."""

    base: str
    head: str
    declared: tuple[str, ...]
    files: tuple[FileChange, ...]
    flags: tuple[ScopeFlag, ...]
    max_lines: int

    @property
    def lines(self) -> int:
        """Lines added plus lines removed (the store's, which are flagged, left out)."""
        return sum(f.added + f.removed for f in self.files if not is_store_path(f.path))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view, as stored on the hotfix and printed by `--json`."""
        return {"base": self.base, "head": self.head, "declared": list(self.declared),
                "lines": self.lines, "max_lines": self.max_lines,
                "files": [f._asdict() for f in self.files],
                "flags": [f._asdict() for f in self.flags]}


def in_scope(path: str, declared: Sequence[str]) -> bool:
    """True when `path` is one of the declared files, under a declared folder, or matches a glob."""
    for pattern in declared:
        folder = pattern.rstrip("/")
        if path == pattern or path.startswith(folder + "/") or fnmatch.fnmatchcase(path, pattern):
            return True
    return False


def analyse(git: GitRepo, base: str, head: str, declared: Sequence[str],
            max_lines: int) -> ScopeReport:
    """Compare `head` with `base` and raise the "while we're here" flags."""
    files = _changes(git, base, head)
    flags: list[ScopeFlag] = []
    if not declared and files:
        flags.append(ScopeFlag(NO_SCOPE, None, "no scope was declared, so no file is checked "
                                               "against it (declare it with --declare PATH)"))
    for change in files:
        if is_store_path(change.path) or is_store_path(change.old_path):
            flags.append(ScopeFlag(STORE, change.path,
                                   f"{change.path} (the beads store) is committed on the hotfix "
                                   "branch; the store is never part of a hotfix"))
            continue
        if declared and not (in_scope(change.path, declared)
                             and (change.old_path is None or in_scope(change.old_path, declared))):
            flags.append(ScopeFlag(OUT_OF_SCOPE, change.path,
                                   f"{change.path} is outside the declared scope"))
        if change.old_path is not None:
            flags.append(ScopeFlag(RENAME, change.path,
                                   f"{change.old_path} renamed to {change.path}"))
        if change.formatting_hunks:
            flags.append(ScopeFlag(FORMATTING, change.path,
                                   f"{change.path}: {change.formatting_hunks} of {change.hunks} "
                                   "hunk(s) change only whitespace or line breaks"))
    total = sum(f.added + f.removed for f in files if not is_store_path(f.path))
    if total > max_lines:
        flags.append(ScopeFlag(TOO_MANY_LINES, None,
                               f"{total} changed lines, more than the limit of {max_lines} "
                               "(hotfix.max_changed_lines)"))
    return ScopeReport(base, head, tuple(declared), tuple(files), tuple(flags), max_lines)


def _changes(git: GitRepo, base: str, head: str) -> list[FileChange]:
    # Plain `git diff`: GitPython's diff model gives no line counts with rename detection.
    numstat = git.git("diff", "--numstat", "-z", "-M", "--no-ext-diff", base, head)
    patch = git.git("-c", "core.quotePath=false", "diff", "-U0", "-M", "--no-color",
                    "--no-ext-diff", base, head)
    # Both list the same file pairs in the same order, so the patch's sections line up with the
    # NUL-separated (never quoted) names of --numstat.
    sections = _split_sections(patch)
    changes: list[FileChange] = []
    fields = iter(numstat.split("\0"))
    for entry in fields:
        if not entry:
            continue
        added, removed, path = entry.split("\t", 2)
        old_path = None
        if path == "":  # a rename: source and destination follow as their own fields
            old_path, path = next(fields), next(fields)
        binary = added == "-"
        section = sections[len(changes)] if len(changes) < len(sections) else []
        hunks, formatting = _hunk_counts(section)
        changes.append(FileChange(path, old_path, 0 if binary else int(added),
                                  0 if binary else int(removed), binary, hunks, formatting))
    return changes


def _split_sections(patch: str) -> list[list[str]]:
    sections: list[list[str]] = []
    for line in patch.splitlines():
        if line.startswith("diff --git "):
            sections.append([])
        elif sections:
            sections[-1].append(line)
    return sections


def _hunk_counts(lines: list[str]) -> tuple[int, int]:
    hunks = formatting = 0
    removed: list[str] = []
    added: list[str] = []
    in_hunk = False

    def close() -> None:
        nonlocal formatting
        # Same tokens on both sides: only whitespace or line breaks moved.
        if (removed or added) and "".join(removed).split() == "".join(added).split():
            formatting += 1

    for line in lines:
        if line.startswith("@@"):
            if in_hunk:
                close()
            hunks += 1
            in_hunk = True
            removed, added = [], []
        elif in_hunk and line.startswith("-"):
            removed.append(line[1:] + "\n")
        elif in_hunk and line.startswith("+"):
            added.append(line[1:] + "\n")
    if in_hunk:
        close()
    return hunks, formatting
