"""The demo's end: resolution, learning, the monitoring part, sync, and what was heard."""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from incident_beads.config import CONFIG_FILE
from incident_beads.demo.phases import ResponsePhases
from incident_beads.demo.shop import DemoResult, Printer, run_git
from incident_beads.errors import IncidentBeadsError
from incident_beads.hotfix.sync import sync
from incident_beads.lifecycle.model import Incident
from incident_beads.notify.local_receiver import LocalReceiver
from incident_beads.response import IncidentResponse


class Demo(ResponsePhases):
    """The scripted incident: a payment-client upgrade breaks checkout for everyone."""

    def run(self) -> DemoResult:
        """Run every phase; return where things were written."""
        self.set_up_repository()
        ir = IncidentResponse(self.root, clock=self.clock, actor="ada")
        self.past_incident(ir)
        self.clock.moment = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=6)
        self.bad_deploy()
        incident_id = self.load_knowledge_and_declare(ir)
        self.communicate(ir, incident_id)
        self.mitigate(ir, incident_id)
        hotfix_id = self.hotfix(ir, incident_id)
        self.resolve(ir, incident_id)
        self.learn(ir, incident_id)
        alerted = self.alert_to_evidence()
        self.sync(ir, incident_id, *alerted)
        self.heard(ir, incident_id)
        self.result.incident_id, self.result.hotfix_id = incident_id, hotfix_id
        self.result.alert_incident_id = alerted[0] if alerted else ""
        self.result.written = sorted(
            p for p in run_git(self.root, "ls-files").splitlines()
            if p.startswith(("docs/", ".beads/")))
        self.phase("What was written")
        for path in self.result.written:
            self.say(str(self.root / path))
        self.say(f"upstream (bare): {self.upstream}")
        return self.result

    def resolve(self, ir: IncidentResponse, incident_id: str) -> None:
        """Phase 5: the checklist, the post-mortem first (SEV-1), the resolution message."""
        self.phase("Phase 5: resolve")
        self.clock.advance(minutes=10)
        self.cmd(f"incident resolve {incident_id} ... (before the post-mortem is scheduled)")
        try:
            self._resolve(ir, incident_id)
        except IncidentBeadsError as refused:
            self.say(f"refused (exit 1): {refused.one_line()}")
        self.cmd(f"incident postmortem schedule {incident_id} --at +1d --owner grace")
        ir.schedule_postmortem(incident_id, at=self.clock() + timedelta(days=1), owner="grace")
        self.cmd(f"incident resolve {incident_id} --resolution ... --evidence ...")
        resolved = self._resolve(ir, incident_id)
        message = resolved.state.resolution.message if resolved.state.resolution else ""
        for line in message.splitlines():
            self.say(line)
        self.cmd(f"incident handoff {incident_id}")
        handoff = ir.handoff(incident_id, notes="why did the migration ship before the client?")
        self.say(f"root-cause investigation handed off: {handoff.root_cause_id}")
        self.cmd(f"incident check {incident_id}")
        for criterion in ir.check(incident_id).criteria:
            self.say(f"[{'x' if criterion.met else ' '}] {criterion.name}")

    def _resolve(self, ir: IncidentResponse, incident_id: str) -> Incident:
        return ir.resolve(incident_id, resolution="Hotfix: charge the order total in cents",
                          root_cause="payment.py read Order.total_cents, which does not exist",
                          no_longer_occurring=True, error_rates_normal=True,
                          users_can_use_feature=True,
                          monitoring_evidence="checkout-5xx at 0.1% for 25 minutes",
                          stakeholders_notified=True)

    def learn(self, ir: IncidentResponse, incident_id: str) -> None:
        """Phase 6: draft, action items, write-up, critical patterns, runbook, report."""
        self.phase("Phase 6: post-mortem and learnings")
        for text, kind, priority in (("Add a contract test for Order fields", "prevent", 1),
                                     ("Alert on checkout 5xx above 5% within 1 minute",
                                      "detect", 2)):
            self.cmd(f'incident action add {incident_id} "{text}" --priority {priority} '
                     f"--owner grace --due +7d --kind {kind}")
            item = ir.knowledge.add_action(incident_id, text, priority=priority, owner="grace",
                                           due=self.clock() + timedelta(days=7), kind=kind)
            self.say(f"{item.id}  {text}")
        self.cmd(f"incident postmortem draft {incident_id}")
        draft = ir.knowledge.postmortem_draft(incident_id)
        self.say(f"draft: {draft.path} (owner {draft.owner})")
        self.cmd(f"incident learn {incident_id}")
        learned = ir.knowledge.learn(incident_id, problem_type="runtime_error",
                                     component="checkout",
                                     deployment_safety=["Ship data migrations after the code "
                                                        "that reads them"])
        self.say(f"write-up: {learned.writeup}")
        self.say(f"critical patterns: {learned.critical_patterns} (Past Incidents, "
                 "Deployment Safety)")
        self.say(f"runbook: {learned.runbook}")
        self.cmd("incident report")
        report = ir.knowledge.report()
        for line in report.render().splitlines()[:14]:
            self.say(line)

    def alert_to_evidence(self) -> tuple[str, ...]:
        """Where Prometheus and Alertmanager are installed: a real alert declares an incident
        and measured evidence resolves it. Left out quietly elsewhere."""
        from incident_beads.monitoring import sandbox

        if not self.monitoring or sandbox.missing():
            return ()
        from incident_beads.monitoring.walkthrough import alert_to_evidence

        incident_id = alert_to_evidence(self.root, self.base / "monitoring", self)
        run_git(self.root, "commit", "-q", "-m", "Monitoring: Prometheus checks of the payments "
             "service", "--", CONFIG_FILE)
        return (incident_id,)

    def sync(self, ir: IncidentResponse, *incident_ids: str) -> None:
        """Commit the store and the docs the tool wrote, and push them."""
        self.phase("Sync")
        self.cmd(f"incident sync {' '.join(incident_ids)} --push")
        run_git(self.root, "checkout", "-q", "main")
        done = sync(self.root, ir.config, list(incident_ids), push=True)
        self.say(f"committed {done.commit[:10] if done.commit else 'nothing'}: "
                 f"{', '.join(done.paths)}; pushed: {done.pushed}")


    def heard(self, ir: IncidentResponse, incident_id: str) -> None:
        """Show what the local receiver got about this incident, and what still waits."""
        self.phase(f"What stakeholders heard ({self.receiver.url})")
        self.cmd("incident notify")
        ir.notify()
        got = [m for m in self.receiver.received if f" {incident_id} " in str(m.get("title"))]
        for message in got:
            self.say(str(message.get("title")))
        waiting = ir.notifications.messages(include_sent=False)
        if waiting:  # without the notify extra (apprise) the messages wait, nothing is lost
            why = [d.last_error for d in waiting[0].deliveries.values()]
            self.say(f"{len(waiting)} message(s) wait in the outbox: {why[0]}")
        for ending in (": STOP, a person must decide", ": resolved"):
            shown = [m for m in got if str(m.get("title", "")).endswith(ending)]
            if shown:
                self.say("")
                self.say(str(shown[0].get("message")))
        self.result.heard = [str(m.get("title")) for m in got]


def run_demo(target: Path | None = None, out: Printer = print, *,
             monitoring: bool = True) -> DemoResult:
    """Run the demo in `target` (a new temporary folder when None); print the transcript.

    `monitoring`: add the alert-to-evidence part where Prometheus and Alertmanager are
    installed (it is left out quietly where they are not).
    """
    base = Path(tempfile.mkdtemp(prefix="incident-demo-")) if target is None else target
    base.mkdir(parents=True, exist_ok=True)
    if any(base.iterdir()):
        raise IncidentBeadsError(f"{base} is not empty", hint="give an empty or new folder")
    env = {"GIT_AUTHOR_NAME": "Ada Oncall", "GIT_AUTHOR_EMAIL": "ada@example.com",
           "GIT_COMMITTER_NAME": "Ada Oncall", "GIT_COMMITTER_EMAIL": "ada@example.com"}
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        with LocalReceiver() as receiver:
            return Demo(base.resolve(), out, receiver, monitoring=monitoring).run()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
