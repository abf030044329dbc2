"""Walk one SEV-1 through every phase in a throw-away repository with a bare upstream.

The demo drives the public API exactly as an orchestrator would, on a replayed clock so that
status updates fall on their cadence and the monitoring window passes in seconds, and it pushes
through the installed guard for real. Each step prints the `incident` command a person would type.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from incident_beads.beads.setup import init_store
from incident_beads.clock import ReplayClock
from incident_beads.config import CONFIG_FILE
from incident_beads.errors import Escalation, IncidentBeadsError
from incident_beads.guard import install as hooks
from incident_beads.hotfix.sync import sync
from incident_beads.lifecycle.model import ConfigChange, Incident
from incident_beads.mergedriver import register_merge_driver
from incident_beads.notify.receiver import LocalReceiver
from incident_beads.repo import GitCommandError, GitRepo, command_failed
from incident_beads.response import IncidentResponse

Printer = Callable[[str], None]
SERVICE = "checkout"
DEPLOY_SCRIPT = """#!/bin/sh
# A stand-in deploy: says what it ships and "monitors" it.
echo "deploying $(git rev-parse --short HEAD) ($(git describe --tags --always)) with $*"
echo "health checks: 5/5 passing, error rate 0.1%"
"""
CONFIG = """[hotfix]
deploy_command = ["./deploy.sh", "--monitor"]
deploy_timeout_seconds = 60
"""


@dataclass
class DemoResult:
    """Where the demo ran and what it wrote."""

    root: Path
    upstream: Path
    incident_id: str = ""
    hotfix_id: str = ""
    alert_incident_id: str = ""  # empty where the monitoring part was left out
    written: list[str] = field(default_factory=list)
    heard: list[str] = field(default_factory=list)


def _git(cwd: Path, *args: str) -> str:
    """What a person types in the shop's repository, through the library's git seam."""
    with GitRepo(cwd) as git:
        try:
            return git.git(*args)
        except GitCommandError as exc:
            raise command_failed(exc, f"git {' '.join(args)} failed") from None


def _attempt(cwd: Path, *args: str) -> tuple[int, str]:
    """A git command the guard is expected to refuse: its exit status and stderr."""
    with GitRepo(cwd) as git:
        return git.attempt(*args)


class Demo:
    """The scripted incident: a payment-client upgrade breaks checkout for everyone."""

    def __init__(self, base: Path, out: Printer, receiver: LocalReceiver, *,
                 monitoring: bool = True) -> None:
        self.base = base
        self.out = out
        self.receiver = receiver
        self.monitoring = monitoring
        self.root = base / "shop"
        self.upstream = base / "upstream.git"
        start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=6)
        self.clock = ReplayClock(start - timedelta(days=20))
        self.result = DemoResult(self.root, self.upstream)

    # narration -----------------------------------------------------------------------------
    def phase(self, title: str) -> None:
        """Print a phase heading."""
        self.out(f"\n== {title} ==")

    def cmd(self, command: str) -> None:
        """Print the command a person would type for the next step."""
        self.out(f"$ {command}")

    def say(self, text: str) -> None:
        """Print an indented result line."""
        for line in text.splitlines() or [""]:
            self.out(f"    {line}")

    @contextmanager
    def expect_stop(self) -> Iterator[None]:
        """Show an escalation the way an orchestrator must: stop, describe, ask."""
        try:
            yield
        except Escalation as stop:
            self.say(f"STOP (exit 3): {stop.one_line()}")
            return
        raise AssertionError("the step was expected to escalate")

    # the story -----------------------------------------------------------------------------
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
            p for p in _git(self.root, "ls-files").splitlines()
            if p.startswith(("docs/", ".beads/")))
        self.phase("What was written")
        for path in self.result.written:
            self.say(str(self.root / path))
        self.say(f"upstream (bare): {self.upstream}")
        return self.result

    def set_up_repository(self) -> None:
        """A shop with a checkout service, a deploy script, beads and the push guard."""
        self.phase("Setting up a throw-away repository with a bare upstream")
        GitRepo.init(self.upstream, bare=True)
        GitRepo.init(self.root)
        # The repository's own hooks folder, even where a global core.hooksPath is set: the
        # demo must not install its guard into the user's hooks.
        for key, value in (("user.name", "Ada Oncall"), ("user.email", "ada@example.com"),
                           ("core.hooksPath", str(self.root / ".git" / "hooks"))):
            _git(self.root, "config", key, value)
        (self.root / "checkout").mkdir()
        (self.root / "checkout" / "payment.py").write_text(
            "TIMEOUT_SECONDS = 5\n\n\ndef charge(client, order):\n"
            "    return client.charge(order.total, timeout=TIMEOUT_SECONDS)\n")
        deploy = self.root / "deploy.sh"
        deploy.write_text(DEPLOY_SCRIPT)
        deploy.chmod(deploy.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        # Stakeholders listen on a local JSON hook: a real channel, on loopback.
        (self.root / CONFIG_FILE).write_text(
            f'{CONFIG}\n[notify]\nurls = ["{self.receiver.url}"]\n')
        self.cmd("incident init && incident hooks install")
        init_store(self.root)
        register_merge_driver(self.root)
        report = hooks.install(self.root)
        self.say(f"store: {self.root / '.beads' / 'issues.jsonl'}")
        self.say(f"pre-push guard: {report.hook_file}")
        _git(self.root, "add", "-A")
        _git(self.root, "commit", "-q", "-m", "Checkout service with its deploy script")
        _git(self.root, "remote", "add", "origin", str(self.upstream))
        _git(self.root, "push", "-q", "origin", "main")

    def past_incident(self, ir: IncidentResponse) -> None:
        """Three weeks ago: a resolved SEV-2 that left a write-up, a pattern and a runbook."""
        self.phase("History: a SEV-2 three weeks ago left its learnings")
        past = ir.declare("Checkout payments time out after payment client upgrade", severity=2,
                          who_affected="customers paying by card", services=[SERVICE],
                          error_messages=["PaymentTimeout: charge exceeded 5s"],
                          what_broken="card payments at checkout")
        self.clock.advance(minutes=5)
        ir.post_update(past.id, status="Identified", impact="card payments fail",
                       action="rolling back the payment client", eta="+20m")
        ir.mitigate(past.id, "rollback", "worked", detail="payment client 2.3 -> 2.2")
        ir.schedule_postmortem(past.id, at=self.clock() + timedelta(days=1), owner="grace")
        self.clock.advance(minutes=30)
        ir.resolve(past.id, resolution="Rolled back the payment client",
                   root_cause="payment client 2.3 lowered its connection pool to 2",
                   no_longer_occurring=True, error_rates_normal=True,
                   users_can_use_feature=True, monitoring_evidence="payments dashboard green",
                   stakeholders_notified=True)
        ir.knowledge.learn(past.id, problem_type="integration_issue", component="payment-client",
                           deployment_safety=["Roll back checkout with `./deploy.sh --rollback`"
                                              " before anything else; it takes 3 minutes"])
        ir.knowledge.runbooks.add(SERVICE, "Payments time out", symptoms=["PaymentTimeout"],
                                  diagnosis=["grep PaymentTimeout logs/checkout.log | tail"],
                                  resolution="Roll back the payment client",
                                  escalation=["Primary: payments team", "Secondary: Ada"])
        self.say(f"{past.id} resolved; write-up, critical patterns and runbook written")
        _git(self.root, "add", "-A")
        _git(self.root, "commit", "-q", "-m", f"Incident {past.id}: learnings")
        _git(self.root, "push", "-q", "origin", "main")

    def bad_deploy(self) -> None:
        """Today's deploy that breaks checkout."""
        payment = self.root / "checkout" / "payment.py"
        payment.write_text(payment.read_text().replace("order.total", "order.total_cents"))
        _git(self.root, "commit", "-q", "-am", "Charge in cents with payment client 3")
        _git(self.root, "push", "-q", "origin", "main")

    def load_knowledge_and_declare(self, ir: IncidentResponse) -> str:
        """Phases 0 and 1."""
        self.phase("Phase 0: load institutional knowledge")
        self.cmd(f'incident context "checkout payment 500 errors" --service {SERVICE}')
        context = ir.knowledge.context("checkout payment 500 errors", service=SERVICE)
        for match in context.similar[:3]:
            self.say(f"similar: score {match.score:.2f}  {match.doc.kind} {match.doc.key}: "
                     f"{match.doc.info.get('title', '')}")
        for entry in context.patterns.deployment_safety[:2]:
            self.say(f"deployment safety: {entry}")
        self.say(f"runbook: {context.runbook['path'] if context.runbook else 'none'}")
        for deployment in context.deployments[:2]:
            self.say(f"recent deployment: {deployment['kind']} {deployment['name']} "
                     f"({deployment['commit'][:10]})")

        self.phase("Phase 1: assess")
        self.cmd('incident create "Checkout returns 500 for every order" --sev 1 '
                 f"--service {SERVICE} --who-affected 'all customers' ...")
        incident = ir.declare(
            "Checkout returns 500 for every order", severity="SEV-1",
            who_affected="all customers", what_broken="checkout", users_affected="~12,000/h",
            workaround="none", services=[SERVICE], reported_by="pager: checkout-5xx",
            error_messages=["AttributeError: 'Order' object has no attribute 'total_cents'"],
            alerts=["checkout-5xx > 50%"], recent_changes=["Charge in cents (today)"])
        self.say(f"{incident.id}  {incident.title}  (bead priority 0, labels incident, sev-1)")
        return incident.id

    def communicate(self, ir: IncidentResponse, incident_id: str) -> None:
        """Phase 2: updates on the SEV-1 cadence, and an ETA that must be surfaced."""
        self.phase("Phase 2: communicate (SEV-1: every 15 minutes)")
        self.clock.advance(minutes=3)
        self.cmd(f"incident update {incident_id} --status Investigating --impact ... "
                 "--action ... --eta investigating")
        ir.post_update(incident_id, status="Investigating", impact="no order can be placed",
                       action="reading the checkout error logs", eta="investigating")
        latest = ir.get(incident_id).latest_update
        self.say(f"next update due {latest.next_update_at:%H:%M} UTC" if latest
                 and latest.next_update_at else "update posted")
        self.clock.advance(minutes=16)
        self.cmd("incident overdue")
        for late in ir.overdue():
            self.say(f"{late.id}  update overdue since {late.state.next_update_at:%H:%M} UTC")
        self.cmd(f"incident update {incident_id} --status Identified ... --eta +45m")
        with self.expect_stop():
            ir.post_update(incident_id, status="Identified", impact="no order can be placed",
                           action="payment.py charges a field Order does not have", eta="+45m")
        self.cmd(f"incident risk ack {incident_id} --risk eta-beyond-window --by 'Cara (IC)' "
                 "--note '...'")
        ir.acknowledge_risk(incident_id, "eta-beyond-window", by="Cara (IC)",
                            note="accepted: the fix is known, 45 minutes is the honest estimate")

    def mitigate(self, ir: IncidentResponse, incident_id: str) -> None:
        """Phase 3: the ladder, in order, until it is exhausted."""
        self.phase("Phase 3: mitigate (rollback, feature flag, config change, scale)")
        steps = [("rollback", "unavailable", "the cents migration already ran; 2.x cannot read it"),
                 ("feature-flag", "unavailable", "the cents path has no flag"),
                 ("config-change", "failed", "PAYMENT_UNITS=dollars is ignored by client 3"),
                 ("scale", "failed", "more pods fail the same way")]
        for option, result, detail in steps:
            self.clock.advance(minutes=2)
            self.cmd(f"incident mitigate {incident_id} --option {option} --result {result}")
            change = (ConfigChange(setting="PAYMENT_UNITS", from_value="cents", to_value="dollars",
                                   where="production checkout env")
                      if option == "config-change" else None)
            if option == "scale":
                with self.expect_stop():
                    ir.mitigate(incident_id, option, result, detail=detail)
            else:
                ir.mitigate(incident_id, option, result, detail=detail, config_change=change)
                self.say(f"{option}: {result} ({detail})")
        # Held: the orchestrator cannot go on by itself, not even to the hotfix.
        self.cmd(f"incident hotfix start {incident_id} --scope checkout/payment.py")
        with self.expect_stop():
            ir.hotfixes.start(incident_id, scope=["checkout/payment.py"])
        self.say("held until a person decides; status updates and notes still go out")
        # The person asked decides; rollback and flag are ruled out, so a SEV-1 may hotfix.
        self.clock.advance(minutes=3)
        self.cmd(f"incident risk ack {incident_id} --risk mitigations-exhausted "
                 "--by 'Cara (IC)' --note 'one-line hotfix'")
        ir.acknowledge_risk(incident_id, "mitigations-exhausted", by="Cara (IC)",
                            note="one-line hotfix of payment.py; no other way back",
                            actor="Cara (IC)")
        self.say("the incident commander decides: hotfix (recorded on the timeline)")

    def hotfix(self, ir: IncidentResponse, incident_id: str) -> str:
        """Phase 4: branch, minimal fix, review, gates, refused and accepted pushes, deploy."""
        self.phase("Phase 4: hotfix")
        fixes = ir.hotfixes
        self.cmd(f"incident hotfix start {incident_id} --scope checkout/payment.py")
        hotfix = fixes.start(incident_id, scope=["checkout/payment.py"])
        self.say(f"{hotfix.id}: branch {hotfix.state.branch} from {hotfix.state.base_commit[:10]}")
        payment = self.root / "checkout" / "payment.py"
        payment.write_text(payment.read_text().replace("order.total_cents", "order.total * 100"))
        _git(self.root, "add", "checkout/payment.py")
        self.cmd(f'incident hotfix commit {hotfix.id} -m "Charge the order total in cents"')
        commit = fixes.commit(hotfix.id, "Charge the order total in cents")
        self.say(f"commit {commit[:10]} carries 'Incident: {incident_id}'")
        self.cmd(f"incident hotfix scope {hotfix.id}")
        scope = fixes.scope(hotfix.id)
        self.say(f"{len(scope.files)} file(s), {scope.lines} line(s) of at most "
                 f"{scope.max_lines}; while-we're-here flags: {len(scope.flags) or 'none'}")
        self.clock.advance(minutes=4)
        self.cmd(f"incident hotfix review {hotfix.id} --reviewer grace --approve ...")
        fixes.review(hotfix.id, reviewer="grace", approve=True, fixes_issue=True,
                     adds_issues=False, note="one-line change, matches the traceback")
        for gate, reason in (("tests", "SEV-1: regression test follows"),
                             ("security-scan", "SEV-1: no dependency change"),
                             ("documentation", "SEV-1: documented after")):
            fixes.gate(hotfix.id, gate, done=False, reason=reason)
            self.say(f"gate {gate}: skipped ({reason}); follow-up bead created")
        fixes.staging(hotfix.id, passed=True, note="checkout on staging places an order")
        self.say("gate staging: passed (manual, within the 15-minute SEV-1 time-box)")

        self.out("\n-- someone merges by hand and pushes without the tag --")
        _git(self.root, "checkout", "-q", "main")
        _git(self.root, "merge", "-q", "--no-ff", "-m",
             f"Merge branch '{hotfix.state.branch}'", hotfix.state.branch)
        self.cmd("git push origin main")
        status, refusal = _attempt(self.root, "push", "origin", "main")
        self.say(f"refused by the pre-push guard (exit {status}):")
        for line in refusal.splitlines():
            if "incident" in line.lower() or "hotfix" in line.lower():
                self.say(f"  {line.strip()}")
        self.out("\n-- then tags it by hand: a tag is not a review --")
        tag_name = hotfix.state.tag
        self.cmd(f"git tag -a {tag_name} -m 'Hotfix' && git push --follow-tags origin main")
        _git(self.root, "tag", "-a", tag_name, "-m", "Hotfix", "HEAD")
        status, refusal = _attempt(self.root, "push", "--follow-tags", "origin", "main")
        self.say(f"refused by the pre-push guard (exit {status}):")
        for line in refusal.splitlines():
            if line.startswith("incident:"):
                self.say(f"  {line.strip()}")
        _git(self.root, "tag", "-d", tag_name)
        _git(self.root, "reset", "-q", "--keep", "origin/main")
        _git(self.root, "checkout", "-q", hotfix.state.branch)

        self.out("\n-- the protocol's way: tag, merge, push with the tag --")
        self.cmd(f"incident hotfix tag {hotfix.id} && incident hotfix merge {hotfix.id} --push")
        tag = fixes.tag(hotfix.id)
        merged = fixes.merge(hotfix.id, push=True)
        self.say(f"annotated tag {tag.name}; merge {merged.main_commit[:10]} pushed, "
                 "the guard accepted it")
        self.clock.advance(minutes=3)
        self.cmd(f"incident hotfix deploy {hotfix.id}")
        deploy = fixes.deploy(hotfix.id)
        self.say(f"./deploy.sh --monitor exited {deploy.exit_status}")
        for line in deploy.output_tail.splitlines()[-2:]:
            self.say(f"  {line}")
        self.cmd(f"incident hotfix verify {hotfix.id} --start")
        fixes.verify_start(hotfix.id)
        self.clock.advance(minutes=ir.config.hotfix.verify_minutes)
        self.cmd(f"incident hotfix verify {hotfix.id} --evidence 'error rate 0.1% for 15 min'")
        closed = fixes.verify_confirm(hotfix.id,
                                      evidence="checkout-5xx 0.1% for 15 minutes, orders flow")
        self.say(f"{hotfix.id} closed: {closed.close_reason}")
        ir.post_update(incident_id, status="Mitigating", impact="orders flowing again",
                       action="watching error rates after the hotfix", eta="+10m")
        return hotfix.id

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
        _git(self.root, "commit", "-q", "-m", "Monitoring: Prometheus checks of the payments "
             "service", "--", CONFIG_FILE)
        return (incident_id,)

    def sync(self, ir: IncidentResponse, *incident_ids: str) -> None:
        """Commit the store and the docs the tool wrote, and push them."""
        self.phase("Sync")
        self.cmd(f"incident sync {' '.join(incident_ids)} --push")
        _git(self.root, "checkout", "-q", "main")
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
