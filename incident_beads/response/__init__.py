"""The public API's facade: `IncidentResponse` composes the lifecycle, hotfixes, knowledge and
the fleet (`facade`): the lifecycle with what the layers above lend it."""

from __future__ import annotations

from incident_beads.lifecycle.api import QUIET_EVENTS, default_actor, risk_refusal
from incident_beads.response.facade import IncidentResponse

__all__ = ["QUIET_EVENTS", "IncidentResponse", "default_actor", "risk_refusal"]
