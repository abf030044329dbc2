"""A whole SEV-1, from `context` to `check`, through the MCP SDK's client over stdio."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio

from tests.conftest import git
from tests.mcp_server.mcp_helpers import Caller, mcp_session

T0 = "2026-01-15T10:00:00Z"
AFTER_WINDOW = "2026-01-15T10:20:00Z"  # past the 15-minute production verification window

TOOLS = {"context", "create", "assess", "update", "overdue", "mitigate", "risk_ack",
         "reclassify", "hotfix_start", "hotfix_commit", "hotfix_review", "hotfix_gate",
         "hotfix_staging", "hotfix_tag", "hotfix_merge", "hotfix_deploy", "hotfix_verify",
         "resolve", "postmortem_schedule", "postmortem_draft", "action_add", "learn", "check",
         "show", "list", "report",
         # beyond the issue's list: the rest of the CLI's workflow verbs
         "hotfix_status", "hotfix_scope", "reopen", "handoff"}


def incident_state(root: Path, incident_id: str) -> dict[str, Any]:
    """The incident's recorded state, read from the store file itself."""
    for line in (root / ".beads" / "issues.jsonl").read_text().splitlines():
        issue = json.loads(line)
        if issue["id"] == incident_id:
            return dict(issue["metadata"]["incident_beads"])
    raise AssertionError(f"{incident_id} not in the store")


def test_a_sev1_from_context_to_check_over_stdio(service: Path, errlog: Path) -> None:
    found: dict[str, Any] = {}

    async def first_hour() -> None:
        async with mcp_session(service, T0, errlog) as session:
            call = Caller(session)
            listed = await session.list_tools()
            assert {t.name for t in listed.tools} == TOOLS
            create = next(t for t in listed.tools if t.name == "create")
            assert {"title", "severity"} <= set(create.input_schema["required"])
            assert "actor" not in create.input_schema["properties"]

            # Phase 0 and 1: what is known, then the declaration (retried: one incident).
            context = await call.ok("context", text="checkout returns 500", service="checkout",
                                    include_deployments=False)
            assert context["query"] == "checkout returns 500"
            declaration = {"title": "Checkout returns 500", "severity": "SEV-1",
                           "who_affected": "all users", "what_broken": "checkout",
                           "services": ["checkout"], "error_messages": ["PoolTimeout"],
                           "request_id": "declare-1"}
            incident = await call.ok("create", **declaration)
            assert await call.ok("create", **declaration) == incident
            incident_id = incident["id"]
            found["incident"] = incident_id
            assessed = await call.ok("assess", incident_id=incident_id, users_affected="all",
                                     alerts=["checkout-5xx"])
            assert assessed["state"]["assessment"]["alerts"] == ["checkout-5xx"]
            listing = await call.ok("list", label="incident")
            assert [i["id"] for i in listing["issues"]] == [incident_id]

            # Phase 2 and 3: an update, then the ladder's first two rungs ruled out.
            await call.ok("update", incident_id=incident_id, status="Investigating",
                          impact="nobody can pay", action="checking the 09:40 deploy",
                          eta="investigating", request_id="update-1")
            await call.ok("mitigate", incident_id=incident_id, option="rollback",
                          result="unavailable", detail="the migration ran")
            await call.ok("mitigate", incident_id=incident_id, option="feature-flag",
                          result="unavailable", detail="no flag around checkout")

            # A risky hotfix without a rollback path: STOP, with the decision to ask for.
            stop = await call.error("hotfix_start", incident_id=incident_id, risk="high",
                                    scope=["app.py"], request_id="start-1")
            assert stop["stop"] is True
            assert stop["condition"] == "risky-hotfix-without-rollback"
            assert stop["incident_id"] == incident_id
            assert incident_id in stop["message_for_person"]
            decision = stop["decision"]
            assert decision["tool"] == "risk_ack"
            assert decision["arguments"]["incident_id"] == incident_id
            assert decision["command"].startswith(f"incident risk ack {incident_id} --risk ")
            # The client retries the call that escalated: the same answer, nothing written twice.
            assert await call.error("hotfix_start", incident_id=incident_id, risk="high",
                                    scope=["app.py"], request_id="start-1") == stop
            assert len(incident_state(service, incident_id)["escalations"]) == 1

            # A person decides; the orchestrator records it and goes on.
            await call.ok("risk_ack", **{**decision["arguments"], "by": "Cara Lead",
                                         "note": "the fix is one line; the migration cannot "
                                                 "be undone"})
            hotfix = await call.ok("hotfix_start", incident_id=incident_id, risk="high",
                                   scope=["app.py"], request_id="start-2")
            hotfix_id = hotfix["id"]
            status = await call.ok("hotfix_status", hotfix_id=incident_id)
            assert "hotfix commit" in status["next_step"]
            (service / "app.py").write_text("print('fixed')\n")
            git(service, "add", "app.py")
            commit = await call.ok("hotfix_commit", hotfix_id=hotfix_id,
                                   message="Fix the checkout total")
            assert git(service, "rev-parse", "HEAD") == commit["commit"]
            scope = await call.ok("hotfix_scope", hotfix_id=hotfix_id)
            assert scope["flags"] == []
            review = await call.ok("hotfix_review", hotfix_id=hotfix_id, reviewer="Grace",
                                   approve=True, fixes_issue=True, adds_issues=False,
                                   note="minimal")
            assert review["approved"] is True
            await call.ok("hotfix_gate", hotfix_id=hotfix_id, gate="tests", done=False,
                          reason="SEV-1: the suite takes 40 minutes")
            await call.ok("hotfix_staging", hotfix_id=hotfix_id, passed=True,
                          note="checkout on staging returns 200")
            tag = await call.ok("hotfix_tag", hotfix_id=hotfix_id)
            assert tag["name"] == f"hotfix-{incident_id}"
            merged = await call.ok("hotfix_merge", hotfix_id=hotfix_id, push=True)
            upstream = service.parent / "upstream.git"
            assert git(upstream, "rev-parse", "main") == merged["main_commit"]
            deployed = await call.ok("hotfix_deploy", hotfix_id=hotfix_id, request_id="dep-1")
            assert deployed["ok"] is True
            started = await call.ok("hotfix_verify", hotfix_id=hotfix_id)
            assert started["window_minutes"] == 15
            found["hotfix"] = hotfix_id

    async def after_the_window() -> None:
        incident_id, hotfix_id = found["incident"], found["hotfix"]
        async with mcp_session(service, AFTER_WINDOW, errlog) as session:
            call = Caller(session)
            # Retries after the server restarted: neither a second update nor a second deploy.
            updates = len(incident_state(service, incident_id)["updates"])
            await call.ok("update", incident_id=incident_id, status="Investigating",
                          impact="nobody can pay", action="checking the 09:40 deploy",
                          eta="investigating", request_id="update-1")
            deploys = len(await _deploys(call, hotfix_id))
            await call.ok("hotfix_deploy", hotfix_id=hotfix_id, request_id="dep-1")
            assert len(incident_state(service, incident_id)["updates"]) == updates
            assert len(await _deploys(call, hotfix_id)) == deploys == 1

            both = await call.error("hotfix_verify", hotfix_id=hotfix_id, minutes=20,
                                    evidence="fine")
            assert both["error"] == "InvalidInput" and both["stop"] is False
            verified = await call.ok("hotfix_verify", hotfix_id=hotfix_id,
                                     evidence="5xx back to 0.1% on the checkout dashboard")
            assert verified["status"] == "closed"
            handed = await call.ok("handoff", incident_id=incident_id,
                                   notes="why was the total summed before rounding?")
            assert handed["created"] is True
            await call.ok("postmortem_schedule", incident_id=incident_id, at="+1d",
                          owner="Dana")
            resolved = await call.ok(
                "resolve", incident_id=incident_id, resolution="Hotfix deployed",
                root_cause="the total was summed before rounding", no_longer_occurring=True,
                error_rates_normal=True, users_can_use_feature=True,
                monitoring_evidence="5xx below 0.1% for 15 minutes",
                stakeholders_notified=True)
            assert resolved["status"] == "closed"
            draft = await call.ok("postmortem_draft", incident_id=incident_id)
            assert (service / draft["path"]).is_file()
            action = await call.ok("action_add", incident_id=incident_id,
                                   text="Test rounding in checkout totals", priority=1,
                                   owner="Dana", due="+7d", kind="prevent")
            assert action["incident_id"] == incident_id
            learned = await call.ok("learn", incident_id=incident_id,
                                    problem_type="logic_error", component="checkout")
            assert learned["incident_id"] == incident_id
            report = await call.ok("check", incident_id=incident_id)
            assert report["complete"] is True, report
            shown = await call.ok("show", issue_id=incident_id)
            assert shown["status"] == "closed"
            assert (await call.ok("overdue")) == {"incidents": []}
            figures = await call.ok("report")
            assert figures

            # Resources: the state, the timeline, the draft and the critical patterns.
            uris = {str(r.uri) for r in (await session.list_resources()).resources}
            base = f"incident://incidents/{incident_id}"
            assert {f"{base}/state", f"{base}/timeline", f"{base}/postmortem",
                    "incident://critical-patterns"} <= uris
            state = json.loads(await _read(session, f"{base}/state"))
            assert state["id"] == incident_id and state["status"] == "closed"
            timeline = json.loads(await _read(session, f"{base}/timeline"))
            assert "escalation" in [e["kind"] for e in timeline]
            assert incident_id in await _read(session, f"{base}/postmortem")
            assert incident_id in await _read(session, "incident://critical-patterns")

    anyio.run(first_hour)
    anyio.run(after_the_window)


async def _deploys(call: Caller, hotfix_id: str) -> list[Any]:
    shown = await call.ok("show", issue_id=hotfix_id)
    return list(shown["metadata"]["incident_beads"]["deploys"])


async def _read(session: Any, uri: str) -> str:
    result = await session.read_resource(uri)
    return str(result.contents[0].text)
