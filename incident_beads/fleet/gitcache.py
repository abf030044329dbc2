"""The cache of bare repositories: fetch a member's branch tip and read its objects.

Through the library's git seam (`incident_beads.repo`): trees are read with GitPython's object
model and blobs through the repository's one long-lived `git cat-file --batch`, so hundreds of
blobs cost no process each; fetching and listing missing objects are git's own work, run as
plain git commands with a time limit. Reading never goes to the network: a partial clone would
otherwise fetch a missing blob lazily, so readers run with `protocol.allow=never` and a missing
object is an error to fetch again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType

from incident_beads.beads.fileio import atomic_write
from incident_beads.errors import GitError, NotFound
from incident_beads.repo import GitRepo, Run

TIP_REF = "refs/incident-beads/tip"
STATE_FILE = "incident-beads.json"
_NO_NETWORK = ("-c", "protocol.allow=never")


def _network_env() -> dict[str, str]:
    # Fetching never asks for a password: no prompt, SSH in batch mode.
    return {"GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true",
            "GIT_SSH_COMMAND": os.environ.get("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")}


def git(cache: Path, *args: str, stdin: bytes | None = None, timeout: float | None = None,
        ok: Sequence[int] = (0,)) -> Run:
    """Run `git args...` in the repository `cache`; GitError with git's first complaint when
    it fails or runs past `timeout` seconds."""
    with GitRepo(cache, env=_network_env()) as repo:
        done = repo.run(*args, stdin=stdin, timeout=timeout)
    if done.timed_out:
        raise GitError(f"git {args[0]} took longer than {timeout:.0f} s",
                       hint="raise fleet.timeout_seconds, or check the network")
    if done.status not in ok:
        lines = [x.strip() for x in done.stderr.decode("utf-8", "replace").splitlines()
                 if x.strip() and not x.startswith(("warning:", "hint:"))]
        # git's first fatal line says what went wrong; the ones after it give generic advice
        first = next((x for x in lines if x.startswith(("fatal:", "error:"))), None)
        raise GitError(f"git {args[0]} failed: {first or (lines or ['no message'])[-1]}")
    return done


def load_state(cache: Path) -> dict[str, str]:
    """What the tool remembers about a cached repository (URL, tip, mode, last fetch)."""
    try:
        data = json.loads((cache / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, str)} if isinstance(data, dict) else {}


def save_state(cache: Path, state: dict[str, str]) -> None:
    """Remember the cache's state; a lost file only costs one full check on the next fetch."""
    atomic_write(cache / STATE_FILE, [json.dumps(state, sort_keys=True).encode()],
                 durable=False)


def _ensure(cache: Path, url: str, state: dict[str, str]) -> None:
    """Create the bare repository set up as a partial clone of `url` (or point it there)."""
    if not (cache / "HEAD").exists():
        cache.parent.mkdir(parents=True, exist_ok=True)
        GitRepo.init(cache, bare=True)
        with GitRepo(cache) as repo:
            for key, value in (("core.repositoryformatversion", "1"),
                               ("extensions.partialClone", "origin"),
                               ("remote.origin.promisor", "true"),
                               ("remote.origin.partialclonefilter", "blob:none"),
                               ("gc.auto", "0")):
                repo.set_config(key, value)
        state.clear()
    if state.get("url") != url:
        with GitRepo(cache) as repo:
            repo.set_config("remote.origin.url", url)
        state["url"] = url


def fetch_tip(cache: Path, url: str, source: str, timeout: float,
              state: dict[str, str]) -> tuple[str, str]:
    """Fetch the tip of `source` (one commit, its trees; blobs only where the server cannot
    filter) into TIP_REF; return the tip and the mode: `partial` or `shallow`.

    With nothing new this is one `git fetch`, as git's own fetch of an up-to-date ref is.
    """
    _ensure(cache, url, state)
    known = state.get("tip")
    if known and state.get("complete") == known:
        # A fetch with --depth always asks the server to deepen, even when nothing moved; the
        # ref advertisement alone, as git's own fetch of an up-to-date ref reads, says so.
        listed = git(cache, "ls-remote", "origin", source, timeout=timeout).stdout.split()
        if listed[:1] == [known.encode()]:
            return known, state.get("mode", "partial")
    done = git(cache, "fetch", "-q", "--no-tags", "--no-write-fetch-head", "--depth=1",
               "--filter=blob:none", "origin", f"+{source}:{TIP_REF}", timeout=timeout)
    if b"filtering not recognized" in done.stderr:
        state["mode"] = "shallow"
    else:
        state.setdefault("mode", "partial")
    return _tip(cache), state["mode"]


def _tip(cache: Path) -> str:
    # fetch writes the ref as a loose file (gc is off in the cache): no process to read it
    try:
        tip = (cache / TIP_REF).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        tip = ""
    if len(tip) in (40, 64) and all(c in "0123456789abcdef" for c in tip):
        return tip
    with GitRepo(cache) as repo:
        return repo.rev_parse(TIP_REF)


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
    with GitRepo(cache, offline=True) as repo:
        return repo.files_under(tip, paths)


def cached_tip(cache: Path) -> tuple[str, str] | None:
    """The tip fetched last and when, or None when this member was never fetched."""
    state = load_state(cache)
    if not state.get("tip") or not state.get("fetched_at") or not (cache / "HEAD").exists():
        return None
    return state["tip"], state["fetched_at"]


class BlobReader:
    """The blobs of one cached repository, read offline through its one `git cat-file --batch`;
    close it (or use `with`)."""

    def __init__(self, cache: Path) -> None:
        self.cache = cache
        self._repo = GitRepo(cache, offline=True, env={"GIT_TERMINAL_PROMPT": "0"}).__enter__()

    def read(self, name: str) -> bytes | None:
        """The blob named `name` (an object id or `<commit>:<path>`); None when there is none."""
        if "\n" in name:
            raise NotFound(f"no object {name!r}")
        found = self._repo.object_data(name)
        if found is None or found[0] != "blob":
            return None
        return found[1]

    def close(self) -> None:
        """Stop the git process."""
        self._repo.__exit__(None, None, None)

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
