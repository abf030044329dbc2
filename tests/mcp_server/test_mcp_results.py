"""The one mapping from the error tree to MCP results."""

from __future__ import annotations

from incident_beads.errors import Escalation, GitError
from incident_beads.mcp_server import results


def test_an_escalation_is_a_stop_with_the_decision_to_ask_for() -> None:
    exc = Escalation(Escalation.MITIGATIONS_EXHAUSTED, "rollback, flag, config and scale failed",
                     incident_id="svc-a1b")
    result = results.stop(exc)
    assert result.is_error
    data = result.structured_content
    assert data is not None and data["stop"] is True and data["held"] is False
    assert data["incident_id"] == "svc-a1b" and data["condition"] == "mitigations-exhausted"
    assert data["open_conditions"] == ["mitigations-exhausted"]
    assert "rollback, flag, config and scale failed" in data["message_for_person"]
    assert data["decision"]["arguments"] == {
        "incident_id": "svc-a1b", "risk": "mitigations-exhausted",
        "by": "<the person's name>", "note": "<why they decided so>"}
    assert data["decision"]["command"] == ("incident risk ack svc-a1b --risk "
                                           "mitigations-exhausted --by PERSON --note WHY")
    assert result.content[0].text.startswith("STOP: ESCALATE [mitigations-exhausted]")  # type: ignore[union-attr]


def test_a_hold_keeps_what_the_library_says_of_it() -> None:
    exc = Escalation(Escalation.RECURRENCE, "svc-a1b is held", incident_id="svc-a1b")
    # What a library that records holds attaches to the escalation it raises.
    exc.held = True  # type: ignore[attr-defined]
    exc.decision_command = "incident risk ack svc-a1b --risk recurrence --by P --note W"  # type: ignore[attr-defined]
    exc.open_conditions = ("recurrence", "eta-beyond-window")  # type: ignore[attr-defined]
    data = results.stop(exc).structured_content
    assert data is not None and data["held"] is True
    assert data["decision"]["command"] == exc.decision_command  # type: ignore[attr-defined]
    assert data["open_conditions"] == ["recurrence", "eta-beyond-window"]


def test_a_refusal_is_its_one_line_and_hint() -> None:
    result = results.refused(GitError("the work tree has changes", hint="git stash"))
    assert result.is_error
    assert result.content[0].text == "the work tree has changes (hint: git stash)"  # type: ignore[union-attr]
    assert result.structured_content == {"stop": False, "error": "GitError",
                                         "message": "the work tree has changes",
                                         "hint": "git stash"}
