"""Which escalations of an incident are still open: the rule, over stored records or models.

Standard library only, so that `incident list` can say which incidents are held without
loading the models.
"""

from __future__ import annotations

from datetime import datetime

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any


def normalize_risk(risk: str) -> str:
    """Compare risk names loosely: case, spaces and underscores do not matter."""
    return "-".join(risk.strip().lower().replace("_", " ").split())


def decision_command(incident_id: str, condition: str) -> str:
    """The exact command a person runs to decide on `condition`."""
    return f"incident risk ack {incident_id} --risk {condition} --by PERSON --note WHY"


def open_positions(escalations: Sequence[tuple[str, datetime, bool, bool]],
                   acknowledgments: Sequence[tuple[str, datetime]]) -> list[int]:
    """The positions of the escalations (condition, at, decided, legacy) no person decided on.

    Legacy records (written before decisions were stored on them) count as decided by an
    acknowledgment of their condition made at or after them.
    """
    acks = [(normalize_risk(risk), at) for risk, at in acknowledgments]
    return [index for index, (condition, at, decided, legacy) in enumerate(escalations)
            if not decided and not (legacy and any(
                name == normalize_risk(condition) and when >= at for name, when in acks))]


def open_escalations(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The open escalations of an incident's stored record (`metadata["incident_beads"]`)."""
    raw = record.get("escalations")
    if not isinstance(raw, list):
        return []
    try:
        escalations = [(str(e["condition"]), _moment(e["at"]), e.get("decided_at") is not None,
                        not e.get("decision_required")) for e in raw]
        acks = [(str(a["risk"]), _moment(a["at"]))
                for a in record.get("risk_acknowledgments") or []]
    except (KeyError, TypeError, ValueError):
        return []  # a malformed record is reported by the commands that read it in full
    return [{"condition": raw[i]["condition"], "since": raw[i]["at"],
             "message": raw[i].get("message", "")}
            for i in open_positions(escalations, acks)]


def _moment(value: Any) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
