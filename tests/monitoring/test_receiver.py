"""`incident serve`: a real server process that Alertmanager (here, plain HTTP) calls."""

from __future__ import annotations

import json
import random
import signal
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from incident_beads import IncidentResponse
from incident_beads.config import load_config
from incident_beads.errors import Refused
from incident_beads.monitoring.receiver import bearer_token, is_loopback, parse_listen
from tests.cli_runner import run_incident
from tests.monitoring.conftest import body, recorded, variant
from tests.monitoring.served import post, serving

STORE = Path(".beads") / "issues.jsonl"


def test_a_delivery_declares_and_its_retry_changes_nothing(store_repo: Path) -> None:
    with serving(store_repo) as served:
        status, answer = post(served.url, body(recorded("firing")))
        assert status == 200 and json.loads(answer)["outcome"] == "declared"
        before = (store_repo / STORE).read_bytes()
        status, answer = post(served.url, body(recorded("firing")))
        assert status == 200 and json.loads(answer)["outcome"] == "duplicate"
        assert (store_repo / STORE).read_bytes() == before
    deliveries = [x for x in served.lines if " POST / " in x]
    assert len(deliveries) == 2 and " 200 declared " in deliveries[0]


@pytest.mark.parametrize("data", [b"{", b'{"version": "4"}', b"x" * (2 * 1024 * 1024)])
def test_a_bad_or_oversized_body_gets_400_and_writes_nothing(store_repo: Path,
                                                             data: bytes) -> None:
    with serving(store_repo) as served:
        status, answer = post(served.url, data)
    assert status == 400 and json.loads(answer)["error"] == "bad request"
    assert (store_repo / STORE).read_bytes() == b""


def test_a_valid_payload_over_the_limit_gets_400(store_repo: Path) -> None:
    (store_repo / ".incident-beads.toml").write_text("[monitoring]\nmax_body_bytes = 4096\n")
    padded = variant("firing", commonAnnotations={"summary": "Checkout", "description": "x" * 5000})
    with serving(store_repo) as served:
        status, answer = post(served.url, body(padded))
        assert status == 400 and "over 4096 bytes" in answer
        assert (store_repo / STORE).read_bytes() == b""
        assert post(served.url, body(recorded("firing")))[0] == 200


def test_only_post_to_the_root_path(store_repo: Path) -> None:
    with serving(store_repo) as served:
        assert post(served.url + "alerts", body(recorded("firing")))[0] == 404
        assert post(served.url, b"", method="GET")[0] == 405
    assert (store_repo / STORE).read_bytes() == b""


def test_a_failed_write_gets_5xx_so_alertmanager_retries(store_repo: Path) -> None:
    broken = b'{"id": "bd-1", "title": \n'
    (store_repo / STORE).write_bytes(broken)
    with serving(store_repo) as served:
        status, answer = post(served.url, body(recorded("firing")))
        assert status == 500 and json.loads(answer)["error"] == "not recorded"
        assert (store_repo / STORE).read_bytes() == broken
        (store_repo / STORE).write_bytes(b"")  # someone mends the store; the retry lands
        status, answer = post(served.url, body(recorded("firing")))
        assert status == 200 and json.loads(answer)["outcome"] == "declared"


def test_a_configured_token_is_required(store_repo: Path) -> None:
    (store_repo / ".incident-beads.toml").write_text('[monitoring]\ntoken_env = "RX_TOKEN"\n')
    with serving(store_repo, RX_TOKEN="t0ken") as served:
        assert post(served.url, body(recorded("firing")))[0] == 401
        assert post(served.url, body(recorded("firing")), token="wrong")[0] == 401
        assert (store_repo / STORE).read_bytes() == b""
        assert post(served.url, body(recorded("firing")), token="t0ken")[0] == 200


def test_beyond_loopback_a_token_is_required(store_repo: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".incident-beads.toml").write_text('[monitoring]\ntoken_env = "RX_TOKEN"\n')
    config = load_config(tmp_path)
    with pytest.raises(Refused):
        bearer_token(config, "10.0.0.5")
    # Checked above first: without the rule, this would start a server on every interface.
    code, _, err = run_incident(capsys, store_repo, "serve", "--listen", "0.0.0.0:9095")
    assert code == 1 and "needs a bearer token" in err and len(err.splitlines()) == 1
    monkeypatch.setenv("RX_TOKEN", "t0ken")
    assert bearer_token(config, "10.0.0.5") == "t0ken"
    assert bearer_token(load_config(store_repo), "::1") is None
    assert [is_loopback(h) for h in ("127.0.0.1", "::1", "localhost", "0.0.0.0", "example")] \
        == [True, True, True, False, False]
    assert parse_listen("[::1]:9095") == ("::1", 9095)


def test_sigterm_stops_it_cleanly(store_repo: Path) -> None:
    with serving(store_repo) as served:
        served.process.send_signal(signal.SIGTERM)
        assert served.process.wait(timeout=30) == 0
    assert served.lines[-1].endswith("stopped")


def test_load_8_senders_50_deliveries_lose_nothing(store_repo: Path) -> None:
    """Duplicates and bad bodies mixed in: one incident per group, every alert on it."""
    groups, alerts_per_group = 12, 3
    plan: list[tuple[str, bytes]] = []
    sent: dict[str, set[str]] = {}
    chance = random.Random(15)
    for n in range(8 * 50):
        if n % 9 == 4:
            plan.append(("bad", chance.choice([b"{", b"[]", b'{"version": "4"}', b"\xff" * 64])))
            continue
        group, alert = n % groups, chance.randrange(alerts_per_group)
        fingerprint = f"{group:04d}{alert:012d}"
        sent.setdefault(f"group-{group}", set()).add(fingerprint)
        labels = {"alertname": f"Alert{group}", "service": f"svc{group}", "n": str(alert)}
        plan.append(("ok", body(variant("firing", groupKey=f"group-{group}", alert={
            "fingerprint": fingerprint, "labels": labels,
            "annotations": {"summary": f"Service {group} is failing"}}))))
    with serving(store_repo) as served, ThreadPoolExecutor(max_workers=8) as senders:
        results = list(senders.map(lambda item: (item[0], post(served.url, item[1])[0]), plan))
    assert Counter(results) == Counter((kind, 200 if kind == "ok" else 400) for kind, _ in plan)
    incidents = IncidentResponse(store_repo).incidents()
    assert len(incidents) == groups
    for incident in incidents:
        (group,) = incident.state.alert_groups
        assert {a.fingerprint for a in incident.state.assessment.fired_alerts} == sent[group]
    assert len([x for x in served.lines if " POST / " in x]) == len(plan)


def test_a_token_variable_left_unset_is_said(store_repo: Path) -> None:
    (store_repo / ".incident-beads.toml").write_text('[monitoring]\ntoken_env = "RX_TOKEN"\n')
    with serving(store_repo) as served:
        assert post(served.url, body(recorded("firing")))[0] == 200
    assert any("RX_TOKEN is not set" in line for line in served.lines)


def test_without_waitress_serve_says_what_to_install(store_repo: Path,
                                                     capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "waitress.server", None)
    code, _, err = run_incident(capsys, store_repo, "serve")
    assert code == 1 and "incident_beads[monitoring]" in err and len(err.splitlines()) == 1


def test_concurrent_alert_commands_declare_one_incident(store_repo: Path) -> None:
    """Lookup and declaration are one locked transaction, across processes too."""
    import subprocess

    from tests.monitoring.conftest import RECORDED
    from tests.monitoring.stack import child_env, incident_command

    runs = [subprocess.Popen(incident_command("-C", str(store_repo), "alert",
                                              str(RECORDED / "firing.json"), "--json"),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=child_env()) for _ in range(6)]
    outcomes = sorted(json.loads(run.communicate(timeout=60)[0])["outcome"] for run in runs)
    assert outcomes == ["declared"] + ["duplicate"] * 5
    assert len(IncidentResponse(store_repo).incidents()) == 1
