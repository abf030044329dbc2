"""The cache of bare repositories: fetch a member's branch tip and read its objects.

Plain `git` through `subprocess`: fetching is git's own work, and a long-lived
`git cat-file --batch` reads hundreds of blobs per repository without a process each.
Reading never goes to the network: a partial clone would otherwise fetch a missing blob lazily,
so readers run with `protocol.allow=never` and a missing object is an error to fetch again.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from incident_beads.errors import GitError, NotFound

TIP_REF = "refs/incident-beads/tip"
_FETCHED_AT = "incident-beads.fetched-at"
_MODE = "incident-beads.mode"
_NO_NETWORK = ("-c", "protocol.allow=never")


def git(cwd: Path, *args: str, stdin: bytes | None = None, timeout: float | None = None,
        ok: Sequence[int] = (0,)) -> subprocess.CompletedProcess[bytes]:
    """Run `git args...` in `cwd`; GitError with git's last line when it fails."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true",
           "GIT_SSH_COMMAND": os.environ.get("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")}
    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True,
                              timeout=timeout, env=env, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} took longer than {timeout:.0f} s",
                       hint="raise fleet.timeout_seconds, or check the network") from None
    if done.returncode not in ok:
        lines = [x.strip() for x in done.stderr.decode("utf-8", "replace").splitlines()
                 if x.strip() and not x.startswith(("warning:", "hint:"))]
        # git's first fatal line says what went wrong; the ones after it give generic advice
        first = next((x for x in lines if x.startswith(("fatal:", "error:"))), None)
        raise GitError(f"git {args[0]} failed: {first or (lines or ['no message'])[-1]}")
    return done


def _ensure(cache: Path, url: str) -> None:
    """Create the bare repository set up as a partial clone of `url` (or point it there)."""
    if not (cache / "HEAD").exists():
        cache.parent.mkdir(parents=True, exist_ok=True)
        git(cache.parent, "init", "-q", "--bare", str(cache))
        for key, value in (("core.repositoryformatversion", "1"),
                           ("extensions.partialClone", "origin"),
                           ("remote.origin.promisor", "true"),
                           ("remote.origin.partialclonefilter", "blob:none"),
                           ("gc.auto", "0")):
            git(cache, "config", key, value)
    git(cache, "config", "remote.origin.url", url)


def fetch_tip(cache: Path, url: str, source: str, timeout: float) -> tuple[str, str]:
    """Fetch the tip of `source` (one commit, its trees; blobs only where the server cannot
    filter) into TIP_REF; return the tip and the mode: `partial` or `shallow`."""
    _ensure(cache, url)
    done = git(cache, "fetch", "-q", "--no-tags", "--no-write-fetch-head", "--depth=1",
               "--filter=blob:none", "origin", f"+{source}:{TIP_REF}", timeout=timeout)
    ignored = b"filtering not recognized" in done.stderr
    mode = "shallow" if ignored else "partial"
    if ignored or not git(cache, "config", "--get", _MODE, ok=(0, 1)).stdout.strip():
        git(cache, "config", _MODE, mode)
    else:
        mode = git(cache, "config", "--get", _MODE).stdout.decode().strip() or mode
    tip = git(cache, "rev-parse", "--verify", f"{TIP_REF}^{{commit}}").stdout.decode().strip()
    return tip, mode


def missing_blobs(cache: Path, tip: str) -> set[str]:
    """Blobs of the tip's tree that are not in the cache yet (only a partial clone has any)."""
    done = git(cache, *_NO_NETWORK, "rev-list", "--objects", "--missing=print", tip)
    return {line[1:41].decode() for line in done.stdout.splitlines() if line.startswith(b"?")}


def fetch_blobs(cache: Path, oids: Iterable[str], timeout: float) -> int:
    """Fetch these blobs by id, as git's own lazy fetch does; return how many."""
    wanted = sorted(set(oids))
    if wanted:
        git(cache, "-c", "fetch.negotiationAlgorithm=noop", "fetch", "-q", "--no-tags",
            "--no-write-fetch-head", "--filter=blob:none", "--stdin", "origin",
            stdin="".join(f"{oid}\n" for oid in wanted).encode(), timeout=timeout)
    return len(wanted)


def files_under(cache: Path, tip: str, paths: Sequence[str]) -> dict[str, str]:
    """Path -> blob id of every file at or under `paths` in the tip's tree."""
    if not paths:
        return {}
    done = git(cache, *_NO_NETWORK, "ls-tree", "-r", "-z", "--full-tree", tip, "--", *paths)
    found: dict[str, str] = {}
    for entry in done.stdout.split(b"\0"):
        if not entry:
            continue
        head, _, path = entry.partition(b"\t")
        mode, kind, oid = head.split(b" ")
        if kind == b"blob" and mode in (b"100644", b"100755"):  # links are not followed
            found[path.decode("utf-8", "replace")] = oid.decode()
    return found


def mark_fetched(cache: Path, when: datetime) -> None:
    """Remember when the cache was last brought up to date."""
    git(cache, "config", _FETCHED_AT, when.astimezone(UTC).isoformat(timespec="seconds"))


def cached_tip(cache: Path) -> tuple[str, str] | None:
    """The tip fetched last and when, or None when this member was never fetched."""
    if not (cache / "HEAD").exists():
        return None
    done = git(cache, *_NO_NETWORK, "rev-parse", "--verify", "-q", f"{TIP_REF}^{{commit}}",
               ok=(0, 1))
    when = git(cache, "config", "--get", _FETCHED_AT, ok=(0, 1))
    tip = done.stdout.decode().strip()
    stamp = when.stdout.decode().strip()
    return (tip, stamp) if tip and stamp else None


class BlobReader:
    """A `git cat-file --batch` over one cached repository; close it (or use `with`)."""

    def __init__(self, cache: Path) -> None:
        self.cache = cache
        env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
        self._proc = subprocess.Popen(
            ["git", *_NO_NETWORK, "cat-file", "--batch"], cwd=cache, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def read(self, name: str) -> bytes | None:
        """The blob named `name` (an object id or `<commit>:<path>`); None when there is none."""
        proc = self._proc
        assert proc.stdin is not None and proc.stdout is not None
        if "\n" in name:
            raise NotFound(f"no object {name!r}")
        try:
            proc.stdin.write(name.encode("utf-8") + b"\n")
            proc.stdin.flush()
            header = proc.stdout.readline()
        except BrokenPipeError:
            header = b""
        if not header:
            raise GitError(f"{self.cache.name}: an object is missing from the cache",
                           hint="run `incident fleet fetch` again")
        parts = header.split()
        if len(parts) == 2 and parts[1] == b"missing":
            return None
        size = int(parts[2])
        data = proc.stdout.read(size + 1)[:size]
        if parts[1] != b"blob":
            return None
        return data

    def close(self) -> None:
        """Stop the git process."""
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._proc.wait()

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
