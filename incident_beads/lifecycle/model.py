"""The records of an incident, as kept in its bead's metadata under the key `incident_beads`.

The names are kept here for every caller; the records live by concern in `phases.py` (the
metadata key, the record base, the enums), `responses.py` (assessment, updates, mitigations,
acknowledgments, escalations, context, timeline) and `state.py` (`IncidentState`, `Incident`,
the resolution and what resolving hands on).
"""

from __future__ import annotations

from incident_beads.lifecycle.held import normalize_risk as normalize_risk
from incident_beads.lifecycle.phases import METADATA_KEY as METADATA_KEY
from incident_beads.lifecycle.phases import MitigationOption as MitigationOption
from incident_beads.lifecycle.phases import MitigationResult as MitigationResult
from incident_beads.lifecycle.phases import Phase as Phase
from incident_beads.lifecycle.phases import Record as Record
from incident_beads.lifecycle.phases import UpdateStatus as UpdateStatus
from incident_beads.lifecycle.responses import Assessment as Assessment
from incident_beads.lifecycle.responses import ConfigChange as ConfigChange
from incident_beads.lifecycle.responses import ContextRecord as ContextRecord
from incident_beads.lifecycle.responses import EscalationRecord as EscalationRecord
from incident_beads.lifecycle.responses import Mitigation as Mitigation
from incident_beads.lifecycle.responses import RiskAcknowledgment as RiskAcknowledgment
from incident_beads.lifecycle.responses import StatusUpdate as StatusUpdate
from incident_beads.lifecycle.responses import TimelineEvent as TimelineEvent
from incident_beads.lifecycle.state import Incident as Incident
from incident_beads.lifecycle.state import IncidentState as IncidentState
from incident_beads.lifecycle.state import PostmortemSchedule as PostmortemSchedule
from incident_beads.lifecycle.state import Resolution as Resolution
from incident_beads.lifecycle.state import ResolutionChecklist as ResolutionChecklist
from incident_beads.lifecycle.state import RootCauseHandoff as RootCauseHandoff
from incident_beads.lifecycle.state import Timestamps as Timestamps

__all__ = ["METADATA_KEY", "Assessment", "ConfigChange", "ContextRecord", "EscalationRecord",
           "Incident", "IncidentState", "Mitigation", "MitigationOption", "MitigationResult",
           "Phase", "PostmortemSchedule", "Record", "Resolution", "ResolutionChecklist",
           "RiskAcknowledgment", "RootCauseHandoff", "StatusUpdate", "TimelineEvent",
           "Timestamps", "UpdateStatus", "normalize_risk"]
