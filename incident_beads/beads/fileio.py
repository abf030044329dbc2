"""Atomic replacement and the writers' lock: nothing is lost, by a crash or by a neighbour."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
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
    folder = path.parent
    try:
        _replace(path, folder, chunks, durable)
    except OSError as exc:
        # The error names the file being replaced, not the temporary file beside it.
        if exc.filename == str(path) or exc.errno is None:
            raise
        raise type(exc)(exc.errno, f"cannot write {path}: {exc.strerror}") from None


def temporary_beside(path: Path) -> tuple[int, str]:
    """Create a new, empty file (mode 0600) beside `path`, under a name nobody else holds:
    `.NAME.RANDOM.incident-beads.tmp`. `tempfile.mkstemp` does the same and costs every write
    its import (shutil, random and the compression modules)."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    for _ in range(100):
        tmp = os.path.join(path.parent, f".{path.name}.{os.urandom(6).hex()}{TEMP_SUFFIX}")
        try:
            return os.open(tmp, flags, 0o600), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(path.parent))


def _replace(path: Path, folder: Path, chunks: Iterable[bytes | memoryview],
             durable: bool) -> None:
    fd, tmp = temporary_beside(path)
    try:
        with os.fdopen(fd, "wb") as out:
            out.writelines(chunks)
            out.flush()
            if durable:
                os.fsync(out.fileno())
        try:
            mode = os.stat(path).st_mode & 0o7777
        except FileNotFoundError:  # a new file gets what open() would give it, not 0600
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


def read_regular(path: Path) -> tuple[bytes, os.stat_result] | None:
    """The bytes of `path` and its stat, or None when it does not exist.

    Anything but a regular file (a FIFO, a device, a socket, a folder) is refused at once:
    opening without blocking and looking before reading keeps a FIFO from hanging the command.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise not_a_file(path, stat.S_IFDIR) from None
    except OSError as exc:
        try:
            mode = os.stat(path).st_mode
        except OSError:
            raise exc from None
        if stat.S_ISREG(mode):
            raise
        raise not_a_file(path, mode) from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise not_a_file(path, info.st_mode)
        return handle.read(), info


def not_a_file(path: Path, mode: int) -> Refused:
    """The refusal of a store path that holds something other than a regular file."""
    kinds = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"),
             (stat.S_ISBLK, "a device"), (stat.S_ISDIR, "a folder"))
    kind = next((name for test, name in kinds if test(mode)), "not a regular file")
    return Refused(f"{path} is {kind}, not a regular file",
                   hint="move it away; the store is a plain text file (`incident init` makes one)")


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


def common_git_dir(git_dir: Path) -> Path:
    """The git dir a worktree shares with the main checkout (refs, objects, config), as its
    `commondir` file names it; a main git dir is its own. `OSError` (or `UnicodeDecodeError`)
    when that file is there but cannot be read."""
    try:
        text = (git_dir / "commondir").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return git_dir
    return (git_dir / text).resolve() if text else git_dir


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
