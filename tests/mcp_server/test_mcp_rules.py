"""Refusals, escalations, holds and retries as an MCP client sees them, over stdio."""

from __future__ import annotations

import json
from pathlib import Path

import anyio

from tests.mcp_server.mcp_helpers import Caller, mcp_session
from tests.mcp_server.test_mcp_end_to_end import T0, incident_state


def issues(root: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in
            (root / ".beads" / "issues.jsonl").read_text().splitlines()]


def test_refusals_are_one_line_errors_with_the_hint_and_write_nothing(
        service: Path, errlog: Path) -> None:
    async def scenario() -> None:
        async with mcp_session(service, T0, errlog) as session:
            call = Caller(session)
            incident = await call.ok("create", title="Search is slow", severity="SEV-3")
            moved = await call.ok("reclassify", incident_id=incident["id"], severity="SEV-2",
                                  reason="the EU cluster is down too")
            assert moved["severity"] == "SEV-2"
            before = (service / ".beads" / "issues.jsonl").read_bytes()

            # A rule says no: no resolution without the checklist.
            no = await call.error("resolve", incident_id=incident["id"], resolution="x",
                                  root_cause="y")
            assert no["stop"] is False and no["error"] == "Refused"
            assert no["message"] and no["hint"]
            result = await call.raw("resolve", incident_id=incident["id"], resolution="x",
                                    root_cause="y")
            text = result.content[0].text  # type: ignore[union-attr]
            assert "\n" not in text and text.endswith(f"(hint: {no['hint']})")

            missing = await call.error("mitigate", incident_id="nope-1", option="rollback",
                                       result="failed")
            assert missing["stop"] is False and missing["error"] == "NotFound"

            # Arguments that do not fit the schema never reach the API.
            bad = await call.error("create", title="No severity")
            assert bad["error"] == "InvalidInput" and "severity" in bad["message"]
            typo = await call.error("update", incident_id=incident["id"], status="Identified",
                                    impact="i", action="a", etaa="+5m")
            assert "etaa" in typo["message"]
            unknown = await call.error("hotfix-start", incident_id=incident["id"])
            assert "hotfix_start" in unknown["hint"]
            assert (service / ".beads" / "issues.jsonl").read_bytes() == before

    anyio.run(scenario)


def test_an_escalating_declaration_stops_and_its_retry_records_nothing_twice(
        service: Path, errlog: Path) -> None:
    async def scenario() -> None:
        async with mcp_session(service, T0, errlog) as session:
            call = Caller(session)
            arguments = {"title": "Customer exports readable by other tenants",
                         "severity": "SEV-1", "security": True, "request_id": "sec-1"}
            stop = await call.error("create", **arguments)
            assert stop["stop"] is True and stop["condition"] == "data-loss-or-security"
            incident_id = stop["incident_id"]
            assert incident_id and incident_id in stop["decision"]["command"]
            assert stop["decision"]["arguments"]["risk"] == "data-loss-or-security"
            assert await call.error("create", **arguments) == stop
            assert [i["id"] for i in issues(service)] == [incident_id]

            # The same request id on another call is the client's mistake, said plainly.
            reused = await call.error("create", title="Another", severity="SEV-2",
                                      request_id="sec-1")
            assert reused["stop"] is False and "request id" in reused["message"]
            assert len(issues(service)) == 1

    anyio.run(scenario)


def test_a_held_incident_refuses_the_next_step_until_a_person_decides(
        service: Path, errlog: Path) -> None:
    async def scenario() -> None:
        async with mcp_session(service, T0, errlog) as session:
            call = Caller(session)
            incident_id = (await call.ok("create", title="Checkout returns 500",
                                         severity="SEV-1"))["id"]
            for rung in ("rollback", "feature-flag"):
                await call.ok("mitigate", incident_id=incident_id, option=rung,
                              result="unavailable")
            stop = await call.error("hotfix_start", incident_id=incident_id, risk="high")
            assert stop["stop"] is True
            before = incident_state(service, incident_id)

            # The next change is refused the same way, and writes nothing.
            held = await call.error("mitigate", incident_id=incident_id, option="scale",
                                    result="failed", reason="more replicas first")
            assert held["stop"] is True and held["held"] is True
            assert held["condition"] == stop["condition"]
            assert held["decision"]["command"] == stop["decision"]["command"]
            assert incident_state(service, incident_id) == before

            # Reading and status updates stay allowed; the person's decision lifts the hold.
            await call.ok("check", incident_id=incident_id)
            await call.ok("risk_ack", **{**stop["decision"]["arguments"], "by": "Cara Lead",
                                         "note": "go ahead with the one-line fix"})
            await call.ok("mitigate", incident_id=incident_id, option="scale",
                          result="failed", reason="more replicas first")

    anyio.run(scenario)


def test_without_a_store_every_tool_says_how_to_make_one(
        repo: Path, errlog: Path) -> None:
    async def scenario() -> None:
        async with mcp_session(repo, T0, errlog) as session:
            call = Caller(session)
            no = await call.error("list")
            assert no["error"] == "NoStore" and "incident init" in no["hint"]
            resources = (await session.list_resources()).resources
            assert [str(r.uri) for r in resources] == ["incident://critical-patterns"]

    anyio.run(scenario)


def test_two_servers_given_the_same_retry_at_once_write_it_once(
        service: Path, errlog: Path) -> None:
    async def scenario() -> None:
        async with mcp_session(service, T0, errlog) as session:
            incident_id = (await Caller(session).ok("create", title="Checkout returns 500",
                                                    severity="SEV-2"))["id"]
        update = {"incident_id": incident_id, "status": "Identified", "impact": "half of EU",
                  "action": "draining the bad node", "request_id": "upd-7"}
        answers: list[object] = []
        ready = [anyio.Event(), anyio.Event()]
        go = anyio.Event()

        async def client(n: int) -> None:
            async with mcp_session(service, T0, errlog) as session:
                ready[n].set()
                await go.wait()  # both calls leave at the same moment
                answers.append(await Caller(session).ok("update", **update))

        async with anyio.create_task_group() as both:
            both.start_soon(client, 0)
            both.start_soon(client, 1)
            for event in ready:
                await event.wait()
            go.set()
        assert len(answers) == 2 and answers[0] == answers[1]
        assert len(incident_state(service, incident_id)["updates"]) == 1

    anyio.run(scenario)
