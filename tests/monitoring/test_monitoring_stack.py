"""The whole path on real parts: a failing service, Prometheus's alert rule, Alertmanager's
webhook into `incident serve`, then the fix, measured by `incident evidence --watch`."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest

from incident_beads.errors import CheckFailed
from incident_beads.metrics.evidence import measure
from incident_beads.metrics.prometheus import PrometheusClient
from incident_beads.monitoring.sandbox import (
    ERROR_RATE,
    ErrorService,
    running,
    stop,
    wait_for,
)
from incident_beads.response import IncidentResponse
from tests.monitoring.stack import MISSING, child_env, free_port, incident_command

pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"not installed: {', '.join(MISSING)} "
                                "(Debian packages prometheus, prometheus-alertmanager)")


def test_alert_declares_and_prometheus_confirms_the_fix(store_repo: Path, tmp_path: Path) -> None:
    service = ErrorService("checkout")
    receiver_port, token = free_port(), "s3cret-token"
    receiver: subprocess.Popen[bytes] | None = None
    try:
        with running(tmp_path / "stack", service=service, token=token,
                     summary="Checkout requests are failing",
                     receiver_url=f"http://127.0.0.1:{receiver_port}/") as stack:
            (store_repo / ".incident-beads.toml").write_text(
                f'[monitoring]\nprometheus_url = "{stack.prometheus_url}"\n'
                'token_env = "TEST_RECEIVER_TOKEN"\n'
                "[monitoring.checks.checkout-errors]\n"
                f'query = "{ERROR_RATE}"\nbelow = 0.5\nservice = "checkout"\n')
            # Started once configured: it reads `token_env` and requires the token from then on.
            receiver = subprocess.Popen(incident_command("-C", str(store_repo), "serve", "--listen",
                                                         f"127.0.0.1:{receiver_port}"),
                                        stderr=(tmp_path / "serve.log").open("wb"),
                                        env=child_env(TEST_RECEIVER_TOKEN=token))
            # The rule fires, Alertmanager delivers with the token, `incident serve` declares.
            found = wait_for("the incident declared from the alert", lambda: IncidentResponse(
                store_repo).incidents(), seconds=90)
            response = IncidentResponse(store_repo)
            incident = response.get(found[0].id)
            assert (incident.title, incident.severity) == ("Checkout requests are failing",
                                                           "SEV-1")
            assert incident.state.assessment.services == ["checkout"]
            fired = incident.state.assessment.fired_alerts[0]
            assert fired.name == "HighErrorRate" and fired.generator_url.startswith("http")
            assert float(fired.value) > 1
            # Still broken: measuring fails, and is recorded as failing.
            with pytest.raises(CheckFailed):
                measure(response, incident.id)
            service.fix()
            client = PrometheusClient(stack.prometheus_url)
            wait_for("the error rate to fall", lambda: all(
                v == 0 for v in client.query(ERROR_RATE).values()))
            done = subprocess.run(
                incident_command("-C", str(store_repo), "evidence", incident.id, "--watch",
                                 "3s", "--every", "1"),
                capture_output=True, text=True, env=child_env(), timeout=60)
            assert done.returncode == 0, done.stderr
            assert "checkout-errors passed" in done.stdout
            assert done.stderr.count("checkout-errors: 0 (want < 0.5) ok") >= 3
            # Alertmanager tells the receiver the alert resolved; it goes on the timeline.
            wait_for("the resolved notification", lambda: any(
                e.kind == "alert-resolved" for e in response.get(incident.id).state.timeline),
                seconds=90)
            assert len(response.incidents(include_closed=True)) == 1
            receiver.send_signal(signal.SIGTERM)
            assert receiver.wait(timeout=15) == 0
    finally:
        if receiver is not None:
            stop(receiver)
        service.close()
    log = (tmp_path / "serve.log").read_text()
    assert "listening on http://127.0.0.1:" in log and " 200 declared " in log
    evidence = response.get(incident.id).state.evidence
    assert [e.passed for e in evidence] == [False, True]
    assert len(evidence[1].samples) >= 3
