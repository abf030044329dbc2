"""Merges stay consistent: after the driver, every incident's derived fields follow its state.

The property test drives two branches through random sequences of API operations from a common
base, merges them with real `git merge`, and checks that every line passes bd's import rules,
that nothing either side recorded is lost, and that the derived fields agree.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from incident_beads.beads.doctor import validate
from incident_beads.beads.import_rules import import_violations
from incident_beads.beads.store import BeadsStore
from incident_beads.clock import ReplayClock
from incident_beads.errors import IncidentBeadsError
from incident_beads.mergedriver.derived import incident_state, reconcile
from incident_beads.mergedriver.setup import init_repository
from incident_beads.response import IncidentResponse
from tests.conftest import git

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _repo(root: Path) -> Path:
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "app.py").write_text("print('hello')\n")
    init_repository(root, "inc")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


def _api(root: Path, clock: ReplayClock, actor: str) -> IncidentResponse:
    return IncidentResponse(root, clock=clock, actor=actor)


def _commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)


def assert_consistent(root: Path) -> None:
    """Every line passes bd's rules; every incident's derived fields follow its state."""
    path = root / ".beads" / "issues.jsonl"
    assert [v for v in validate(path) if v.level == "error"] == []
    for issue in BeadsStore(root).issues():
        assert import_violations(issue.data) == []
        state = incident_state(issue.data)
        if state is None:
            continue
        level = int(state["severity"][-1])
        sev_labels = [x for x in issue.labels if re.fullmatch(r"sev-[1-4]", x)]
        assert sev_labels == [f"sev-{level}"], (issue.id, issue.labels, state["severity"])
        assert issue.title.startswith(f"[SEV-{level}] ")
        assert not issue.title[len("[SEV-1] "):].startswith("[SEV-")
        assert issue.priority == level - 1
        assert (issue.status == "closed") == (state["phase"] == "resolved")
        assert bool(issue.closed_at) == (issue.status == "closed")
        peak = state.get("peak_severity") or state["severity"]
        assert int(peak[-1]) <= level


def test_two_branches_that_reclassify_the_same_incident(repo: Path) -> None:
    """The reproduction: the merged SEV-4 carried `sev-4` and `sev-2`."""
    init_repository(repo, "inc")
    clock = ReplayClock(START)
    declared = _api(repo, clock, "ann").declare("Checkout slow", severity="SEV-3")
    _commit(repo, "declare")
    git(repo, "checkout", "-q", "-b", "bob")
    clock.advance(minutes=5)
    _api(repo, clock, "bob").reclassify(declared.id, "SEV-2", reason="more users")
    _commit(repo, "bob: SEV-2")
    git(repo, "checkout", "-q", "main")
    clock.advance(minutes=5)
    _api(repo, clock, "ann").reclassify(declared.id, "SEV-4", reason="only internal")
    _commit(repo, "ann: SEV-4")
    git(repo, "merge", "-q", "--no-edit", "bob")
    issue = BeadsStore(repo).get(declared.id)
    assert issue.labels.count("sev-4") == 1 and "sev-2" not in issue.labels
    assert issue.title == "[SEV-4] Checkout slow" and issue.priority == 3
    state = incident_state(issue.data)
    assert state is not None and state["peak_severity"] == "SEV-2"  # the worst it was
    assert BeadsStore(repo).query(label="sev-2") == []
    assert_consistent(repo)


def test_a_resolve_on_one_branch_and_an_update_on_the_other(repo: Path) -> None:
    init_repository(repo, "inc")
    clock = ReplayClock(START)
    declared = _api(repo, clock, "ann").declare("Search slow", severity="SEV-3")
    _commit(repo, "declare")
    git(repo, "checkout", "-q", "-b", "bob")
    clock.advance(minutes=10)
    _api(repo, clock, "bob").mitigate(declared.id, "rollback", "worked", detail="v2 -> v1")
    _api(repo, clock, "bob").resolve(
        declared.id, resolution="reindexed", root_cause="stale index", no_longer_occurring=True,
        error_rates_normal=True, users_can_use_feature=True, monitoring_evidence="p99 ok",
        stakeholders_notified=True)
    _commit(repo, "bob: resolved")
    git(repo, "checkout", "-q", "main")
    clock.advance(minutes=10)  # later than the resolve: the field merge alone reopens it
    _api(repo, clock, "ann").record_event(declared.id, "a late note from the war room")
    _commit(repo, "ann: note")
    git(repo, "merge", "-q", "--no-edit", "bob")
    issue = BeadsStore(repo).get(declared.id)
    assert issue.status == "closed" and incident_state(issue.data)["phase"] == "resolved"  # type: ignore[index]
    assert_consistent(repo)


def test_the_status_follows_the_merged_phase() -> None:
    def bead(status: str, phase: str, **extra: Any) -> dict[str, Any]:
        state = {"kind": "incident", "severity": "SEV-3", "phase": phase}
        return {"id": "inc-1", "title": "[SEV-3] x", "priority": 2, "labels": ["sev-3"],
                "status": status, "metadata": {"incident_beads": state}, **extra}

    closed = bead("closed", "resolved", closed_at="2026-03-01T10:00:00Z", close_reason="fixed",
                  updated_at="2026-03-01T10:00:00Z")
    reopened = bead("open", "mitigate", updated_at="2026-03-01T11:00:00Z")
    # the phase says resolved, the status open: the close comes back from the side that closed
    fixed = reconcile(bead("open", "resolved"), closed, reopened)
    assert (fixed["status"], fixed["closed_at"], fixed["close_reason"]) == (
        "closed", "2026-03-01T10:00:00Z", "fixed")
    # the phase says mitigate, the status closed: it opens, without a close time or reason
    opened = reconcile(dict(closed, metadata=reopened["metadata"]), closed, reopened)
    assert opened["status"] == "open" and "closed_at" not in opened
    assert "close_reason" not in opened
    assert closed["status"] == "closed"  # the sides themselves are left alone


# the property ---------------------------------------------------------------------------------
OPS = ("declare", "update", "mitigate", "reclassify", "action", "resolve")
op_strategy = st.tuples(st.sampled_from(OPS), st.integers(0, 3), st.integers(1, 4),
                        st.sampled_from(["rollback", "feature-flag", "config-change", "scale"]))
plan_strategy = st.lists(st.tuples(st.sampled_from(["a", "b"]), op_strategy), min_size=2,
                         max_size=8)


def _apply(api: IncidentResponse, incidents: list[str], op: tuple[str, int, int, str],
           n: int) -> dict[str, Any] | None:
    """Run one operation; return what it recorded, or None when the API refused it."""
    kind, pick, level, option = op
    target = incidents[pick % len(incidents)]
    try:
        if kind == "declare":
            made = api.declare(f"Incident {n}", severity=level, who_affected="some users")
            incidents.append(made.id)
            return {"incident": made.id}
        if kind == "update":
            api.post_update(target, status="Investigating", impact=f"impact op{n}x",
                            action=f"action op{n}x")
        elif kind == "mitigate":
            # Some rungs work, so that a later resolve (which needs one) can be reached.
            result = "worked" if level % 2 else "failed"
            api.mitigate(target, option, result, detail=f"detail op{n}x", reason="trying")
        elif kind == "reclassify":
            api.reclassify(target, level, reason=f"reason op{n}x")
        elif kind == "action":
            item = api.knowledge.add_action(target, f"Action {n}", priority=1, owner="ann",
                                            due="+7d", kind="prevent")
            return {"action": item.id}
        elif kind == "resolve":
            api.resolve(target, resolution=f"fixed op{n}x", root_cause="cause",
                        no_longer_occurring=True, error_rates_normal=True,
                        users_can_use_feature=True, monitoring_evidence="graphs",
                        stakeholders_notified=True)
    except IncidentBeadsError:
        return None
    return {"event": (target, n)}


# Each example builds a repository and merges for real: few examples, and no shrinking (a
# failure prints its plan as generated).
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@example(plan=[("a", ("reclassify", 0, 4, "rollback")), ("b", ("reclassify", 0, 1, "scale")),
               ("a", ("update", 0, 1, "rollback")), ("b", ("action", 0, 1, "rollback"))])
@given(plan_strategy)
def test_random_operations_on_two_branches_merge_consistently(
        plan: list[tuple[str, tuple[str, int, int, str]]]) -> None:
    with tempfile.TemporaryDirectory(prefix="merge-prop-") as folder:
        root = _repo(Path(folder) / "work")
        clock = ReplayClock(START)
        base = _api(root, clock, "base")
        incidents = [base.declare("Checkout down", severity="SEV-2").id,
                     base.declare("Search slow", severity="SEV-3").id]
        _commit(root, "base incidents")
        git(root, "branch", "b")
        lists = {"a": list(incidents), "b": list(incidents)}
        recorded: list[dict[str, Any]] = []
        current = "main"
        for n, (side, op) in enumerate(plan):
            branch = "main" if side == "a" else "b"
            if branch != current:
                _commit(root, f"work on {current}")
                git(root, "checkout", "-q", branch)
                current = branch
            clock.advance(minutes=3)
            done = _apply(_api(root, clock, side), lists[side], op, n)
            if done is not None:
                recorded.append(done)
        _commit(root, f"work on {current}")
        git(root, "checkout", "-q", "main")
        merged = subprocess.run(["git", "merge", "-q", "--no-edit", "b"], cwd=root,
                                capture_output=True, text=True)
        unmerged = git(root, "diff", "--name-only", "--diff-filter=U").splitlines()
        # Both sides resolving one incident each write its write-up under docs/: git merges
        # that markdown as text. The store itself must always merge.
        assert ".beads/issues.jsonl" not in unmerged, merged.stdout + merged.stderr
        assert merged.returncode == 0 or all(p.startswith("docs/") for p in unmerged), (
            merged.stdout + merged.stderr)
        assert_consistent(root)
        store = BeadsStore(root)
        ids = {issue.id for issue in store.issues()}
        for item in recorded:
            for key in ("incident", "action"):
                if key in item:
                    assert item[key] in ids
            if "event" in item:
                target, n = item["event"]
                text = json.dumps(store.get(target).data)
                assert f"op{n}x" in text  # its update, mitigation, reason or resolution
