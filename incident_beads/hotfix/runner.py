"""Run a staging or deploy command as an argument list, time-boxed, keeping the output's tail."""

from __future__ import annotations

import collections
import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from incident_beads.errors import InvalidInput

#: How much of the output is kept for the record.
TAIL_LINES = 40
TAIL_CHARS = 4000
# Time a command gets to exit after SIGTERM before its process group is killed.
GRACE_SECONDS = 3.0


class CommandResult(NamedTuple):
    """What one run of a command left: exit status, timing and the end of its output."""

    argv: tuple[str, ...]
    exit_status: int | None  # None when it was killed at its timeout
    timed_out: bool
    seconds: float
    output_tail: str

    @property
    def ok(self) -> bool:
        """True when the command finished in time with status 0."""
        return self.exit_status == 0 and not self.timed_out


def run_command(argv: Sequence[str], *, cwd: Path, timeout: float,
                env: Mapping[str, str] | None = None) -> CommandResult:
    """Run `argv` (never through a shell) in its own process group; kill the group at `timeout`."""
    args = tuple(argv)
    if not args or not all(isinstance(a, str) and a for a in args):
        raise InvalidInput("a command is a non-empty list of non-empty arguments")
    full_env = {**os.environ, **(env or {})}
    started = time.monotonic()
    try:
        proc = subprocess.Popen(
            args, cwd=cwd, env=full_env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True)
    except OSError as exc:
        raise InvalidInput(f"cannot run {args[0]!r}: {exc.strerror or exc}",
                           hint="check the command and that it is executable") from None
    lines: collections.deque[bytes] = collections.deque(maxlen=TAIL_LINES)
    # A reader thread, so a command that fills the pipe never blocks and the memory stays bounded.
    reader = threading.Thread(target=_drain, args=(proc, lines), daemon=True)
    reader.start()
    timed_out = False
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _stop_group(proc)
    # Children that left the process group may hold the pipe open: do not wait for them forever.
    reader.join(GRACE_SECONDS)
    if not reader.is_alive() and proc.stdout is not None:
        proc.stdout.close()
    status = None if timed_out else proc.returncode
    text = b"".join(lines).decode("utf-8", "replace")[-TAIL_CHARS:]
    return CommandResult(args, status, timed_out, round(time.monotonic() - started, 3), text)


def _drain(proc: subprocess.Popen[bytes], lines: collections.deque[bytes]) -> None:
    assert proc.stdout is not None
    with contextlib.suppress(OSError, ValueError):
        for line in proc.stdout:
            lines.append(line)


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=GRACE_SECONDS)
            return
        except subprocess.TimeoutExpired:
            continue
