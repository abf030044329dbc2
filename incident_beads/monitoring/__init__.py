"""Monitoring in and out: Alertmanager webhooks declare incidents, Prometheus measures the fix.

    from incident_beads.monitoring import parse_payload, receive, measure

    delivery = receive(response, parse_payload(body))      # declared / attached / duplicate ...
    records = measure(response, delivery.incident_id, watch=timedelta(minutes=15))

`measure`, `judge`, `select_checks` and `PrometheusClient` live in `incident_beads.metrics`
(below the facade, so the hotfix flow measures too) and are named here for the front ends.
Names load on first use: the receiver's server and the HTTP client are imported only by the
commands that need them (`incident alert`, `serve`, `evidence`), never by the others.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from incident_beads.metrics.evidence import judge, measure, select_checks
    from incident_beads.metrics.prometheus import PrometheusClient
    from incident_beads.monitoring.alertmanager import WebhookPayload, parse_payload
    from incident_beads.monitoring.intake import Delivery, receive
    from incident_beads.monitoring.receiver import Receiver, serve

_EXPORTS = {
    "WebhookPayload": "monitoring.alertmanager", "parse_payload": "monitoring.alertmanager",
    "judge": "metrics.evidence", "measure": "metrics.evidence",
    "select_checks": "metrics.evidence",
    "Delivery": "monitoring.intake", "receive": "monitoring.intake",
    "PrometheusClient": "metrics.prometheus",
    "Receiver": "monitoring.receiver", "serve": "monitoring.receiver",
}

__all__ = ["Delivery", "PrometheusClient", "Receiver", "WebhookPayload", "judge", "measure",
           "parse_payload", "receive", "select_checks", "serve"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'incident_beads.monitoring' has no attribute {name!r}")
    return getattr(importlib.import_module(f"incident_beads.{module}"), name)
