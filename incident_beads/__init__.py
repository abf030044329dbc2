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
    from incident_beads.beads.issue import Issue
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
    from incident_beads.guard.push_rule import HotfixGuard
    from incident_beads.hotfix.bead import Hotfix
    from incident_beads.hotfix.deploys import (
        Deployment,
        recent_deployments,
    )
    from incident_beads.hotfix.model import HotfixState
    from incident_beads.hotfix.protocol import HotfixProtocol
    from incident_beads.hotfix.scope import ScopeReport
    from incident_beads.knowledge.actions import ActionItem
    from incident_beads.knowledge.api import Knowledge
    from incident_beads.knowledge.context import ContextReport
    from incident_beads.knowledge.schema import SolutionFrontMatter
    from incident_beads.knowledge.writeup import WriteupFacts
    from incident_beads.lifecycle.completion import (
        CompletionReport,
        Criterion,
    )
    from incident_beads.lifecycle.model import (
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
    from incident_beads.lifecycle.risk import KnownRisk
    from incident_beads.lifecycle.severity import Severity
    from incident_beads.mergedriver import (
        MergeResult,
        merge_files,
        register_merge_driver,
    )
    from incident_beads.response import IncidentResponse

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "BeadsStore": "incident_beads.beads.store",
    "Issue": "incident_beads.beads.issue",
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
    "IncidentResponse": "incident_beads.response",
    "Incident": "incident_beads.lifecycle.model",
    "IncidentState": "incident_beads.lifecycle.model",
    "Assessment": "incident_beads.lifecycle.model",
    "StatusUpdate": "incident_beads.lifecycle.model",
    "Mitigation": "incident_beads.lifecycle.model",
    "MitigationOption": "incident_beads.lifecycle.model",
    "MitigationResult": "incident_beads.lifecycle.model",
    "ConfigChange": "incident_beads.lifecycle.model",
    "RiskAcknowledgment": "incident_beads.lifecycle.model",
    "EscalationRecord": "incident_beads.lifecycle.model",
    "TimelineEvent": "incident_beads.lifecycle.model",
    "Timestamps": "incident_beads.lifecycle.model",
    "UpdateStatus": "incident_beads.lifecycle.model",
    "Severity": "incident_beads.lifecycle.severity",
    "KnownRisk": "incident_beads.lifecycle.risk",
    "Phase": "incident_beads.lifecycle.model",
    "Resolution": "incident_beads.lifecycle.model",
    "ResolutionChecklist": "incident_beads.lifecycle.model",
    "PostmortemSchedule": "incident_beads.lifecycle.model",
    "RootCauseHandoff": "incident_beads.lifecycle.model",
    "CompletionReport": "incident_beads.lifecycle.completion",
    "Criterion": "incident_beads.lifecycle.completion",
    "Knowledge": "incident_beads.knowledge.api",
    "ContextReport": "incident_beads.knowledge.context",
    "WriteupFacts": "incident_beads.knowledge.writeup",
    "SolutionFrontMatter": "incident_beads.knowledge.schema",
    "ActionItem": "incident_beads.knowledge.actions",
    "merge_files": "incident_beads.mergedriver",
    "MergeResult": "incident_beads.mergedriver",
    "register_merge_driver": "incident_beads.mergedriver",
    "HotfixGuard": "incident_beads.guard.push_rule",
    "PushRefused": "incident_beads.guard.findings",
    "CommandFailed": "incident_beads.errors",
    "HotfixProtocol": "incident_beads.hotfix.protocol",
    "Hotfix": "incident_beads.hotfix.bead",
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
