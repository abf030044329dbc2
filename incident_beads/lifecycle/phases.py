"""The words of an incident's records: the metadata key, the record base, and the enums.

The phases of the seed workflow, the `Status:` of an update, and the mitigation ladder's rungs
and outcomes. Every stored record derives from `Record`, which keeps keys it does not know.
"""

from __future__ import annotations

from enum import StrEnum

from incident_beads.typedrecord import TypedRecord

#: The one metadata key every record of this project lives under.
METADATA_KEY = "incident_beads"


class Record(TypedRecord, extra="allow"):
    """Base of every stored record: unknown keys are kept, so newer writers lose nothing."""


class Phase(StrEnum):
    """Where an incident stands in the seed workflow."""

    ASSESS = "assess"
    MITIGATE = "mitigate"
    HOTFIX = "hotfix"
    MITIGATED = "mitigated"
    RESOLVED = "resolved"


class UpdateStatus(StrEnum):
    """The `Status:` line of the seed's update template."""

    INVESTIGATING = "Investigating"
    IDENTIFIED = "Identified"
    MITIGATING = "Mitigating"
    RESOLVED = "Resolved"

    @classmethod
    def _missing_(cls, value: object) -> UpdateStatus | None:
        if isinstance(value, str):
            for member in cls:
                if member.value.lower() == value.strip().lower():
                    return member
        return None


class MitigationOption(StrEnum):
    """The rungs of the mitigation ladder, in the order the seed tries them."""

    ROLLBACK = "rollback"
    FEATURE_FLAG = "feature-flag"
    CONFIG_CHANGE = "config-change"
    SCALE = "scale"
    HOTFIX = "hotfix"


class MitigationResult(StrEnum):
    """What came of trying one rung."""

    WORKED = "worked"
    FAILED = "failed"
    UNAVAILABLE = "unavailable"
    IN_PROGRESS = "in-progress"
