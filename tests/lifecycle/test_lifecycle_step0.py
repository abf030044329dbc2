"""Step 0 by construction: `create` records what `incident context` finds, or that it was
skipped, and warns of a likely duplicate."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from incident_beads import IncidentResponse
from incident_beads.clock import ReplayClock
from tests.cli_runner import run_incident as run
from tests.lifecycle.lifecycle_helpers import resolve

Capsys = pytest.CaptureFixture[str]


@pytest.fixture
def known(store_repo: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A resolved checkout incident (with its Past Incidents entry) and a recent hotfix tag."""
    clock = ReplayClock(datetime(2025, 12, 20, 9, 0, tzinfo=UTC))  # beyond recurrence
    api = IncidentResponse(store_repo, clock=clock, actor="ada")
    past = api.declare("Checkout returns 500 on payment", severity=3, services=["checkout"],
                       error_messages=["PoolTimeout"], load_context=False)
    clock.advance(minutes=30)
    resolve(api, past.id)
    subprocess.run(["git", "tag", "-a", "hotfix-old-1", "-m", "Hotfix for old-1"],
                   cwd=store_repo, check=True)
    monkeypatch.setenv("INCIDENT_BEADS_NOW", "2026-01-15T12:00:00Z")
    return past.id


def create(capsys: Capsys, root: Path, *args: str) -> tuple[dict[str, object], str]:
    code, out, err = run(capsys, root, "create", *args, "--json")
    assert code == 0, err
    return json.loads(out), err


def test_create_records_the_context_on_the_incident(capsys: Capsys, store_repo: Path,
                                                    known: str) -> None:
    created, _ = create(capsys, store_repo, "Checkout returns 502 on payment", "--sev", "2",
                        "--service", "checkout")
    context = created["state"]["context"]  # type: ignore[index]
    assert context["status"] == "loaded"
    assert context["similar"][0]["id"] == known
    assert any(known in entry for entry in context["patterns"])
    assert [d["name"] for d in context["deployments"]] == ["hotfix-old-1"]
    assert context["duplicates"] == []  # the similar one is resolved, not open
    incident_id = str(created["id"])
    kinds = [e["kind"] for e in created["state"]["timeline"]]  # type: ignore[index]
    assert kinds[:2] == ["declared", "context"]
    code, out, _ = run(capsys, store_repo, "show", incident_id)
    assert code == 0 and f"Step 0: similar past incidents: {known}" in out
    run(capsys, store_repo, "postmortem", "schedule", incident_id, "--at", "+1d", "--owner", "ada")
    code, out, _ = run(capsys, store_repo, "postmortem", "draft", incident_id, "--json")
    draft = (store_repo / json.loads(out)["path"]).read_text()
    assert "Step 0: similar past incidents" in draft and known in draft


def test_no_context_records_that_step_0_was_skipped(capsys: Capsys, store_repo: Path,
                                                    known: str) -> None:
    created, _ = create(capsys, store_repo, "Checkout returns 502", "--sev", "3",
                        "--service", "checkout", "--no-context")
    context = created["state"]["context"]  # type: ignore[index]
    assert context["status"] == "skipped" and context["similar"] == []
    texts = [e["text"] for e in created["state"]["timeline"]]  # type: ignore[index]
    assert texts[1].startswith("Step 0 skipped (--no-context)")


def test_an_open_incident_on_the_same_service_is_a_likely_duplicate(
        capsys: Capsys, store_repo: Path, known: str) -> None:
    first, err = create(capsys, store_repo, "Login page times out", "--sev", "2",
                        "--service", "auth")
    assert err == ""
    second, err = create(capsys, store_repo, "Login page times out for EU", "--sev", "2",
                         "--service", "auth")
    assert f"{second['id']} is a likely duplicate of {first['id']}" in err
    assert "title similarity 0.80" in err
    dup = second["state"]["context"]["duplicates"]  # type: ignore[index]
    assert dup == [{"id": first["id"], "title": "Login page times out", "score": 0.8}]
    # Another service, or another title: no warning.
    _, err = create(capsys, store_repo, "Login page times out", "--sev", "2", "--service",
                    "billing")
    assert err == ""
    _, err = create(capsys, store_repo, "Avatars upload slowly", "--sev", "3", "--service",
                    "auth")
    assert err == ""
