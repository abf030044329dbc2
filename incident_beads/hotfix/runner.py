"""Run a staging or deploy command as an argument list, time-boxed, keeping the output's tail."""

from __future__ import annotations

import collections
import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
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


#: Called with (seconds elapsed, the time box in seconds, an output line or "" while silent).
Progress = Callable[[float, float, str], None]
#: How long a silent command goes before `progress` is told it is still running.
HEARTBEAT_SECONDS = 10.0


def run_command(argv: Sequence[str], *, cwd: Path, timeout: float,
                env: Mapping[str, str] | None = None, log: Path | None = None,
                progress: Progress | None = None) -> CommandResult:
    """Run `argv` (never through a shell) in its own process group; kill the group at `timeout`.

    The whole output goes to `log` when given (only its tail is kept in the record), and each
    line to `progress` as it comes, with a call every `HEARTBEAT_SECONDS` of silence, so a
    staging test or deploy of up to 30 minutes never runs silently.
    """
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
    sink = _Sink(log, progress, started, timeout)
    # A reader thread, so a command that fills the pipe never blocks and the memory stays bounded.
    reader = threading.Thread(target=_drain, args=(proc, lines, sink), daemon=True)
    reader.start()
    timed_out = False
    try:
        while True:
            left = timeout - (time.monotonic() - started)
            if left <= 0:
                raise subprocess.TimeoutExpired(args, timeout)
            try:
                proc.wait(timeout=min(left, HEARTBEAT_SECONDS) if progress else left)
                break
            except subprocess.TimeoutExpired:
                if time.monotonic() - started >= timeout:
                    raise
                sink.heartbeat()
    except subprocess.TimeoutExpired:
        timed_out = True
        _stop_group(proc)
    # Children that left the process group may hold the pipe open: do not wait for them forever.
    reader.join(GRACE_SECONDS)
    if not reader.is_alive() and proc.stdout is not None:
        proc.stdout.close()
    status = None if timed_out else proc.returncode
    sink.close()
    text = b"".join(lines).decode("utf-8", "replace")[-TAIL_CHARS:]
    return CommandResult(args, status, timed_out, round(time.monotonic() - started, 3), text)


class _Sink:
    """Where each output line goes besides the tail: the log file and the progress callback."""

    def __init__(self, log: Path | None, progress: Progress | None, started: float,
                 timeout: float) -> None:
        self.progress = progress
        self.started = started
        self.timeout = timeout
        self.last = started
        self.lock = threading.Lock()
        self.file = None
        if log is not None:
            log.parent.mkdir(parents=True, exist_ok=True)
            self.file = log.open("wb")

    def line(self, data: bytes) -> None:
        with self.lock:
            self.last = time.monotonic()
            if self.file is not None:
                self.file.write(data)
                self.file.flush()
            self._tell(data.decode("utf-8", "replace").rstrip("\r\n"))

    def heartbeat(self) -> None:
        with self.lock:
            if time.monotonic() - self.last >= HEARTBEAT_SECONDS:
                self._tell("")

    def _tell(self, text: str) -> None:
        if self.progress is not None:
            with contextlib.suppress(Exception):  # a broken terminal must not stop a deploy
                self.progress(time.monotonic() - self.started, self.timeout, text)

    def close(self) -> None:
        with self.lock:
            if self.file is not None:
                self.file.close()
                self.file = None


def _drain(proc: subprocess.Popen[bytes], lines: collections.deque[bytes], sink: _Sink) -> None:
    assert proc.stdout is not None
    with contextlib.suppress(OSError, ValueError):
        for line in proc.stdout:
            lines.append(line)
            sink.line(line)


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=GRACE_SECONDS)
            return
        except subprocess.TimeoutExpired:
            continue
