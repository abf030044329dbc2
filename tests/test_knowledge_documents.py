"""Documents an SRE would sign: impact as assessed, filled runbooks, complete write-ups."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from knowledge_fixtures import CONFIRMED, Clock

from incident_beads import IncidentResponse
from incident_beads.knowledge.api import Knowledge
from tests.cli_runner import run_incident

ASSESSED = "users on the EU cluster (~40%); broken: login"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def api(store_repo: Path, clock: Clock) -> IncidentResponse:
    return IncidentResponse(store_repo, clock=clock, actor="ada")


def _sev2(api: IncidentResponse, clock: Clock) -> str:
    """A SEV-2 whose last status update says where things stand, not who was hit."""
    incident = api.declare("Login fails with 502", severity=2,
                           who_affected="users on the EU cluster", users_affected="~40%",
                           what_broken="login", services=["auth"])
    clock.advance(minutes=5)
    api.post_update(incident.id, status="Investigating", impact="EU logins failing",
                    action="checking the proxy")
    clock.advance(minutes=10)
    api.mitigate(incident.id, "rollback", "worked", detail="auth-proxy 1.8 -> 1.7")
    api.post_update(incident.id, status="Mitigating", impact="logins recovering",
                    action="watching error rates")
    api.schedule_postmortem(incident.id, at="+1d", owner="dana")
    clock.advance(minutes=20)
    api.resolve(incident.id, resolution="Rolled back auth-proxy to 1.7",
                root_cause="1.8 dropped the EU upstream", **CONFIRMED)
    return incident.id


def _front(path: Path) -> dict[str, object]:
    data = yaml.safe_load(path.read_text().split("---\n")[1])
    assert isinstance(data, dict)
    return data


def test_impact_comes_from_the_assessment(api: IncidentResponse, clock: Clock,
                                          store_repo: Path) -> None:
    incident_id = _sev2(api, clock)
    message = api.get(incident_id).state.resolution.message  # type: ignore[union-attr]
    assert f"Impact: {ASSESSED}\n" in message and "recovering" not in message
    knowledge = Knowledge(store_repo, clock=clock)
    draft = (store_repo / knowledge.postmortem_draft(incident_id).path).read_text()
    assert f"- **Impact:** {ASSESSED}" in draft
    writeup = (store_repo / knowledge.learn(incident_id).writeup).read_text()
    assert f"Impact: {ASSESSED}" in writeup and "recovering" not in writeup


def test_an_impact_given_at_resolution_is_the_message_s(api: IncidentResponse,
                                                        clock: Clock) -> None:
    incident = api.declare("Search slow", severity=3, who_affected="everyone")
    api.mitigate(incident.id, "scale", "worked", reason="scaling is the fix here")
    api.resolve(incident.id, resolution="scaled", root_cause="load", impact="p99 at 4 s",
                **CONFIRMED)
    assert "Impact: p99 at 4 s\n" in api.get(incident.id).state.resolution.message  # type: ignore[union-attr]


def test_without_an_assessment_the_last_update_says_it(api: IncidentResponse,
                                                       clock: Clock) -> None:
    incident = api.declare("Search slow", severity=3)
    api.post_update(incident.id, status="Identified", impact="search p99 at 4 s",
                    action="scaling")
    api.mitigate(incident.id, "scale", "worked", reason="scaling is the fix here")
    api.resolve(incident.id, resolution="scaled", root_cause="load", **CONFIRMED)
    assert "Impact: search p99 at 4 s\n" in \
        api.get(incident.id).state.resolution.message  # type: ignore[union-attr]


def test_the_runbook_gets_what_was_recorded(api: IncidentResponse, clock: Clock,
                                            store_repo: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    incident_id = _sev2(api, clock)
    done = run_incident(capsys, store_repo, "learn", incident_id, "--symptom", "502 on /login",
                        "--diagnosis", "kubectl -n auth logs deploy/auth-proxy | grep upstream",
                        "--escalation", "Primary: payments team",
                        "--escalation", "secondary: SRE on call")
    assert done.code == 0, done.err
    text = (store_repo / "docs/runbooks/auth.md").read_text()
    assert "```bash\nkubectl -n auth logs deploy/auth-proxy | grep upstream\n```" in text
    assert "- Primary: payments team\n- Secondary: SRE on call" in text
    assert "Primary: Primary" not in text and "recorded yet" not in text
    assert "- 502 on /login" in text
    # Read back and written again, the same: nothing doubles, the command stays code.
    assert run_incident(capsys, store_repo, "learn", incident_id).code == 0
    assert (store_repo / "docs/runbooks/auth.md").read_text() == text


def test_runbook_add_takes_diagnosis_and_strips_the_roles(store_repo: Path,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    done = run_incident(capsys, store_repo, "runbook", "add", "api", "--issue", "Pool exhausted",
                        "--diagnosis", "psql -c 'select count(*) from pg_stat_activity'",
                        "--escalation", "PRIMARY: db team", "--resolution",
                        "restart with `systemctl restart api`")
    assert done.code == 0, done.err
    text = (store_repo / "docs/runbooks/api.md").read_text()
    assert "- Primary: db team" in text and "restart with `systemctl restart api`" in text


def test_write_ups_carry_title_category_last_updated_and_clean_tags(
        api: IncidentResponse, clock: Clock, store_repo: Path) -> None:
    incident_id = _sev2(api, clock)
    knowledge = Knowledge(store_repo, clock=clock)
    clock.advance(days=2)
    path = store_repo / knowledge.learn(incident_id, tags=["Auth Proxy", "EU_cluster",
                                                           "auth-proxy", "  "]).writeup
    data = _front(path)
    assert data["title"] == "Login fails with 502"
    assert data["category"] == "runtime-errors" and path.parent.name == "runtime-errors"
    assert str(data["last_updated"]) == "2026-01-17" and str(data["date"]) == "2026-01-15"
    assert data["tags"] == ["auth-proxy", "eu-cluster"]
    before = path.read_text()
    clock.advance(days=3)
    knowledge.learn(incident_id)
    assert path.read_text() == before  # nothing changed: last_updated stays
    knowledge.learn(incident_id, problem_type="integration_issue")
    moved = store_repo / knowledge.writeups.find(incident_id)  # type: ignore[operator]
    data = _front(moved)
    assert data["category"] == "integration-issues" and str(data["last_updated"]) == "2026-01-20"


def test_front_matter_people_edited_survives_a_refresh(api: IncidentResponse, clock: Clock,
                                                        store_repo: Path) -> None:
    incident_id = _sev2(api, clock)
    knowledge = Knowledge(store_repo, clock=clock)
    path = store_repo / knowledge.learn(incident_id).writeup
    text = path.read_text()
    edited = text.replace("---\n", "---\nreviewers:\n  primary: grace\n  others: [ada, bob]\n"
                          "notes: |\n  Checked with the EU team.\n  Second line.\n", 1)
    path.write_text(edited)
    knowledge.learn(incident_id, root_cause="the 1.8 pool config")
    data = _front(path)
    assert data["reviewers"] == {"primary": "grace", "others": ["ada", "bob"]}
    assert data["notes"] == "Checked with the EU team.\nSecond line.\n"
    assert data["root_cause"] == "the 1.8 pool config"
