"""The whole path on real parts: a failing service, Prometheus's alert rule, Alertmanager's
webhook into `incident serve`, then the fix, measured by `incident evidence --watch`."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest

from incident_beads.errors import CheckFailed
from incident_beads.incident.response import IncidentResponse
from incident_beads.monitoring.evidence import measure
from incident_beads.monitoring.prometheus import PrometheusClient
from tests.monitoring.stack import (
    ALERTMANAGER,
    MISSING,
    PROMETHEUS,
    ErrorService,
    alertmanager_config,
    child_env,
    free_port,
    http_ok,
    incident_command,
    process,
    prometheus_config,
    wait_for,
)

pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"not installed: {', '.join(MISSING)} "
                                "(Debian packages prometheus, prometheus-alertmanager)")

ERROR_RATE = "sum(rate(app_errors_total[5s])) or vector(0)"


def _alert_incidents(root: Path) -> list[str]:
    return [i.id for i in IncidentResponse(root).incidents(include_closed=True)]


def test_alert_declares_and_prometheus_confirms_the_fix(store_repo: Path, tmp_path: Path) -> None:
    service = ErrorService()
    prometheus_port, alertmanager_port, receiver_port = free_port(), free_port(), free_port()
    (store_repo / ".incident-beads.toml").write_text(
        f'[monitoring]\nprometheus_url = "http://127.0.0.1:{prometheus_port}"\n'
        'token_env = "TEST_RECEIVER_TOKEN"\n'
        "[monitoring.checks.checkout-errors]\n"
        f'query = "{ERROR_RATE}"\nbelow = 0.5\nservice = "checkout"\n')
    token = "s3cret-token"
    folders = {name: tmp_path / name for name in ("prometheus", "alertmanager", "logs")}
    for folder in folders.values():
        folder.mkdir()
    logs = folders["logs"]
    try:
        with process(incident_command("-C", str(store_repo), "serve", "--listen",
                                      f"127.0.0.1:{receiver_port}"), logs / "serve.log",
                     env=child_env(TEST_RECEIVER_TOKEN=token)) as receiver, \
             process([str(ALERTMANAGER), "--config.file", str(alertmanager_config(
                         folders["alertmanager"], token=token,
                         receiver_url=f"http://127.0.0.1:{receiver_port}/")),
                      "--storage.path", str(folders["alertmanager"]),
                      "--web.listen-address", f"127.0.0.1:{alertmanager_port}",
                      "--cluster.listen-address="], logs / "alertmanager.log"), \
             process([str(PROMETHEUS), "--config.file", str(prometheus_config(
                         folders["prometheus"], service_port=service.port,
                         alertmanager_port=alertmanager_port)),
                      "--storage.tsdb.path", str(folders["prometheus"] / "data"),
                      "--web.listen-address", f"127.0.0.1:{prometheus_port}"],
                     logs / "prometheus.log"):
            wait_for("Prometheus", lambda: http_ok(f"http://127.0.0.1:{prometheus_port}/-/ready"))
            # The rule fires, Alertmanager delivers, `incident serve` declares.
            found = wait_for("the incident declared from the alert",
                             lambda: _alert_incidents(store_repo), seconds=90)
            response = IncidentResponse(store_repo)
            incident = response.get(found[0])
            assert (incident.title, incident.severity) == ("Checkout requests are failing", "SEV-1")
            assert incident.state.assessment.services == ["checkout"]
            fired = incident.state.assessment.fired_alerts[0]
            assert fired.name == "CheckoutErrorRate" and fired.generator_url.startswith("http")
            assert float(fired.value) > 1
            # Still broken: measuring fails, and is recorded as failing.
            with pytest.raises(CheckFailed):
                measure(response, incident.id)
            service.fix()
            client = PrometheusClient(f"http://127.0.0.1:{prometheus_port}")
            wait_for("the error rate to fall", lambda: all(
                v == 0 for v in client.query(ERROR_RATE).values()))
            done = subprocess.run(
                incident_command("-C", str(store_repo), "evidence", incident.id, "--watch",
                                 "3s", "--every", "1"),
                capture_output=True, text=True, env=child_env(), timeout=60)
            assert done.returncode == 0, done.stderr
            assert "checkout-errors passed" in done.stdout
            assert done.stderr.count("checkout-errors: 0") >= 3  # one progress line a sample
            # Alertmanager tells the receiver the alert resolved; it goes on the timeline.
            wait_for("the resolved notification", lambda: any(
                e.kind == "alert-resolved" for e in response.get(incident.id).state.timeline),
                seconds=90)
            assert len(_alert_incidents(store_repo)) == 1
            receiver.send_signal(signal.SIGTERM)
            assert receiver.wait(timeout=15) == 0
        log = (logs / "serve.log").read_text()
        assert "listening on http://127.0.0.1:" in log and " 200 declared " in log
        evidence = response.get(incident.id).state.evidence
        assert [e.passed for e in evidence] == [False, True]
        assert len(evidence[1].samples) >= 3
    finally:
        service.close()
