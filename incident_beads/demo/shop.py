"""The demo's shop: a throw-away repository with a bare upstream, its history, the narration."""

from __future__ import annotations

import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from incident_beads.beads.init_store import init_store
from incident_beads.clock import ReplayClock
from incident_beads.config import CONFIG_FILE
from incident_beads.errors import Escalation
from incident_beads.guard import install as hooks
from incident_beads.mergedriver import register_merge_driver
from incident_beads.notify.local_receiver import LocalReceiver
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


def run_git(cwd: Path, *args: str) -> str:
    """What a person types in the shop's repository, through the library's git seam."""
    with GitRepo(cwd) as git:
        try:
            return git.git(*args)
        except GitCommandError as exc:
            raise command_failed(exc, f"git {' '.join(args)} failed") from None


def try_git(cwd: Path, *args: str) -> tuple[int, str]:
    """A git command the guard is expected to refuse: its exit status and stderr."""
    with GitRepo(cwd) as git:
        return git.attempt(*args)


class Shop:
    """The shop's repository and the narration every phase prints with."""

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

    # the shop and its history ---------------------------------------------------------------
    def set_up_repository(self) -> None:
        """A shop with a checkout service, a deploy script, beads and the push guard."""
        self.phase("Setting up a throw-away repository with a bare upstream")
        GitRepo.init(self.upstream, bare=True)
        GitRepo.init(self.root)
        # The repository's own hooks folder, even where a global core.hooksPath is set: the
        # demo must not install its guard into the user's hooks.
        with GitRepo(self.root) as git:
            for key, value in (("user.name", "Ada Oncall"), ("user.email", "ada@example.com"),
                               ("core.hooksPath", str(self.root / ".git" / "hooks"))):
                git.set_config(key, value)
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
        run_git(self.root, "add", "-A")
        run_git(self.root, "commit", "-q", "-m", "Checkout service with its deploy script")
        run_git(self.root, "remote", "add", "origin", str(self.upstream))
        run_git(self.root, "push", "-q", "origin", "main")

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
        run_git(self.root, "add", "-A")
        run_git(self.root, "commit", "-q", "-m", f"Incident {past.id}: learnings")
        run_git(self.root, "push", "-q", "origin", "main")

    def bad_deploy(self) -> None:
        """Today's deploy that breaks checkout."""
        payment = self.root / "checkout" / "payment.py"
        payment.write_text(payment.read_text().replace("order.total", "order.total_cents"))
        run_git(self.root, "commit", "-q", "-am", "Charge in cents with payment client 3")
        run_git(self.root, "push", "-q", "origin", "main")
