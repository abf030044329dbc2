"""`Lifecycle`: phases 1, 2, 3 and 5 of one repository's incidents, as one class.

The facade `IncidentResponse` composes it with the hotfix protocol, knowledge and the fleet;
the lifecycle itself imports none of them (they are lent through `Extensions`).
"""

from __future__ import annotations

from incident_beads.lifecycle.api_core import (
    QUIET_EVENTS,
    Extensions,
    LifecycleCore,
    default_actor,
    risk_refusal,
)
from incident_beads.lifecycle.api_mitigate import Mitigating
from incident_beads.lifecycle.api_open import Opening
from incident_beads.lifecycle.api_resolve import Resolving

__all__ = ["QUIET_EVENTS", "Extensions", "Lifecycle", "LifecycleCore", "default_actor",
           "risk_refusal"]


class Lifecycle(Opening, Mitigating, Resolving):
    """Drive one repository's incidents through phases 1, 2, 3 and 5 of the seed workflow.

    Every write is one locked, atomic store transaction. A rule that says no raises `Refused` or
    `InvalidInput` and writes nothing; an escalation condition is recorded first (state, timeline
    and a bead comment) and then raised as `Escalation`. Without a `.beads/` folder the records
    are kept in memory.
    """
