""""While we're here" needs its own decision: scope flags block tag and deploy.

A flag is cleared by removing it from the branch, or by a person accepting the flags of the
reviewed head with `incident risk ack ID --risk hotfix-scope`. The store committed on the branch
is never accepted. The acknowledgment of any other risk (`hotfix-without-rollback`) does not
waive the scope.
"""

from __future__ import annotations

from datetime import datetime

from incident_beads.errors import Refused
from incident_beads.hotfix.model import HotfixState
from incident_beads.hotfix.scope import STORE, ScopeReport
from incident_beads.lifecycle.model import IncidentState
from incident_beads.lifecycle.risk import KnownRisk


def first_seen(state: HotfixState, head: str) -> datetime | None:
    """When the hotfix's review first saw commit `head`."""
    return min((r.at for r in state.reviews if r.head == head), default=None)


def check_scope(report: ScopeReport, hotfix: HotfixState, incident: IncidentState, *,
                hotfix_id: str, step: str) -> None:
    """Refuse `step` (tag, deploy) while the diff carries scope flags nobody accepted.

    An acknowledgment counts when it was recorded once the head was reviewed, so flags added
    by a later commit are asked about again.
    """
    if not report.flags:
        return
    store = [f for f in report.flags if f.kind == STORE]
    if store:
        raise Refused(f"cannot {step} {hotfix_id}: {store[0].message}",
                      hint=f"take it off the branch, keeping your copy: git restore "
                           f"--source={hotfix.base_commit[:12]} --staged -- .beads && git commit "
                           f"-m 'Leave the store out of the hotfix'")
    seen = first_seen(hotfix, report.head)
    acks = incident.acknowledgments_of(KnownRisk.HOTFIX_SCOPE)
    if seen is not None and any(ack.at >= seen for ack in acks):
        return
    flags = "; ".join(f.message for f in report.flags)
    raise Refused(f"cannot {step} {hotfix_id}: {len(report.flags)} scope flag(s) on "
                  f"{report.head[:12]}: {flags}",
                  hint=f"remove them from {hotfix.branch} (a minimal fix only), or, after the "
                       f"review, a person accepts them: incident risk ack {hotfix.incident_id} "
                       f"--risk {KnownRisk.HOTFIX_SCOPE} --by WHO --note WHY")
