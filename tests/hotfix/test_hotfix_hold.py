"""A held incident's hotfix stops too: no commit, review, tag, merge or deploy until a decision."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hotfix_helpers import git_run, reviewed

from incident_beads import Escalation, IncidentResponse

STEPS: dict[str, Callable[[IncidentResponse, str], Any]] = {
    "commit": lambda api, h: api.hotfixes.commit(h, "more"),
    "review": lambda api, h: api.hotfixes.review(h, reviewer="heidi", approve=True,
                                                 fixes_issue=True, adds_issues=False),
    "gate": lambda api, h: api.hotfixes.gate(h, "tests", done=False, reason="SEV-1"),
    "staging": lambda api, h: api.hotfixes.staging(h, passed=True, note="ok"),
    "tag": lambda api, h: api.hotfixes.tag(h),
    "merge": lambda api, h: api.hotfixes.merge(h),
    "deploy": lambda api, h: api.hotfixes.deploy(h),
    "scope": lambda api, h: api.hotfixes.scope(h, declare=["app.py", "docs/"]),
}


@pytest.mark.parametrize("step", STEPS.values(), ids=STEPS.keys())
def test_every_hotfix_step_waits_for_the_decision(api: IncidentResponse, hot_repo: Path,
                                                  step: Callable[[IncidentResponse, str], Any]
                                                  ) -> None:
    hid = reviewed(api, hot_repo)
    incident_id = api.hotfixes.get(hid).state.incident_id
    with pytest.raises(Escalation):
        api.escalate(incident_id, "customer-data-exposed", "logs show card numbers")
    store = (hot_repo / ".beads" / "issues.jsonl").read_bytes()
    with pytest.raises(Escalation) as held:
        step(api, hid)
    assert held.value.held and held.value.condition == "customer-data-exposed"
    assert (hot_repo / ".beads" / "issues.jsonl").read_bytes() == store
    assert git_run(hot_repo, "tag", "--list") == ""
