"""`incident serve` as a real process on a free loopback port, and a client for it."""

from __future__ import annotations

import re
import signal
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from tests.monitoring.stack import child_env, incident_command


class Served(NamedTuple):
    """The running receiver: its address, process and the lines it logged so far."""

    url: str
    process: subprocess.Popen[str]
    lines: list[str]


@contextmanager
def serving(root: Path, *args: str, **env: str) -> Iterator[Served]:
    """Run `incident serve --listen 127.0.0.1:0` until the block ends, then SIGTERM it."""
    child = subprocess.Popen(incident_command("-C", str(root), "serve", "--listen",
                                              "127.0.0.1:0", *args),
                             stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                             env=child_env(**env))
    assert child.stderr is not None
    lines: list[str] = []
    ready = threading.Event()

    def drain() -> None:
        assert child.stderr is not None
        for line in child.stderr:
            lines.append(line.rstrip("\n"))
            if "listening on" in line:
                ready.set()
        ready.set()

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        assert ready.wait(30), "the receiver did not start"
        found = next((re.search(r"listening on (\S+)", x) for x in lines if "listening" in x),
                     None)
        assert found is not None, "\n".join(lines)
        yield Served(found.group(1), child, lines)
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
            child.wait(timeout=30)
        reader.join(timeout=10)


def post(url: str, data: bytes, *, token: str | None = None,
         method: str = "POST") -> tuple[int, str]:
    """Send `data` as Alertmanager does; the status and the body of the answer."""
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data if method == "POST" else None,
                                     headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
