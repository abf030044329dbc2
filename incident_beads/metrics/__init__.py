"""Questions to Prometheus and the evidence they give, recorded on an incident.

    from incident_beads.metrics import measure

    records = measure(response, incident_id, watch=timedelta(minutes=15))

`prometheus` asks one instant query with the standard library; `evidence` runs the configured
checks once or over a window and records what was seen through the lifecycle
(`lifecycle.api.Lifecycle`), below the facade, so the hotfix flow can measure too.
"""

from __future__ import annotations

from incident_beads.metrics.evidence import judge, measure, select_checks
from incident_beads.metrics.prometheus import PrometheusClient

__all__ = ["PrometheusClient", "judge", "measure", "select_checks"]
