"""Starting a hotfix: the protocol's entry rules, the branch from the main branch, the bead."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from incident_beads import defaults
from incident_beads.beads.import_rules import MAX_TITLE
from incident_beads.errors import InvalidInput, Refused
from incident_beads.guard.tags import hotfix_tag_name
from incident_beads.hotfix import bead, gates
from incident_beads.hotfix.bead import Hotfix
from incident_beads.hotfix.model import KIND, HotfixState
from incident_beads.hotfix.step_context import HotfixContext
from incident_beads.hotfix.worktree import (
    create_branch,
    drop_branch,
    require_clean,
    require_up_to_date,
)
from incident_beads.lifecycle import hold
from incident_beads.lifecycle.model import MitigationOption, Phase
from incident_beads.lifecycle.risk import KnownRisk
from incident_beads.lifecycle.severity import Severity

#: Declared risk levels; "high" is significant risk by itself (see docs/hotfix.md).
RISK_LEVELS = ("low", "normal", "high")


def branch_name(incident_id: str) -> str:
    """`hotfix/incident-<id>`, the contract's branch name."""
    return f"hotfix/incident-{incident_id}"


def tag_name(incident_id: str, templates: Iterable[str] = defaults.TAG_NAMES) -> str:
    """The annotated tag: the first of `[git] tag_names`, by default `hotfix-<id>`."""
    return hotfix_tag_name(incident_id, templates)


def bead_title(incident_title: str) -> str:
    """`Hotfix: <incident title>`, cut to the store's title limit."""
    title = f"Hotfix: {incident_title}"
    # The incident title may use the whole limit; the hotfix must still start.
    return title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1] + "\u2026"


def start(ctx: HotfixContext, incident_id: str, *, scope: Sequence[str] = (),
          risk: str = "normal", actor: str | None = None) -> Hotfix:
    """Create `hotfix/incident-<id>` from the main branch and the hotfix bead."""
    who = ctx.actor(actor)
    if risk not in RISK_LEVELS:
        raise InvalidInput(f"unknown risk level {risk!r}", hint="use low, normal or high")
    incidents = ctx.incidents
    incident = incidents.get(incident_id)
    hold.refuse_if_held(incident_id, incident.state, "hotfix", incidents.decision_trust)
    if not incident.is_open:
        raise Refused(f"{incident_id} is closed; a hotfix needs an open incident")
    incidents.check_clock(incident_id)
    hotfixes = bead.hotfixes_of(ctx.store.issues_mentioning(KIND), incident_id)
    if any(not i.is_closed for i in hotfixes):
        raise Refused(f"{incident_id} already has an open hotfix",
                      hint=f"continue it: incident hotfix scope {incident_id}")
    override = check_protocol(ctx, incident_id, incident.severity.level)
    if risk == "high":
        ctx.check_risk(incident_id, ["the declared risk level is high"], who)
    branch, tag = branch_name(incident_id), tag_name(incident_id, ctx.config.git.tag_names)
    with ctx.repo() as git:
        git.check_branch_name(branch)
        main = git.main_branch()
        if git.branch_exists(branch):
            raise Refused(f"branch {branch} already exists",
                          hint=f"finish or delete it first: git branch -D {branch}")
        if git.tag_exists(tag):
            raise Refused(f"tag {tag} already exists",
                          hint=f"a hotfix for {incident_id} was tagged before; check "
                               f"`git show {tag}`")
        require_clean(git, "start a hotfix")
        require_up_to_date(git, main)
        base = git.rev_parse(f"refs/heads/{main}")
        back = git.current_branch() or git.rev_parse("HEAD")
        create_branch(git, branch, base)
        try:
            hotfix_id = create_bead(ctx, incident_id, incident.title, incident.severity,
                                    main, base, who, risk, override, scope)
        except BaseException:
            # Nothing half-made: without its bead, the branch goes too.
            drop_branch(git, branch, back)
            raise
    incidents.record_event(
        incident_id, f"Hotfix {hotfix_id} started: branch {branch} from {main} "
                     f"({base[:12]})" + (f"; override: {override}" if override else ""),
        kind="hotfix-started", actor=who, phase=Phase.HOTFIX,
        data={"hotfix": hotfix_id, "branch": branch, "base": base})
    return ctx.get(hotfix_id)


def create_bead(ctx: HotfixContext, incident_id: str, title: str, severity: Severity,
                main: str, base: str, who: str, risk: str, override: str,
                scope: Sequence[str]) -> str:
    """Write the hotfix bead, with the gates the table skips for this severity; its id."""
    branch, tag = branch_name(incident_id), tag_name(incident_id, ctx.config.git.tag_names)
    level = severity.level
    now = ctx.now()
    state = HotfixState(incident_id=incident_id, severity_level=level, branch=branch, tag=tag,
                        main_branch=main, base_commit=base, started_at=now, started_by=who,
                        risk=risk, override=override, scope=list(scope))
    with ctx.store.transaction() as tx:
        issue = tx.create(bead_title(title), issue_type="task",
                          priority=severity.priority, labels=[bead.LABEL],
                          parent=incident_id, created_by=who,
                          description=f"Hotfix for incident {incident_id} on branch {branch} "
                                      f"from {main} at {base[:12]}.",
                          metadata={bead.METADATA_KEY: {"kind": "hotfix"}})
        for gate in gates.GATES:
            cell = gates.rule(level, gate)
            if cell.skipped_by_table:
                ctx.record_gate(tx, issue, state, gate, done=False, by=who, now=now,
                                reason=f"the quality-gate table says {cell.level!r} "
                                       f"for SEV-{level}")
        bead.save(tx, issue.id, state)
    return issue.id


def check_protocol(ctx: HotfixContext, incident_id: str, level: int) -> str:
    """Refuse a hotfix outside SEV-1/2 or before rollback and the feature flag are ruled out,
    unless a person accepted that risk; the accepted overrides, as recorded on the hotfix."""
    incidents = ctx.incidents
    ruled_out = set(incidents.ruled_out(incident_id))
    reasons: list[tuple[str, str]] = []
    if level > 2:
        reasons.append((KnownRisk.HOTFIX_MINOR_SEVERITY,
                        f"the incident is SEV-{level} (hotfixes are for SEV-1/2)"))
    for rung in (MitigationOption.ROLLBACK, MitigationOption.FEATURE_FLAG):
        if rung not in ruled_out:
            reasons.append((KnownRisk.HOTFIX_WITHOUT_ROLLBACK,
                            f"{rung.value} is not recorded as failed or unavailable"))
    missing = [(risk, why) for risk, why in reasons
               if not incidents.has_risk_ack(incident_id, risk)]
    if missing:
        risks = sorted({risk for risk, _ in missing})
        raise Refused("a hotfix is only for SEV-1/2 once rollback and the feature flag are "
                      "ruled out: " + "; ".join(why for _, why in missing),
                      hint=f"record them (incident mitigate {incident_id} --option rollback "
                           f"--result unavailable ...) or have a person accept the risk: "
                           + " and ".join(f"incident risk ack {incident_id} --risk {r} "
                                          "--by WHO" for r in risks))
    return "; ".join(f"{why} (accepted: {risk})" for risk, why in reasons)
