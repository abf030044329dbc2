"""Assemble the `incident` click group; commands are imported only when they run."""

from __future__ import annotations

from typing import Any

import click

from incident_beads import collector
from incident_beads.cli._errors import run
from incident_beads.cli._subgroups import ACTOR_KEY, TableGroup
from incident_beads.cli._summaries import SUMMARIES

# name -> "module:attribute" below incident_beads.cli. Loading lazily keeps a command's cold
# start down to what that command uses.
COMMANDS: dict[str, str] = {
    "init": "store_cmds:init",
    "list": "store_cmds:list_",
    "show": "store_cmds:show",
    "doctor": "store_cmds:doctor",
    "merge-driver": "merge_cmds:merge_driver",
    "hooks": "hooks_cmds:hooks",
    "check-push": "hooks_cmds:check_push",
    "create": "lifecycle_cmds:create",
    "assess": "lifecycle_cmds:assess",
    "update": "lifecycle_cmds:update",
    "overdue": "lifecycle_cmds:overdue",
    "mitigate": "lifecycle_cmds:mitigate",
    "risk": "risk_cmds:risk",
    "reclassify": "lifecycle_cmds:reclassify",
    "resolve": "resolve_cmds:resolve",
    "reopen": "resolve_cmds:reopen",
    "handoff": "resolve_cmds:handoff",
    "check": "resolve_cmds:check",
    "postmortem": "postmortem_cmds:postmortem",
    "context": "knowledge_cmds:context",
    "learn": "knowledge_cmds:learn",
    "report": "knowledge_cmds:report",
    "runbook": "runbook_cmds:runbook",
    "action": "action_cmds:action",
    "hotfix": "hotfix_cmds:hotfix",
    "sync": "repo_cmds:sync",
    "deploys": "repo_cmds:deploys",
    "demo": "demo_cmds:demo",
    "mcp": "mcp_cmds:mcp",
    "recover": "store_cmds:recover",
    "close": "resolve_cmds:close",
    "alert": "monitoring_cmds:alert",
    "serve": "monitoring_cmds:serve",
    "evidence": "monitoring_cmds:evidence",
    "notify": "notify_cmds:notify",
    "remind": "notify_cmds:remind",
    "fleet": "fleet_cmds:fleet",
}


@click.group(cls=TableGroup, table=COMMANDS, summaries=SUMMARIES,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-C", "--repo", "repo", default=".", metavar="PATH",
              help="Run as if started in PATH (default: the current folder).")
@click.option("--actor", "actor", default=None, metavar="NAME",
              help="Who acts (default: $INCIDENT_ACTOR, else $BD_ACTOR, else the git user).")
@click.version_option(package_name="incident_beads", prog_name="incident")
@click.pass_context
def cli(ctx: click.Context, repo: str, actor: str | None) -> None:
    """Run production incident response inside a git repository, stored as beads issues."""
    ctx.obj = repo
    ctx.meta[ACTOR_KEY] = actor


def main(argv: list[str] | None = None) -> Any:
    """Console entry point: run the group, map errors to exit codes in one place.

    The cyclic garbage collector is paused while the command runs: a command lasts a fraction of
    a second and makes few reference cycles, and the collector's passes over everything made
    while importing and reading cost a resolution 5% of its time (10% with the passes when it
    is turned on again and at exit, which a process running its own command line, `argv` None,
    skips: it ends with the command). The long-running commands (`serve`, `mcp`) turn it back
    on; a caller that had it on gets it back on.
    """
    with collector.paused(ending=argv is None):
        return run(cli, argv)
