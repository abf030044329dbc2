"""incident_beads: production incident response inside a git repository, stored as beads issues.

The public API is imported lazily, so that the push guard and quick commands load only what
they use.
"""

from __future__ import annotations

import importlib

# Kept out of the import path at run time: the push hook imports this package.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

if TYPE_CHECKING:  # the names the lazy table provides, for type checkers
    from incident_beads.beads.record import Issue
    from incident_beads.beads.store import BeadsStore
    from incident_beads.clock import ReplayClock
    from incident_beads.config import Config, load_config
    from incident_beads.errors import (
        CommandFailed,
        Escalation,
        GitError,
        IncidentBeadsError,
        InvalidInput,
        MalformedFile,
        NoStore,
        NotFound,
        Refused,
    )
    from incident_beads.fleet.api import Fleet
    from incident_beads.guard.findings import PushRefused
    from incident_beads.guard.rule import HotfixGuard
    from incident_beads.hotfix.deploys import (
        Deployment,
        recent_deployments,
    )
    from incident_beads.hotfix.model import HotfixState
    from incident_beads.hotfix.protocol import HotfixProtocol
    from incident_beads.hotfix.records import Hotfix
    from incident_beads.hotfix.scope import ScopeReport
    from incident_beads.incident.completion import (
        CompletionReport,
        Criterion,
    )
    from incident_beads.incident.model import (
        Assessment,
        ConfigChange,
        EscalationRecord,
        Incident,
        IncidentState,
        Mitigation,
        MitigationOption,
        MitigationResult,
        Phase,
        PostmortemSchedule,
        Resolution,
        ResolutionChecklist,
        RiskAcknowledgment,
        RootCauseHandoff,
        StatusUpdate,
        TimelineEvent,
        Timestamps,
        UpdateStatus,
    )
    from incident_beads.incident.response import IncidentResponse
    from incident_beads.incident.risk import KnownRisk
    from incident_beads.incident.severity import Severity
    from incident_beads.knowledge.actions import ActionItem
    from incident_beads.knowledge.api import Knowledge
    from incident_beads.knowledge.context import ContextReport
    from incident_beads.knowledge.schema import SolutionFrontMatter
    from incident_beads.knowledge.writeup import WriteupFacts
    from incident_beads.mergedriver import (
        MergeResult,
        merge_files,
        register_merge_driver,
    )

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "BeadsStore": "incident_beads.beads.store",
    "Issue": "incident_beads.beads.record",
    "Config": "incident_beads.config",
    "ReplayClock": "incident_beads.clock",
    "load_config": "incident_beads.config",
    "IncidentBeadsError": "incident_beads.errors",
    "Escalation": "incident_beads.errors",
    "NotFound": "incident_beads.errors",
    "Refused": "incident_beads.errors",
    "InvalidInput": "incident_beads.errors",
    "MalformedFile": "incident_beads.errors",
    "NoStore": "incident_beads.errors",
    "GitError": "incident_beads.errors",
    "IncidentResponse": "incident_beads.incident.response",
    "Incident": "incident_beads.incident.model",
    "IncidentState": "incident_beads.incident.model",
    "Assessment": "incident_beads.incident.model",
    "StatusUpdate": "incident_beads.incident.model",
    "Mitigation": "incident_beads.incident.model",
    "MitigationOption": "incident_beads.incident.model",
    "MitigationResult": "incident_beads.incident.model",
    "ConfigChange": "incident_beads.incident.model",
    "RiskAcknowledgment": "incident_beads.incident.model",
    "EscalationRecord": "incident_beads.incident.model",
    "TimelineEvent": "incident_beads.incident.model",
    "Timestamps": "incident_beads.incident.model",
    "UpdateStatus": "incident_beads.incident.model",
    "Severity": "incident_beads.incident.severity",
    "KnownRisk": "incident_beads.incident.risk",
    "Phase": "incident_beads.incident.model",
    "Resolution": "incident_beads.incident.model",
    "ResolutionChecklist": "incident_beads.incident.model",
    "PostmortemSchedule": "incident_beads.incident.model",
    "RootCauseHandoff": "incident_beads.incident.model",
    "CompletionReport": "incident_beads.incident.completion",
    "Criterion": "incident_beads.incident.completion",
    "Knowledge": "incident_beads.knowledge.api",
    "ContextReport": "incident_beads.knowledge.context",
    "WriteupFacts": "incident_beads.knowledge.writeup",
    "SolutionFrontMatter": "incident_beads.knowledge.schema",
    "ActionItem": "incident_beads.knowledge.actions",
    "merge_files": "incident_beads.mergedriver",
    "MergeResult": "incident_beads.mergedriver",
    "register_merge_driver": "incident_beads.mergedriver",
    "HotfixGuard": "incident_beads.guard.rule",
    "PushRefused": "incident_beads.guard.findings",
    "CommandFailed": "incident_beads.errors",
    "HotfixProtocol": "incident_beads.hotfix.protocol",
    "Hotfix": "incident_beads.hotfix.records",
    "HotfixState": "incident_beads.hotfix.model",
    "ScopeReport": "incident_beads.hotfix.scope",
    "Deployment": "incident_beads.hotfix.deploys",
    "recent_deployments": "incident_beads.hotfix.deploys",
    "Fleet": "incident_beads.fleet.api",
}

__all__ = [
    "ActionItem",
    "Assessment",
    "BeadsStore",
    "CommandFailed",
    "CompletionReport",
    "Config",
    "ConfigChange",
    "ContextReport",
    "Criterion",
    "Deployment",
    "Escalation",
    "EscalationRecord",
    "Fleet",
    "GitError",
    "Hotfix",
    "HotfixGuard",
    "HotfixProtocol",
    "HotfixState",
    "Incident",
    "IncidentBeadsError",
    "IncidentResponse",
    "IncidentState",
    "InvalidInput",
    "Issue",
    "Knowledge",
    "KnownRisk",
    "MalformedFile",
    "MergeResult",
    "Mitigation",
    "MitigationOption",
    "MitigationResult",
    "NoStore",
    "NotFound",
    "Phase",
    "PostmortemSchedule",
    "PushRefused",
    "Refused",
    "ReplayClock",
    "Resolution",
    "ResolutionChecklist",
    "RiskAcknowledgment",
    "RootCauseHandoff",
    "ScopeReport",
    "Severity",
    "SolutionFrontMatter",
    "StatusUpdate",
    "TimelineEvent",
    "Timestamps",
    "UpdateStatus",
    "WriteupFacts",
    "load_config",
    "merge_files",
    "recent_deployments",
    "register_merge_driver",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'incident_beads' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
