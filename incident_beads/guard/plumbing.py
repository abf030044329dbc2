"""Run plain `git` for the push guard: the one subprocess seam of the hook path."""

from __future__ import annotations

import subprocess

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
        try:
            done = subprocess.run(
                ["git", *args], cwd=self.cwd, input=stdin, capture_output=True,
                encoding="utf-8", errors="replace", check=False,
            )
        except FileNotFoundError:
            raise GitError("git is not installed or not on PATH",
                           hint="install git, or run the check where git is available") from None
        if done.returncode not in ok_codes:
            detail = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise GitError(f"git {args[0]} failed: {detail}")
        return done.returncode, done.stdout

    def output(self, *args: str, stdin: str | None = None) -> str:
        """Run `git args...` and return its stdout; raise GitError when it fails."""
        return self.run(*args, stdin=stdin)[1]
