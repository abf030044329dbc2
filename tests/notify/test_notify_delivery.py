"""Messages reach real receivers on loopback, rendered from the seed's templates, once each."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from incident_beads import IncidentResponse
from incident_beads.errors import Escalation
from incident_beads.lifecycle.resolution import render_message
from tests.lifecycle.lifecycle_helpers import FakeClock, resolve
from tests.notify.conftest import write_notify
from tests.notify.receivers import SmtpReceiver, WebhookReceiver, free_port


def declare(api: IncidentResponse, **changes: object) -> str:
    fields: dict[str, object] = {"severity": 2, "who_affected": "all EU shoppers",
                                 "what_broken": "checkout returns 502",
                                 "users_affected": "~40%", "reported_by": "pagerduty"}
    fields.update(changes)
    return api.declare("Checkout down", **fields).id  # type: ignore[arg-type]


def notifications(api: IncidentResponse, incident_id: str) -> list[dict[str, object]]:
    return [e.data for e in api.get(incident_id).state.timeline if e.kind == "notification"]


def test_declaration_reaches_webhook_and_mail_with_its_assessment(
        store_repo: Path, webhook: WebhookReceiver, smtp: SmtpReceiver,
        clock: FakeClock) -> None:
    write_notify(store_repo, webhook.url(), smtp.url())
    api = IncidentResponse(store_repo, clock=clock, actor="ada")
    incident_id = declare(api)
    assert webhook.titles() == [f"[SEV-2] {incident_id} Checkout down: incident declared"]
    body = str(webhook.received[0]["message"])
    assessment = api.get(incident_id).state.assessment
    assert body == (f"Declared SEV-2: Checkout down\n\n"
                    f"{assessment.render(api.get(incident_id).severity)}")
    assert "- Who is affected: all EU shoppers" in body
    assert webhook.received[0]["type"] == "info"
    [mail] = smtp.mails
    assert mail["Subject"] == f"[SEV-2] {incident_id} Checkout down: incident declared"
    assert mail["To"] == "oncall@example.com"
    assert smtp.bodies()[0].strip() == body
    outcomes = notifications(api, incident_id)
    assert [(o["message_kind"], o["delivered"]) for o in outcomes] == [
        ("declared", True), ("declared", True)]
    assert {str(o["channel"]).split(":")[0] for o in outcomes} == {"json", "mailto"}


def test_every_status_update_in_the_seed_template(notify_repo: Path, webhook: WebhookReceiver,
                                                 clock: FakeClock) -> None:
    api = IncidentResponse(notify_repo, clock=clock, actor="ada")
    incident_id = declare(api)
    for status, action in (("Investigating", "reading logs"), ("Identified", "pool size")):
        clock.advance(minutes=5)
        api.post_update(incident_id, status=status, impact="checkout fails for EU",
                        action=action, eta="+30m")
    updates = api.get(incident_id).state.updates
    got = [m for m in webhook.received if "declared" not in str(m["title"])]
    assert [m["message"] for m in got] == [u.render() for u in updates]
    lines = str(got[-1]["message"]).splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "Status", "Impact", "Current action", "ETA to resolution", "Next update"]
    assert got[-1]["title"] == f"[SEV-2] {incident_id} Checkout down: Identified"


def test_escalation_is_sent_though_the_command_stops(notify_repo: Path,
                                                     webhook: WebhookReceiver,
                                                     clock: FakeClock) -> None:
    api = IncidentResponse(notify_repo, clock=clock, actor="ada")
    with pytest.raises(Escalation) as stop:
        declare(api, data_at_risk=True)
    incident_id = stop.value.incident_id
    assert incident_id
    [escalation] = [m for m in webhook.received if "STOP" in str(m["title"])]
    body = str(escalation["message"]).splitlines()
    assert body[0] == "STOP: a person must decide"
    assert body[1] == "Condition: data-loss-or-security"
    assert body[-1] == (f"Decide: incident risk ack {incident_id} --risk data-loss-or-security "
                        "--by PERSON --note WHY")
    assert escalation["type"] == "failure"


def test_resolution_and_postmortem_messages(notify_repo: Path, webhook: WebhookReceiver,
                                            clock: FakeClock) -> None:
    api = IncidentResponse(notify_repo, clock=clock, actor="ada")
    incident_id = declare(api)
    clock.advance(minutes=20)
    api.mitigate(incident_id, "rollback", "worked", detail="v1.4.1")
    api.schedule_postmortem(incident_id, at="+1d", owner="grace")
    clock.advance(minutes=10)
    resolve(api, incident_id, stakeholders_notified=False)
    by_title = {str(m["title"]).rsplit(": ", 1)[1]: str(m["message"]) for m in webhook.received}
    assert by_title["post-mortem scheduled"].startswith("Post-mortem scheduled: ")
    assert "owner grace" in by_title["post-mortem scheduled"]
    state = api.get(incident_id).state
    assert state.resolution is not None
    expected = render_message(start=state.timestamps.detected, end=state.resolution.at,
                              impact=state.resolution.impact,
                              resolution="rolled back to v1.4.1",
                              root_cause="connection pool exhausted by v1.4.2",
                              postmortem_at=state.resolution.postmortem_at,
                              postmortem_owner="grace")
    assert by_title["resolved"] == f"Status: Resolved\n\n{expected}"
    assert [line.split(":")[0] for line in expected.splitlines()] == [
        "Duration", "Impact", "Resolution", "Root cause", "Follow-up"]
    criterion = api.check(incident_id).criteria[-1]
    assert criterion.name == "resolution message communicated to stakeholders"
    assert criterion.met, criterion.detail


def test_receiver_answering_500_keeps_the_message_until_notify_delivers_it_once(
        notify_repo: Path, webhook: WebhookReceiver, clock: FakeClock) -> None:
    api = IncidentResponse(notify_repo, clock=clock, actor="ada")
    incident_id = declare(api)
    webhook.status = 500
    clock.advance(minutes=5)
    api.post_update(incident_id, status="Identified", impact="EU", action="pool")
    assert len(webhook.received) == 1  # the update was refused by the receiver
    [failed] = [o for o in notifications(api, incident_id) if not o["delivered"]]
    assert failed["message_kind"] == "update"
    [waiting] = api.notifications.messages(include_sent=False)
    assert waiting.kind == "update"
    # the next command tries too, but only once the backoff has passed
    api.record_event(incident_id, "still looking")
    assert api.notifications.messages(include_sent=False)[0].deliveries[
        webhook.url()].attempts == 1
    webhook.status = 200
    clock.advance(minutes=2)
    api.record_event(incident_id, "pool raised")
    assert [m["title"] for m in webhook.received][1:] == [
        f"[SEV-2] {incident_id} Checkout down: Identified"]
    assert api.notifications.messages(include_sent=False) == []
    assert api.notify() == []
    assert len(webhook.received) == 2


def test_receiver_down_then_notify_delivers_exactly_once(store_repo: Path, clock: FakeClock,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    port = free_port()
    write_notify(store_repo, f"json://127.0.0.1:{port}/hook")
    api = IncidentResponse(store_repo, clock=clock, actor="ada")
    incident_id = declare(api)  # nobody listens: the command still succeeds
    assert api.get(incident_id).id == incident_id
    [pending] = api.notifications.messages(include_sent=False)
    assert "Connection error" in pending.deliveries[f"json://127.0.0.1:{port}/hook"].last_error
    with WebhookReceiver(port=port) as receiver:
        outcomes = api.notify()
        assert [(o.kind, o.delivered) for o in outcomes] == [("declared", True)]
        assert api.notify() == []
        assert len(receiver.received) == 1


def test_delivered_messages_stay_delivered_through_git_habits(
        notify_repo: Path, webhook: WebhookReceiver, clock: FakeClock) -> None:
    from tests.conftest import git

    api = IncidentResponse(notify_repo, clock=clock, actor="ada")
    git(notify_repo, "add", "-A")
    git(notify_repo, "commit", "-q", "-m", "store")
    incident_id = declare(api)
    assert len(webhook.received) == 1
    assert git(notify_repo, "status", "--porcelain", "--untracked-files=all") == \
        "M .beads/issues.jsonl"
    git(notify_repo, "stash", "-q")
    git(notify_repo, "stash", "pop", "-q")
    git(notify_repo, "checkout", "-q", "--", ".beads/issues.jsonl")  # the declaration is gone
    fresh = IncidentResponse(notify_repo, clock=clock, actor="ada")
    assert fresh.notify() == []
    assert len(webhook.received) == 1
    assert incident_id not in (notify_repo / ".beads" / "issues.jsonl").read_text()


def test_a_write_that_fails_announces_nothing(notify_repo: Path, webhook: WebhookReceiver,
                                              clock: FakeClock) -> None:
    api = IncidentResponse(notify_repo, clock=clock, actor="ada")
    incident_id = declare(api)

    def disk_full(_changes: object) -> None:
        raise OSError(28, "No space left on device")

    api.store.before_write.append(disk_full)
    with pytest.raises(OSError):
        api.post_update(incident_id, status="Identified", impact="EU", action="pool")
    api.store.before_write.remove(disk_full)
    [unconfirmed] = [e for e in api.notifications.messages() if not e.confirmed]
    assert unconfirmed.kind == "update"
    api.record_event(incident_id, "the next write succeeds")  # and confirms only its own
    assert api.notify() == []
    assert len(webhook.received) == 1
    [dropped] = [e for e in api.notifications.messages() if e.dropped]
    assert dropped.dropped == "the change it announced was never written"


def test_a_crash_after_the_write_loses_nothing(notify_repo: Path, webhook: WebhookReceiver,
                                               clock: FakeClock) -> None:
    crashing = IncidentResponse(notify_repo, clock=clock, actor="ada")
    crashing.store.after_write.clear()  # the process dies right after writing the store
    incident_id = declare(crashing)
    assert webhook.received == []
    later = IncidentResponse(notify_repo, clock=clock, actor="ada")
    assert [(o.incident_id, o.delivered) for o in later.notify()] == [(incident_id, True)]
    assert later.notify() == []
    assert len(webhook.received) == 1


def test_routing_by_severity_and_kind(store_repo: Path, clock: FakeClock) -> None:
    with WebhookReceiver() as everyone, WebhookReceiver() as sev1, \
            WebhookReceiver() as decisions:
        write_notify(store_repo, everyone.url(),
                     extra=f'[notify.severity]\n"SEV-1" = ["{sev1.url()}"]\n'
                           f'[notify.kind]\nescalation = ["{decisions.url()}"]\n')
        api = IncidentResponse(store_repo, clock=clock, actor="ada")
        declare(api, severity=2)
        with pytest.raises(Escalation):
            api.declare("Login down", severity=1, security=True)
        assert len(everyone.received) == 3
        assert [t.rsplit(": ", 1)[1] for t in sev1.titles()] == [
            "incident declared", "STOP, a person must decide"]
        assert [t.rsplit(": ", 1)[1] for t in decisions.titles()] == [
            "STOP, a person must decide"]


def test_missing_secret_variable_keeps_the_message(store_repo: Path, webhook: WebhookReceiver,
                                                   clock: FakeClock,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    write_notify(store_repo, f"json://127.0.0.1:{webhook.port}/${{HOOK_PATH}}")
    monkeypatch.delenv("HOOK_PATH", raising=False)
    api = IncidentResponse(store_repo, clock=clock, actor="ada")
    declare(api)
    [pending] = api.notifications.messages(include_sent=False)
    [delivery] = pending.deliveries.values()
    assert delivery.last_error.startswith("environment variable HOOK_PATH is not set")
    monkeypatch.setenv("HOOK_PATH", "secret-path-4711")
    assert [o.delivered for o in api.notify()] == [True]
    assert webhook.received[0]["path"] == "/secret-path-4711"
    stored = (store_repo / ".beads" / "issues.jsonl").read_text()
    assert "secret-path-4711" not in stored
    outbox = store_repo / ".git" / "incident-beads" / "outbox"
    assert all("secret-path-4711" not in p.read_text() for p in outbox.rglob("*.json"))


def test_backoff_doubles_and_is_capped(notify_repo: Path, webhook: WebhookReceiver,
                                       clock: FakeClock) -> None:
    webhook.status = 500
    api = IncidentResponse(notify_repo, clock=clock, actor="ada")
    declare(api)
    waits = []
    for _ in range(8):
        [entry] = api.notifications.messages(include_sent=False)
        [delivery] = entry.deliveries.values()
        waits.append(delivery.next_attempt_at)
        api.notify()
    from datetime import datetime
    gaps = [datetime.fromisoformat(w) - clock() for w in waits]
    assert gaps[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert max(gaps) == timedelta(minutes=60)


def test_a_delivery_error_never_shows_a_secret(store_repo: Path, clock: FakeClock,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    write_notify(store_repo, f"json://${{HOOK_HOST}}:{port}/in")
    monkeypatch.setenv("HOOK_HOST", "127.0.0.1")  # Apprise names the host in its error
    api = IncidentResponse(store_repo, clock=clock, actor="ada")
    incident_id = declare(api)
    [pending] = api.notifications.messages(include_sent=False)
    [delivery] = pending.deliveries.values()
    assert "sending JSON notification to ***" in delivery.last_error
    assert "127.0.0.1" not in delivery.last_error
    timeline = "\n".join(e.text for e in api.get(incident_id).state.timeline)
    assert f"json://${{HOOK_HOST}}:{port}/in" in timeline and "127.0.0.1" not in timeline
    assert api.store.warnings and "127.0.0.1" not in " ".join(api.store.warnings)


def test_a_channel_that_is_down_is_tried_once_a_pass_and_keeps_its_order(
        store_repo: Path, webhook: WebhookReceiver, clock: FakeClock) -> None:
    with WebhookReceiver() as chat:
        write_notify(store_repo, webhook.url(), chat.url())
        webhook.status = 500
        api = IncidentResponse(store_repo, clock=clock, actor="ada")
        incident_id = declare(api)
        for n in range(3):
            clock.advance(minutes=5)  # the down channel's wait has passed each time
            api.post_update(incident_id, status="Investigating", impact="EU", action=f"step {n}")
        # one try of the oldest message per command, not one per message waiting
        assert len(webhook.refused) == 4 and len(chat.received) == 4
        assert {m["title"] for m in webhook.refused} == {chat.received[0]["title"]}
        waiting = api.notifications.messages(include_sent=False)
        assert [e.deliveries[webhook.url()].attempts for e in waiting] == [4, 0, 0, 0]
        assert len({e.deliveries[webhook.url()].next_attempt_at for e in waiting}) == 1
        webhook.status = 200
        api.notify()
        assert [m["title"] for m in webhook.received] == [m["title"] for m in chat.received]
