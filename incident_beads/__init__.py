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

# The public API, listed once: type checkers read these imports, and the lazy loader below
# reads the same lines (as text: the push hook imports this package, and `ast` costs) the first
# time a name is asked for. One `from MODULE import NAME as NAME` a line.
if TYPE_CHECKING:  # the public API
    from incident_beads.beads.issue import Issue as Issue
    from incident_beads.beads.store import BeadsStore as BeadsStore
    from incident_beads.clock import ReplayClock as ReplayClock
    from incident_beads.config import Config as Config
    from incident_beads.config import load_config as load_config
    from incident_beads.errors import CommandFailed as CommandFailed
    from incident_beads.errors import Escalation as Escalation
    from incident_beads.errors import GitError as GitError
    from incident_beads.errors import IncidentBeadsError as IncidentBeadsError
    from incident_beads.errors import InvalidInput as InvalidInput
    from incident_beads.errors import MalformedFile as MalformedFile
    from incident_beads.errors import NoStore as NoStore
    from incident_beads.errors import NotFound as NotFound
    from incident_beads.errors import Refused as Refused
    from incident_beads.fleet.api import Fleet as Fleet
    from incident_beads.guard.findings import PushRefused as PushRefused
    from incident_beads.guard.push_rule import HotfixGuard as HotfixGuard
    from incident_beads.hotfix.bead import Hotfix as Hotfix
    from incident_beads.hotfix.deploys import Deployment as Deployment
    from incident_beads.hotfix.deploys import recent_deployments as recent_deployments
    from incident_beads.hotfix.model import HotfixState as HotfixState
    from incident_beads.hotfix.protocol import HotfixProtocol as HotfixProtocol
    from incident_beads.hotfix.scope import ScopeReport as ScopeReport
    from incident_beads.knowledge.actions import ActionItem as ActionItem
    from incident_beads.knowledge.api import Knowledge as Knowledge
    from incident_beads.knowledge.context import ContextReport as ContextReport
    from incident_beads.knowledge.schema import SolutionFrontMatter as SolutionFrontMatter
    from incident_beads.knowledge.writeup import WriteupFacts as WriteupFacts
    from incident_beads.lifecycle.completion import CompletionReport as CompletionReport
    from incident_beads.lifecycle.completion import Criterion as Criterion
    from incident_beads.lifecycle.model import Assessment as Assessment
    from incident_beads.lifecycle.model import ConfigChange as ConfigChange
    from incident_beads.lifecycle.model import EscalationRecord as EscalationRecord
    from incident_beads.lifecycle.model import Incident as Incident
    from incident_beads.lifecycle.model import IncidentState as IncidentState
    from incident_beads.lifecycle.model import Mitigation as Mitigation
    from incident_beads.lifecycle.model import MitigationOption as MitigationOption
    from incident_beads.lifecycle.model import MitigationResult as MitigationResult
    from incident_beads.lifecycle.model import Phase as Phase
    from incident_beads.lifecycle.model import PostmortemSchedule as PostmortemSchedule
    from incident_beads.lifecycle.model import Resolution as Resolution
    from incident_beads.lifecycle.model import ResolutionChecklist as ResolutionChecklist
    from incident_beads.lifecycle.model import RiskAcknowledgment as RiskAcknowledgment
    from incident_beads.lifecycle.model import RootCauseHandoff as RootCauseHandoff
    from incident_beads.lifecycle.model import StatusUpdate as StatusUpdate
    from incident_beads.lifecycle.model import TimelineEvent as TimelineEvent
    from incident_beads.lifecycle.model import Timestamps as Timestamps
    from incident_beads.lifecycle.model import UpdateStatus as UpdateStatus
    from incident_beads.lifecycle.risk import KnownRisk as KnownRisk
    from incident_beads.lifecycle.severity import Severity as Severity
    from incident_beads.mergedriver import MergeResult as MergeResult
    from incident_beads.mergedriver import merge_files as merge_files
    from incident_beads.mergedriver import register_merge_driver as register_merge_driver
    from incident_beads.response import IncidentResponse as IncidentResponse

__version__ = "0.1.0"

_MARK = "if TYPE_CHECKING:  # the public API"
_exports: dict[str, str] = {}  # public name -> module that defines it, read on first use


def _public_api() -> dict[str, str]:
    """The names the block marked `# the public API` imports, and their modules."""
    if not _exports:
        with open(__file__, encoding="utf-8") as source:
            lines = source.read().split("\n")
        for line in lines[lines.index(_MARK) + 1:]:
            if not line.startswith("    from "):
                break
            module, _, names = line.removeprefix("    from ").partition(" import ")
            name, _, alias = names.partition(" as ")
            _exports[alias or name] = module
    return _exports


def __getattr__(name: str) -> Any:
    # `from incident_beads import errors` asks here before it imports the submodule.
    if name == "__all__":
        return sorted(_public_api())
    module = _public_api().get(name)
    if module is None:
        raise AttributeError(f"module 'incident_beads' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *_public_api()})
