"""Run plain `git` for the push guard: the one subprocess seam of the hook path.

Where the platform has `posix_spawn`, git is started through it directly: importing
`subprocess` (with `signal`, `threading`, `selectors`...) would cost each push about as much as
the two or three git calls the check makes.
"""

from __future__ import annotations

import os

from incident_beads.errors import GitError


class Git:
    """Plain `git` in one folder; output decoded as UTF-8, bad bytes replaced."""

    def __init__(self, cwd: str) -> None:
        self.cwd = cwd
        self.calls = 0

    def run(self, *args: str, stdin: str | None = None, ok_codes: tuple[int, ...] = (0,)
            ) -> tuple[int, str]:
        """Run `git args...`; return (exit code, stdout); raise GitError on other codes."""
        self.calls += 1
        argv = ["git", "-C", self.cwd, *args]
        data = stdin.encode("utf-8") if stdin is not None else None
        try:
            if hasattr(os, "posix_spawnp"):
                code, out, err = _spawn(argv, data)
            else:  # pragma: no cover - Windows
                code, out, err = _subprocess(argv, data)
        except FileNotFoundError:
            raise GitError("git is not installed or not on PATH",
                           hint="install git, or run the check where git is available") from None
        if code not in ok_codes:
            detail = (err.decode("utf-8", "replace").strip().splitlines() or ["no message"])[-1]
            raise GitError(f"git {args[0]} failed: {detail}")
        return code, out.decode("utf-8", "replace")

    def output(self, *args: str, stdin: str | None = None) -> str:
        """Run `git args...` and return its stdout; raise GitError when it fails."""
        return self.run(*args, stdin=stdin)[1]


def _spawn(argv: list[str], data: bytes | None) -> tuple[int, bytes, bytes]:
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    in_r, in_w = os.pipe()
    actions = [
        (os.POSIX_SPAWN_DUP2, in_r, 0), (os.POSIX_SPAWN_DUP2, out_w, 1),
        (os.POSIX_SPAWN_DUP2, err_w, 2),
        (os.POSIX_SPAWN_CLOSE, in_w), (os.POSIX_SPAWN_CLOSE, out_r), (os.POSIX_SPAWN_CLOSE, err_r),
    ]
    try:
        pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=actions)
    finally:
        for fd in (in_r, out_w, err_w):
            os.close(fd)
    try:
        # Inputs are a few short lines: far below a pipe's buffer, so writing first is safe.
        if data:
            os.write(in_w, data)
    finally:
        os.close(in_w)
    out = _read_all(out_r)
    # git writes at most a few lines to stderr, which the pipe buffer holds meanwhile.
    err = _read_all(err_r)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), out, err


def _read_all(fd: int) -> bytes:
    chunks = []
    try:
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks)


def _subprocess(argv: list[str], data: bytes | None) -> tuple[int, bytes, bytes]:
    import subprocess

    done = subprocess.run(argv, input=data, capture_output=True, check=False)
    return done.returncode, done.stdout, done.stderr
