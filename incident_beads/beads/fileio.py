"""Atomic replacement and the writers' lock: nothing is lost, by a crash or by a neighbour."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from incident_beads.errors import Refused

TEMP_SUFFIX = ".incident-beads.tmp"


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on `folder` itself, so no lock file shows up in `git status`."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def atomic_write(path: Path, chunks: Iterable[bytes | memoryview], *, durable: bool = True) -> None:
    """Replace `path` with `chunks`: temporary file in the same folder, fsync, rename."""
    import tempfile  # only writes need it

    folder = path.parent
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as out:
            out.writelines(chunks)
            out.flush()
            if durable:
                os.fsync(out.fileno())
        try:
            mode = os.stat(path).st_mode & 0o7777
        except FileNotFoundError:  # a new file gets what open() would give it, not mkstemp's 0600
            mode = 0o666 & ~_umask()
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable:
        dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def remove_stale_temps(folder: Path, name: str) -> None:
    """Delete temporary files a killed writer left behind (call with the lock held)."""
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            if entry.name.startswith(f".{name}.") and entry.name.endswith(TEMP_SUFFIX):
                with contextlib.suppress(OSError):
                    entry.unlink()


def find_git_dir(start: Path) -> Path | None:
    """The `.git` folder of the repository holding `start` (following worktree `.git` files)."""
    for folder in (start, *start.parents):
        candidate = folder / ".git"
        if candidate.is_dir():
            return candidate
        if candidate.is_file():
            with contextlib.suppress(OSError, UnicodeDecodeError):
                text = candidate.read_text(encoding="utf-8").strip()
                if text.startswith("gitdir:"):
                    target = Path(text.removeprefix("gitdir:").strip())
                    return target if target.is_absolute() else (folder / target).resolve()
            return None
    return None


def find_root(start: Path) -> Path:
    """The top of the git work tree holding `start`, or `start` itself outside git."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


def inside_repository(root: Path, path: Path) -> Path:
    """`path` itself, or where its links lead; refuse a link out of the repository `root`.

    A `.beads` folder or issues file linked to somewhere else would let a cloned repository
    make the store read or replace files it does not own.
    """
    if not path.is_symlink():
        return path
    real, top = path.resolve(), root.resolve()
    if real != top and top not in real.parents:
        raise Refused(f"{path} is a link to {real}, outside the repository {top}",
                      hint="replace the link with the folder or file itself")
    return real
