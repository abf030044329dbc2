"""Signed approvals: SSH keys made here (a person's, an agent's, an unknown one), real pushes."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from hotfix_helpers import FakeClock, git_run, ready_incident, write_fix

from incident_beads import Escalation, IncidentResponse, Refused
from incident_beads.guard.install import install
from incident_beads.guard.review import ReviewBlock
from incident_beads.signing import NAMESPACE, sign

pytestmark = pytest.mark.skipif(shutil.which("ssh-keygen") is None,
                                reason="ssh-keygen is not installed")
SIGNERS = ".github/allowed_signers"


def keygen(folder: Path, name: str) -> Path:
    key = folder / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)],
                   check=True, capture_output=True)
    return key


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "keys"
    folder.mkdir()
    return {name: keygen(folder, name) for name in ("grace", "agent", "mallory")}


@pytest.fixture
def signed_repo(hot_repo: Path, keys: dict[str, Path]) -> Path:
    """Signed approvals on main: grace (a person) and the agent's key are allowed signers."""
    (hot_repo / ".incident-beads.toml").write_text(
        f'[people]\napprovals = "signed"\nallowed_signers = "{SIGNERS}"\n'
        'agents = ["orchestrator*"]\n')
    (hot_repo / ".github").mkdir()
    lines = [f"grace namespaces=\"{NAMESPACE}\" {keys['grace'].with_suffix('.pub').read_text()}",
             f"orchestrator {keys['agent'].with_suffix('.pub').read_text()}"]
    (hot_repo / SIGNERS).write_text("".join(lines))
    git_run(hot_repo, "add", ".incident-beads.toml", SIGNERS)
    git_run(hot_repo, "commit", "-q", "-m", "Signed approvals")
    git_run(hot_repo, "push", "-q", "origin", "main")
    return hot_repo


def api_of(root: Path, clock: FakeClock) -> IncidentResponse:
    return IncidentResponse(root, clock=clock, actor="orchestrator")


def held_incident(api: IncidentResponse) -> str:
    with pytest.raises(Escalation) as raised:
        api.declare("Orders lost", severity=1, data_at_risk=True)
    assert raised.value.incident_id is not None
    return raised.value.incident_id


def test_a_decision_counts_only_signed_by_the_person(signed_repo: Path, clock: FakeClock,
                                                     keys: dict[str, Path]) -> None:
    api = api_of(signed_repo, clock)
    incident_id = held_incident(api)
    decide = {"by": "grace", "note": "backups verified"}
    with pytest.raises(Refused, match="must be signed") as unsigned:
        api.acknowledge_risk(incident_id, "data-loss-or-security", **decide)
    assert "incident: " + incident_id in unsigned.value.message  # the payload is shown
    # The orchestrator signs with its own key, naming grace: refused.
    with pytest.raises(Refused, match="does not verify"):
        api.acknowledge_risk(incident_id, "data-loss-or-security", **decide,
                             sign_key=str(keys["agent"]))
    assert api.get(incident_id).state.open_escalations
    payload = api.decision_payload(incident_id, "data-loss-or-security", at=api.now(), **decide)
    api.acknowledge_risk(incident_id, "data-loss-or-security", **decide,
                         signature=sign(payload, str(keys["grace"])))
    api.mitigate(incident_id, "rollback", "worked")  # no longer held


def test_an_edited_decision_is_refused_when_relied_on(signed_repo: Path, clock: FakeClock,
                                                      keys: dict[str, Path]) -> None:
    api = api_of(signed_repo, clock)
    incident_id = held_incident(api)
    api.acknowledge_risk(incident_id, "data-loss-or-security", by="grace", note="ok",
                         sign_key=str(keys["grace"]))
    store = signed_repo / ".beads" / "issues.jsonl"
    store.write_text(store.read_text().replace('"decision_note":"ok"',
                                               '"decision_note":"go ahead, drop the table"'))
    with pytest.raises(Escalation, match="held"):
        api.mitigate(incident_id, "rollback", "worked")


def approved_hotfix(api: IncidentResponse, root: Path, key: Path | None) -> str:
    incident_id = ready_incident(api)
    hid = api.hotfixes.start(incident_id, scope=["app.py"]).id
    write_fix(root)
    api.hotfixes.commit(hid, "Fix it")
    api.hotfixes.review(hid, reviewer="grace", approve=True, fixes_issue=True,
                        adds_issues=False, sign_key=str(key) if key else None)
    return hid


def merge_and_push(root: Path, branch: str) -> subprocess.CompletedProcess[str]:
    git_run(root, "checkout", "-q", "main")
    git_run(root, "merge", "-q", "--no-ff", "--no-edit", branch)
    return subprocess.run(["git", "push", "--follow-tags", "origin", "main"], cwd=root,
                          capture_output=True, text=True)


def test_a_signed_approval_is_tagged_and_passes_the_guard(signed_repo: Path, clock: FakeClock,
                                                          keys: dict[str, Path]) -> None:
    install(signed_repo)
    api = api_of(signed_repo, clock)
    hid = approved_hotfix(api, signed_repo, keys["grace"])
    api.hotfixes.tag(hid)
    state = api.hotfixes.get(hid).state
    message = git_run(signed_repo, "for-each-ref", "--format=%(contents)",
                      f"refs/tags/{state.tag}")
    assert " -----BEGIN SSH SIGNATURE-----" in message
    done = merge_and_push(signed_repo, state.branch)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("signer", [None, "mallory", "agent"])
def test_an_approval_not_signed_by_the_reviewer_is_refused(
        signed_repo: Path, clock: FakeClock, keys: dict[str, Path], signer: str | None) -> None:
    api = api_of(signed_repo, clock)
    with pytest.raises(Refused, match="must be signed" if signer is None else "not accepted"):
        approved_hotfix(api, signed_repo, keys[signer] if signer else None)


def forged_tag(root: Path, incident: str, target: str, fix: str, key: Path,
               reviewer: str = "grace") -> None:
    fields = {"incident": incident, "hotfix": f"{incident}.1", "reviewer": reviewer,
              "commit": fix, "verdict": "approved", "fixes-issue": "yes", "adds-issues": "no",
              "reviewed-at": "2026-01-15T10:00:00Z"}
    block = ReviewBlock(fields, sign(ReviewBlock(fields).payload(), str(key)))
    git_run(root, "tag", "-a", f"hotfix-{incident}", "-m",
            f"Hotfix for incident {incident}\n\n{block.render()}", target)


def hand_hotfix(root: Path, incident: str = "bd-42") -> tuple[str, str]:
    git_run(root, "checkout", "-q", "-b", f"hotfix/incident-{incident}", "main")
    (root / "fix.py").write_text("fixed = True\n")
    git_run(root, "add", "fix.py")
    git_run(root, "commit", "-q", "-m", "Fix it")
    fix = git_run(root, "rev-parse", "HEAD")
    git_run(root, "checkout", "-q", "main")
    git_run(root, "merge", "-q", "--no-ff", "--no-edit", f"hotfix/incident-{incident}")
    return git_run(root, "rev-parse", "HEAD"), fix


def push(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "push", "--follow-tags", "origin", "main"], cwd=root,
                          capture_output=True, text=True)


def test_the_guard_refuses_a_review_signed_by_an_unknown_key(signed_repo: Path,
                                                             keys: dict[str, Path]) -> None:
    install(signed_repo)
    merge_oid, fix = hand_hotfix(signed_repo)
    forged_tag(signed_repo, "bd-42", merge_oid, fix, keys["mallory"])
    done = push(signed_repo)
    assert done.returncode != 0
    assert "signature does not hold" in done.stderr and "does not verify for grace" in done.stderr


def test_a_push_cannot_bring_its_own_signer(signed_repo: Path, keys: dict[str, Path]) -> None:
    install(signed_repo)
    # mallory's key added under grace's name, in the very push that needs it.
    with (signed_repo / SIGNERS).open("a") as handle:
        handle.write(f"grace {keys['mallory'].with_suffix('.pub').read_text()}")
    git_run(signed_repo, "commit", "-qam", "Trust a new key")
    merge_oid, fix = hand_hotfix(signed_repo)
    forged_tag(signed_repo, "bd-42", merge_oid, fix, keys["mallory"])
    done = push(signed_repo)
    assert done.returncode != 0 and "does not verify for grace" in done.stderr


def test_the_guard_refuses_a_reviewer_who_authored_the_fix(
        signed_repo: Path, keys: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    install(signed_repo)
    monkeypatch.setenv("GIT_AUTHOR_NAME", "grace")
    merge_oid, fix = hand_hotfix(signed_repo)
    forged_tag(signed_repo, "bd-42", merge_oid, fix, keys["grace"])
    done = push(signed_repo)
    assert done.returncode != 0 and "who authored or committed the fix" in done.stderr


def test_the_guard_accepts_a_review_signed_by_the_person(signed_repo: Path,
                                                         keys: dict[str, Path]) -> None:
    install(signed_repo)
    merge_oid, fix = hand_hotfix(signed_repo)
    forged_tag(signed_repo, "bd-42", merge_oid, fix, keys["grace"])
    done = push(signed_repo)
    assert done.returncode == 0, done.stderr


def test_the_cli_prints_the_payload_and_takes_the_signature_file(
        signed_repo: Path, keys: dict[str, Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.cli_runner import run_incident

    monkeypatch.setenv("INCIDENT_BEADS_NOW", "2026-01-15T10:00:00Z")
    code, out, _ = run_incident(capsys, signed_repo, "create", "Orders lost", "--sev", "1",
                                "--data-at-risk", "--json")
    incident_id = json.loads(out)["incident_id"]
    args = ["risk", "ack", incident_id, "--risk", "data-loss-or-security", "--by", "grace",
            "--note", "backups verified"]
    code, out, err = run_incident(capsys, signed_repo, *args)
    assert code == 1 and "must be signed" in err
    code, out, _ = run_incident(capsys, signed_repo, *args, "--payload", "--json")
    printed = json.loads(out)
    payload = tmp_path / "decision.txt"
    payload.write_text(printed["payload"])
    subprocess.run(["ssh-keygen", "-q", "-Y", "sign", "-f", str(keys["grace"]), "-n", NAMESPACE,
                    str(payload)], check=True, capture_output=True)
    code, out, err = run_incident(capsys, signed_repo, *args, "--at", printed["at"],
                                  "--signature", f"{payload}.sig")
    assert code == 0, err
    code, out, _ = run_incident(capsys, signed_repo, "show", incident_id, "--json")
    assert json.loads(out)[0]["open_escalations"] == []


def test_the_reviewer_signs_with_their_git_signing_key(
        signed_repo: Path, clock: FakeClock, keys: dict[str, Path],
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.cli_runner import run_incident

    # The commands run on the test's clock, inside the incident's response window.
    monkeypatch.setenv("INCIDENT_BEADS_NOW", clock().isoformat())
    api = api_of(signed_repo, clock)
    hid = api.hotfixes.start(ready_incident(api), scope=["app.py"]).id
    write_fix(signed_repo)
    api.hotfixes.commit(hid, "Fix it")
    review = ["hotfix", "review", hid, "--reviewer", "grace", "--approve", "--fixes-issue", "yes",
              "--adds-issues", "no"]
    git_run(signed_repo, "config", "user.signingkey", str(keys["mallory"].with_suffix(".pub")))
    code, _, err = run_incident(capsys, signed_repo, *review, "--sign")
    assert code == 1 and "not accepted" in err  # someone else's key
    git_run(signed_repo, "config", "user.signingkey", str(keys["grace"].with_suffix(".pub")))
    code, _, err = run_incident(capsys, signed_repo, *review, "--sign")
    assert code == 0, err
    assert api.hotfixes.get(hid).state.reviews[-1].signature


def test_a_decision_dated_in_another_zone_still_verifies_later(
        signed_repo: Path, clock: FakeClock, keys: dict[str, Path]) -> None:
    api = api_of(signed_repo, clock)
    incident_id = held_incident(api)
    clock.advance(minutes=5)
    at = "2026-01-15T11:02:00.250000+01:00"  # 10:02 UTC, with a fraction of a second
    payload = api.decision_payload(incident_id, "data-loss-or-security", by="grace",
                                   note="ok", at=datetime.fromisoformat(at))
    api.acknowledge_risk(incident_id, "data-loss-or-security", by="grace", note="ok", at=at,
                         signature=sign(payload, str(keys["grace"])))
    api.mitigate(incident_id, "rollback", "worked")  # the stored decision verifies again


def test_check_push_in_ci_judges_as_the_hook_does(hot_repo: Path, keys: dict[str, Path],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from tests.cli_runner import run_incident

    # Signed approvals named only in the working folder's file (it may add the requirement).
    (hot_repo / ".incident-beads.toml").write_text(
        f'[people]\napprovals = "signed"\nallowed_signers = "{SIGNERS}"\n')
    install(hot_repo)
    merge_oid, fix = hand_hotfix(hot_repo)
    forged_tag(hot_repo, "bd-42", merge_oid, fix, keys["mallory"])
    hook = push(hot_repo)
    assert hook.returncode != 0 and "signature does not hold" in hook.stderr
    done = run_incident(capsys, hot_repo, "check-push", "--range", "origin/main..main")
    assert done.code == 1
    assert "signature does not hold" in done.err
