"""The demo's response: phases 0 to 4, from institutional knowledge to the hotfix."""

from __future__ import annotations

from incident_beads.demo.shop import SERVICE, Shop, run_git, try_git
from incident_beads.lifecycle.model import ConfigChange
from incident_beads.response import IncidentResponse


class ResponsePhases(Shop):
    """Phases 0 to 4 of the scripted incident."""

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
        run_git(self.root, "add", "checkout/payment.py")
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
        run_git(self.root, "checkout", "-q", "main")
        run_git(self.root, "merge", "-q", "--no-ff", "-m",
             f"Merge branch '{hotfix.state.branch}'", hotfix.state.branch)
        self.cmd("git push origin main")
        status, refusal = try_git(self.root, "push", "origin", "main")
        self.say(f"refused by the pre-push guard (exit {status}):")
        for line in refusal.splitlines():
            if "incident" in line.lower() or "hotfix" in line.lower():
                self.say(f"  {line.strip()}")
        self.out("\n-- then tags it by hand: a tag is not a review --")
        tag_name = hotfix.state.tag
        self.cmd(f"git tag -a {tag_name} -m 'Hotfix' && git push --follow-tags origin main")
        run_git(self.root, "tag", "-a", tag_name, "-m", "Hotfix", "HEAD")
        status, refusal = try_git(self.root, "push", "--follow-tags", "origin", "main")
        self.say(f"refused by the pre-push guard (exit {status}):")
        for line in refusal.splitlines():
            if line.startswith("incident:"):
                self.say(f"  {line.strip()}")
        run_git(self.root, "tag", "-d", tag_name)
        run_git(self.root, "reset", "-q", "--keep", "origin/main")
        run_git(self.root, "checkout", "-q", hotfix.state.branch)

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
