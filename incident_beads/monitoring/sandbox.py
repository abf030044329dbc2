"""A monitoring stack on loopback for the demo and the tests: Debian's Prometheus and
Alertmanager in temporary folders on free ports, and a small service whose error counter
(`prometheus_client`) climbs until it is fixed.

Intervals are a second, so an alert fires, reaches the receiver and clears in seconds.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
#: What the demo's and the tests' alert rule and checks measure.
ERROR_RATE = "sum(rate(app_errors_total[5s])) or vector(0)"


def binaries() -> tuple[str | None, str | None]:
    """The `prometheus` and Alertmanager executables, where installed."""
    return (shutil.which("prometheus"),
            shutil.which("prometheus-alertmanager") or shutil.which("alertmanager"))


def missing() -> list[str]:
    """What is needed and not here: the Debian packages, or `prometheus_client`."""
    prometheus, alertmanager = binaries()
    lacking = [name for name, found in (("prometheus", prometheus),
                                        ("prometheus-alertmanager", alertmanager)) if not found]
    try:
        import prometheus_client  # noqa: F401
    except ImportError:
        lacking.append("prometheus_client (pip)")
    return lacking


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(what: str, ready: Callable[[], T | None], *, seconds: float = 60.0) -> T:
    """Poll `ready` until it returns something truthy; `TimeoutError` naming `what`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError):
            found = ready()
            if found:
                return found
        time.sleep(0.2)
    raise TimeoutError(f"timed out after {seconds:.0f} s waiting for {what}")


class ErrorService:
    """A service exposing `app_errors_total`: about 50 errors a second until `fix()`."""

    def __init__(self, job: str) -> None:
        from prometheus_client import CollectorRegistry, Counter, start_http_server

        self.job = job
        registry = CollectorRegistry()
        self.errors = Counter("app_errors", "Requests that failed", registry=registry)
        self.port = free_port()
        self._server, _ = start_http_server(self.port, addr="127.0.0.1", registry=registry)
        self._broken, self._stop = threading.Event(), threading.Event()
        self._broken.set()
        threading.Thread(target=self._fail, daemon=True).start()

    def _fail(self) -> None:
        while not self._stop.wait(0.1):
            if self._broken.is_set():
                self.errors.inc(5)

    def fix(self) -> None:
        """The fix ships: no more errors."""
        self._broken.clear()

    def close(self) -> None:
        """Stop counting and serving."""
        self._stop.set()
        self._server.shutdown()


@dataclass
class Sandbox:
    """The running stack: where Prometheus and Alertmanager answer, and their logs."""

    prometheus_url: str
    alertmanager_url: str
    logs: Path


def rules(service: str, summary: str) -> dict[str, Any]:
    """One alert rule: the service's error rate above one a second, critical."""
    return {"groups": [{"name": service, "interval": "1s", "rules": [{
        "alert": "HighErrorRate",
        "expr": "sum by (job) (rate(app_errors_total[5s])) > 1",
        "labels": {"severity": "critical", "service": service},
        "annotations": {"summary": summary,
                        "description": "More than one failed request a second.",
                        "value": '{{ printf "%.2f" $value }}'}}]}]}


@contextlib.contextmanager
def running(folder: Path, *, service: ErrorService, summary: str, receiver_url: str,
            token: str) -> Iterator[Sandbox]:
    """Prometheus scraping `service` and Alertmanager delivering to `receiver_url` with a
    bearer token, until the block ends (then SIGTERM, and the temporary data goes with
    `folder`)."""
    prometheus, alertmanager = binaries()
    if prometheus is None or alertmanager is None:
        raise FileNotFoundError("prometheus and prometheus-alertmanager are not installed")
    prometheus_port, alertmanager_port = free_port(), free_port()
    folder.mkdir(parents=True, exist_ok=True)
    # YAML is a superset of JSON: the standard library writes both configurations.
    (folder / "rules.yml").write_text(json.dumps(rules(service.job, summary)))
    (folder / "prometheus.yml").write_text(json.dumps({
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(folder / "rules.yml")],
        "alerting": {"alertmanagers": [{"static_configs": [
            {"targets": [f"127.0.0.1:{alertmanager_port}"]}]}]},
        "scrape_configs": [{"job_name": service.job, "static_configs": [
            {"targets": [f"127.0.0.1:{service.port}"]}]}]}))
    (folder / "alertmanager.yml").write_text(json.dumps({
        "route": {"receiver": "incident", "group_by": ["alertname", "service"],
                  "group_wait": "1s", "group_interval": "1s", "repeat_interval": "1h"},
        "receivers": [{"name": "incident", "webhook_configs": [{
            "url": receiver_url, "send_resolved": True,
            "http_config": {"authorization": {"type": "Bearer", "credentials": token}}}]}]}))
    with _process([alertmanager, "--config.file", str(folder / "alertmanager.yml"),
                   "--storage.path", str(folder / "alertmanager-data"),
                   "--web.listen-address", f"127.0.0.1:{alertmanager_port}",
                   "--cluster.listen-address="], folder / "alertmanager.log"), \
         _process([prometheus, "--config.file", str(folder / "prometheus.yml"),
                   "--storage.tsdb.path", str(folder / "prometheus-data"),
                   "--web.listen-address", f"127.0.0.1:{prometheus_port}"],
                  folder / "prometheus.log"):
        url = f"http://127.0.0.1:{prometheus_port}"
        wait_for("Prometheus to be ready", lambda: _ok(f"{url}/-/ready"))
        yield Sandbox(url, f"http://127.0.0.1:{alertmanager_port}", folder)


def _ok(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=2) as answer:
        return bool(answer.status == 200)


@contextlib.contextmanager
def _process(args: list[str], log: Path, **kwargs: Any) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        child = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, **kwargs)
        try:
            yield child
        finally:
            stop(child)


def stop(child: subprocess.Popen[Any]) -> int:
    """SIGTERM `child`, and kill it if it has not stopped within 15 s; its exit status."""
    if child.poll() is None:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    return int(child.returncode)
