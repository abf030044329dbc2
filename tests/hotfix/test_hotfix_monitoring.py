"""`hotfix verify` measures the service's Prometheus checks where they are configured."""

from __future__ import annotations

from pathlib import Path

import pytest
from hotfix_helpers import DEPLOY_OK, FakeClock, deployable

from incident_beads import IncidentResponse
from incident_beads.config import Config, HotfixConfig, MetricCheck, MonitoringConfig
from incident_beads.errors import CheckFailed
from tests.monitoring.fake_prometheus import fake_prometheus

QUERY = 'sum(rate(http_requests_total{code=~"5.."}[5m]))'


def test_verify_confirms_on_measured_checks(hot_repo: Path, clock: FakeClock) -> None:
    with fake_prometheus({QUERY: [[0.9], [0.01]]}) as prometheus:
        check = MetricCheck(name="checkout-5xx", query=QUERY, below=0.5, service="checkout")
        config = Config(hotfix=HotfixConfig(deploy_command=DEPLOY_OK),
                        monitoring=MonitoringConfig(prometheus_url=prometheus.url,
                                                    checks={check.name: check}))
        api = IncidentResponse(hot_repo, clock=clock, actor="ada", config=config)
        hid = deployable(api, hot_repo)
        incident_id = api.hotfixes.get(hid).state.incident_id
        api.assess(incident_id, services=["checkout"])
        api.hotfixes.deploy(hid)
        api.hotfixes.verify_start(hid)
        clock.advance(minutes=15)
        with pytest.raises(CheckFailed, match=r"0\.9, not below 0\.5"):
            api.hotfixes.verify_confirm(hid, evidence="dashboard looks fine")
        assert api.hotfixes.get(hid).status == "open"
        done = api.hotfixes.verify_confirm(hid, evidence="")
        assert prometheus.asked == [QUERY, QUERY]
    assert done.status == "closed"
    assert done.state.verification is not None
    assert done.state.verification.evidence.startswith("measured: checkout-5xx passed")
    assert [e.passed for e in api.get(incident_id).state.evidence] == [False, True]
