"""`incident notify`, `incident remind`, and the commands that send nothing import nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from incident_beads import IncidentResponse
from tests.cli_runner import run_incident
from tests.lifecycle.lifecycle_helpers import FakeClock
from tests.notify.conftest import write_notify
from tests.notify.receivers import WebhookReceiver, free_port

NOW = "INCIDENT_BEADS_NOW"


def test_notify_lists_pending_and_sent_as_json(store_repo: Path, clock: FakeClock,
                                               capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    write_notify(store_repo, f"json://127.0.0.1:{port}/hook")
    monkeypatch.setenv(NOW, "2026-01-15T10:00:00Z")
    created = run_incident(capsys, store_repo, "create", "Checkout down", "--sev", "2",
                           "--who", "EU", "--json")
    assert created.code == 0, created.err  # nobody listens, the command still succeeds
    incident_id = json.loads(created.out)["id"]
    assert created.err.startswith(
        f"incident: warning: the declared message was not delivered to "
        f"json://127.0.0.1:{port}/hook (A Connection error")
    assert created.err.rstrip().endswith("it waits in the outbox: `incident notify` retries")
    listed = run_incident(capsys, store_repo, "notify", "--list", "--json")
    payload = json.loads(listed.out)
    assert payload["attempted"] == []
    [message] = payload["messages"]
    assert (message["incident_id"], message["kind"]) == (incident_id, "declared")
    [delivery] = message["deliveries"]
    assert (delivery["status"], delivery["attempts"]) == ("pending", 1)
    with WebhookReceiver(port=port) as webhook:
        sent = run_incident(capsys, store_repo, "notify", "--json")
        attempted = json.loads(sent.out)["attempted"]
        assert [(a["kind"], a["delivered"]) for a in attempted] == [("declared", True)]
        assert json.loads(sent.out)["messages"][0]["deliveries"][0]["status"] == "sent"
        again = run_incident(capsys, store_repo, "notify")
        assert again.code == 0
        assert f"{incident_id}  declared  json://127.0.0.1:{port}/hook sent " in again.out
        assert len(webhook.received) == 1


def test_notify_refuses_an_unknown_incident(notify_repo: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["notify"], ["notify", "--list"]):
        done = run_incident(capsys, notify_repo, *args, "--incident", "nope-123")
        assert done.code == 1
        assert done.err.startswith("incident: ") and "nope-123" in done.err


def test_resolve_needs_no_flag_when_channels_deliver_the_message(
        notify_repo: Path, webhook: WebhookReceiver, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NOW, "2026-01-15T10:00:00Z")
    incident_id = json.loads(run_incident(capsys, notify_repo, "create", "Slow search",
                                          "--sev", "3", "--who", "all", "--what", "search",
                                          "--json").out)["id"]
    assert run_incident(capsys, notify_repo, "mitigate", incident_id, "--option", "rollback",
                        "--result", "worked", "--detail", "search v7 -> v6").code == 0
    monkeypatch.setenv(NOW, "2026-01-15T10:30:00Z")
    done = run_incident(capsys, notify_repo, "resolve", incident_id, "--resolution", "cache",
                        "--root-cause", "cold cache", "--no-longer-occurring",
                        "--error-rates-normal", "--users-can-use-feature",
                        "--monitoring", "p99 200ms")
    assert done.code == 0, done.err
    assert webhook.titles()[-1].endswith(": resolved")
    check = json.loads(run_incident(capsys, notify_repo, "check", incident_id, "--json").out)
    last = check["criteria"][-1]
    assert (last["name"], last["met"]) == ("resolution message communicated to stakeholders",
                                           True)


def test_the_escalation_is_delivered_though_the_command_exits_3(
        notify_repo: Path, webhook: WebhookReceiver, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NOW, "2026-01-15T10:00:00Z")
    incident_id = json.loads(run_incident(capsys, notify_repo, "create", "Checkout down",
                                          "--sev", "1", "--json").out)["id"]
    stop = run_incident(capsys, notify_repo, "update", incident_id, "--status", "Identified",
                        "--impact", "all", "--action", "migrating", "--eta", "+3h")
    assert stop.code == 3
    [message] = [m for m in webhook.received if "STOP" in str(m["title"])]
    assert str(message["message"]).splitlines()[-1] == (
        f"Decide: incident risk ack {incident_id} --risk eta-beyond-window --by PERSON "
        "--note WHY")
    assert [t.rsplit(": ", 1)[1] for t in webhook.titles()] == [
        "incident declared", "Identified", "STOP, a person must decide"]


def test_the_flag_does_not_stand_in_for_a_delivery(store_repo: Path, clock: FakeClock) -> None:
    write_notify(store_repo, f"json://127.0.0.1:{free_port()}/hook")
    api = IncidentResponse(store_repo, clock=clock, actor="ada")
    incident = api.declare("Slow search", severity=3, who_affected="all", what_broken="search")
    api.mitigate(incident.id, "rollback", "worked", detail="search v7 -> v6")
    clock.advance(minutes=30)
    api.resolve(incident.id, resolution="cache", root_cause="cold cache",
                no_longer_occurring=True, error_rates_normal=True, users_can_use_feature=True,
                monitoring_evidence="p99 200ms", stakeholders_notified=True)
    criterion = api.check(incident.id).criteria[-1]
    assert not criterion.met
    assert "incident notify" in criterion.detail


def test_remind_once_per_due_time(notify_repo: Path, webhook: WebhookReceiver,
                                  capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NOW, "2026-01-15T10:00:00Z")
    incident_id = json.loads(run_incident(capsys, notify_repo, "create", "Site down",
                                          "--sev", "1", "--json").out)["id"]
    assert json.loads(run_incident(capsys, notify_repo, "remind", "--json").out) == []
    monkeypatch.setenv(NOW, "2026-01-15T10:20:00Z")  # the 10:15 update is 5 min late
    first = json.loads(run_incident(capsys, notify_repo, "remind", "--json").out)
    assert [(r["incident_id"], r["due_at"], r["new"]) for r in first] == [
        (incident_id, "2026-01-15T10:15:00+00:00", True)]
    [reminder] = [m for m in webhook.received if "status update" in str(m["title"])]
    assert reminder["title"] == f"[SEV-1] {incident_id} Site down: status update overdue by 5 min"
    assert f"incident update {incident_id} --status" in str(reminder["message"])
    assert reminder["type"] == "warning"
    monkeypatch.setenv(NOW, "2026-01-15T10:25:00Z")
    again = json.loads(run_incident(capsys, notify_repo, "remind", "--json").out)
    assert [r["new"] for r in again] == [False]
    run_incident(capsys, notify_repo, "update", incident_id, "--status", "Identified",
                 "--impact", "all", "--action", "restart")
    monkeypatch.setenv(NOW, "2026-01-15T10:41:00Z")  # the next one, due 10:40, is late
    later = json.loads(run_incident(capsys, notify_repo, "remind", "--json").out)
    assert [(r["due_at"], r["new"]) for r in later] == [("2026-01-15T10:40:00+00:00", True)]
    assert sum("status update" in t for t in webhook.titles()) == 2


def test_remind_in_a_fresh_clone_knows_what_the_store_records(
        notify_repo: Path, webhook: WebhookReceiver, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import git

    monkeypatch.setenv(NOW, "2026-01-15T10:00:00Z")
    run_incident(capsys, notify_repo, "create", "Site down", "--sev", "1")
    monkeypatch.setenv(NOW, "2026-01-15T10:20:00Z")
    assert [r["new"] for r in json.loads(run_incident(capsys, notify_repo, "remind",
                                                      "--json").out)] == [True]
    git(notify_repo, "add", "-A")
    git(notify_repo, "commit", "-q", "-m", "incident state after the scheduled reminder")
    git(notify_repo, "push", "-q", "origin", "main")
    ci = tmp_path / "ci-checkout"  # the next scheduled job starts from a fresh clone
    git(tmp_path, "clone", "-q", str(tmp_path / "upstream.git"), str(ci))
    again = json.loads(run_incident(capsys, ci, "remind", "--json").out)
    assert [r["new"] for r in again] == [False]
    assert sum("status update" in t for t in webhook.titles()) == 1


def test_remind_without_channels_says_how_to_add_them(store_repo: Path,
                                                      capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    done = run_incident(capsys, store_repo, "remind")
    assert done.code == 1
    assert done.err.strip().splitlines()[0].startswith(
        "incident: no notification channels are configured")


def test_a_literal_token_in_the_config_is_refused_in_one_line(
        store_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_notify(store_repo, "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#incidents")
    done = run_incident(capsys, store_repo, "list")
    assert done.code == 1
    assert "notify.urls[0] (slack://) holds a literal secret (T1JJ...)" in done.err
    assert "TIiajkdnlazkcOXrIdevi7FQ" not in done.err
    assert "Traceback" not in done.err


def test_two_commands_at_once_deliver_a_message_once(store_repo: Path, clock: FakeClock) -> None:
    port = free_port()
    write_notify(store_repo, f"json://127.0.0.1:{port}/hook")
    api = IncidentResponse(store_repo, clock=clock, actor="ada")
    for n in range(3):
        api.declare(f"Outage {n}", severity=3)
    assert len(api.notifications.messages(include_sent=False)) == 3
    env = {**os.environ, NOW: "2026-01-15T12:00:00Z"}
    with WebhookReceiver(port=port, delay=0.2) as webhook:
        runs = [subprocess.Popen([sys.executable, "-m", "incident_beads", "-C", str(store_repo),
                                  "notify"], env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE) for _ in range(3)]
        for run in runs:
            _out, err = run.communicate(timeout=60)
            assert run.returncode == 0, err
        assert sorted(webhook.titles()) == sorted(set(webhook.titles()))
        assert len(webhook.received) == 3


PROBE = """
import sys
from incident_beads.cli import main
try:
    main(sys.argv[1:])
except SystemExit as done:
    assert done.code in (None, 0, 3), done.code
print("apprise" in sys.modules)
"""


@pytest.mark.parametrize("with_channels", [False, True])
def test_commands_that_send_nothing_do_not_import_apprise(store_repo: Path,
                                                          with_channels: bool) -> None:
    if with_channels:  # only escalations go anywhere: a plain declaration sends nothing
        (store_repo / ".incident-beads.toml").write_text(
            f'[notify.kind]\nescalation = ["json://127.0.0.1:{free_port()}/hook"]\n')
    env = {**os.environ, NOW: "2026-01-15T10:00:00Z"}

    def imports_apprise(*args: str) -> bool:
        done = subprocess.run([sys.executable, "-c", PROBE, "-C", str(store_repo), *args],
                              env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()[-1] == "True"

    assert not imports_apprise("create", "Quiet", "--sev", "4")
    assert not imports_apprise("list")
    assert not imports_apprise("overdue")
    assert not imports_apprise("notify", "--list")
    assert not imports_apprise("notify")
    if with_channels:  # the probe sees an import when there is something to send
        assert imports_apprise("create", "Leak", "--sev", "2", "--data-at-risk") is True


def test_a_message_is_given_up_only_on_purpose_with_a_reason(
        store_repo: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    write_notify(store_repo, f"json://127.0.0.1:{free_port()}/gone")
    monkeypatch.setenv(NOW, "2026-01-15T10:00:00Z")
    incident_id = json.loads(run_incident(capsys, store_repo, "create", "Checkout down",
                                          "--sev", "3", "--json").out)["id"]
    [message] = json.loads(run_incident(capsys, store_repo, "notify", "--list",
                                        "--json").out)["messages"]
    no_reason = run_incident(capsys, store_repo, "notify", "--drop", message["id"])
    assert no_reason.code == 1 and "say why the message is given up" in no_reason.err
    unknown = run_incident(capsys, store_repo, "notify", "--drop", "0000", "--reason", "x")
    assert unknown.code == 1 and "no pending message 0000" in unknown.err
    dropped = run_incident(capsys, store_repo, "notify", "--drop", message["id"],
                           "--reason", "the hook was deleted", "--by", "grace", "--json")
    assert dropped.code == 0, dropped.err
    [after] = json.loads(dropped.out)["messages"]
    assert after["dropped"] == "grace: the hook was deleted"
    shown = run_incident(capsys, store_repo, "show", incident_id)
    assert "Notification (declared) to json://127.0.0.1:" in shown.out
    assert "given up: the hook was deleted" in shown.out
    again = run_incident(capsys, store_repo, "notify", "--drop", message["id"], "--reason", "x")
    assert again.code == 1


def test_an_unreadable_outbox_file_is_shown_not_skipped(
        notify_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outbox = notify_repo / ".git" / "incident-beads" / "outbox"
    outbox.mkdir(parents=True)
    (outbox / "0123456789abcdef.json").write_text("{half a message")
    listed = run_incident(capsys, notify_repo, "notify", "--list")
    assert listed.code == 0
    assert f"unreadable outbox file: {outbox / '0123456789abcdef.json'}" in listed.out
