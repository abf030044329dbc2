"""A fingerprint of a repository's refs, read with plain stats: no git process, no GitPython.

It stands for everything that decides which commits the refs name and how history reads from
them: every file under the common git dir's `refs/` (path and stat) but the tool's own
`refs/incident-beads/`, `packed-refs`, `shallow`, `info/grafts`, the repository's git
configuration (and the worktree's own), the user's and the system's git configuration files,
the files those include, and the environment variables that change what git makes of them. A
worktree's `.git` file leads to its own git dir, whose `commondir` names the folder the refs
live in; its own HEAD is left out, as what is checked out changes no deployment. Whatever the
fingerprint cannot read gives None, and so does a repository keeping its refs in a reftable
(`reftable/`) or a caller pointing git at other folders (`GIT_DIR`, `GIT_COMMON_DIR`).

The stats are `stat_key`'s (inode, size and change times), as for every cache file's subject:
git replaces a ref by renaming a new file over it, so a moved ref is another inode.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from incident_beads import digests
from incident_beads.beads.fileio import common_git_dir
from incident_beads.beads.snapshot import stat_key

#: Set by a caller to point git at other folders than the fingerprint reads: never fingerprinted.
ELSEWHERE = ("GIT_DIR", "GIT_COMMON_DIR")

#: Variables that change what git makes of the same files; their values join the fingerprint.
VARIABLES = ("GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
             "GIT_NO_REPLACE_OBJECTS", "GIT_REPLACE_REF_BASE", "GIT_GRAFT_FILE",
             "GIT_NAMESPACE", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT", "GIT_CONFIG_GLOBAL",
             "GIT_CONFIG_SYSTEM", "GIT_CONFIG_NOSYSTEM", "HOME", "XDG_CONFIG_HOME")

#: The tool's own refs under `refs/` (the store's journal, the fleet's tips): they name no
#: branch or tag, and each store write moves the journal, so they are left out.
OWN_REFS = "incident-beads"

#: The files of the common git dir besides `refs/` and the configuration (each may be missing).
COMMON_FILES = ("packed-refs", "shallow", "info/grafts")


def git_dirs(root: Path) -> tuple[Path, Path] | None:
    """The git dir of the work tree at `root` and the common dir its refs live in; None when
    `root` holds no `.git` (a bare repository or a folder inside a work tree: not indexed)."""
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git, dot_git
    try:
        text = dot_git.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not text.startswith("gitdir:"):
        return None
    git_dir = root / text.removeprefix("gitdir:").strip()
    try:
        return git_dir, common_git_dir(git_dir)
    except (OSError, UnicodeDecodeError):
        return None


def fingerprint(root: Path, settings: Sequence[object]) -> str | None:
    """A digest of the refs state of the repository at `root`, and of `settings` (the tool's
    own values that change the answer); None when it cannot be read and must not be trusted."""
    if any(name in os.environ for name in ELSEWHERE):
        return None
    dirs = git_dirs(root)
    if dirs is None:
        return None
    git_dir, common = dirs
    if (common / "reftable").exists():
        return None
    try:
        parts: list[object] = [list(settings), str(common.resolve())]
        parts += [[name, os.environ.get(name)] for name in VARIABLES]
        parts += [[name, _stat(common / name)] for name in COMMON_FILES]
        configs = [common / "config", git_dir / "config.worktree", *_user_config_files()]
        parts += [[str(path), _stat(path)] for path in _with_included(configs)]
        parts += sorted(_refs(common / "refs"))
    except (OSError, UnicodeError):
        return None
    text = json.dumps(parts, separators=(",", ":"), ensure_ascii=False)
    return digests.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def _stat(path: Path) -> list[int] | None:
    """The file's stat key, or None when it is missing (other errors are raised)."""
    try:
        return stat_key(path.stat())
    except FileNotFoundError:
        return None


def _refs(folder: Path) -> Iterator[tuple[str, list[int]]]:
    """Every file under `refs/` but the tool's own (path relative to it, stat key); an unreadable
    folder raises."""
    def fail(error: OSError) -> None:
        raise error

    for top, folders, files in os.walk(folder, onerror=fail):
        if top == str(folder) and OWN_REFS in folders:
            folders.remove(OWN_REFS)
        for name in files:
            path = os.path.join(top, name)
            yield os.path.relpath(path, folder), stat_key(os.stat(path))


def _with_included(configs: list[Path]) -> list[Path]:
    """`configs` and every file their `[include]` and `[includeIf]` sections name, followed
    as git does (relative to the including file, `~/` from the home folder, ten levels deep).
    Every condition counts as met: a file that might apply is one more to watch, never less."""
    found: list[Path] = []
    todo = [(path, 0) for path in configs]
    while todo:
        path, depth = todo.pop(0)
        if path in found:
            continue
        found.append(path)
        if depth < 10:
            todo += [(named, depth + 1) for named in _includes(path)]
    return found


_SECTION = re.compile(r"\s*\[\s*([A-Za-z0-9.-]+)")
_PATH = re.compile(r"\s*path\s*=\s*(.*)", re.IGNORECASE)


def _includes(config: Path) -> list[Path]:
    """The files one git configuration file includes (none when it is missing)."""
    try:
        text = config.read_bytes().decode("utf-8", "surrogateescape")
    except FileNotFoundError:
        return []
    named: list[Path] = []
    including = False
    for line in text.splitlines():
        section = _SECTION.match(line)
        if section is not None:
            including = section.group(1).lower() in ("include", "includeif")
            continue
        value = _PATH.match(line) if including else None
        if value is not None:
            raw = _config_value(value.group(1))
            target = Path(raw).expanduser() if raw.startswith("~") else config.parent / raw
            named.append(target)
    return named


def _config_value(text: str) -> str:
    """A configuration value as git reads it: quotes removed, a trailing comment left out."""
    out: list[str] = []
    quoted = False
    escaped = False
    for ch in text.strip():
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch in "#;" and not quoted:
            break
        else:
            out.append(ch)
    return "".join(out).strip()


def _user_config_files() -> list[Path]:
    """The user's and the system's configuration files git would read (each may be missing)."""
    home = Path(os.environ.get("HOME", "~")).expanduser()
    xdg = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    configured = os.environ.get("GIT_CONFIG_GLOBAL")
    user = [Path(configured)] if configured else [xdg / "git" / "config", home / ".gitconfig"]
    return [*user, Path(os.environ.get("GIT_CONFIG_SYSTEM") or "/etc/gitconfig")]
