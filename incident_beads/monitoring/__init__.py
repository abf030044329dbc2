"""Monitoring in and out: Alertmanager webhooks declare incidents, Prometheus measures the fix.

    from incident_beads.monitoring import parse_payload, receive, measure

    delivery = receive(response, parse_payload(body))      # declared / attached / duplicate ...
    records = measure(response, delivery.incident_id, watch=timedelta(minutes=15))

Names load on first use: the receiver's server and the HTTP client are imported only by the
commands that need them (`incident alert`, `serve`, `evidence`), never by the others.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from incident_beads.monitoring.alertmanager import WebhookPayload, parse_payload
    from incident_beads.monitoring.evidence import judge, measure, select_checks
    from incident_beads.monitoring.intake import Delivery, receive
    from incident_beads.monitoring.prometheus import PrometheusClient
    from incident_beads.monitoring.receiver import Receiver, serve

_EXPORTS = {
    "WebhookPayload": "alertmanager", "parse_payload": "alertmanager",
    "judge": "evidence", "measure": "evidence", "select_checks": "evidence",
    "Delivery": "intake", "receive": "intake",
    "PrometheusClient": "prometheus",
    "Receiver": "receiver", "serve": "receiver",
}

__all__ = ["Delivery", "PrometheusClient", "Receiver", "WebhookPayload", "judge", "measure",
           "parse_payload", "receive", "select_checks", "serve"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'incident_beads.monitoring' has no attribute {name!r}")
    return getattr(importlib.import_module(f"incident_beads.monitoring.{module}"), name)
