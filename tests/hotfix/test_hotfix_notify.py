"""Stakeholders hear that the hotfix is deployed and verified, once it is."""

from __future__ import annotations

from pathlib import Path

import pytest
from hotfix_helpers import DEPLOY_OK, FakeClock, deployable

from incident_beads import IncidentResponse
from incident_beads.config import Config, HotfixConfig, NotifyConfig
from tests.notify.receivers import WebhookReceiver

pytest.importorskip("apprise", reason="the notify extra (apprise) is not installed")


def test_verified_hotfix_is_announced_with_its_tag_and_evidence(hot_repo: Path,
                                                                clock: FakeClock) -> None:
    with WebhookReceiver() as webhook:
        config = Config(hotfix=HotfixConfig(deploy_command=DEPLOY_OK),
                        notify=NotifyConfig(kind={"hotfix-verified": (webhook.url(),)}))
        api = IncidentResponse(hot_repo, clock=clock, actor="ada", config=config)
        hid = deployable(api, hot_repo)
        api.hotfixes.deploy(hid)
        api.hotfixes.verify_start(hid)
        assert webhook.received == []  # deployed is not yet verified
        clock.advance(minutes=15)
        done = api.hotfixes.verify_confirm(hid, evidence="5xx back to 0.1%")
        [message] = webhook.received
        incident_id = done.state.incident_id
        assert message["title"] == (f"[SEV-1] {incident_id} Checkout returns 500: "
                                    "hotfix deployed and verified")
        assert message["message"] == (f"Hotfix verified in production (5xx back to 0.1%); "
                                      f"{done.close_reason}")
        assert "hotfix-" in str(message["message"])
