"""The store's journal: every line the store writes, also kept in the repository's objects.

`git stash`, `git reset --hard`, `git checkout -- .`, `git clean` and a branch switch change the
work tree; none of them touches a ref outside `refs/heads`, `refs/tags` and `refs/stash`. So
each write of the store also becomes one commit on `refs/incident-beads/journal` (a linked
worktree has its own, `refs/incident-beads/worktrees/<name>`), made with `git fast-import`.

The journal's tree holds one blob per issue the store wrote: its latest line, at
`<aa>/<rest>` where `aaRest` is the SHA-1 of the issue id. A write journals only the lines it
changed, so its cost does not grow with the store; the tree is the sum of them. After
`MAX_DEPTH` commits the next write starts the history again from the current tree (a commit
without a parent), so the history stays bounded and git's garbage collection can drop the rest.

The journal runs git with `subprocess`, not GitPython: the store's commands (`list`, `show`) stay
free of GitPython's import, and the write streams to `git fast-import` while the store file is
being written and synced, so the journal adds little to a write's time.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO

from incident_beads import digests
from incident_beads.beads.fileio import atomic_write, common_git_dir, find_git_dir
from incident_beads.errors import GitError

JOURNAL_REF = "refs/incident-beads/journal"
WORKTREE_REFS = "refs/incident-beads/worktrees/"
# Commits kept before the history restarts from the current tree; each write adds one.
MAX_DEPTH = 200
_COMMITTER = "incident-beads <incident-beads@localhost>"
_HEX = re.compile(rb"[0-9a-f]{40}(?:[0-9a-f]{24})?")


def entry_path(issue_id: str) -> str:
    """Where the journal keeps the line of `issue_id`: fanned out by the SHA-1 of the id."""
    digest = digests.sha1(issue_id.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{digest[:2]}/{digest[2:]}"


def blob_id(data: bytes | memoryview, algorithm: str = "sha1") -> str:
    """The git object id of a blob holding `data` (`sha256` for such repositories)."""
    digest = digests.new(algorithm, b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()


class Journal:
    """The journal of the store at `root`; `Journal.of(root)` is None outside a git repository."""

    def __init__(self, root: Path, git_dir: Path) -> None:
        self.root = root
        self.git_dir = git_dir
        common = git_dir
        with contextlib.suppress(OSError):
            common = common_git_dir(git_dir)
        self.common_dir = common
        if common != git_dir and git_dir.parent.name == "worktrees":
            self.ref = WORKTREE_REFS + git_dir.name
        else:
            self.ref = JOURNAL_REF
        self._state = git_dir / "incident-beads" / "journal.state"

    @classmethod
    def of(cls, root: Path) -> Journal | None:
        """The journal of the repository holding `root`, or None when there is none."""
        git_dir = find_git_dir(root)
        if git_dir is None or not git_dir.is_dir():
            return None
        return cls(root, git_dir)

    # reading -----------------------------------------------------------------------------
    def tip(self) -> str | None:
        """The journal's latest commit, or None while it is empty."""
        loose = self.common_dir / self.ref
        with contextlib.suppress(OSError):
            text = loose.read_bytes().strip()
            if _HEX.fullmatch(text):
                return text.decode("ascii")
        with contextlib.suppress(OSError):
            needle = b" " + self.ref.encode() + b"\n"
            for line in (self.common_dir / "packed-refs").read_bytes().splitlines(True):
                if line.endswith(needle) and _HEX.fullmatch(line[:-len(needle)]):
                    return line[:-len(needle)].decode("ascii")
        if (self.common_dir / "reftable").is_dir():  # a ref store this reader does not know
            done = self._git("rev-parse", "-q", "--verify", self.ref + "^{commit}", check=False)
            return done.stdout.decode().strip() or None
        return None

    @property
    def algorithm(self) -> str:
        """The repository's object hash: `sha1`, or `sha256` where it was made so."""
        tip = self.tip()
        return "sha256" if tip is not None and len(tip) == 64 else "sha1"

    def entries(self) -> dict[str, str]:
        """Every journaled line: its path (see `entry_path`) and blob id."""
        tip = self.tip()
        if tip is None:
            return {}
        out = self._git("ls-tree", "-r", "-z", tip).stdout
        found: dict[str, str] = {}
        for record in out.split(b"\0"):
            if record:
                info, _, path = record.partition(b"\t")
                found[path.decode("utf-8", "replace")] = info.split()[2].decode("ascii")
        return found

    def has(self, issue_id: str) -> bool:
        """True when the journal holds a line of `issue_id`."""
        tip = self.tip()
        if tip is None:
            return False
        done = self._git("cat-file", "-e", f"{tip}:{entry_path(issue_id)}", check=False)
        return done.returncode == 0

    def read(self, blobs: Iterable[str]) -> dict[str, bytes]:
        """The contents of the given blobs, read in one `git cat-file --batch`."""
        wanted = list(dict.fromkeys(blobs))
        if not wanted:
            return {}
        out = self._git("cat-file", "--batch", stdin=("\n".join(wanted) + "\n").encode()).stdout
        found: dict[str, bytes] = {}
        position = 0
        for blob in wanted:
            end = out.index(b"\n", position)
            header = out[position:end].split()
            position = end + 1
            if len(header) < 3 or header[1] == b"missing":
                continue
            size = int(header[2])
            found[blob] = out[position:position + size]
            position += size + 1
        return found

    def depth(self) -> int:
        """How many commits the journal holds since its history last restarted."""
        tip = self.tip()
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            state = json.loads(self._state.read_bytes())
            if tip is not None and state["tip"] == tip:
                return int(state["depth"])
        return 0 if tip is None else 1

    # writing -----------------------------------------------------------------------------
    def record(self, lines: Mapping[str, bytes]) -> PendingEntry | None:
        """Start journaling `lines` (issue id -> line): streamed now, kept by `commit()`.

        Call under the store's lock, before the store file is replaced; `commit()` after it
        is, `abandon()` when it is not.
        """
        if not lines:
            return None
        tip = self.tip()
        depth = self.depth()
        restart = tip is not None and depth >= MAX_DEPTH
        base_tree = self._tree_of(tip) if restart and tip else None
        args = ["fast-import", "--quiet", "--done"]
        if restart:
            args.append("--force")  # the new root commit does not descend from the old tip
        try:
            process = subprocess.Popen(["git", *args], cwd=self.root, stdin=subprocess.PIPE,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                       env=_git_env(self.git_dir))
        except OSError as exc:
            return PendingEntry.failed(f"cannot run git: {exc.strerror or exc}")
        ids = sorted(lines)
        named = " ".join(ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
        message = f"incident-beads journal: {named}\n".encode()
        stream = [b"commit ", self.ref.encode(), b"\n",
                  f"committer {_COMMITTER} {int(time.time())} +0000\n".encode(),
                  b"data %d\n" % len(message), message]
        if restart and base_tree:
            stream += [b"M 040000 ", base_tree.encode(), b' ""\n']
        elif tip is not None:
            stream += [b"from ", tip.encode(), b"\n"]
        for issue_id in ids:
            line = lines[issue_id]
            stream += [b"M 100644 inline ", entry_path(issue_id).encode(), b"\n",
                       b"data %d\n" % len(line), line, b"\n"]
        pending = PendingEntry(self, process, 1 if restart or tip is None else depth + 1)
        pending.send(b"".join(stream))
        return pending

    def _tree_of(self, commit: str) -> str | None:
        done = self._git("rev-parse", "-q", "--verify", commit + "^{tree}", check=False)
        return done.stdout.decode().strip() or None

    def _save_depth(self, depth: int) -> None:
        tip = self.tip()
        if tip is None:
            return
        with contextlib.suppress(OSError):
            self._state.parent.mkdir(exist_ok=True)
            atomic_write(self._state, [json.dumps({"tip": tip, "depth": depth}).encode()],
                         durable=False)

    def _git(self, *args: str, stdin: bytes | None = None,
             check: bool = True) -> subprocess.CompletedProcess[bytes]:
        try:
            done = subprocess.run(["git", *args], cwd=self.root, input=stdin,
                                  capture_output=True, env=_git_env(self.git_dir))
        except OSError as exc:
            raise GitError(f"cannot run git to read the journal: {exc.strerror or exc}") from None
        if check and done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise GitError(f"reading the journal {self.ref} failed: "
                           f"{detail[-1] if detail else f'git {args[0]} exited {done.returncode}'}")
        return done


class PendingEntry:
    """A journal commit streamed to `git fast-import`, waiting for the store file's rename."""

    def __init__(self, journal: Journal | None, process: subprocess.Popen[bytes] | None,
                 depth: int, problem: str = "") -> None:
        self._journal = journal
        self._process = process
        self._depth = depth
        self.problem = problem

    @classmethod
    def failed(cls, problem: str) -> PendingEntry:
        """An entry that could not even start; `commit()` reports `problem`."""
        return cls(None, None, 0, problem)

    def send(self, data: bytes) -> None:
        """Stream `data` to fast-import (what it reads early, it works on while we write)."""
        if self._process is None or self._process.stdin is None:
            return
        try:
            self._process.stdin.write(data)
            self._process.stdin.flush()
        except OSError:
            self.problem = self.problem or "git fast-import stopped early"

    def commit(self) -> str:
        """Finish the journal commit; return what went wrong, or empty."""
        if self._process is None:
            return self.problem
        self.send(b"done\n")
        stderr = _finish(self._process)
        if self._process.returncode != 0:
            detail = stderr.decode("utf-8", "replace").strip().splitlines()
            return self.problem or f"git fast-import failed: {detail[-1] if detail else 'exit'}"
        if self._journal is not None:
            self._journal._save_depth(self._depth)
        return ""

    def abandon(self) -> None:
        """Drop the entry: without `done`, fast-import updates no ref."""
        if self._process is not None:
            _finish(self._process)


def _finish(process: subprocess.Popen[bytes]) -> bytes:
    stdin: IO[bytes] | None = process.stdin
    with contextlib.suppress(OSError):
        if stdin is not None:
            stdin.close()
    stderr = process.stderr.read() if process.stderr is not None else b""
    process.wait()
    if process.stderr is not None:
        process.stderr.close()
    return stderr


def _git_env(git_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    # the repository the store lives in, whatever a calling git command (a hook, the merge
    # driver) set for its own work
    for key in ("GIT_INDEX_FILE", "GIT_WORK_TREE", "GIT_PREFIX", "GIT_OBJECT_DIRECTORY"):
        env.pop(key, None)
    env["GIT_DIR"] = str(git_dir)
    return env
