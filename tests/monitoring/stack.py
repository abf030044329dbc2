"""Real monitoring parts for the tests: Prometheus, Alertmanager, a service with an error
counter, and `incident serve`, each on a free loopback port with its own temporary folder."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

PROMETHEUS = shutil.which("prometheus")
ALERTMANAGER = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
MISSING = [name for name, found in (("prometheus", PROMETHEUS),
                                    ("prometheus-alertmanager", ALERTMANAGER)) if not found]


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(what: str, ready: Callable[[], Any], *, seconds: float = 60.0) -> Any:
    """Poll `ready` until it returns something truthy; fail naming `what`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError):
            found = ready()
            if found:
                return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def http_ok(url: str) -> bool:
    """True once `url` answers 200."""
    with urllib.request.urlopen(url, timeout=2) as answer:
        return bool(answer.status == 200)


class ErrorService:
    """A small service exposing `app_errors_total` with prometheus_client; broken until fixed."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, start_http_server

        self.registry = CollectorRegistry()
        self.errors = Counter("app_errors", "Requests that failed", registry=self.registry)
        self.port = free_port()
        self.server, self.thread = start_http_server(self.port, addr="127.0.0.1",
                                                     registry=self.registry)
        self.broken = threading.Event()
        self.broken.set()
        self._stop = threading.Event()
        self._worker = threading.Thread(target=self._fail, daemon=True)
        self._worker.start()

    def _fail(self) -> None:
        while not self._stop.wait(0.1):
            if self.broken.is_set():
                self.errors.inc(5)  # about 50 errors a second while broken

    def fix(self) -> None:
        """The hotfix: no more errors."""
        self.broken.clear()

    def close(self) -> None:
        """Stop counting and serving."""
        self._stop.set()
        self.server.shutdown()


@contextlib.contextmanager
def process(args: list[str], log: Path, **kwargs: Any) -> Iterator[subprocess.Popen[bytes]]:
    """Run `args` with output to `log`; SIGTERM it (then kill) on the way out."""
    with log.open("wb") as out:
        child = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, **kwargs)
        try:
            yield child
        finally:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()


def prometheus_config(folder: Path, *, service_port: int, alertmanager_port: int) -> Path:
    """Scrape the service every second; one alert rule on its error rate."""
    rules = folder / "rules.yml"
    rules.write_text(json.dumps({"groups": [{"name": "checkout", "interval": "1s", "rules": [{
        "alert": "CheckoutErrorRate",
        "expr": "sum by (job) (rate(app_errors_total[5s])) > 1",
        "labels": {"severity": "critical", "service": "checkout"},
        "annotations": {"summary": "Checkout requests are failing",
                        "description": "More than one failed request a second.",
                        "value": "{{ $value }}"}}]}]}))
    config = folder / "prometheus.yml"
    config.write_text(json.dumps({
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(rules)],
        "alerting": {"alertmanagers": [{"static_configs": [
            {"targets": [f"127.0.0.1:{alertmanager_port}"]}]}]},
        "scrape_configs": [{"job_name": "checkout", "static_configs": [
            {"targets": [f"127.0.0.1:{service_port}"]}]}]}))
    return config


def alertmanager_config(folder: Path, *, receiver_url: str, token: str) -> Path:
    """Group by alert name, deliver within a second, to `incident serve` with a bearer token."""
    config = folder / "alertmanager.yml"
    config.write_text(json.dumps({
        "route": {"receiver": "incident", "group_by": ["alertname"], "group_wait": "1s",
                  "group_interval": "1s", "repeat_interval": "1h"},
        "receivers": [{"name": "incident", "webhook_configs": [{
            "url": receiver_url, "send_resolved": True,
            "http_config": {"authorization": {"type": "Bearer", "credentials": token}}}]}]}))
    return config


def incident_command(*args: str) -> list[str]:
    """`incident ARGS` run by this interpreter."""
    return [sys.executable, "-m", "incident_beads", *args]


def child_env(**extra: str) -> dict[str, str]:
    """This process's (hermetic) environment plus `extra`."""
    env = dict(os.environ)
    env.update(extra)
    return env
