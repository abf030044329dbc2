"""Fixtures of the monitoring tests: recorded Alertmanager payloads and the API at their time."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from incident_beads import IncidentResponse
from incident_beads.clock import ReplayClock

RECORDED = Path(__file__).resolve().parent.parent / "corpus" / "alertmanager"
#: A little after the recorded alerts started firing.
AFTER_FIRING = datetime(2026, 12, 3, 8, 9, 30, tzinfo=UTC)


def recorded(name: str) -> dict[str, Any]:
    """A payload Alertmanager really sent (`firing` or `resolved`), as data to vary."""
    data: dict[str, Any] = json.loads((RECORDED / f"{name}.json").read_text())
    return data


def variant(name: str, **changes: Any) -> dict[str, Any]:
    """A recorded payload with top-level keys, or `alert` fields of its only alert, changed."""
    data = copy.deepcopy(recorded(name))
    alert_changes = changes.pop("alert", {})
    data.update(changes)
    if alert_changes:
        data["alerts"][0].update(alert_changes)
    return data


def body(data: dict[str, Any]) -> bytes:
    """The payload as Alertmanager POSTs it."""
    return json.dumps(data).encode()


@pytest.fixture
def clock() -> ReplayClock:
    return ReplayClock(AFTER_FIRING)


@pytest.fixture
def api(store_repo: Path, clock: ReplayClock) -> IncidentResponse:
    """The API over a real repository with an empty store, at the recorded alerts' time."""
    return IncidentResponse(store_repo, clock=clock, actor="ada")
