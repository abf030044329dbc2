"""The demo's monitoring part: a real alert declares an incident, Prometheus confirms the fix.

Runs only where Debian's Prometheus and Alertmanager and `prometheus_client` are installed
(`sandbox.missing()` is empty); the demo leaves it out quietly elsewhere.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Protocol

from incident_beads.config import CONFIG_FILE
from incident_beads.errors import CheckFailed
from incident_beads.metrics.evidence import measure
from incident_beads.metrics.prometheus import PrometheusClient
from incident_beads.monitoring.sandbox import (
    ERROR_RATE,
    ErrorService,
    free_port,
    running,
    stop,
    wait_for,
)
from incident_beads.response import IncidentResponse

SERVICE = "payments"
TOKEN_ENV = "INCIDENT_DEMO_RECEIVER_TOKEN"


class Narrator(Protocol):
    """How the demo prints: phase headings, the commands a person types, their results."""

    def phase(self, title: str) -> None: ...
    def cmd(self, command: str) -> None: ...
    def say(self, text: str) -> None: ...


def alert_to_evidence(root: Path, scratch: Path, narrate: Narrator) -> str:
    """Run the part in repository `root` (stack data in `scratch`); the incident's id."""
    narrate.phase("Monitoring: an alert declares an incident, Prometheus confirms the fix")
    service = ErrorService(SERVICE)
    port, token = free_port(), "demo-token"
    receiver: subprocess.Popen[bytes] | None = None
    try:
        with running(scratch, service=service, token=token, summary="Card payments are failing",
                     receiver_url=f"http://127.0.0.1:{port}/") as stack:
            with (root / CONFIG_FILE).open("a", encoding="utf-8") as config:
                config.write(f'\n[monitoring]\nprometheus_url = "{stack.prometheus_url}"\n'
                             f'token_env = "{TOKEN_ENV}"\n\n'
                             f"[monitoring.checks.{SERVICE}-errors]\n"
                             f'query = "{ERROR_RATE}"\nbelow = 0.5\nservice = "{SERVICE}"\n')
            narrate.say(f"Prometheus {stack.prometheus_url} scrapes the {SERVICE} service every "
                        "second; an alert rule fires above one error a second")
            narrate.cmd(f"{TOKEN_ENV}=... incident serve --listen 127.0.0.1:{port}")
            receiver = subprocess.Popen(
                [sys.executable, "-m", "incident_beads", "-C", str(root), "serve", "--listen",
                 f"127.0.0.1:{port}"], stderr=(scratch / "serve.log").open("wb"),
                stdout=subprocess.DEVNULL, env=_env(token))
            response = IncidentResponse(root, actor="ada")
            incident = wait_for("Alertmanager's webhook", lambda: next(
                (i for i in IncidentResponse(root).incidents() if i.state.alert_groups), None),
                seconds=90)
            fired = incident.state.assessment.fired_alerts[0]
            narrate.say(f"Alertmanager delivered; {incident.id} declared: {incident.severity} "
                        f"{incident.title} (alert {fired.name}, value {fired.value}, "
                        f"services {', '.join(incident.state.assessment.services)})")
            narrate.cmd(f"incident evidence {incident.id}")
            try:
                measure(response, incident.id)
            except CheckFailed as failed:
                narrate.say(f"failed (exit 1), and recorded: {failed.message}")
            narrate.cmd(f"incident mitigate {incident.id} --option rollback --result worked "
                        "--detail 'payments client back to the last release'")
            service.fix()
            response.mitigate(incident.id, "rollback", "worked",
                              detail="payments client back to the last release")
            narrate.say("payments stop failing")
            client = PrometheusClient(stack.prometheus_url)
            wait_for("the error rate to fall",
                     lambda: all(v == 0 for v in client.query(ERROR_RATE).values()))
            narrate.cmd(f"incident evidence {incident.id} --watch 3s --every 1   "
                        "# 15m in production")
            records = measure(response, incident.id, watch=timedelta(seconds=3), every=1,
                              progress=narrate.say)
            narrate.say(records[0].summary())
            narrate.cmd(f"incident postmortem schedule {incident.id} --at +1d --owner grace")
            response.schedule_postmortem(incident.id, at="+1d", owner="grace")
            narrate.cmd(f"incident resolve {incident.id} --resolution ... (no --evidence: the "
                        "measured evidence stands)")
            resolved = response.resolve(
                incident.id, resolution="Fixed the payments client", root_cause="a bad retry "
                "loop in the payments client", no_longer_occurring=True,
                error_rates_normal=True, users_can_use_feature=True, stakeholders_notified=True)
            checklist = resolved.state.resolution.checklist if resolved.state.resolution else None
            if checklist is not None:
                narrate.say(f"resolved on {checklist.evidence_kind} evidence: "
                            f"{checklist.monitoring_evidence}")
    finally:
        if receiver is not None:
            stop(receiver)
        service.close()
    for line in (scratch / "serve.log").read_text(encoding="utf-8").splitlines():
        narrate.say(line)
    return incident.id


def _env(token: str) -> dict[str, str]:
    return {**os.environ, TOKEN_ENV: token}
